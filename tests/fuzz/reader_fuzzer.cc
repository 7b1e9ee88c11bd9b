// Fuzz target: arbitrary bytes -> the reader (runtime/reader.h) -> values or a clean error.
//
// For every form read from the input (at most kMaxForms) it checks:
//  * the reader either returns a value with no error pending, or kErrorOop with exactly one pending
//    error whose message is one of the reader's messages (spec §3, §11.1) and a position;
//  * a value is built only from the types the reader makes (nil, Long, Double, String, Symbol,
//    Pair), a Long is boxed exactly when it is outside the fixnum range (§8), and every pair
//    carries its source position (path . line) with a line inside the input (§3.1);
//  * print and dump succeed (or fail with "stack overflow" only), and agree unless the value holds
//    a String (§9: the modes differ only for Strings);
//  * round trip, where the spec promises it: the dumped text reads back as exactly one form that
//    is the same value (Doubles compared by their printed text, since `%f` keeps six decimals) and
//    dumps to the same text. The spec does not promise it for Doubles that print as inf/nan (they
//    read back as symbols), for Strings holding a UTF-16 surrogate made by a \u escape (no UTF-8
//    encoding exists, §3.4/§9), nor for the symbol `.` after the first element of a list (printed
//    unescaped, it reads back as a dot), so those values are only printed.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/heap.h"
#include "runtime/object.h"
#include "runtime/printer.h"
#include "runtime/reader.h"
#include "runtime/strings.h"
#include "runtime/vm.h"
#include "tests/fuzz/fuzz_check.h"

namespace maru::fuzz {
namespace {

constexpr int kMaxForms = 64;
constexpr char kPath[] = "<fuzz>";

// The messages the reader may report (spec §3 and §11.1, plus the implementation's texts for a
// `?` at end of input and for resource limits).
constexpr std::string_view kReaderMessagePrefixes[] = {
    "illegal character: 0x",
    "illegal character escape: \\",
    "illegal digit in character escape",
    "illegal UTF-8 sequence",
    "EOF in string literal",
    "EOF in character literal",
    "EOF while reading list",
    "mismatched delimiter: expected '",
    "missing item after .",
    "extra item after .",
    "unexpected character 0x",
    "stack overflow",
    "out of memory",
};

Vm& TheVm() {
  // One Vm for the whole run: reading needs no fresh global state, and a Vm costs far more to
  // make than most inputs take to read.
  static Vm* vm = new Vm();
  return *vm;
}

std::string Show(Vm& vm, Oop x) { return DumpForMessage(vm, x, 400); }

bool IsReaderMessage(const std::string& message) {
  for (std::string_view prefix : kReaderMessagePrefixes) {
    if (message.starts_with(prefix)) return true;
  }
  return false;
}

// What a value holds that matters for printing and round trips.
struct Contents {
  bool has_string = false;
  bool has_non_finite_double = false;
  bool has_surrogate = false;
  bool has_ambiguous_dot = false;
  bool Readable() const { return !has_non_finite_double && !has_surrogate && !has_ambiguous_dot; }
};

// Checks an atom made by the reader (see CheckReadValue).
void CheckReadAtom(Vm& vm, Oop x, Contents* contents) {
  if (x == kNil || IsFixnum(x)) return;
  MARU_FUZZ_CHECK(IsObject(x), "not an object: " + std::to_string(x));
  switch (HeaderOf(x)->type) {
    case kLongType:
      MARU_FUZZ_CHECK(!FitsFixnum(LongValue(x)),
                      "boxed Long within the fixnum range: " + Show(vm, x));
      return;
    case kDoubleType:
      if (!std::isfinite(DoubleValue(x))) contents->has_non_finite_double = true;
      return;
    case kStringType: {
      contents->has_string = true;
      const uint32_t* chars = StringChars(x);
      for (int64_t i = 0; i < StringLength(x); ++i) {
        MARU_FUZZ_CHECK(chars[i] != 0, "a code 0 inside a string literal: " + Show(vm, x));
        MARU_FUZZ_CHECK(chars[i] < 0x110000, "code point out of range in " + Show(vm, x));
        if (chars[i] >= 0xD800 && chars[i] <= 0xDFFF) contents->has_surrogate = true;
      }
      return;
    }
    case kSymbolType:
      MARU_FUZZ_CHECK(!SymbolName(x).empty(), "an empty symbol");
      return;
    default:
      FuzzFailure("the reader made an object of type " + std::to_string(HeaderOf(x)->type) + ": " +
                  Show(vm, x));
  }
}

// Equality of two atoms of read values; Doubles are equal when they print the same.
bool SameAtom(Oop a, Oop b) {
  if (a == b) return true;  // nil, fixnums, symbols
  if (!IsObject(a) || !IsObject(b) || TypeOf(a) != TypeOf(b)) return false;
  switch (TypeOf(a)) {
    case kLongType:
      return LongValue(a) == LongValue(b);
    case kDoubleType:
      return FormatDouble(DoubleValue(a)) == FormatDouble(DoubleValue(b));
    case kStringType: {
      if (StringLength(a) != StringLength(b)) return false;
      for (int64_t i = 0; i < StringLength(a); ++i) {
        if (StringChars(a)[i] != StringChars(b)[i]) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

// Checks the shape of a value made by the reader and records its Contents. `lines` is the
// number of lines of the input (an upper bound for source positions). Iterative: read data may
// nest as deep as the reader's stack allows, deeper than this function could recurse.
void CheckReadValue(Vm& vm, Oop root, int64_t lines, Contents* contents) {
  // Everything on the work list is reachable from `root`, which the caller's frame keeps alive.
  std::vector<Oop> work = {root};
  while (!work.empty()) {
    Oop x = work.back();
    work.pop_back();
    while (IsPair(x)) {
      Oop source = SourceOf(x);
      MARU_FUZZ_CHECK(IsPair(source) && IsString(Car(source)) && IsFixnum(Cdr(source)),
                      "a pair made by the reader has no (path . line) source: " + Show(vm, x));
      MARU_FUZZ_CHECK(StringToUtf8(Car(source)) == kPath, "source path " + Show(vm, source));
      int64_t line = FixnumValue(Cdr(source));
      MARU_FUZZ_CHECK(line >= 1 && line <= lines, "source line " + std::to_string(line) +
                                                      " outside 1.." + std::to_string(lines));
      work.push_back(Slot(x, pair::kHead));
      x = Slot(x, pair::kTail);
      // The symbol `.` anywhere after the first element prints as a bare dot.
      if (IsPair(x) && Slot(x, pair::kHead) == vm.sym_dot) contents->has_ambiguous_dot = true;
    }
    CheckReadAtom(vm, x, contents);
  }
}

// Structural equality of two read values; Doubles are equal when they print the same.
// Iterative, like CheckReadValue.
bool SameValue(Oop a_root, Oop b_root) {
  std::vector<std::pair<Oop, Oop>> work = {{a_root, b_root}};
  while (!work.empty()) {
    auto [a, b] = work.back();
    work.pop_back();
    while (IsPair(a) && IsPair(b)) {
      work.emplace_back(Slot(a, pair::kHead), Slot(b, pair::kHead));
      a = Slot(a, pair::kTail);
      b = Slot(b, pair::kTail);
    }
    if (!SameAtom(a, b)) return false;
  }
  return true;
}

// Reads every form of `text`; calls on_form(form) for each. Returns false on a reader error (taken
// from the Vm and stored in *error).
template <typename OnForm>
bool ReadForms(Vm& vm, std::string_view text, int max_forms, std::string* error, OnForm on_form) {
  FILE* in = fmemopen(const_cast<char*>(text.data()), text.size(), "r");
  MARU_FUZZ_CHECK(in != nullptr, "fmemopen failed");
  bool ok = true;
  {
    Reader reader(vm, in, kPath);
    for (int i = 0; i < max_forms; ++i) {
      bool eof = false;
      Oop form = reader.Read(&eof);
      if (form == kErrorOop) {
        MARU_FUZZ_CHECK(vm.HasError(), "kErrorOop without a pending error");
        MARU_FUZZ_CHECK(vm.error().kind == Unwind::kError, "a reader error that is not an error");
        MARU_FUZZ_CHECK(!reader.error_position().empty(), "a reader error without a position");
        PendingError e = vm.TakeError();
        MARU_FUZZ_CHECK(IsReaderMessage(e.message), "unexpected reader message: " + e.message);
        *error = e.message;
        ok = false;
        break;
      }
      MARU_FUZZ_CHECK(!vm.HasError(),
                      "a value returned with an error pending: " + vm.error().message);
      if (eof) {
        MARU_FUZZ_CHECK(form == kNil, "end of input with a value");
        break;
      }
      on_form(form);
    }
  }
  vm.pushback.erase(in);
  std::fclose(in);
  return ok;
}

void CheckRoundTrip(Vm& vm, Oop form, const std::string& dumped) {
  int count = 0;
  std::string error;
  bool ok = ReadForms(vm, dumped, 2, &error, [&](Oop again) {
    ++count;
    MARU_FUZZ_CHECK(count == 1, "the dump of one value reads back as several forms: " + dumped);
    MARU_FUZZ_CHECK(SameValue(form, again), "read(dump(x)) differs from x:\n  x:     " + dumped +
                                                "\n  again: " + Show(vm, again));
    std::string redumped;
    MARU_FUZZ_CHECK(PrintTo(vm, again, /*dump=*/true, &redumped), "dumping the re-read value");
    MARU_FUZZ_CHECK(redumped == dumped,
                    "dump(read(dump(x))) != dump(x):\n  " + dumped + "\n  " + redumped);
  });
  MARU_FUZZ_CHECK(ok, "the dump of a value does not read back (" + error + "): " + dumped);
  MARU_FUZZ_CHECK(count == 1, "the dump of a value reads back as nothing: " + dumped);
}

void CheckForm(Vm& vm, Oop form, int64_t lines) {
  Contents contents;
  CheckReadValue(vm, form, lines, &contents);
  std::string printed, dumped;
  bool printed_ok = PrintTo(vm, form, /*dump=*/false, &printed);
  bool dumped_ok = PrintTo(vm, form, /*dump=*/true, &dumped);
  if (!printed_ok || !dumped_ok) {
    // Only data nested deeper than the printer's stack allows may fail to print.
    PendingError e = vm.TakeError();
    MARU_FUZZ_CHECK(e.message == "stack overflow", "printing a read value failed: " + e.message);
    return;
  }
  // Abbreviated dumps (error messages, backtraces) must not fail either.
  DumpForMessage(vm, form, 32);
  if (!contents.has_string) {
    MARU_FUZZ_CHECK(printed == dumped,
                    "print and dump differ without a string:\n  " + printed + "\n  " + dumped);
  }
  if (contents.Readable()) CheckRoundTrip(vm, form, dumped);
}

}  // namespace
}  // namespace maru::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace maru;
  using namespace maru::fuzz;
  if (size == 0) return 0;  // fmemopen refuses an empty buffer
  Vm& vm = TheVm();
  MARU_FUZZ_CHECK(!vm.HasError(), "an error left pending by the previous input");
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // Any of LF, CR, CR LF or LF CR ends a line: counting every CR and LF bounds the line number.
  int64_t lines = 1;
  for (char c : text) lines += (c == '\n' || c == '\r') ? 1 : 0;
  std::string error;
  ReadForms(vm, text, kMaxForms, &error, [&](Oop form) { CheckForm(vm, form, lines); });
  MARU_FUZZ_CHECK(!vm.HasError(), "an error left pending after the input");
  return 0;
}
