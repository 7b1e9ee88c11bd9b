-- destruc -- destructive list operations on (600 50); same as benchmarks/programs/destruc.l.
-- A list is nil or a cell {car, cdr}; () elements are the value false (a cell's car must not
-- be nil, or the Lua table would lose its length information -- we never read it, but false
-- keeps the cells uniform).
local reps = tonumber(arg[1]) or 150

local NIL = false

local function length(l)
  local n = 0
  while l do n = n + 1; l = l[2] end
  return n
end

-- a list of n ()s
local function nils(n)
  local a = NIL
  while n > 0 do a = { NIL, a }; n = n - 1 end
  return a
end

local function append_to_tail(x, y)
  if not x then return y end
  local a, b = x, x[2]
  while b do a = b; b = b[2] end
  a[2] = y
  return x
end

-- stores i into the first half of list x; returns the cell after that half
local function destruc_head(x, i)
  local j = math.floor(length(x) / 2)
  while j ~= 0 do
    x[1] = i
    x = x[2]
    j = j - 1
  end
  return x
end

-- cuts the list held by cell l1 after its first half (storing i there) and returns the rest
local function destruc_tail(l1, i)
  local n = math.floor(length(l1[1]) / 2)
  if n == 0 then
    l1[1] = NIL
    return l1[1]
  end
  local j, a = n, l1[1]
  while j ~= 1 do
    a[1] = i
    a = a[2]
    j = j - 1
  end
  local rest = a[2]
  a[2] = NIL
  return rest
end

local function destructive(n, m)
  local l = nils(10)
  for i = n, 1, -1 do
    if not l[1] then
      local ll = l
      while ll do
        if not ll[1] then ll[1] = { NIL, NIL } end
        append_to_tail(ll[1], nils(m))
        ll = ll[2]
      end
    else
      local l1, l2 = l, l[2]
      while l2 do
        local head = destruc_head(l2[1], i)
        local tail = destruc_tail(l1, i)
        if head then head[2] = tail end   -- (set-cdr) of a non-pair stores nothing
        l1 = l1[2]
        l2 = l2[2]
      end
    end
  end
  return l
end

local result
for _ = 1, reps do result = destructive(600, 50) end
local lengths, sum = {}, 0
while result do
  local s = result[1]
  lengths[#lengths + 1] = string.format("%d", length(s))
  while s do
    if s[1] then sum = sum + s[1] end
    s = s[2]
  end
  result = result[2]
end
print(string.format("destruc 600 50 x%d: lengths (%s) sum %d", reps, table.concat(lengths, " "), sum))
