#!/usr/bin/env bash
# Cross-checks the Mach-O writer with LLVM's Mach-O readers (Debian package llvm-14:
# llvm-objdump --macho, llvm-nm, llvm-readobj), which share no code with the writer or with the
# test's own reader: headers and load commands parse without complaint, the export trie and the
# symbol table list exactly what the writer laid out, and the disassembly shows the sample code
# with its fixups resolved. Skips (says so, exits 0) when the tools are not installed.
# usage: macho_llvm_tools_test.sh SAMPLE_WRITER
set -uo pipefail
writer="$1"

find_tool() {
  local name
  for name in "$1-14" "$1"; do
    if command -v "$name" >/dev/null 2>&1; then
      echo "$name"
      return 0
    fi
  done
  return 1
}
objdump="$(find_tool llvm-objdump)" || objdump=""
nm="$(find_tool llvm-nm)" || nm=""
readobj="$(find_tool llvm-readobj)" || readobj=""
if [[ -z "$objdump" || -z "$nm" || -z "$readobj" ]]; then
  echo "SKIP: llvm-objdump, llvm-nm or llvm-readobj not installed (Debian: apt-get install llvm-14)"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi

dir="$(mktemp -d "${TEST_TMPDIR:-/tmp}/macho.XXXXXX")"
trap '[[ -n "${KEEP:-}" ]] || rm -rf "$dir"' EXIT
if ! ${MARU_LAUNCHER:-} "$writer" "$dir" >"$dir/layout.txt"; then
  echo "FAIL: the sample writer failed"
  echo "0 passed, 1 failed"
  exit 1
fi

passed=0
failed=0
check() {  # check DESCRIPTION COMMAND...: the command must succeed
  local what="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $what"
  fi
}

# A tool run whose stderr must stay empty (llvm-objdump exits 0 even on malformed input).
run_clean() {  # run_clean OUT COMMAND...
  local out="$1"
  shift
  "$@" >"$out" 2>"$out.err"
  local status=$?
  if ((status != 0)) || [[ -s "$out.err" ]]; then
    echo "  $* -> status $status:"
    head -5 "$out.err"
    return 1
  fi
}

for dylib in x86_64.dylib arm64.dylib x86_64_300.dylib; do
  f="$dir/$dylib"
  case "$dylib" in
    arm64*) cpu="Arm64" ;;
    *) cpu="X86-64" ;;
  esac
  check "$dylib: llvm-readobj file headers" run_clean "$dir/h.txt" "$readobj" --file-headers "$f"
  check "$dylib: MH_DYLIB for $cpu" \
    grep -q "FileType: DynamicLibrary" "$dir/h.txt"
  check "$dylib: cputype" grep -q "CpuType: $cpu " "$dir/h.txt"
  check "$dylib: all load commands" run_clean "$dir/lc.txt" "$objdump" --macho --private-headers "$f"
  for cmd in LC_SEGMENT_64 LC_ID_DYLIB LC_DYLD_INFO_ONLY LC_SYMTAB LC_DYSYMTAB LC_UUID \
    LC_BUILD_VERSION LC_LOAD_DYLIB LC_CODE_SIGNATURE; do
    check "$dylib: $cmd present" grep -q "cmd $cmd\$" "$dir/lc.txt"
  done
  check "$dylib: __LINKEDIT is the last segment" \
    bash -c "grep 'segname' '$dir/lc.txt' | grep -v -e '__text' -e '__data' | tail -1 | grep -q __LINKEDIT"
  check "$dylib: dylibs used" run_clean "$dir/libs.txt" "$objdump" --macho --dylibs-used "$f"
  check "$dylib: links libSystem" grep -q "^	/usr/lib/libSystem.B.dylib (compat" "$dir/libs.txt"
  check "$dylib: install name is its path" grep -q "^	$f (compat" "$dir/libs.txt"

  # The export trie and the symbol table against the writer's layout.
  grep "^$dylib " "$dir/layout.txt" | while read -r _ symbol hex; do
    printf '%d %s\n' "0x$hex" "$symbol"
  done | sort >"$dir/expected.txt"
  check "$dylib: the writer listed its symbols" test -s "$dir/expected.txt"
  check "$dylib: export trie" run_clean "$dir/trie.txt" "$objdump" --macho --exports-trie "$f"
  grep '^0x' "$dir/trie.txt" | while read -r hex symbol; do
    printf '%d %s\n' "$hex" "$symbol"
  done | sort >"$dir/trie_list.txt"
  check "$dylib: exports = the writer's symbols and offsets" \
    cmp -s "$dir/expected.txt" "$dir/trie_list.txt"
  check "$dylib: nm" run_clean "$dir/nm.txt" "$nm" -m "$f"
  while read -r hex _ _ symbol; do
    printf '%d %s\n' "0x$hex" "$symbol"
  done <"$dir/nm.txt" | sort >"$dir/nm_list.txt"
  check "$dylib: symbol table = the writer's symbols and offsets" \
    cmp -s "$dir/expected.txt" "$dir/nm_list.txt"
  check "$dylib: every symbol external" \
    bash -c "! grep -v ' external _maru_' '$dir/nm.txt'"
  check "$dylib: disassembly" run_clean "$dir/dis.txt" "$objdump" --macho -d "$f"
done

# The sample code, with fixups resolved (the disassembler names the targets it reaches).
dis() { "$objdump" --macho -d "$dir/$1" 2>/dev/null; }
check "x86-64: answer is mov \$42" bash -c "$(declare -f dis); objdump='$objdump' dir='$dir'; \
  dis x86_64.dylib | grep -A1 '^_maru_f_answer:' | grep -q 'movl	\$42, %eax'"
check "arm64: answer is mov w0, #42" bash -c "$(declare -f dis); objdump='$objdump' dir='$dir'; \
  dis arm64.dylib | grep -A1 '^_maru_f_answer:' | grep -q 'mov	w0, #42'"
check "arm64: bl reaches answer" bash -c "$(declare -f dis); objdump='$objdump' dir='$dir'; \
  dis arm64.dylib | grep -q 'bl	_maru_f_answer\$'"
check "x86-64: call rel32 reaches answer" bash -c "$(declare -f dis); objdump='$objdump' dir='$dir'; \
  dis x86_64.dylib | grep -A1 '^_maru_f_answer_a1:' | grep -q 'callq	_maru_f_answer\$'"

echo
echo "$passed passed, $failed failed"
((failed == 0))
