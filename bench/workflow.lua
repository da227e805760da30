-- wrk script: every connection creates requests, approves and sends them.
-- Each thread keeps queues of ids: a created draft is approved next, an approved one sent.
local token = os.getenv("HANOI_BENCH_TOKEN")
local body = os.getenv("HANOI_BENCH_BODY")
local advance = os.getenv("HANOI_BENCH_ADVANCE") ~= "0"
local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  creates, approves, sends, failures = 0, 0, 0, 0
  to_approve, to_send = {}, {}
end

function request()
  local id = table.remove(to_send)
  if id then
    sends = sends + 1
    return wrk.format("POST", "/api/v1/requests/" .. id .. "/send", headers, "")
  end
  id = table.remove(to_approve)
  if id then
    approves = approves + 1
    return wrk.format("POST", "/api/v1/requests/" .. id .. "/approve", headers, "")
  end
  creates = creates + 1
  return wrk.format("POST", "/api/v1/requests", headers, body)
end

function response(status, _, response_body)
  if status >= 400 then
    failures = failures + 1
    return
  end
  local id = string.match(response_body, '"id":"([^"]+)"')
  local state = string.match(response_body, '"status":"([a-z-]+)"')
  if not advance then
    return
  end
  if id and state == "draft" then
    table.insert(to_approve, id)
  elseif id and state == "approved" then
    table.insert(to_send, id)
  end
end

function done(summary, latency, requests)
  local c, a, s, f = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("creates")
    a = a + thread:get("approves")
    s = s + thread:get("sends")
    f = f + thread:get("failures")
  end
  io.write(string.format("RESULT creates=%d approves=%d sends=%d failures=%d\n", c, a, s, f))
  io.write(string.format("RESULT p50_us=%d p99_us=%d\n", latency:percentile(50), latency:percentile(99)))
end
