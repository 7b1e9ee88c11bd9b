#!/usr/bin/env bash
# Validates macOS entitlements property lists without Apple tools, python3 or xmllint: only bash,
# awk (any POSIX awk: mawk, gawk, BusyBox, BSD awk) and grep.
#
#   check_entitlements.sh FILE...        # validate; prints "ok FILE: key=value ..." per file
#   check_entitlements.sh --keys FILE    # validate and print the keys, one "name=value" a line
#   check_entitlements.sh --test [DIR]   # the test suite (Bazel //entitlements:entitlements_test):
#                                        # DIR's *.entitlements files, the checker's own detection
#                                        # of broken plists, and sign.sh with a stand-in codesign
#
# What "valid" means here is deliberately narrower than "any plist macOS accepts": the subset
# that both CoreFoundation (codesign) and the kernel's own XML parser (XNU libkern
# OSUnserializeXML, which enforces entitlements) read the same way:
#   * printable ASCII, tabs and LF line ends only (the kernel parser treats a CR as a syntax error);
#   * the XML declaration first (byte 0), then the Apple plist DOCTYPE, then
#     <plist version="1.0"><dict> ... </dict></plist>, comments and whitespace between;
#   * balanced tags; no "--" inside comments; no CDATA, entities, internal DTD or other PIs;
#   * inside the dict only <key>NAME</key> followed by <true/> or <false/> (the kernel accepts
#     only the empty-element form), no duplicate keys;
#   * only the keys in KNOWN_KEYS (listed by --help), and at most one of the three
#     executable-memory keys (each includes the previous one; Apple DTS: "Only set one of these
#     entitlements").
# Exit status: 0 valid, 1 invalid (first error per file on stderr), 2 usage error.
set -uo pipefail

declare -rx KNOWN_KEYS="com.apple.security.cs.allow-jit
com.apple.security.cs.allow-unsigned-executable-memory
com.apple.security.cs.disable-executable-page-protection
com.apple.security.cs.disable-library-validation
com.apple.security.cs.allow-dyld-environment-variables
com.apple.security.get-task-allow"

# The awk program: tokenises the file, checks balance, then the plist grammar above. Prints
# "KEY name value" lines and exits 0, or one "FILE:LINE: message" line and exits 1.
# (No single quotes inside: it is a single-quoted shell string.)
# shellcheck disable=SC2016  # $0 etc. are awk's, not the shell's
readonly AWK_PROG='
function fail(ln, msg) { printf "%s:%d: error: %s\n", name, ln, msg; exit 1 }
function addtok(type, nm, attr, text, ln) {
  nt++; TT[nt] = type; TN[nt] = nm; TA[nt] = attr; TX[nt] = text; TL[nt] = ln
}
function nls(s,   t) { t = s; return gsub(/\n/, "", t) }
function norm(s) { gsub(/[ \t\n]+/, " ", s); return s }
function trim(s) { gsub(/^[ \t\n]+/, "", s); gsub(/[ \t\n]+$/, "", s); return s }
function isws(s) { return s ~ /^[ \t\n]*$/ }
function short(s) { s = trim(norm(s)); if (length(s) > 70) s = substr(s, 1, 67) "..."; return s }
function what(k) {
  if (k == 0) return "the end of the file"
  if (TT[k] == "text") return "text \"" short(TX[k]) "\""
  return short(TX[k])
}
function where(k) { return k ? TL[k] : line }
# The next token after j that is not a comment or whitespace, or 0.
function nextsig(j) {
  for (j++; j <= nt; j++) {
    if (TT[j] == "comment") continue
    if (TT[j] == "text" && isws(TX[j])) continue
    return j
  }
  return 0
}

{ buf = buf $0 "\n" }

END {
  name = ENVIRON["CHECK_NAME"]; if (name == "") name = FILENAME
  DOCTYPE = "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">"
  nknown = split(ENVIRON["KNOWN_KEYS"], kk, "\n")
  allowed = ""
  for (j = 1; j <= nknown; j++) { KNOWN[kk[j]] = 1; allowed = allowed (j > 1 ? ", " : "") kk[j] }
  CASCADE["com.apple.security.cs.allow-jit"] = 1
  CASCADE["com.apple.security.cs.allow-unsigned-executable-memory"] = 1
  CASCADE["com.apple.security.cs.disable-executable-page-protection"] = 1

  line = 1
  n = length(buf)
  if (n == 0) fail(1, "empty file: expected an XML property list")
  if (substr(buf, 1, 5) != "<?xml")
    fail(1, "missing XML declaration: the file must start (at its first byte) with <?xml version=\"1.0\" encoding=\"UTF-8\"?>")

  # 1. Tokens: text, comment, pi, doctype, open, empty, close.
  p = 1
  while (p <= n) {
    rest = substr(buf, p)
    if (substr(rest, 1, 1) != "<") {
      q = index(rest, "<")
      whole = (q == 0) ? rest : substr(rest, 1, q - 1)
      addtok("text", "", "", whole, line)
    } else if (substr(rest, 1, 4) == "<!--") {
      q = index(substr(rest, 5), "-->")
      if (q == 0) fail(line, "unterminated comment: <!-- without -->")
      body = substr(rest, 5, q - 1)
      if (index(body, "--") || substr(body, length(body), 1) == "-")
        fail(line, "\"--\" inside a comment: XML forbids it and the kernel plist parser rejects the whole file")
      whole = substr(rest, 1, q + 6)
      addtok("comment", "", "", whole, line)
    } else if (substr(rest, 1, 2) == "<?") {
      q = index(rest, "?>")
      if (q == 0) fail(line, "unterminated processing instruction: <? without ?>")
      whole = substr(rest, 1, q + 1)
      addtok("pi", "", "", whole, line)
    } else if (substr(rest, 1, 2) == "<!") {
      q = index(rest, ">")
      if (q == 0) fail(line, "unterminated declaration: <! without >")
      whole = substr(rest, 1, q)
      if (index(whole, "[")) fail(line, "CDATA sections and internal DTD subsets are not allowed")
      addtok("doctype", "", "", whole, line)
    } else {
      q = index(rest, ">")
      if (q == 0) fail(line, "unterminated tag: < without >")
      whole = substr(rest, 1, q)
      if (index(substr(whole, 2), "<")) fail(line, "malformed tag (a < inside a tag): " short(whole))
      if (whole ~ /^<\/[A-Za-z][A-Za-z0-9_.-]*[ \t\n]*>$/) {
        nm = whole; sub(/^<\//, "", nm); sub(/[ \t\n]*>$/, "", nm)
        addtok("close", nm, "", whole, line)
      } else if (whole ~ /^<[A-Za-z][A-Za-z0-9_.-]*([ \t\n]+[A-Za-z][A-Za-z0-9_.-]*[ \t\n]*=[ \t\n]*"[^"<&]*")*[ \t\n]*\/?>$/) {
        match(whole, /^<[A-Za-z][A-Za-z0-9_.-]*/)
        nm = substr(whole, 2, RLENGTH - 1)
        attr = substr(whole, RLENGTH + 1); sub(/\/?>$/, "", attr); attr = trim(norm(attr))
        addtok(whole ~ /\/>$/ ? "empty" : "open", nm, attr, whole, line)
      } else {
        fail(line, "malformed tag: " short(whole))
      }
    }
    line += nls(whole)
    p += length(whole)
  }

  # 2. Balance.
  depth = 0
  for (j = 1; j <= nt; j++) {
    if (TT[j] == "open") {
      depth++; SN[depth] = TN[j]; SL[depth] = TL[j]
    } else if (TT[j] == "close") {
      if (depth == 0) fail(TL[j], "unbalanced tags: </" TN[j] "> closes nothing")
      if (SN[depth] != TN[j])
        fail(TL[j], "unbalanced tags: </" TN[j] "> where </" SN[depth] "> was expected (<" SN[depth] "> opened on line " SL[depth] ")")
      depth--
    }
  }
  if (depth > 0) fail(SL[depth], "unbalanced tags: <" SN[depth] "> is never closed")

  # 3. Grammar.
  if (TT[1] != "pi" || norm(TX[1]) !~ /^<\?xml version="1\.0"( encoding="[Uu][Tt][Ff]-8")?( standalone="(yes|no)")? ?\?>$/)
    fail(1, "bad XML declaration " short(TX[1]) ": expected <?xml version=\"1.0\" encoding=\"UTF-8\"?>")
  k = nextsig(1)
  if (k == 0 || TT[k] != "doctype")
    fail(where(k), "missing the Apple plist DOCTYPE " DOCTYPE " after the XML declaration, found " what(k))
  if (norm(TX[k]) != DOCTYPE) fail(TL[k], "wrong DOCTYPE " short(TX[k]) ": expected " DOCTYPE)
  k = nextsig(k)
  if (k == 0 || TT[k] != "open" || TN[k] != "plist")
    fail(where(k), "expected <plist version=\"1.0\"> after the DOCTYPE, found " what(k))
  if (TA[k] != "version=\"1.0\"") fail(TL[k], "the root element must be <plist version=\"1.0\">, found " short(TX[k]))
  k = nextsig(k)
  if (k == 0 || TN[k] != "dict" || (TT[k] != "open" && TT[k] != "empty"))
    fail(where(k), "the top-level object must be a <dict>, found " what(k))
  if (TA[k] != "") fail(TL[k], "<dict> takes no attributes: " short(TX[k]))
  nk = 0
  if (TT[k] == "open") {
    for (;;) {
      k = nextsig(k)
      if (k == 0) fail(line, "unexpected end of file inside <dict>")
      if (TT[k] == "close" && TN[k] == "dict") break
      if (TT[k] == "text") fail(TL[k], "unexpected " what(k) " inside <dict>")
      if (TT[k] != "open" || TN[k] != "key")
        fail(TL[k], "expected <key> or </dict> inside <dict>, found " what(k))
      kl = TL[k]
      if (TA[k] != "") fail(kl, "<key> takes no attributes: " short(TX[k]))
      if (TT[k + 1] == "close" && TN[k + 1] == "key") fail(kl, "empty <key></key>")
      if (TT[k + 1] != "text" || TT[k + 2] != "close" || TN[k + 2] != "key")
        fail(kl, "a <key> must contain only the key name (no tags or comments)")
      key = TX[k + 1]
      if (key !~ /^[A-Za-z0-9][A-Za-z0-9._-]*$/)
        fail(kl, "key \"" substr(key, 1, 70) "\" is not a plain entitlement name (letters, digits, dots, dashes; no spaces or entities)")
      k += 2
      v = nextsig(k)
      if (v == 0) fail(kl, "key " key " has no value")
      if (TT[v] == "empty" && (TN[v] == "true" || TN[v] == "false")) {
        if (TA[v] != "") fail(TL[v], "<" TN[v] "/> takes no attributes")
        value = TN[v]
      } else if (TT[v] == "open" && (TN[v] == "true" || TN[v] == "false")) {
        fail(TL[v], "write <" TN[v] "/>, not <" TN[v] ">...</" TN[v] ">: the kernel plist parser accepts only the empty-element form")
      } else if (TN[v] == "key" || (TT[v] == "close" && TN[v] == "dict")) {
        fail(kl, "key " key " has no value: every <key> must be followed by <true/> or <false/>")
      } else {
        fail(TL[v], "the value of " key " must be <true/> or <false/>, found " what(v))
      }
      if (key in SEEN) fail(kl, "duplicate key " key " (first on line " SEEN[key] ")")
      SEEN[key] = kl
      if (!(key in KNOWN)) {
        if (key ~ /^com\.apple\.security\.cs\.jit-write-allowlist/)
          fail(kl, key " is incompatible with asmjit 1.9: it turns pthread_jit_write_protect_np, which asmjit calls, into a crash")
        fail(kl, "unknown key " key " (allowed: " allowed ")")
      }
      nk++; KN[nk] = key; KV[nk] = value; KL[nk] = kl
      k = v
    }
  }
  k = nextsig(k)
  if (k == 0 || TT[k] != "close" || TN[k] != "plist")
    fail(where(k), "expected </plist> after the dict, found " what(k))
  k = nextsig(k)
  if (k != 0) fail(TL[k], "unexpected " what(k) " after </plist>")

  # 4. At most one executable-memory key set to true.
  ncas = 0; cas = ""
  for (j = 1; j <= nk; j++) {
    if ((KN[j] in CASCADE) && KV[j] == "true") { ncas++; cas = cas (ncas > 1 ? " and " : "") KN[j]; casl = KL[j] }
  }
  if (ncas > 1)
    fail(casl, "set only one of allow-jit, allow-unsigned-executable-memory, disable-executable-page-protection (each includes the previous); found " cas)

  for (j = 1; j <= nk; j++) print "KEY " KN[j] " " KV[j]
  exit 0
}
'

# validate_file FILE: prints "name=value" lines on stdout; on failure the error on stderr and
# returns 1.
validate_file() {
  local file="$1" bad out
  if [[ ! -f "$file" || ! -r "$file" ]]; then
    echo "$file: error: not a readable file" >&2
    return 1
  fi
  if bad="$(LC_ALL=C grep -a -n -m 1 $'[^\t -~]' "$file")"; then
    echo "$file:${bad%%:*}: error: only printable ASCII, tabs and LF line ends are allowed" \
      "(found a control byte, a CR from CRLF line ends, or a non-ASCII byte)" >&2
    return 1
  fi
  if ! out="$(CHECK_NAME="$file" LC_ALL=C awk "$AWK_PROG" "$file")"; then
    printf '%s\n' "$out" >&2
    return 1
  fi
  local tag key value
  while read -r tag key value; do
    [[ "$tag" == KEY ]] && printf '%s=%s\n' "$key" "$value"
  done <<<"$out"
  return 0
}

usage() {
  sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
  echo
  echo "KNOWN_KEYS:"
  printf '%s\n' "$KNOWN_KEYS" | sed -e 's/^/  /'
}

# ---------------------------------------------------------------------------------------------
# Test mode.

passed=0
failed=0
skipped=0

pass() {
  passed=$((passed + 1))
  echo "PASS: $*"
}
fail() {
  failed=$((failed + 1))
  echo "FAIL: $*"
}
skip() {
  skipped=$((skipped + 1))
  echo "SKIP: $*"
}

# expect_valid NAME FILE
expect_valid() {
  local err
  if err="$(validate_file "$2" 2>&1 >/dev/null)"; then
    pass "$1"
  else
    fail "$1: rejected: $err"
  fi
}

# expect_invalid NAME MESSAGE_SUBSTRING FILE: the checker must reject FILE with that message.
expect_invalid() {
  local name="$1" want="$2" file="$3" err
  if err="$(validate_file "$file" 2>&1 >/dev/null)"; then
    fail "$name: the checker accepted a broken plist"
  elif [[ "$err" != *"$want"* ]]; then
    fail "$name: rejected, but the message lacks \"$want\": $err"
  else
    pass "$name (rejected: ${err#"$file":})"
  fi
}

# keys_of FILE: "name=value" lines sorted, joined by spaces ("" for none).
keys_of() {
  local out
  out="$(validate_file "$1" 2>/dev/null)" || return 1
  printf '%s\n' "$out" | LC_ALL=C sort | tr '\n' ' ' | sed -e 's/ $//'
}

# The intended keys of each variant, as keys_of prints them.
expected_keys() {
  case "$1" in
    maru-jit.entitlements) echo "com.apple.security.cs.allow-jit=true" ;;
    maru-jit-dlopen.entitlements) echo "com.apple.security.cs.disable-library-validation=true" ;;
    maru-jit-interpreter.entitlements) echo "" ;;
  esac
}

# A template plist around the given dict body (printf escapes NOT interpreted in the body).
plist() {
  printf '%s\n' '<?xml version="1.0" encoding="UTF-8"?>' \
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">' \
    '<plist version="1.0">' '<dict>' "$@" '</dict>' '</plist>'
}

run_tests() {
  local dir="$1"
  local tmp stub_dir log
  local -a files=()
  local f name

  if [[ -n "${TEST_TMPDIR:-}" ]]; then
    tmp="$(mktemp -d "$TEST_TMPDIR/entitlements.XXXXXX")"
  else
    tmp="$(mktemp -d)"
    # shellcheck disable=SC2064  # expand now: tmp is local
    trap "rm -rf '$tmp'" EXIT
  fi

  echo "== the entitlements files in $dir"
  for f in "$dir"/*.entitlements; do
    [[ -e "$f" ]] && files+=("$f")
  done
  if ((${#files[@]} == 0)); then
    fail "no *.entitlements files in $dir"
  fi
  for f in ${files[@]+"${files[@]}"}; do
    expect_valid "${f##*/} is a valid entitlements plist ($(keys_of "$f" || echo '?'))" "$f"
  done

  # The three variants carry exactly the intended keys.
  local got want
  for name in maru-jit.entitlements maru-jit-dlopen.entitlements maru-jit-interpreter.entitlements; do
    want="$(expected_keys "$name")"
    if [[ ! -f "$dir/$name" ]]; then
      fail "$name exists"
      continue
    fi
    if ! got="$(keys_of "$dir/$name")"; then
      fail "$name has exactly the keys {$want}: the file is invalid"
    elif [[ "$got" == "$want" ]]; then
      pass "$name has exactly the keys {$want}"
    else
      fail "$name has exactly the keys {$want}: found {$got}"
    fi
  done
  # ...and that comparison can fail: the JIT file does not pass for the dlopen variant.
  if [[ -f "$dir/maru-jit.entitlements" ]] &&
    [[ "$(keys_of "$dir/maru-jit.entitlements")" != "$(expected_keys maru-jit-dlopen.entitlements)" ]]; then
    pass "the key-set comparison tells the jit variant from the dlopen variant"
  else
    fail "the key-set comparison tells the jit variant from the dlopen variant"
  fi

  # An independent XML parser, where one is installed (not required: Debian does not ship
  # xmllint by default). Well-formedness only; the DTD is not fetched.
  if command -v xmllint >/dev/null 2>&1; then
    for f in ${files[@]+"${files[@]}"}; do
      if xmllint --noout --nonet "$f" 2>"$tmp/xmllint.err"; then
        pass "${f##*/} is well-formed for xmllint"
      else
        fail "${f##*/} is well-formed for xmllint: $(cat "$tmp/xmllint.err")"
      fi
    done
  else
    skip "xmllint cross-check (xmllint not installed)"
  fi

  echo "== the checker rejects broken plists"
  local t="$tmp/t.entitlements"
  local good_body=$'\t<key>com.apple.security.cs.allow-jit</key>\n\t<true/>'

  plist "$good_body" >"$t"
  expect_valid "control: the template plist is accepted" "$t"

  : >"$t"
  expect_invalid "empty file" "empty file" "$t"

  plist "$good_body" | sed -e '1d' >"$t"
  expect_invalid "no XML declaration" "missing XML declaration" "$t"

  { echo; plist "$good_body"; } >"$t"
  expect_invalid "blank line before the XML declaration" "missing XML declaration" "$t"

  plist "$good_body" | sed -e '1s/1\.0/1.1/' >"$t"
  expect_invalid "XML version 1.1" "bad XML declaration" "$t"

  plist "$good_body" | sed -e '2d' >"$t"
  expect_invalid "no DOCTYPE" "missing the Apple plist DOCTYPE" "$t"

  plist "$good_body" | sed -e '2s/PLIST 1.0/PLIST 2.0/' >"$t"
  expect_invalid "wrong DOCTYPE" "wrong DOCTYPE" "$t"

  plist "$good_body" | sed -e 's/<plist version="1.0">/<plist>/' >"$t"
  expect_invalid "plist without version" "<plist version=\"1.0\">" "$t"

  plist "$good_body" | sed -e 's/<plist version="1.0">/<plist version="1.0"><array>/' \
    -e 's#</plist>#</array></plist>#' >"$t"
  expect_invalid "top-level array instead of dict" "top-level object must be a <dict>" "$t"

  plist "$good_body" | sed -e '/^<\/dict>$/d' >"$t"
  expect_invalid "missing </dict>" "unbalanced tags" "$t"

  plist "$good_body" | sed -e 's#</key>#</string>#' >"$t"
  expect_invalid "mismatched closing tag" "unbalanced tags: </string> where </key> was expected" "$t"

  plist "$good_body" | head -c 150 >"$t"
  expect_invalid "truncated file" "unterminated" "$t"

  plist $'\t<key>com.apple.security.cs.allow-jit</key>' >"$t"
  expect_invalid "key without a value" "has no value" "$t"

  plist $'\t<key>com.apple.security.cs.allow-jit</key>\n\t<key>com.apple.security.cs.disable-library-validation</key>\n\t<true/>' >"$t"
  expect_invalid "key followed by another key" "has no value" "$t"

  plist $'\t<key>com.apple.security.cs.allow-jit</key>\n\t<string>yes</string>' >"$t"
  expect_invalid "string value" "must be <true/> or <false/>" "$t"

  plist $'\t<key>com.apple.security.cs.allow-jit</key>\n\t<true></true>' >"$t"
  expect_invalid "<true></true> instead of <true/>" "empty-element form" "$t"

  plist $'\t<true/>' >"$t"
  expect_invalid "value without a key" "expected <key> or </dict>" "$t"

  plist $'\t<key></key>\n\t<true/>' >"$t"
  expect_invalid "empty key" "empty <key></key>" "$t"

  plist $'\t<key> com.apple.security.cs.allow-jit</key>\n\t<true/>' >"$t"
  expect_invalid "key with a leading space" "not a plain entitlement name" "$t"

  plist $'\t<key>com.apple.security.network.client</key>\n\t<true/>' >"$t"
  expect_invalid "unknown key" "unknown key com.apple.security.network.client" "$t"

  plist $'\t<key>com.apple.security.cs.jit-write-allowlist</key>\n\t<true/>' >"$t"
  expect_invalid "jit-write-allowlist" "incompatible with asmjit 1.9" "$t"

  plist "$good_body" "$good_body" >"$t"
  expect_invalid "duplicate key" "duplicate key com.apple.security.cs.allow-jit" "$t"

  plist "$good_body" $'\t<key>com.apple.security.cs.allow-unsigned-executable-memory</key>\n\t<true/>' >"$t"
  expect_invalid "allow-jit and allow-unsigned-executable-memory together" "set only one of" "$t"

  plist "$good_body" $'\tjunk' >"$t"
  expect_invalid "stray text in the dict" "unexpected text \"junk\"" "$t"

  plist "$good_body" $'\t<!-- a -- b -->' >"$t"
  expect_invalid "double hyphen in a comment" "inside a comment" "$t"

  plist "$good_body" $'\t<!-- never closed' >"$t"
  expect_invalid "unterminated comment" "unterminated comment" "$t"

  { plist "$good_body"; echo '<plist version="1.0"><dict></dict></plist>'; } >"$t"
  expect_invalid "content after </plist>" "after </plist>" "$t"

  plist "$good_body" | awk '{ printf "%s\r\n", $0 }' >"$t"
  expect_invalid "CRLF line ends" "LF line ends" "$t"

  plist "$good_body" | sed -e 's/<true\/>/<true\/ >/' >"$t"
  expect_invalid "malformed tag" "malformed tag" "$t"

  # Files that must pass: other known keys, <false/>, comments, the <dict/> form.
  plist $'\t<!-- a comment -->' "$good_body" \
    $'\t<key>com.apple.security.cs.disable-library-validation</key>\n\t<false/>' \
    $'\t<key>com.apple.security.get-task-allow</key> <!-- debug only -->\n\t<true/>' \
    $'\t<key>com.apple.security.cs.allow-dyld-environment-variables</key>\n\t<false/>' >"$t"
  expect_valid "control: comments, <false/> and other known keys are accepted" "$t"
  got="$(keys_of "$t")"
  want="com.apple.security.cs.allow-dyld-environment-variables=false"
  want+=" com.apple.security.cs.allow-jit=true"
  want+=" com.apple.security.cs.disable-library-validation=false"
  want+=" com.apple.security.get-task-allow=true"
  if [[ "$got" == "$want" ]]; then
    pass "the checker reports keys and values ($got)"
  else
    fail "the checker reports keys and values: got {$got}"
  fi
  plist "" | sed -e '/^<dict>$/,/^<\/dict>$/c\
<dict/>' >"$t"
  expect_valid "control: an empty <dict/> is accepted" "$t"

  # Several files: one broken file fails the whole run.
  plist "$good_body" >"$tmp/good.entitlements"
  plist "$good_body" | sed -e '/^<\/dict>$/d' >"$tmp/bad.entitlements"
  if "$0" "$tmp/good.entitlements" >/dev/null 2>&1 &&
    ! "$0" "$tmp/good.entitlements" "$tmp/bad.entitlements" >/dev/null 2>&1; then
    pass "the command line fails when any one of several files is broken"
  else
    fail "the command line fails when any one of several files is broken"
  fi

  echo "== sign.sh (with a stand-in codesign; no real signing on this machine)"
  local sign="$dir/sign.sh" out rc bin="$tmp/maru"
  if [[ ! -f "$sign" ]]; then
    fail "sign.sh exists next to the entitlements files"
  else
    printf '\x7fELF stand-in binary\n' >"$bin"
    stub_dir="$tmp/stub"
    log="$tmp/codesign.log"
    mkdir -p "$stub_dir"
    # The stand-in logs each call (one argument a line, then "--end--") and keeps a copy of
    # the entitlements file it was given.
    cat >"$stub_dir/codesign" <<'EOF'
#!/usr/bin/env bash
prev=""
for a in "$@"; do
  printf '%s\n' "$a" >>"$STUB_LOG"
  if [[ "$prev" == --entitlements && "$a" != - ]]; then cp "$a" "$STUB_LOG.entitlements"; fi
  prev="$a"
done
echo "--end--" >>"$STUB_LOG"
if [[ "$*" == "-d --verbose=2 "* ]]; then echo "CodeDirectory v=20500 size=1 flags=0x10002(adhoc,runtime) hashes=1+0 location=embedded" >&2; fi
exit "${STUB_EXIT:-0}"
EOF
    chmod +x "$stub_dir/codesign"

    # run_sign: runs sign.sh with the stand-in; sets out (stdout+stderr) and rc.
    run_sign() {
      : >"$log"
      rm -f "$log.entitlements"
      out="$(MARU_CODESIGN="$stub_dir/codesign" STUB_LOG="$log" bash "$sign" "$@" 2>&1)"
      rc=$?
    }
    calls() { tr '\n' ' ' <"$log" | sed -e 's/ --end-- /|/g' -e 's/|$//'; }

    run_sign --help
    if ((rc == 0)) && [[ "$out" == *"Usage:"* && "$out" == *"--verify"* && "$out" == *"interpreter"* ]]; then
      pass "sign.sh --help prints the usage and exits 0"
    else
      fail "sign.sh --help: rc=$rc: $out"
    fi

    run_sign
    if ((rc == 2)); then pass "sign.sh without arguments is a usage error (2)"; else fail "sign.sh without arguments: rc=$rc: $out"; fi

    run_sign frobnicate "$bin"
    if ((rc == 2)) && [[ "$out" == *"unknown variant 'frobnicate'"* ]]; then
      pass "sign.sh rejects an unknown variant"
    else
      fail "sign.sh rejects an unknown variant: rc=$rc: $out"
    fi

    run_sign --bogus jit "$bin"
    if ((rc == 2)); then pass "sign.sh rejects an unknown option"; else fail "sign.sh rejects an unknown option: rc=$rc: $out"; fi

    run_sign jit "$tmp/no-such-binary"
    if ((rc == 1)) && [[ "$out" == *"no such file"* ]] && [[ ! -s "$log" ]]; then
      pass "sign.sh refuses a missing binary without calling codesign"
    else
      fail "sign.sh refuses a missing binary: rc=$rc: $out"
    fi

    run_sign jit "$tmp"
    if ((rc == 1)) && [[ "$out" == *"not a regular file"* ]]; then
      pass "sign.sh refuses a directory"
    else
      fail "sign.sh refuses a directory: rc=$rc: $out"
    fi

    out="$(MARU_CODESIGN="$tmp/nowhere/codesign" bash "$sign" jit "$bin" 2>&1)"
    rc=$?
    if ((rc == 1)) && [[ "$out" == *"not found"* ]] &&
      { [[ "$(uname -s)" == Darwin ]] || [[ "$out" == *"needs macOS"* ]]; }; then
      pass "sign.sh explains a missing codesign (${out#*error: })"
    else
      fail "sign.sh explains a missing codesign: rc=$rc: $out"
    fi

    local variant file
    for variant in jit dlopen interpreter; do
      case "$variant" in
        jit) file=maru-jit.entitlements ;;
        dlopen) file=maru-jit-dlopen.entitlements ;;
        interpreter) file=maru-jit-interpreter.entitlements ;;
      esac
      run_sign "$variant" "$bin"
      got="$(calls)"
      if ((rc == 0)) && [[ "$got" == "--force --options runtime --entitlements $dir/$file --sign - $bin" ]] &&
        cmp -s "$log.entitlements" "$dir/$file"; then
        pass "sign.sh $variant runs codesign --force --options runtime --entitlements $file --sign - BINARY"
      else
        fail "sign.sh $variant: rc=$rc, codesign called as {$got}: $out"
      fi
    done

    local id="Developer ID Application: Example (ABCDE12345)"
    run_sign -s "$id" --timestamp jit "$bin"
    got="$(calls)"
    want="--force --options runtime --entitlements $dir/maru-jit.entitlements --sign $id"
    if ((rc == 0)) && [[ "$got" == "$want --timestamp $bin" ]]; then
      pass "sign.sh passes -s IDENTITY and --timestamp"
    else
      fail "sign.sh -s/--timestamp: rc=$rc, codesign called as {$got}: $out"
    fi

    run_sign --timestamp jit "$bin"
    if ((rc == 2)) && [[ ! -s "$log" ]]; then
      pass "sign.sh refuses --timestamp with the ad-hoc identity"
    else
      fail "sign.sh refuses --timestamp with the ad-hoc identity: rc=$rc: $out"
    fi

    STUB_EXIT=1 run_sign jit "$bin"
    if ((rc == 1)) && [[ "$out" == *"codesign failed"* ]]; then
      pass "sign.sh reports a failing codesign"
    else
      fail "sign.sh reports a failing codesign: rc=$rc: $out"
    fi

    run_sign --verify "$bin"
    got="$(calls)"
    if ((rc == 0)) && [[ "$got" == "-d --verbose=2 $bin|-d --entitlements - $bin|--verify --strict --verbose=2 $bin" ]]; then
      pass "sign.sh --verify runs codesign -d, -d --entitlements - and --verify --strict"
    else
      fail "sign.sh --verify: rc=$rc, codesign called as {$got}: $out"
    fi

    STUB_EXIT=1 run_sign --verify "$bin"
    if ((rc == 1)) && [[ "$out" == *"verification failed"* ]]; then
      pass "sign.sh --verify fails when codesign does"
    else
      fail "sign.sh --verify fails when codesign does: rc=$rc: $out"
    fi

    out="$(MARU_CODESIGN="$tmp/nowhere/codesign" bash "$sign" --dry-run dlopen "$bin" 2>&1)"
    rc=$?
    if ((rc == 0)) && [[ "$out" == *"--options runtime --entitlements $dir/maru-jit-dlopen.entitlements --sign - $bin"* ]]; then
      pass "sign.sh --dry-run prints the command without codesign"
    else
      fail "sign.sh --dry-run: rc=$rc: $out"
    fi
  fi

  if command -v shellcheck >/dev/null 2>&1; then
    for f in "$sign" "$dir/check_entitlements.sh"; do
      if [[ -f "$f" ]] && out="$(shellcheck "$f" 2>&1)"; then
        pass "shellcheck ${f##*/}"
      else
        fail "shellcheck ${f##*/}: $out"
      fi
    done
  else
    skip "shellcheck (not installed)"
  fi

  echo
  if ((skipped > 0)); then
    echo "$passed passed, $failed failed, $skipped skipped"
  else
    echo "$passed passed, $failed failed"
  fi
  ((failed == 0))
}

# ---------------------------------------------------------------------------------------------

main() {
  case "${1:-}" in
    -h | --help)
      usage
      return 0
      ;;
    "")
      usage >&2
      return 2
      ;;
    --test)
      (($# <= 2)) || {
        echo "usage: $0 --test [DIR]" >&2
        return 2
      }
      run_tests "${2:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
      return $?
      ;;
    --keys)
      (($# == 2)) || {
        echo "usage: $0 --keys FILE" >&2
        return 2
      }
      validate_file "$2"
      return $?
      ;;
  esac
  local f keys status=0
  for f in "$@"; do
    if keys="$(validate_file "$f")"; then
      echo "ok $f: ${keys:-(no keys)}" | tr '\n' ' ' | sed -e 's/ $//'
      echo
    else
      status=1
    fi
  done
  return "$status"
}

# (bash 3.2, macOS's /bin/bash, treats an empty "$@" as unbound under set -u)
if (($# > 0)); then
  main "$@"
else
  main
fi
