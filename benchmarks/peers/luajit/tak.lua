-- tak -- the Takeuchi function on (18 12 6); same as benchmarks/programs/tak.l.
local reps = tonumber(arg[1]) or 1000

local function tak(x, y, z)
  if y < x then
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y))
  end
  return z
end

local sum = 0
for _ = 1, reps do sum = sum + tak(18, 12, 6) end
print(string.format("tak 18 12 6 x%d: %d", reps, sum))
