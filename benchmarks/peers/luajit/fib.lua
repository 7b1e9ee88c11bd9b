-- fib -- doubly recursive Fibonacci; same algorithm and output as benchmarks/programs/fib.l.
local n = tonumber(arg[1]) or 36

local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

print(string.format("fib %d: %d", n, fib(n)))
