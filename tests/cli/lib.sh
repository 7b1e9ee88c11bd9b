# shellcheck shell=bash
# Shared helpers for the end-to-end tests of the `maru` command (sourced by cli_test.sh and
# bad_input_test.sh; not a test by itself).
#
# A test case is:   begin "name"; run [--stdin FILE] ARGS...; want_status 0; want_out $'x\n'; end
# `run` executes the binary in the scratch directory under `timeout`, capturing stdout in
# $work/out, stderr in $work/err and the exit status in $status. The want_* functions record
# problems; `end` counts the case as passed or failed and prints the evidence of a failure.

# setup MARU_BINARY [MODE_FLAG...]: resolves the binary (Bazel passes a path relative to the
# runfiles directory), records the execution-mode flags (e.g. --jit=off) that every run passes
# first, and creates the scratch directory, which becomes the working directory.
# MARU_LAUNCHER (environment): a command prefix put before the binary on every run, e.g. the
# qemu-user launcher of the AArch64 cross build (toolchains/aarch64/qemu_launcher.sh).
setup() {
  if [[ $# -lt 1 ]]; then
    echo "usage: $0 MARU_BINARY [mode flags, e.g. --jit=off ...]" >&2
    exit 2
  fi
  case "$1" in
    /*) maru="$1" ;;
    *) maru="$PWD/$1" ;;
  esac
  if [[ ! -x "$maru" ]]; then
    echo "maru binary not found or not executable: $1" >&2
    exit 2
  fi
  shift
  maru_flags=("$@")
  # shellcheck disable=SC2206  # the launcher is a command line
  maru_run=(${MARU_LAUNCHER:-} "$maru") # runs the binary: "${maru_run[@]}" ARGS...
  maru_cmd=("${maru_run[@]}" "$@")      # the command line prefix of every run
  if ((${#maru_flags[@]} > 0)); then
    echo "mode flags: ${maru_flags[*]}"
  fi
  work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/maru_cli.XXXXXX")" || exit 2
  trap 'rm -rf "$work"' EXIT
  cd "$work" || exit 2
  passed=0
  failed=0
  failures=()
  current=""
  problems=""
  status=0
  run_timeout="${RUN_TIMEOUT:-60}"
}

# Human-readable form of an exit status as reported by `timeout`.
describe_status() {
  local s="$1"
  if [[ "$s" == 124 ]]; then
    echo "$s (timed out: the command hung)"
  elif ((s > 128)); then
    echo "$s (killed by signal SIG$(kill -l $((s - 128)) 2>/dev/null || echo '?'))"
  else
    echo "$s"
  fi
}

begin() {
  current="$1"
  problems=""
}

problem() {
  problems+="    - $*"$'\n'
}

# run [--stdin FILE] ARG...: runs maru in $work with a timeout.
run() {
  local input=/dev/null
  if [[ "${1:-}" == "--stdin" ]]; then
    input="$2"
    shift 2
  fi
  timeout "$run_timeout" "${maru_cmd[@]}" "$@" <"$input" >"$work/out" 2>"$work/err"
  status=$?
}

# run_text TEXT [ARG...]: writes TEXT to prog.l and runs `maru ARG... prog.l`.
run_text() {
  local text="$1"
  shift
  printf '%s' "$text" >"$work/prog.l"
  run "$@" prog.l
}

want_status() {
  if [[ "$status" != "$1" ]]; then
    problem "exit status $(describe_status "$status"), expected $1"
  fi
}

want_status_not() {
  if [[ "$status" == "$1" ]]; then
    problem "exit status $(describe_status "$status"), expected anything else"
  fi
}

# No hang, no signal: the process ended by itself with a status below 128.
want_no_crash() {
  if [[ "$status" == 124 ]] || ((status > 128)); then
    problem "exit status $(describe_status "$status"): crash or hang"
  fi
}

want_out() {
  printf '%s' "$1" >"$work/expected"
  if ! cmp -s "$work/expected" "$work/out"; then
    problem "stdout differs from the expected text; expected:"$'\n'"$(sed 's/^/        | /' "$work/expected" | head -20)"
  fi
}

want_out_contains() {
  if ! grep -qF -- "$1" "$work/out"; then
    problem "stdout lacks: $1"
  fi
}

want_out_lacks() {
  if grep -qF -- "$1" "$work/out"; then
    problem "stdout unexpectedly contains: $1"
  fi
}

want_out_empty() {
  if [[ -s "$work/out" ]]; then
    problem "stdout should be empty"
  fi
}

want_err_empty() {
  if [[ -s "$work/err" ]]; then
    problem "stderr should be empty"
  fi
}

want_err_first() {
  local first
  first="$(head -n 1 "$work/err")"
  if [[ "$first" != "$1" ]]; then
    problem "stderr first line is '${first:0:200}', expected '$1'"
  fi
}

# The first stderr line is `error: <non-empty message>`.
want_err_clear() {
  local first
  first="$(head -n 1 "$work/err")"
  if [[ ! "$first" =~ ^error:\ [^[:space:]] ]]; then
    problem "stderr first line is '${first:0:200}', expected 'error: <message>'"
  fi
}

want_err_contains() {
  if ! grep -qF -- "$1" "$work/err"; then
    problem "stderr lacks: $1"
  fi
}

want_err_line() {
  local line
  line="$(sed -n "${1}p" "$work/err")"
  if [[ "$line" != "$2" ]]; then
    problem "stderr line $1 is '${line:0:200}', expected '$2'"
  fi
}

# Every stderr line after the first is a backtrace line `<file>:<line>: <expr>` (or `...: <expr>`
# when the expression has no position).
want_backtrace_format() {
  local n=0 line bad=0
  while IFS= read -r line; do
    n=$((n + 1))
    ((n == 1)) && continue
    if [[ ! "$line" =~ ^([^:[:space:]][^:]*:[0-9]+|\.\.\.):\ . ]]; then
      problem "stderr line $n is not a backtrace line '<file>:<line>: <expr>': '${line:0:200}'"
      bad=1
      break
    fi
  done <"$work/err"
  return $bad
}

show_evidence() {
  echo "    exit status: $(describe_status "$status")"
  echo "    stdout ($(wc -c <"$work/out") bytes), first lines:"
  head -c 2000 "$work/out" | head -n 8 | cut -c 1-200 | sed 's/^/      | /'
  echo "    stderr ($(wc -c <"$work/err") bytes), first lines:"
  head -c 2000 "$work/err" | head -n 8 | cut -c 1-200 | sed 's/^/      | /'
}

end() {
  if [[ -z "$problems" ]]; then
    passed=$((passed + 1))
    echo "PASS  $current"
  else
    failed=$((failed + 1))
    failures+=("$current")
    echo "FAIL  $current"
    printf '%s' "$problems"
    show_evidence
  fi
}

finish() {
  echo
  if ((failed > 0)); then
    echo "Failed cases:"
    local f
    for f in "${failures[@]}"; do
      echo "  $f"
    done
  fi
  echo "$passed passed, $failed failed"
  ((failed == 0))
}
