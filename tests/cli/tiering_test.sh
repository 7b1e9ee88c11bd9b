#!/usr/bin/env bash
# Two tiers of compiled code (JitOptions::optimize_threshold): a function that inlining would speed
# up is compiled first without it, and again with it once its code has run
# --jit-optimize-threshold times; 0 inlines at the first compile; the dlopen kind always does.
# usage: tiering_test.sh MARU
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
setup "$1"

# fib calls itself (its body is small: inlining takes it); the recursion in progress moves to
# the new code at its next call.
cat >fib.l <<'MARU'
(define-function fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
(println (fib 24))
MARU

stat() { sed -n "s/^maru-stats: $1=//p" "$work/err"; }

begin "hot tier 1 code is compiled again with inlining"
run --jit=eager --code=memory --stats fib.l
want_status 0
want_out $'46368\n'
(($(stat functions_optimized) >= 1)) || problem "functions_optimized=$(stat functions_optimized)"
(($(stat calls_inlined) >= 1)) || problem "calls_inlined=$(stat calls_inlined)"
end

begin "--jit-optimize-threshold=0 inlines at the first compile"
run --jit=eager --code=memory --jit-optimize-threshold=0 --stats fib.l
want_status 0
want_out $'46368\n'
want_err_contains "maru-stats: functions_optimized=0"
(($(stat calls_inlined) >= 1)) || problem "calls_inlined=$(stat calls_inlined)"
end

begin "code that never gets hot keeps tier 1"
run --jit=eager --code=memory --jit-optimize-threshold=100000000 --stats fib.l
want_status 0
want_out $'46368\n'
want_err_contains "maru-stats: functions_optimized=0"
want_err_contains "maru-stats: calls_inlined=0"
end

begin "the dlopen kind inlines at once"
run --jit=eager --code=dlopen --stats fib.l
want_status 0
want_out $'46368\n'
want_err_contains "maru-stats: functions_optimized=0"
(($(stat calls_inlined) >= 1)) || problem "calls_inlined=$(stat calls_inlined)"
end

begin "a bad count is refused"
run --jit-optimize-threshold=lots fib.l
want_status 1
want_err_contains "error: --jit-optimize-threshold=lots: expected a count of calls"
end
finish
