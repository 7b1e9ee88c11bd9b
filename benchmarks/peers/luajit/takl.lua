-- takl -- Takeuchi with lists as counters; same as benchmarks/programs/takl.l.
-- A list is nil or a cell {car, cdr}.
local reps = tonumber(arg[1]) or 100

local function listn(n)
  if n == 0 then return nil end
  return { n, listn(n - 1) }
end

local l18, l12, l6 = listn(18), listn(12), listn(6)

-- true when list x is shorter than list y
local function shorterp(x, y)
  return y ~= nil and (x == nil or shorterp(x[2], y[2]))
end

local function mas(x, y, z)
  if not shorterp(y, x) then return z end
  return mas(mas(x[2], y, z), mas(y[2], z, x), mas(z[2], x, y))
end

local function length(l)
  local n = 0
  while l ~= nil do n = n + 1; l = l[2] end
  return n
end

local sum = 0
for _ = 1, reps do sum = sum + length(mas(l18, l12, l6)) end
print(string.format("takl 18 12 6 x%d: %d", reps, sum))
