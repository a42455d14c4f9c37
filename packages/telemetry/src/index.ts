// @weft/telemetry: mergeable latency sketches, the traffic batches proxies send the controller,
// and the tagged event channels both apps publish their events on.

export { TaggedChannel } from './event-channel.ts';
export { LatencySketch, RELATIVE_ACCURACY } from './sketch.ts';
export {
  REPORTERS,
  type Reporter,
  type TrafficBatch,
  type TrafficKey,
  TrafficWindow,
  trafficBatch,
  UNAUTHENTICATED_SOURCE,
} from './traffic.ts';
