#!/usr/bin/env bash
# Compile-only check of the Apple-silicon code memory, jit/codemem/map_jit_memory.cc, which only
# a macOS/arm64 build compiles (everything in it is under `__APPLE__ && __aarch64__`). The AArch64
# cross compiler compiles it with -fsyntax-only, __APPLE__ defined, and stand-in declarations
# of the few Apple APIs it calls (stand_in/), so misspelt names, wrong argument lists and C++
# errors show up on Linux. What it cannot check: that the stand-ins match the real SDK (they are
# copied from its documented signatures), Apple's clang warnings, and behaviour.
#
# usage: map_jit_syntax_test.sh MAP_JIT_MEMORY_CC STAND_IN_DIR
# Environment: CC, the target C/C++ compiler driver (Bazel's $(CC) under --config=aarch64).
set -uo pipefail

if (($# != 2)); then
  echo "usage: map_jit_syntax_test.sh MAP_JIT_MEMORY_CC STAND_IN_DIR" >&2
  exit 2
fi
src="$1"
stand_in="$(cd "$2" && pwd)"
# The source includes "jit/codemem/code_memory.h": the include root is two levels above it.
root="$(cd "$(dirname "$src")/../.." && pwd)"
compiler="${CC:?CC must name the AArch64 compiler driver}"
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/map_jit_syntax.XXXXXX")" || exit 2
trap 'rm -rf "$work"' EXIT

flags=(-x c++ -std=c++20 -Wall -D__APPLE__ -include "$stand_in/apple_jit_api.h" -I"$stand_in"
  -I"$root")

passed=0
failed=0
check() { # check NAME STATUS [DETAILS]
  if [[ "$2" == 0 ]]; then
    passed=$((passed + 1))
    echo "PASS  $1"
  else
    failed=$((failed + 1))
    printf 'FAIL  %s\n%s\n' "$1" "${3:-}"
  fi
}

target="$("$compiler" -dumpmachine 2>&1)"
[[ "$target" == aarch64* ]]
check "the compiler targets AArch64 (it says: $target)" $?

# Not vacuous: with these flags the Apple-only part is what gets compiled.
"$compiler" "${flags[@]}" -E "$src" -o "$work/preprocessed.ii" 2>"$work/err"
status=$?
((status == 0)) && grep -q 'class MapJitCodeMemory' "$work/preprocessed.ii"
check "the __APPLE__ && __aarch64__ part is compiled" $? "$(head -20 "$work/err")"

"$compiler" "${flags[@]}" -fsyntax-only "$src" 2>"$work/err"
check "map_jit_memory.cc compiles against the stand-ins" $? "$(head -40 "$work/err")"

# The check can fail: the same file with one Apple call misspelt must not compile.
mkdir -p "$work/jit/codemem"
sed 's/sys_icache_invalidate(/sys_icache_invalidate_misspelt(/' "$src" \
  >"$work/jit/codemem/map_jit_memory.cc"
if cmp -s "$src" "$work/jit/codemem/map_jit_memory.cc"; then
  check "a misspelt Apple call is an error" 1 "  the source no longer calls sys_icache_invalidate"
else
  ! "$compiler" "${flags[@]}" -fsyntax-only "$work/jit/codemem/map_jit_memory.cc" 2>"$work/err"
  check "a misspelt Apple call is an error" $? "  the mutated copy compiled"
fi

echo "$passed passed, $failed failed"
((failed == 0))
