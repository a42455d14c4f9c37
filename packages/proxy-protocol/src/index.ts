// @weft/proxy-protocol: the proxy API, defined once for the controller, the proxy and the bench.

export { type Answer, errorAnswer, readAnswer } from './answers.ts';
export * from './certificates.ts';
export {
  type AnswerOf,
  type Endpoint,
  type JsonEndpoint,
  PROXY_ID_HEADER,
  type ProxyApi,
  proxyApi,
  type RequestOf,
  type StreamEndpoint,
} from './endpoints.ts';
export { describeIssues, ProtocolError } from './protocol-error.ts';
export { storedText } from './stored-text.ts';
export * from './sync.ts';
export * from './watch.ts';
