#!/usr/bin/env bash
# Writes a C++ source file defining maru::EmbeddedLibraryFiles() (runtime/ffi/library.h) from the
# Maru library files given, each under its base name.
# Usage: embed.sh OUTPUT.cc FILE.k...
set -euo pipefail
out="$1"
shift
delimiter="maru_library"
for file in "$@"; do
  if grep -q ")${delimiter}\"" "$file"; then
    echo "embed.sh: $file contains the raw-string delimiter" >&2
    exit 1
  fi
done
{
  echo '// Generated from runtime/lib/*.k by runtime/lib/embed.sh. Do not edit.'
  echo '#include "runtime/ffi/library.h"'
  echo 'namespace maru {'
  echo 'namespace {'
  i=0
  for file in "$@"; do
    printf 'constexpr char kFile%d[] = R"%s(' "$i" "$delimiter"
    cat "$file"
    printf ')%s";\n' "$delimiter"
    i=$((i + 1))
  done
  echo 'constexpr EmbeddedLibraryFile kFiles[] = {'
  i=0
  for file in "$@"; do
    name="$(basename "$file")"
    printf '    {"%s", std::string_view(kFile%d, sizeof(kFile%d) - 1)},\n' "$name" "$i" "$i"
    i=$((i + 1))
  done
  if (($# == 0)); then echo '    {"", ""},'; fi
  echo '};'
  echo '}  // namespace'
  if (($# == 0)); then
    echo 'std::span<const EmbeddedLibraryFile> EmbeddedLibraryFiles() { return {}; }'
  else
    echo 'std::span<const EmbeddedLibraryFile> EmbeddedLibraryFiles() { return kFiles; }'
  fi
  echo '}  // namespace maru'
} >"$out"
