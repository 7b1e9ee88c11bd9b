-- nqueens -- number of n-queens solutions with lists and append; same as
-- benchmarks/programs/nqueens.l.  A list is nil or a cell {car, cdr}.
local n = tonumber(arg[1]) or 12

local function iota1(n)
  local l = nil
  while n > 0 do l = { n, l }; n = n - 1 end
  return l
end

-- a copy of list a followed by b
local function append(a, b)
  if a == nil then return b end
  local head = { a[1], nil }
  local last = head
  a = a[2]
  while a ~= nil do
    local cell = { a[1], nil }
    last[2] = cell
    last = cell
    a = a[2]
  end
  last[2] = b
  return head
end

local function ok(row, dist, placed)
  if placed == nil then return true end
  return placed[1] ~= row + dist and placed[1] ~= row - dist and ok(row, dist + 1, placed[2])
end

local function try_queens(x, y, z)
  if x == nil then
    if y == nil then return 1 end
    return 0
  end
  local a = 0
  if ok(x[1], 1, z) then a = try_queens(append(x[2], y), nil, { x[1], z }) end
  return a + try_queens(x[2], { x[1], y }, z)
end

print(string.format("nqueens %d: %d", n, try_queens(iota1(n), nil, nil)))
