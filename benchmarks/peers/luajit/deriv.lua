-- deriv -- symbolic differentiation; same as benchmarks/programs/deriv.l.
-- A list is nil or a cell {car, cdr}; symbols are Lua strings.
local reps = tonumber(arg[1]) or 100000

local function list3(a, b, c) return { a, { b, { c, nil } } } end
local function list4(a, b, c, d) return { a, { b, { c, { d, nil } } } } end
local function list5(a, b, c, d, e) return { a, { b, { c, { d, { e, nil } } } } } end

local function map(f, l)
  local result, last = nil, nil
  while l ~= nil do
    local cell = { f(l[1]), nil }
    if last then last[2] = cell else result = cell end
    last = cell
    l = l[2]
  end
  return result
end

local function deriv(a)
  if type(a) ~= "table" then
    if a == "x" then return 1 end
    return 0
  end
  local op = a[1]
  if op == "+" then
    return { "+", map(deriv, a[2]) }
  elseif op == "-" then
    return { "-", map(deriv, a[2]) }
  elseif op == "*" then
    return list3("*", a, { "+", map(function(b) return list3("/", deriv(b), b) end, a[2]) })
  elseif op == "/" then
    local u, v = a[2][1], a[2][2][1]
    return list3("-", list3("/", deriv(u), v), list3("/", u, list4("*", v, v, deriv(v))))
  end
  error("no derivation method available")
end

local function show(x)
  if type(x) ~= "table" then
    if type(x) == "number" then return string.format("%d", x) end
    return tostring(x)
  end
  local parts = {}
  while x ~= nil do parts[#parts + 1] = show(x[1]); x = x[2] end
  return "(" .. table.concat(parts, " ") .. ")"
end

local expr = list5("+", list4("*", 3, "x", "x"), list4("*", "a", "x", "x"), list3("*", "b", "x"), 5)

local result
for _ = 1, reps do result = deriv(expr) end
print(string.format("deriv x%d: %s", reps, show(result)))
