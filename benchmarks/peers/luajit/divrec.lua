-- divrec -- divide by 2 using lists of ()s, recursively; same as benchmarks/programs/divrec.l.
-- A list is nil or a cell {car, cdr}; the () elements are the value false.
local reps = tonumber(arg[1]) or 20000

local function create_n(n)
  local a = nil
  while n > 0 do a = { false, a }; n = n - 1 end
  return a
end

local function cddr(l)
  if l == nil then return nil end
  return l[2] and l[2][2]
end

local function recursive_div2(l)
  if l == nil then return nil end
  return { l[1], recursive_div2(cddr(l)) }
end

local function length(l)
  local n = 0
  while l ~= nil do n = n + 1; l = l[2] end
  return n
end

local ll = create_n(1000)
local result
for _ = 1, reps do result = recursive_div2(ll) end
print(string.format("divrec 1000 x%d: %d", reps, length(result)))
