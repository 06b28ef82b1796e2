-- wrk: the home page for a different returning visitor on every request (a `vid` cookie from a
-- counter), with a browser user agent: with a running hero experiment, every request is an
-- assignment and a first exposure, the worst case for the experiment path.
local n = 0
local thread_id = 0
setup = function(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end
request = function()
  n = n + 1
  local vid = string.format("%08x%024x", tid or 0, n)
  return wrk.format("GET", "/", {
    ["Cookie"] = "vid=" .. vid,
    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36",
  })
end
