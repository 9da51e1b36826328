-- wrk script of bench/cluster.py: cycles through the paths of one endpoint class (a file, one
-- path a line), counts answers by status and nginx cache hits, and prints one JSON line.
--   wrk ... -s bench/cluster.lua <url> -- <paths file> [Header: value]...
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(paths, line) end
  end
  local headers = {}
  for i = 2, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  requests = {}
  for i, path in ipairs(paths) do requests[i] = wrk.format("GET", path, headers) end
  -- Each connection starts somewhere else in the list.
  index = math.random(#paths)
  statuses = {}
  hits = 0
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if headers["X-Cache-Status"] == "HIT" then hits = hits + 1 end
end

function done(summary, latency, requests)
  local counts, total_hits = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
    total_hits = total_hits + thread:get("hits")
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%d": %d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"hits": %d, "statuses": {%s}, "socket_errors": {"connect": %d, "read": %d, ' ..
    '"write": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), total_hits, table.concat(parts, ", "), e.connect, e.read, e.write,
    e.timeout))
end
