#!/usr/bin/env bash
# Signs a maru binary for macOS with the hardened runtime and one of the entitlement sets in this
# folder, or shows and verifies the signature of a signed binary. See entitlements/README.md.
#
#   entitlements/sign.sh jit BINARY                 # hardened + allow-jit (MAP_JIT JIT)
#   entitlements/sign.sh dlopen BINARY              # hardened + disable-library-validation
#   entitlements/sign.sh interpreter BINARY         # hardened, no entitlements
#   entitlements/sign.sh --verify BINARY            # codesign -d / --verify --strict
#
# Exit status: 0 ok, 1 failure (codesign missing or failed, bad binary), 2 usage error.
# Written without access to a Mac: the argument handling is tested on Linux with a stand-in
# codesign (check_entitlements.sh); the real codesign run is not.
set -euo pipefail

prog="${0##*/}"
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly prog script_dir

usage() {
  cat <<EOF
Usage: $prog [options] VARIANT BINARY
       $prog --verify BINARY

Signs BINARY in place with the hardened runtime and the entitlements of VARIANT:
  codesign --force --options runtime --entitlements FILE --sign IDENTITY BINARY

VARIANT (entitlements file in $script_dir):
  jit          maru-jit.entitlements              com.apple.security.cs.allow-jit
               -> in-memory JIT (code memory "mapjit")
  dlopen       maru-jit-dlopen.entitlements       com.apple.security.cs.disable-library-validation
               -> ad-hoc-signed dylib per compiled batch (code memory "dlopen")
  interpreter  maru-jit-interpreter.entitlements  (none)
               -> interpreter only (code memory "none")

Options:
  -s, --identity ID  signing identity (default "-": ad-hoc). For distribution use a
                     "Developer ID Application: ..." identity together with --timestamp.
      --timestamp    ask codesign for a secure timestamp (needed for notarization;
                     not possible with the ad-hoc identity)
      --verify       do not sign: run  codesign -d --verbose=2 BINARY,
                     codesign -d --entitlements - BINARY  and
                     codesign --verify --strict --verbose=2 BINARY
  -n, --dry-run      print the codesign command(s) instead of running them
  -h, --help         show this help

Environment:
  MARU_CODESIGN      the codesign program to run (default: codesign from PATH)

Needs macOS with the Xcode command line tools (codesign). Check the result with
  $prog --verify BINARY
and at run time with  maru --stats ...  (the code_memory and code_memory_reason lines).
EOF
}

die() {
  echo "$prog: error: $*" >&2
  exit 1
}

usage_error() {
  echo "$prog: $*" >&2
  echo "Try '$prog --help'." >&2
  exit 2
}

entitlements_for() {
  case "$1" in
    jit) echo "$script_dir/maru-jit.entitlements" ;;
    dlopen) echo "$script_dir/maru-jit-dlopen.entitlements" ;;
    interpreter) echo "$script_dir/maru-jit-interpreter.entitlements" ;;
    *) return 1 ;;
  esac
}

# Prints the command (dry run) or runs it.
run() {
  if ((dry_run)); then
    printf '%q' "$1"
    shift
    if (($# > 0)); then
      printf ' %q' "$@"
    fi
    printf '\n'
  else
    "$@"
  fi
}

# Resolves the codesign program into $codesign, or fails with an explanation.
find_codesign() {
  local requested="${MARU_CODESIGN:-codesign}"
  local system
  system="$(uname -s 2>/dev/null || echo unknown)"
  if ((dry_run)); then
    codesign="$requested"
    return 0
  fi
  if ! codesign="$(command -v -- "$requested" 2>/dev/null)" || [[ -z "$codesign" ]]; then
    if [[ "$system" != Darwin ]]; then
      die "'$requested' not found: signing needs macOS and its codesign tool, and this machine" \
        "runs $system. Sign on a Mac (the entitlements files are plain XML and can be" \
        "copied there), or use --dry-run to see the command."
    fi
    die "'$requested' not found. Install the Xcode command line tools (xcode-select --install)" \
      "or set MARU_CODESIGN to the codesign program."
  fi
  if [[ "$system" != Darwin ]]; then
    echo "$prog: note: not running on macOS ($system); using $codesign" >&2
  fi
}

mode=sign
identity="-"
timestamp=0
dry_run=0
codesign=""
positional=()

while (($# > 0)); do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --verify) mode=verify ;;
    --timestamp) timestamp=1 ;;
    -n | --dry-run) dry_run=1 ;;
    -s | --identity)
      (($# >= 2)) || usage_error "$1 needs an identity"
      identity="$2"
      shift
      ;;
    --identity=*) identity="${1#--identity=}" ;;
    --)
      shift
      # (guarded: bash 3.2, macOS's /bin/bash, treats an empty "$@" as unbound under set -u)
      if (($# > 0)); then
        positional+=("$@")
      fi
      break
      ;;
    -?*) usage_error "unknown option: $1" ;;
    *) positional+=("$1") ;;
  esac
  shift
done

check_binary() {
  local binary="$1"
  [[ -e "$binary" ]] || die "$binary: no such file"
  [[ -f "$binary" ]] || die "$binary: not a regular file (expected the maru executable)"
  [[ -r "$binary" ]] || die "$binary: not readable"
}

# A path starting with "-" would be read as an option: make it ./-...
safe_path() {
  case "$1" in
    -*) echo "./$1" ;;
    *) echo "$1" ;;
  esac
}

if [[ "$mode" == verify ]]; then
  ((${#positional[@]} == 1)) || usage_error "--verify takes exactly one BINARY"
  binary="$(safe_path "${positional[0]}")"
  check_binary "$binary"
  find_codesign
  status=0
  echo "== $binary: signature (look for flags=...(runtime) = hardened runtime on)"
  run "$codesign" -d --verbose=2 "$binary" || status=1
  echo "== $binary: entitlements"
  run "$codesign" -d --entitlements - "$binary" || status=1
  echo "== $binary: strict verification"
  run "$codesign" --verify --strict --verbose=2 "$binary" || status=1
  if ((status != 0)); then
    die "$binary: verification failed (see codesign's messages above)"
  fi
  exit 0
fi

((${#positional[@]} == 2)) || usage_error "expected VARIANT BINARY (VARIANT: jit | dlopen | interpreter)"
variant="${positional[0]}"
binary="$(safe_path "${positional[1]}")"
entitlements="$(entitlements_for "$variant")" ||
  usage_error "unknown variant '$variant' (expected jit | dlopen | interpreter)"
[[ -f "$entitlements" ]] || die "$entitlements: entitlements file missing"
[[ -n "$identity" ]] || usage_error "the identity must not be empty (use - for ad-hoc)"
if ((timestamp)) && [[ "$identity" == "-" ]]; then
  usage_error "--timestamp needs a real signing identity (-s ID); ad-hoc signatures carry no timestamp"
fi
check_binary "$binary"
if ((!dry_run)); then
  [[ -w "$binary" ]] || die "$binary: not writable (codesign signs in place)"
fi
find_codesign

args=(--force --options runtime --entitlements "$entitlements" --sign "$identity")
if ((timestamp)); then
  args+=(--timestamp)
fi
run "$codesign" "${args[@]}" "$binary" || die "$binary: codesign failed (see its message above)"
if ((!dry_run)); then
  echo "$prog: signed $binary ($variant: ${entitlements##*/}, identity '$identity')"
  echo "$prog: check it with: $0 --verify $binary"
fi
