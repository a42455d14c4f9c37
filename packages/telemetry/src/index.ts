// @weft/telemetry: mergeable latency sketches and the traffic batches proxies send the controller.

export { LatencySketch, RELATIVE_ACCURACY } from './sketch.ts';
export {
  REPORTERS,
  type Reporter,
  type TrafficBatch,
  type TrafficKey,
  TrafficWindow,
  trafficBatch,
} from './traffic.ts';
