-- wrk: "Add to cart" by new visitors (no cookie: every request makes a cart), SKUs drawn from
-- the list bench-checkout.sh writes to skus.lua.
local skus = dofile(os.getenv("BENCH_SKUS"))
local n = 0
request = function()
  n = n + 1
  local sku = skus[(n % #skus) + 1]
  return wrk.format("POST", "/cart/add", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
  }, "sku=" .. sku .. "&quantity=1")
end
