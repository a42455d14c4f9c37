// The bottom of every stack: the request handed to an undici dispatcher (a keep-alive pool to a
// peer proxy, or to the local service) as it is, the answer going up to the layers above.

import type { Dispatcher } from 'undici';
import type { Dispatch, ForwardRequest } from './dispatch.ts';

export function createForward<R extends ForwardRequest>(dispatcher: Dispatcher): Dispatch<R> {
  return (request, handler) => {
    const options: Dispatcher.DispatchOptions = {
      path: request.path,
      method: request.method as Dispatcher.HttpMethod,
      headers: request.headers,
      body: request.body,
    };
    if (request.upgrade !== undefined) options.upgrade = request.upgrade;
    dispatcher.dispatch(options, handler);
  };
}
