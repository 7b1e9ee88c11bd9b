-- cpstak -- continuation-passing Takeuchi; same as benchmarks/programs/cpstak.l.
-- (Lua has proper tail calls, so here the stack does not grow.)
local reps = tonumber(arg[1]) or 30

local function cps_tak(x, y, z, k)
  if not (y < x) then return k(z) end
  return cps_tak(x - 1, y, z, function(v1)
    return cps_tak(y - 1, z, x, function(v2)
      return cps_tak(z - 1, x, y, function(v3)
        return cps_tak(v1, v2, v3, k)
      end)
    end)
  end)
end

local function cpstak(x, y, z)
  return cps_tak(x, y, z, function(a) return a end)
end

local sum = 0
for _ = 1, reps do sum = sum + cpstak(18, 12, 6) end
print(string.format("cpstak 18 12 6 x%d: %d", reps, sum))
