-- Rotates logged-in sessions and paths; prints throughput, latency percentiles and errors.
local cookies, paths = {}, {}
local counter = 0

function init(args)
  for word in string.gmatch(os.getenv("BENCH_COOKIES") or "", "[^|]+") do table.insert(cookies, word) end
  for word in string.gmatch(os.getenv("BENCH_PATHS") or "/", "[^|]+") do table.insert(paths, word) end
end

function request()
  counter = counter + 1
  local headers = {}
  if #cookies > 0 then headers["Cookie"] = cookies[(counter % #cookies) + 1] end
  headers["Accept-Encoding"] = "gzip"
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
    + summary.errors.timeout
  io.write(string.format("RESULT requests=%d rps=%.1f p50=%.2f p95=%.2f p99=%.2f errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors))
end
