#!/usr/bin/env bash
# Writes a C++ source file defining maru::PreludeSource() from the prelude's Maru text.
# Usage: embed.sh INPUT.l OUTPUT.cc
set -euo pipefail
delimiter="maru_prelude"
if grep -q ")${delimiter}\"" "$1"; then
  echo "embed.sh: the prelude contains the raw-string delimiter" >&2
  exit 1
fi
{
  echo '// Generated from runtime/prelude/prelude.l by embed.sh. Do not edit.'
  echo '#include "runtime/prelude/prelude_source.h"'
  echo 'namespace maru {'
  echo 'namespace {'
  printf 'constexpr char kPrelude[] = R"%s(' "$delimiter"
  cat "$1"
  printf ')%s";\n' "$delimiter"
  echo '}  // namespace'
  echo 'std::string_view PreludeSource() { return std::string_view(kPrelude, sizeof(kPrelude) - 1); }'
  echo '}  // namespace maru'
} >"$2"
