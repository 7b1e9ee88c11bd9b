-- startup -- start-up cost only; same as benchmarks/programs/startup.l.
local n = tonumber(arg[1]) or 0
print(string.format("startup %d: ok", n))
