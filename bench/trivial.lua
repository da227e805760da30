-- wrk script: the baseline, a trivial authenticated endpoint of the same app.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("HANOI_BENCH_TOKEN")

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d\n", summary.requests))
  io.write(string.format("RESULT p50_us=%d p99_us=%d\n", latency:percentile(50), latency:percentile(99)))
end
