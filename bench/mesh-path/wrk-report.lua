-- wrk hook: prints wrk's own summary as one JSON line, so the benchmark parses no tables.
-- Only done() is defined: per-request hooks would slow wrk down.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'mesh-path-json {"requests":%d,"durationUs":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"latencyUs":{"p50":%.0f,"p90":%.0f,"p99":%.0f,"p999":%.0f,"max":%.0f}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
