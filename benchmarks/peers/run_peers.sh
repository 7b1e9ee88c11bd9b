#!/usr/bin/env bash
# Side-by-side peer benchmarks: the programs of benchmarks/programs/ (Maru) and their ports in
# benchmarks/peers/{luajit,chez,guile}/, run as whole processes and timed from outside.
#
# usage: run_peers.sh [options]
#   --maru PATH        the maru binary (default: $MARU; else bazel-out/k8-opt/bin/tools/maru/maru
#                      of this repository, if it exists; --build builds it)
#   --build            build maru first (bazel build -c opt //:maru) when no binary was given
#   --install          apt-get install the missing peers (luajit chezscheme guile-3.0); needs root
#   --quick            small inputs (the "quick" column of programs.tsv); --runs 1 --warmup 0
#   --runs N           timed runs of each implementation per program (default 5)
#   --warmup N         untimed runs first (default 1); their output is checked like the others
#   --impls LIST       comma-separated, from: maru-auto maru-off maru-eager luajit chez guile
#                      (default: maru-auto,maru-off,luajit,chez,guile; peers that are not
#                      installed are skipped with a note)
#   --only LIST        comma-separated program names (default: all of programs.tsv)
#   --programs-dir DIR where the .l programs, programs.tsv and expected.tsv are
#                      (default: ../programs beside this script)
#   --raw FILE         also write every measurement (program impl run seconds) to FILE
#   -h, --help         this text
#
# For every program the implementations run in round-robin order (the first one rotates each
# round), so slow drifts of the machine hit all of them alike. Wall time of the whole process
# (start-up included) is taken with bash's $EPOCHREALTIME (microseconds, no fork). Every run
# must exit with status 0 and print exactly one line, the same for every implementation, and the
# line of expected.tsv when that file knows the argument. The table gives medians and ratios.
# Ends with "peers: N passed, N failed" (one check per program and implementation) and exits 1
# if any check failed.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
programs_dir="$here/../programs"
maru="${MARU:-}"
build=0
install=0
quick=0
runs=""
warmup=""
impls="maru-auto,maru-off,luajit,chez,guile"
only=""
raw=""

usage() { sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "run_peers.sh: $*" >&2; exit 2; }

while (($#)); do
  case "$1" in
    --maru) maru="${2:?}"; shift 2 ;;
    --maru=*) maru="${1#*=}"; shift ;;
    --build) build=1; shift ;;
    --install) install=1; shift ;;
    --quick) quick=1; shift ;;
    --runs) runs="${2:?}"; shift 2 ;;
    --runs=*) runs="${1#*=}"; shift ;;
    --warmup) warmup="${2:?}"; shift 2 ;;
    --warmup=*) warmup="${1#*=}"; shift ;;
    --impls) impls="${2:?}"; shift 2 ;;
    --impls=*) impls="${1#*=}"; shift ;;
    --only) only="${2:?}"; shift 2 ;;
    --only=*) only="${1#*=}"; shift ;;
    --programs-dir) programs_dir="${2:?}"; shift 2 ;;
    --programs-dir=*) programs_dir="${1#*=}"; shift ;;
    --raw) raw="${2:?}"; shift 2 ;;
    --raw=*) raw="${1#*=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
if ((quick)); then
  runs="${runs:-1}"
  warmup="${warmup:-0}"
fi
runs="${runs:-5}"
warmup="${warmup:-1}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
[[ "$warmup" =~ ^[0-9]+$ ]] || die "--warmup must be a non-negative integer"
[[ -n "${EPOCHREALTIME:-}" ]] || die "needs bash 5 (\$EPOCHREALTIME)"
programs_dir="$(cd "$programs_dir" 2>/dev/null && pwd)" || die "no programs directory"
[[ -f "$programs_dir/programs.tsv" ]] || die "no $programs_dir/programs.tsv"

IFS=',' read -r -a impl_list <<<"$impls"
for impl in "${impl_list[@]}"; do
  case "$impl" in
    maru-auto | maru-off | maru-eager | luajit | chez | guile) ;;
    *) die "unknown implementation: $impl" ;;
  esac
done

# ------------------------------------------------------------------------------------------
# Peers: find them, install them if asked.

find_chez() {
  local candidate
  for candidate in chezscheme chez scheme; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" --version 2>&1 </dev/null | grep -Eq '^[0-9]+\.[0-9]+'; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}
find_guile() {
  local candidate
  for candidate in guile guile-3.0; do
    if command -v "$candidate" >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

wants() { [[ ",$impls," == *",$1,"* ]]; }

if ((install)); then
  missing=()
  wants luajit && ! command -v luajit >/dev/null 2>&1 && missing+=(luajit)
  wants chez && ! find_chez >/dev/null && missing+=(chezscheme)
  wants guile && ! find_guile >/dev/null && missing+=(guile-3.0)
  if ((${#missing[@]})); then
    if [[ "$(id -u)" != 0 ]]; then
      die "--install needs root to apt-get install ${missing[*]}"
    fi
    echo "installing: ${missing[*]}" >&2
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2; then
      # the package lists may be missing or stale: update once and try again
      if ! { DEBIAN_FRONTEND=noninteractive apt-get update >&2 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2; }; then
        die "apt-get install ${missing[*]} failed"
      fi
    fi
  fi
fi

luajit_bin="$(command -v luajit 2>/dev/null || true)"
chez_bin="$(find_chez || true)"
guile_bin="$(find_guile || true)"

# ------------------------------------------------------------------------------------------
# Maru.

if [[ -z "$maru" && "$impls" == *maru-* ]]; then
  if ((build)); then
    (cd "$repo" && bazel build -c opt //:maru >&2) || die "bazel build -c opt //:maru failed"
    maru="$(cd "$repo" && bazel info -c opt bazel-bin 2>/dev/null)/tools/maru/maru"
  elif [[ -x "$repo/bazel-out/k8-opt/bin/tools/maru/maru" ]]; then
    maru="$repo/bazel-out/k8-opt/bin/tools/maru/maru"
  else
    die "no maru binary: pass --maru PATH, set MARU, or use --build"
  fi
fi
if [[ "$impls" == *maru-* ]]; then
  [[ -x "$maru" ]] || die "maru binary not executable: $maru"
  maru="$(cd "$(dirname "$maru")" && pwd)/$(basename "$maru")"
fi

# ------------------------------------------------------------------------------------------
# The implementations that will run.

active=()
skipped=()
for impl in "${impl_list[@]}"; do
  case "$impl" in
    luajit) [[ -n "$luajit_bin" ]] || { skipped+=("luajit (not installed)"); continue; } ;;
    chez) [[ -n "$chez_bin" ]] || { skipped+=("chez (not installed)"); continue; } ;;
    guile) [[ -n "$guile_bin" ]] || { skipped+=("guile (not installed)"); continue; } ;;
  esac
  active+=("$impl")
done
((${#active[@]})) || die "no implementation to run"

work="$(mktemp -d "${TEST_TMPDIR:-${TMPDIR:-/tmp}}/peers.XXXXXX")" || die "mktemp failed"
trap 'rm -rf "$work"' EXIT
# Guile compiles each program ahead, once, into this private cache (see prepare_guile).
export XDG_CACHE_HOME="$work/cache"

# command line of one run: fills the array `cmd`
command_for() {
  local impl="$1" name="$2" arg="$3"
  case "$impl" in
    maru-auto) cmd=(${MARU_LAUNCHER:-} "$maru" --jit=auto "$programs_dir/$name.l" "$arg") ;;
    maru-off) cmd=(${MARU_LAUNCHER:-} "$maru" --jit=off "$programs_dir/$name.l" "$arg") ;;
    maru-eager) cmd=(${MARU_LAUNCHER:-} "$maru" --jit=eager "$programs_dir/$name.l" "$arg") ;;
    luajit) cmd=("$luajit_bin" "$here/luajit/$name.lua" "$arg") ;;
    chez) cmd=("$chez_bin" --optimize-level 2 --script "$here/scheme/$name.scm" "$arg") ;;
    guile) cmd=("$guile_bin" "$here/scheme/$name.scm" "$arg") ;;
  esac
}

source_for() {
  case "$1" in
    maru-*) echo "$programs_dir/$2.l" ;;
    luajit) echo "$here/luajit/$2.lua" ;;
    chez) echo "$here/scheme/$2.scm" ;;
    guile) echo "$here/scheme/$2.scm" ;;
  esac
}

# Guile: auto-compilation (Guile's normal mode, -O2) of each program into $XDG_CACHE_HOME, by
# compiling it ahead with the same compiler the first `guile prog.scm` would run. Timed runs
# then load the cached .go; a run that still compiles is reported.
prepare_guile() {
  local name="$1" source="$here/scheme/$1.scm"
  "$guile_bin" -c "(use-modules (system base compile))
    (compile-file \"$source\" #:output-file
      (string-append %compile-fallback-path (canonicalize-path \"$source\") \".go\"))" \
    >"$work/guile-compile.log" 2>&1 || {
    echo "guile: compiling $source failed:" >&2
    cat "$work/guile-compile.log" >&2
  }
}

# ------------------------------------------------------------------------------------------
# Machine description.

cpu_model="$(grep -m1 -E '^(model name|Hardware|cpu model)' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*: *//')"
echo "machine: $(uname -m), $(nproc) CPUs, ${cpu_model:-unknown CPU}, $(uname -sr)"
for impl in "${active[@]}"; do
  case "$impl" in
    maru-*) version="$maru (built $(date -r "$maru" '+%Y-%m-%d %H:%M'))" ;;
    luajit) version="$("$luajit_bin" -v 2>&1 | head -n 1)" ;;
    chez) version="Chez Scheme $("$chez_bin" --version 2>&1 </dev/null | head -n 1) ($chez_bin --optimize-level 2 --script)" ;;
    guile) version="$("$guile_bin" --version 2>&1 | head -n 1) (auto-compiled ahead)" ;;
  esac
  echo "  $impl: $version"
done
for note in "${skipped[@]+"${skipped[@]}"}"; do echo "  skipped: $note"; done
echo "runs: $runs timed (+$warmup warm-up) per implementation and program, round-robin; $( ((quick)) && echo quick || echo full) inputs"
echo

# ------------------------------------------------------------------------------------------
# Runs.

declare -A expected=()
if [[ -f "$programs_dir/expected.tsv" ]]; then
  while IFS=$'\t' read -r name arg line; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    expected["$name $arg"]="$line"
  done <"$programs_dir/expected.tsv"
fi

programs=()
declare -A program_arg=()
while IFS=$'\t' read -r name full quick_arg _in_process; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  if [[ -n "$only" && ",$only," != *",$name,"* ]]; then continue; fi
  programs+=("$name")
  if ((quick)); then program_arg[$name]="$quick_arg"; else program_arg[$name]="$full"; fi
done <"$programs_dir/programs.tsv"
((${#programs[@]})) || die "no program selected"

declare -A times=() failure=() line_of=()
passed=0
failed=0
[[ -n "$raw" ]] && printf 'program\timpl\trun\tseconds\n' >"$raw"

n_impl=${#active[@]}
for name in "${programs[@]}"; do
  arg="${program_arg[$name]}"
  label="$name $arg"
  for impl in "${active[@]}"; do
    src="$(source_for "$impl" "$name")"
    [[ -f "$src" ]] || failure[$impl.$name]="missing $src"
  done
  for impl in "${active[@]}"; do
    [[ "$impl" == guile && -z "${failure[$impl.$name]:-}" ]] && prepare_guile "$name"
  done
  total_rounds=$((warmup + runs))
  for ((round = 0; round < total_rounds; round++)); do
    for ((k = 0; k < n_impl; k++)); do
      impl="${active[$(((k + round) % n_impl))]}"
      [[ -n "${failure[$impl.$name]:-}" ]] && continue
      command_for "$impl" "$name" "$arg"
      start=$EPOCHREALTIME
      "${cmd[@]}" </dev/null >"$work/out" 2>"$work/err"
      status=$?
      end=$EPOCHREALTIME
      seconds="$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.6f", e - s }')"
      lines="$(wc -l <"$work/out")"
      line="$(head -n 1 "$work/out")"
      problem=""
      if ((status != 0)); then
        problem="exit status $status: $(head -n 3 "$work/err" | tr '\n' ' ')"
      elif [[ "$lines" != 1 ]]; then
        problem="printed $lines lines, expected 1: $(head -c 300 "$work/out" | tr '\n' '|')"
      elif [[ -n "${expected[$label]:-}" && "$line" != "${expected[$label]}" ]]; then
        problem="printed '$line', expected '${expected[$label]}'"
      elif [[ "$impl" == guile ]] && grep -q ';;; compiling' "$work/err"; then
        echo "  note: guile compiled $name during a run (the compile-ahead did not take)" >&2
      fi
      if [[ -n "$problem" ]]; then
        failure[$impl.$name]="$problem"
        continue
      fi
      line_of[$impl.$name]="$line"
      if ((round >= warmup)); then
        times[$impl.$name]+="$seconds "
        [[ -n "$raw" ]] && printf '%s\t%s\t%d\t%s\n' "$name" "$impl" $((round - warmup + 1)) "$seconds" >>"$raw"
      fi
    done
  done
  # every implementation must print the same line
  reference=""
  for impl in "${active[@]}"; do
    [[ -n "${failure[$impl.$name]:-}" ]] && continue
    if [[ -z "$reference" ]]; then
      reference="${line_of[$impl.$name]}"
      reference_impl="$impl"
    elif [[ "${line_of[$impl.$name]}" != "$reference" ]]; then
      failure[$impl.$name]="printed '${line_of[$impl.$name]}' but $reference_impl printed '$reference'"
    fi
  done
  for impl in "${active[@]}"; do
    if [[ -n "${failure[$impl.$name]:-}" ]]; then
      failed=$((failed + 1))
      echo "FAIL $impl $label: ${failure[$impl.$name]}"
    else
      passed=$((passed + 1))
    fi
  done
  echo "$label: ${reference:-<no output>}" >&2
done
echo

# ------------------------------------------------------------------------------------------
# Table.

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A med=()
for name in "${programs[@]}"; do
  for impl in "${active[@]}"; do
    if [[ -z "${failure[$impl.$name]:-}" && -n "${times[$impl.$name]:-}" ]]; then
      med[$impl.$name]="$(median <<<"${times[$impl.$name]}")"
    fi
  done
done

# prints one table; $1 = title, $2 = reference implementation ("" for seconds)
print_table() {
  local title="$1" ref="$2" name impl cell value base
  echo "$title"
  printf '| %-16s |' "program"
  for impl in "${active[@]}"; do printf ' %10s |' "$impl"; done
  echo
  printf '|%s|' "------------------"
  for impl in "${active[@]}"; do printf "%s|" "-----------:"; done
  echo
  declare -A logsum=() count=()
  for name in "${programs[@]}"; do
    printf '| %-16s |' "$name ${program_arg[$name]}"
    for impl in "${active[@]}"; do
      value="${med[$impl.$name]:-}"
      if [[ -z "$value" ]]; then
        cell="FAIL"
      elif [[ -z "$ref" ]]; then
        cell="$value"
      else
        base="${med[$ref.$name]:-}"
        if [[ -z "$base" ]] || awk -v b="$base" 'BEGIN { exit !(b <= 0) }'; then
          cell="-"
        else
          cell="$(awk -v v="$value" -v b="$base" 'BEGIN { r = v / b; printf (r < 0.1 ? "%.3f" : "%.2f"), r }')"
          if [[ "$name" != startup ]]; then
            logsum[$impl]="$(awk -v s="${logsum[$impl]:-0}" -v v="$value" -v b="$base" 'BEGIN { printf "%.9f", s + log(v / b) }')"
            count[$impl]=$((${count[$impl]:-0} + 1))
          fi
        fi
      fi
      printf ' %10s |' "$cell"
    done
    echo
  done
  if [[ -n "$ref" ]]; then
    printf '| %-16s |' "geomean"
    for impl in "${active[@]}"; do
      if ((${count[$impl]:-0})); then
        cell="$(awk -v s="${logsum[$impl]}" -v n="${count[$impl]}" 'BEGIN { r = exp(s / n); printf (r < 0.1 ? "%.3f" : "%.2f"), r }')"
      else
        cell="-"
      fi
      printf ' %10s |' "$cell"
    done
    echo
  fi
  echo
}

print_table "Median wall time, seconds (whole process, start-up included):" ""
for ref in maru-auto maru-off; do
  if [[ " ${active[*]} " == *" $ref "* ]]; then
    print_table "Time relative to $ref (median / median of $ref; below 1 = faster than $ref; geomean without startup):" "$ref"
  fi
done

echo "peers: $passed passed, $failed failed"
((failed == 0))
