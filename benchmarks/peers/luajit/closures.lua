-- closures -- closure-heavy pipelines; same as benchmarks/programs/closures.l.
-- A list is nil or a cell {car, cdr}.
local n = tonumber(arg[1]) or 500000

local function make_adder(k) return function(x) return x + k end end
local function make_scaler(k) return function(x) return x * k end end
local function compose(f, g) return function(x) return f(g(x)) end end

local function make_counter()
  local c = 0
  return function()
    c = c + 1
    return c
  end
end

-- compose a list of functions, the first applied last
local function compose_all(fs)
  if fs[2] ~= nil then return compose(fs[1], compose_all(fs[2])) end
  return fs[1]
end

local counter, acc = make_counter(), 1
for i = 0, n - 1 do
  local f = compose_all({ make_adder(counter()),
                        { make_scaler(3),
                        { make_adder(i % 7),
                        { function(x) return x % 1000003 end, nil } } } })
  acc = f(acc) % 1000003
end
print(string.format("closures %d: acc %d counter %d", n, acc, counter()))
