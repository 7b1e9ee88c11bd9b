-- triangl -- triangle solitaire search from (22 1); same as benchmarks/programs/triangl.l.
-- Vectors are 0-based Lua tables; the answer list is nil or a cell {car, cdr}.
local reps = tonumber(arg[1]) or 5

local function vector(t)
  local v = {}
  for i = 1, #t do v[i - 1] = t[i] end
  return v
end

local board = vector { 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }
local sequence = vector { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
local A = vector { 1, 2, 4, 3, 5, 6, 1, 3, 6, 2, 5, 4, 11, 12, 13, 7, 8, 4, 4, 7, 11, 8, 12, 13, 6, 10,
                   15, 9, 14, 13, 13, 14, 15, 9, 10, 6, 6 }
local B = vector { 2, 4, 7, 5, 8, 9, 3, 6, 10, 5, 9, 8, 12, 13, 14, 8, 9, 5, 2, 4, 7, 5, 8, 9, 3, 6, 10,
                   5, 9, 8, 12, 13, 14, 8, 9, 5, 5 }
local C = vector { 4, 7, 11, 8, 12, 13, 6, 10, 15, 9, 14, 13, 13, 14, 15, 9, 10, 6, 1, 2, 4, 3, 5, 6, 1,
                   3, 6, 2, 5, 4, 11, 12, 13, 7, 8, 4, 4 }
local answer = nil

-- the elements 1..13 of the sequence as a fresh list
local function sequence_tail()
  local l = nil
  for k = 13, 1, -1 do l = { sequence[k], l } end
  return l
end

local function attempt(i, depth)
  if depth == 14 then
    answer = { sequence_tail(), answer }
    return true
  elseif board[A[i]] == 1 and board[B[i]] == 1 and board[C[i]] == 0 then
    board[A[i]] = 0
    board[B[i]] = 0
    board[C[i]] = 1
    sequence[depth] = i
    local j, d = 0, depth + 1
    while j ~= 36 and not attempt(j, d) do j = j + 1 end
    board[A[i]] = 1
    board[B[i]] = 1
    board[C[i]] = 0
    return false
  end
  return false
end

local function test(i, depth)
  answer = nil
  attempt(i, depth)
  return answer[1]
end

local function show(l)
  local parts = {}
  while l ~= nil do parts[#parts + 1] = string.format("%d", l[1]); l = l[2] end
  return "(" .. table.concat(parts, " ") .. ")"
end

local function length(l)
  local n = 0
  while l ~= nil do n = n + 1; l = l[2] end
  return n
end

local first
for _ = 1, reps do first = test(22, 1) end
print(string.format("triangl 22 1 x%d: %d first %s", reps, length(answer), show(first)))
