#!/usr/bin/env bash
# Runs PROGRAM [ARGS...], under qemu-user when PROGRAM is an AArch64 ELF executable.
#
#   qemu_launcher.sh PROGRAM [ARGS...]
#
# `--config=aarch64` (.bazelrc) puts this script in front of every test (--run_under), so that
#   * a cc_test, which is an AArch64 executable, runs in qemu-aarch64 (user mode);
#   * an sh_test script runs on the host, as it must (it is bash, not AArch64 code), with
#     MARU_LAUNCHER set to this script: the test scripts that run `maru` put $MARU_LAUNCHER in
#     front of it (tests/run_conformance.sh, tests/cli/lib.sh), which sends the AArch64 `maru`
#     through qemu in turn.
# binfmt_misc is not used: registering qemu there changes how the whole machine runs foreign
# binaries, needs privileges that CI or a container may not have, and hides which process is
# emulated.
#
# The guest's dynamic loader and libraries are the arm64 multiarch packages that
# `tools/ensure_deps.sh --aarch64` installs (/lib/ld-linux-aarch64.so.1, /usr/lib/aarch64-linux-gnu),
# so no QEMU_LD_PREFIX is needed. QEMU_CPU (default here: max, every feature qemu emulates) and
# the other QEMU_* variables of qemu-aarch64(1) pass through from the environment.
set -uo pipefail

if (($# == 0)); then
  echo "usage: qemu_launcher.sh PROGRAM [ARGS...]" >&2
  exit 2
fi

# e_ident (16 bytes: \x7fELF, class, data, ...) and e_machine (2 bytes, little-endian).
is_aarch64_elf() {
  local header
  [[ -f "$1" && -r "$1" ]] || return 1
  header="$(od -An -tx1 -N20 -- "$1" 2>/dev/null | tr -d ' \n')" || return 1
  # 7f454c46 = \x7fELF, 02 = 64-bit, 01 = little-endian, b700 = EM_AARCH64 (183).
  [[ "${header:0:12}" == "7f454c460201" && "${header:36:4}" == "b700" ]]
}

program="$1"
# A bare name (no slash) is looked up in PATH, as exec would.
if [[ "$program" != */* ]]; then
  resolved="$(command -v -- "$program")" && program="$resolved"
fi

if is_aarch64_elf "$program"; then
  if ! command -v qemu-aarch64 >/dev/null 2>&1; then
    echo "qemu_launcher: qemu-aarch64 not found (tools/ensure_deps.sh --aarch64 installs" \
      "qemu-user)" >&2
    exit 127
  fi
  export QEMU_CPU="${QEMU_CPU:-max}"
  shift
  exec qemu-aarch64 "$program" "$@"
fi

# Not AArch64 code: a test script or a host program. Whatever it runs `maru` through comes back
# here.
MARU_LAUNCHER="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
export MARU_LAUNCHER
exec "$@"
