#!/usr/bin/env bash
# Makes sure the Debian packages maru-jit builds with are installed; installs the missing ones.
#
#   tools/ensure_deps.sh            # run it (exit status 0 = everything installed)
#   tools/ensure_deps.sh --aarch64  # also the AArch64 cross build and qemu-user (see below)
#   source tools/ensure_deps.sh     # or source it: same check, returns the status, does not
#                                   # exit your shell or change its options (sourced, it looks
#                                   # only for --aarch64 among the arguments, which are the
#                                   # caller's own when `source` is given none)
#
# Quiet when nothing is missing. Otherwise runs `apt-get update` once and
# `apt-get install -y --no-install-recommends` of the missing packages, as root or via sudo.
#
# --aarch64 (for `bazel build --config=aarch64` and tools/test_aarch64.sh): enables Debian's arm64
# multiarch (`dpkg --add-architecture arm64`) and adds the cross compiler, qemu-user and the
# arm64 builds of the same libraries (about 310 MB installed). Multiarch library packages must
# have the same version for both architectures: if the archive has a newer one, apt upgrades the
# amd64 package as well, and the host build then needs the `bazel clean` that .bazelrc describes.

maru_ensure_deps() {
  local -a required=(
    bazel-bootstrap
    g++
    libasmjit-dev
    libabsl-dev
    libgtest-dev
    libgmock-dev
    libbenchmark-dev
    libgc-dev
    libffi-dev
    pkg-config
  )
  # The host's libraries again, for arm64 (headers are shared; libraries go to
  # /usr/lib/aarch64-linux-gnu), the cross compiler and the user-mode emulator the tests run in.
  local -a aarch64=(
    g++-aarch64-linux-gnu
    qemu-user
    libasmjit-dev:arm64
    libabsl-dev:arm64
    libgtest-dev:arm64
    libgmock-dev:arm64
    libbenchmark-dev:arm64
    libgc-dev:arm64
    libffi-dev:arm64
  )
  local -a missing=()
  local -a sudo=()
  local pkg status arg native
  local want_aarch64=0 add_arm64=0

  for arg in "$@"; do
    case "$arg" in
      --aarch64) want_aarch64=1 ;;
      *)
        echo "ensure_deps: unknown argument '$arg' (usage: ensure_deps.sh [--aarch64])" >&2
        return 2
        ;;
    esac
  done
  if ((want_aarch64)); then
    required+=("${aarch64[@]}")
  fi

  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "ensure_deps: dpkg-query not found; this project expects Debian 12 (bookworm)." >&2
    echo "ensure_deps: needed packages: ${required[*]}" >&2
    return 1
  fi

  if ((want_aarch64)) && ! dpkg --print-foreign-architectures 2>/dev/null | grep -qx arm64; then
    add_arm64=1
  fi
  # One line per installed instance: once a foreign architecture is enabled, a Multi-Arch: same
  # package (libabsl-dev, ...) may be there twice, as NAME:amd64 and NAME:arm64, while other
  # packages are listed as plain NAME. An unqualified name means the native architecture's.
  native="$(dpkg --print-architecture 2>/dev/null)" || native=""
  for pkg in "${required[@]}"; do
    status="$(dpkg-query -W -f='${binary:Package} ${Status}\n' "$pkg" 2>/dev/null)" || status=""
    if ! grep -qxF -e "$pkg install ok installed" -e "$pkg:$native install ok installed" \
      <<<"$status"; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0 && !add_arm64)); then
    return 0
  fi

  if ((${#missing[@]} > 0)); then
    echo "ensure_deps: missing Debian packages: ${missing[*]}" >&2
  fi
  if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "ensure_deps: not root and sudo is not available; as root run:" >&2
      if ((add_arm64)); then
        echo "  dpkg --add-architecture arm64" >&2
      fi
      echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
      return 1
    fi
  fi
  if ((add_arm64)); then
    echo "ensure_deps: enabling the arm64 architecture (dpkg --add-architecture arm64)" >&2
    if ! "${sudo[@]}" dpkg --add-architecture arm64; then
      echo "ensure_deps: dpkg --add-architecture arm64 failed" >&2
      return 1
    fi
  fi
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  echo "ensure_deps: installing them with apt-get${sudo[*]:+ (via sudo)}" >&2
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update; then
    echo "ensure_deps: apt-get update failed" >&2
    return 1
  fi
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"; then
    echo "ensure_deps: apt-get install failed for: ${missing[*]}" >&2
    return 1
  fi
  return 0
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  maru_ensure_deps "$@"
  exit $?
else
  if [[ " $* " == *" --aarch64 "* ]]; then
    maru_ensure_deps --aarch64
  else
    maru_ensure_deps
  fi
  return $?
fi
