#!/usr/bin/env bash
# Compile-only check of the macOS branch of jit/objfile/native_module.cc (a signed dylib in a
# fresh private file, dlopen'ed), which only a macOS build compiles. The configuration's C++
# compiler (the host's, or the AArch64 cross compiler under --config=aarch64: the Intel and the
# Apple-silicon build) compiles it with -fsyntax-only, __APPLE__ defined and __linux__ not, with
# the other sources that path needs (the dlopen kind of code memory, and the ELF loader, whose
# memfd and dlinfo calls are Linux's). The Apple calls it makes (dlopen, dlsym, dladdr, dlerror, dlclose,
# unlink, geteuid, getenv, mkdir, lstat, strerror_r, mkstemps) are POSIX calls that glibc
# declares too, so the only stand-ins are the SDK headers Abseil includes under __APPLE__
# (stand_in/Availability.h, stand_in/TargetConditionals.h). What it cannot check: that macOS
# declares those calls exactly as glibc does, Apple's clang warnings, and behaviour (the
# Linux branch is run by //tests/objfile:native_module_test).
#
# usage: native_module_syntax_test.sh NATIVE_MODULE_CC STAND_IN_DIR [OTHER_SOURCE ...]
# Environment: CC, the target C/C++ compiler driver (Bazel's $(CC)).
set -uo pipefail

if (($# < 2)); then
  echo "usage: native_module_syntax_test.sh NATIVE_MODULE_CC STAND_IN_DIR [OTHER_SOURCE ...]" >&2
  exit 2
fi
src="$1"
stand_in="$(cd "$2" && pwd)"
shift 2
others=("$@")
# The source includes "jit/objfile/...": the include root is two levels above it.
root="$(cd "$(dirname "$src")/../.." && pwd)"
compiler="${CC:?CC must name the C/C++ compiler driver}"
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/native_module_syntax.XXXXXX")" || exit 2
trap 'rm -rf "$work"' EXIT

# As on macOS: __APPLE__ defined, Linux's macros not (so the Linux-only branches drop out).
flags=(-x c++ -std=c++20 -Wall -Werror -D__APPLE__ -U__linux__ -U__linux -Ulinux -I"$stand_in"
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

echo "compiler: $compiler ($("$compiler" -dumpmachine 2>&1))"

# Not vacuous: with these flags the macOS branch is what gets compiled, not the ELF one.
"$compiler" "${flags[@]}" -E "$src" -o "$work/preprocessed.ii" 2>"$work/err"
status=$?
((status == 0)) && grep -q 'WriteMachODylibToFreshFile(spec' "$work/preprocessed.ii" &&
  ! grep -q 'LoadSharedObject(' "$work/preprocessed.ii"
check "the __APPLE__ branch is compiled, the ELF branch is not" $? "$(head -20 "$work/err")"

"$compiler" "${flags[@]}" -fsyntax-only "$src" 2>"$work/err"
check "$(basename "$src") compiles with __APPLE__ defined" $? "$(head -40 "$work/err")"

for other in "${others[@]}"; do
  "$compiler" "${flags[@]}" -fsyntax-only "$other" 2>"$work/err"
  check "$(basename "$other") compiles with __APPLE__ defined" $? "$(head -40 "$work/err")"
done

# The check can fail: the same file with one call of the macOS branch misspelt must not compile.
mkdir -p "$work/jit/objfile"
sed 's/dladdr(/dladdr_misspelt(/' "$src" >"$work/jit/objfile/native_module.cc"
if cmp -s "$src" "$work/jit/objfile/native_module.cc"; then
  check "a misspelt call in the macOS branch is an error" 1 "  the source no longer calls dladdr"
else
  ! "$compiler" "${flags[@]}" -fsyntax-only "$work/jit/objfile/native_module.cc" 2>"$work/err"
  check "a misspelt call in the macOS branch is an error" $? "  the mutated copy compiled"
fi

echo "$passed passed, $failed failed"
((failed == 0))
