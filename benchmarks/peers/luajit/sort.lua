-- sort -- quicksort (Hoare partition, middle pivot) of N minimal-standard pseudo-random numbers;
-- same as benchmarks/programs/sort.l.  The array is a 0-based Lua table.
local n = tonumber(arg[1]) or 500000

local seed = 42
local function next_random()
  seed = (seed * 16807) % 2147483647
  return seed
end

local floor = math.floor

local function quicksort(a, lo, hi)
  if lo < hi then
    local p = a[floor((lo + hi) / 2)]
    local i, j = lo, hi
    while i <= j do
      while a[i] < p do i = i + 1 end
      while a[j] > p do j = j - 1 end
      if i <= j then
        a[i], a[j] = a[j], a[i]
        i = i + 1
        j = j - 1
      end
    end
    quicksort(a, lo, j)
    quicksort(a, i, hi)
  end
end

local a = {}
for i = 0, n - 1 do a[i] = next_random() end
quicksort(a, 0, n - 1)
local h, ok = 0, "ok"
for i = 0, n - 1 do
  if i > 0 and a[i] < a[i - 1] then ok = "BAD" end
  h = (h * 31 + a[i]) % 1000000007
end
print(string.format("sort %d: first %d median %d last %d hash %d %s",
                    n, a[0], a[floor(n / 2)], a[n - 1], h, ok))
