#!/usr/bin/env bash
# Makes sure the Debian packages maru-jit builds with are installed; installs the missing ones.
#
#   tools/ensure_deps.sh            # run it (exit status 0 = everything installed)
#   source tools/ensure_deps.sh     # or source it: same check, returns the status, does not
#                                   # exit your shell or change its options
#
# Quiet when nothing is missing. Otherwise runs `apt-get update` once and
# `apt-get install -y --no-install-recommends` of the missing packages, as root or via sudo.

maru_ensure_deps() {
  local -a required=(
    bazel-bootstrap
    g++
    libasmjit-dev
    libabsl-dev
    libgtest-dev
    libbenchmark-dev
    libgc-dev
    libffi-dev
    pkg-config
  )
  local -a missing=()
  local -a sudo=()
  local pkg status

  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "ensure_deps: dpkg-query not found; this project expects Debian 12 (bookworm)." >&2
    echo "ensure_deps: needed packages: ${required[*]}" >&2
    return 1
  fi

  for pkg in "${required[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" || status=""
    if [[ "$status" != "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi

  echo "ensure_deps: missing Debian packages: ${missing[*]}" >&2
  if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "ensure_deps: not root and sudo is not available; as root run:" >&2
      echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
      return 1
    fi
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
  maru_ensure_deps
  exit $?
else
  maru_ensure_deps
  return $?
fi
