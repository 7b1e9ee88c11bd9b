-- puzzle -- Forest Baskett's packing puzzle; same as benchmarks/programs/puzzle.l (the search
-- loop of `trial` stops on a flag, as in the Maru version, instead of r7rs's call/cc).
-- Arrays are 0-based Lua tables of booleans and numbers.
local reps = tonumber(arg[1]) or 50

local size, classmax, typemax, d = 511, 3, 12, 8

local iii, kount = 0, 0
local piececount, class, piecemax, puzzle, p = {}, {}, {}, {}, {}
for i = 0, classmax do piececount[i] = 0 end
for i = 0, typemax do class[i] = 0; piecemax[i] = 0; p[i] = {} end
for i = 0, size do puzzle[i] = false end

-- true when piece i fits at position j
local function fit(i, j)
  local e, piece, k = piecemax[i], p[i], 0
  while k <= e and not (piece[k] and puzzle[j + k]) do k = k + 1 end
  return k > e
end

-- places piece i at j; returns the first free position after j (0 when the box is full)
local function place(i, j)
  local e, piece = piecemax[i], p[i]
  for k = 0, e do
    if piece[k] then puzzle[j + k] = true end
  end
  piececount[class[i]] = piececount[class[i]] - 1
  local k = j
  while k <= size and puzzle[k] do k = k + 1 end
  if k > size then return 0 end
  return k
end

local function puzzle_remove(i, j)
  local e, piece = piecemax[i], p[i]
  for k = 0, e do
    if piece[k] then puzzle[j + k] = false end
  end
  piececount[class[i]] = piececount[class[i]] + 1
end

-- tries every piece type at position j; counts every trial in kount
local function trial(j)
  local i, found = 0, false
  while not found and i <= typemax do
    if piececount[class[i]] ~= 0 and fit(i, j) then
      local k = place(i, j)
      if trial(k) or k == 0 then
        found = true
      else
        puzzle_remove(i, j)
      end
    end
    i = i + 1
  end
  kount = kount + 1
  return found
end

local function define_piece(iclass, ii, jj, kk)
  local index = 0
  for i = 0, ii do
    for j = 0, jj do
      for k = 0, kk do
        index = i + d * (j + d * k)
        p[iii][index] = true
      end
    end
  end
  class[iii] = iclass
  piecemax[iii] = index
  if iii ~= typemax then iii = iii + 1 end
end

-- one run; returns kount (nil if the puzzle has no solution)
local function start()
  kount = 0
  for m = 0, size do puzzle[m] = true end
  for i = 1, 5 do
    for j = 1, 5 do
      for k = 1, 5 do puzzle[i + d * (j + d * k)] = false end
    end
  end
  for i = 0, typemax do
    for m = 0, size do p[i][m] = false end
  end
  iii = 0
  define_piece(0, 3, 1, 0)
  define_piece(0, 1, 0, 3)
  define_piece(0, 0, 3, 1)
  define_piece(0, 1, 3, 0)
  define_piece(0, 3, 0, 1)
  define_piece(0, 0, 1, 3)
  define_piece(1, 2, 0, 0)
  define_piece(1, 0, 2, 0)
  define_piece(1, 0, 0, 2)
  define_piece(2, 1, 1, 0)
  define_piece(2, 1, 0, 1)
  define_piece(2, 0, 1, 1)
  define_piece(3, 1, 1, 1)
  piececount[0] = 13
  piececount[1] = 3
  piececount[2] = 1
  piececount[3] = 1
  local m, n = d * (d + 1) + 1, 0
  if fit(0, m) then
    n = place(0, m)
  else
    error("puzzle: the first piece does not fit")
  end
  if trial(n) then return kount end
  return nil
end

local result
for _ = 1, reps do result = start() end
print(string.format("puzzle %d x%d: %s", size, reps, tostring(result)))
