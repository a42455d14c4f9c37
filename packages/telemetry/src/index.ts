// @weft/telemetry: mergeable latency sketches and the traffic batches proxies send the controller.

export { LatencySketch, RELATIVE_ACCURACY } from './sketch.ts';
export { type TrafficBatch, type TrafficKey, TrafficWindow, trafficBatch } from './traffic.ts';
