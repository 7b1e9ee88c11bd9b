-- strings -- string building; same workload and output as benchmarks/programs/strings.l.
-- Lua strings are immutable, so the growable character buffer of the Maru/Scheme versions
-- becomes Lua's idiomatic builder: a table of pieces joined once by table.concat.
local n = tonumber(arg[1]) or 200000

local function hash_string(s)
  local h = 0
  for i = 1, #s do h = (h * 31 + string.byte(s, i)) % 1000000007 end
  return h
end

local parts = {}
for i = 0, n - 1 do
  parts[#parts + 1] = "k" .. string.format("%d", i) .. "=" .. string.format("%d", (i * i) % 9973) .. ";"
end
local result = table.concat(parts)
print(string.format("strings %d: length %d hash %d", n, #result, hash_string(result)))
