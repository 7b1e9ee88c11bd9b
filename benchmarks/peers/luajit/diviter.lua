-- diviter -- divide by 2 using lists of ()s, iteratively; same as benchmarks/programs/diviter.l.
-- A list is nil or a cell {car, cdr}; the () elements are the value false.
local reps = tonumber(arg[1]) or 20000

local function create_n(n)
  local a = nil
  while n > 0 do a = { false, a }; n = n - 1 end
  return a
end

local function iterative_div2(l)
  local a = nil
  while l ~= nil do
    a = { l[1], a }
    l = l[2]
    if l ~= nil then l = l[2] end
  end
  return a
end

local function length(l)
  local n = 0
  while l ~= nil do n = n + 1; l = l[2] end
  return n
end

local ll = create_n(1000)
local result
for _ = 1, reps do result = iterative_div2(ll) end
print(string.format("diviter 1000 x%d: %d", reps, length(result)))
