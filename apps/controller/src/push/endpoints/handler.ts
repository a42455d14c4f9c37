// The shape of one proxy API endpoint's handler, as the route table in proxy-api.ts calls it.

import type { ServerResponse } from 'node:http';
import type { ProxyCall } from '../proxy-refusal.ts';
import type { Caller } from './caller.ts';

/** An endpoint anyone may call (bootstrap: its join token is checked by the handler). */
export type OpenHandler = (call: ProxyCall, res: ServerResponse) => Promise<void>;

/** An endpoint a registered proxy calls, already authenticated as `caller`. */
export type ProxyHandler = (call: ProxyCall, res: ServerResponse, caller: Caller) => Promise<void>;
