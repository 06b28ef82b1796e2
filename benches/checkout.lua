-- wrk: whole purchases. Each connection alternates "add to cart" (a new cart: the response's
-- cookie is kept) and "place order" with that cart and a fresh idempotency key. Run with as many
-- threads as connections so each Lua state drives exactly one connection in order.
local skus = dofile(os.getenv("BENCH_SKUS"))
local threads = {}
local started = 0

-- Runs in the main Lua state; `thread:set` makes `id` a global of that thread's own state.
setup = function(thread)
  started = started + 1
  thread:set("id", started)
  table.insert(threads, thread)
end

init = function()
  step, n, cart, placed, failed = "add", 0, nil, 0, 0
end

local form = "email=bench%40example.com&name=Load+Test&line1=1+Bench+Street&city=London"
  .. "&postcode=SW1A+1AA&country=United+Kingdom&shipping=standard"
  .. "&card_number=4242424242424242&card_expiry=12%2F40&card_cvc=123"

request = function()
  n = n + 1
  if step == "add" or cart == nil then
    local sku = skus[((n + id * 7919) % #skus) + 1]
    return wrk.format("POST", "/cart/add", {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Accept"] = "application/json",
    }, "sku=" .. sku .. "&quantity=1")
  end
  return wrk.format("POST", "/checkout/place", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
    ["Cookie"] = cart,
  }, form .. "&idempotency_key=bench-" .. id .. "-" .. n)
end

response = function(status, headers, body)
  if step == "add" then
    local c = headers["Set-Cookie"] or headers["set-cookie"]
    if c then cart = c:match("^(cart=[0-9a-f]+)") end
    step = "place"
  else
    if status == 201 then placed = placed + 1 else failed = failed + 1 end
    step, cart = "add", nil
  end
end

done = function(summary, latency, requests)
  local placed, failed = 0, 0
  for _, t in ipairs(threads) do
    placed = placed + t:get("placed")
    failed = failed + t:get("failed")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("orders placed: %d in %.1f s = %.1f checkouts/s (%d not placed)\n",
    placed, seconds, placed / seconds, failed))
end
