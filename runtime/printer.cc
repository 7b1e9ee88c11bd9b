#include "runtime/printer.h"

#include <cstdio>

#include "absl/strings/str_format.h"
#include "runtime/env.h"
#include "runtime/heap.h"
#include "runtime/strings.h"
#include "runtime/subr.h"

namespace maru {

std::string FormatDouble(double d) {
  char buffer[512];
  int n = std::snprintf(buffer, sizeof buffer, "%f", d);
  if (n >= 0 && static_cast<size_t>(n) < sizeof buffer) return std::string(buffer, n);
  std::string big(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(big.data(), big.size(), "%f", d);
  big.resize(n);
  return big;
}

namespace {

class Printer {
 public:
  Printer(Vm& vm, bool dump, bool for_message, size_t limit, std::string* out)
      : vm_(vm), dump_(dump), for_message_(for_message), limit_(limit), out_(out) {}

  bool Print(Oop x) {
    if (out_->size() > limit_) return true;
    if (vm_.StackExhausted()) {
      if (for_message_) {
        out_->append("...");
        return true;
      }
      vm_.StackOverflow();
      return false;
    }
    if (x == kNil) {
      out_->append("()");
      return true;
    }
    if (IsFixnum(x)) {
      absl::StrAppend(out_, FixnumValue(x));
      return true;
    }
    if (!IsObject(x)) {
      absl::StrAppend(out_, "<invalid ", x, ">");
      return true;
    }
    if (x == vm_.current_globals()) {
      out_->append("<globals>");
      return true;
    }
    switch (HeaderOf(x)->type) {
      case kUndefinedType:
        out_->append("UNDEFINED");
        return true;
      case kDataType:
        absl::StrAppend(out_, "<data[", ByteCount(x), "]>");
        return true;
      case kLongType:
        absl::StrAppend(out_, LongValue(x));
        return true;
      case kDoubleType:
        out_->append(FormatDouble(DoubleValue(x)));
        return true;
      case kStringType:
        PrintString(x);
        return true;
      case kSymbolType:
        out_->append(SymbolName(x));
        return true;
      case kPairType:
        return PrintList(x);
      case kArrayType:
        return PrintArray(x);
      case kExprType:
        return PrintExpr(x);
      case kFormType:
        out_->append("Form(");
        if (!Print(Field(x, form::kFunction))) return false;
        out_->append(", ");
        if (!Print(Field(x, form::kSymbol))) return false;
        out_->append(")");
        return true;
      case kFixedType: {
        out_->append("Fixed<");
        if (!Print(Field(x, fixed::kFunction))) return false;
        out_->append(">");
        return true;
      }
      case kSubrType:
        out_->append(SubrName(x));
        return true;
      case kVariableType:
        return Print(Field(x, variable::kName));
      case kEnvType:
        return PrintEnv(x);
      case kContextType:
        out_->append("Context<");
        if (!Print(Field(x, context::kEnv))) return false;
        out_->append("=");
        if (!Print(Field(x, context::kBindings))) return false;
        out_->append(">");
        return true;
      default:
        return PrintOther(x);
    }
  }

 private:
  // A public slot, or nil when an object made by `allocate` is too short to have it.
  static Oop Field(Oop x, int i) { return IsRaw(x) || i >= static_cast<int>(SlotCount(x)) ? kNil : Slot(x, i); }

  void PrintString(Oop s) {
    int64_t n = StringLength(s);
    const uint32_t* chars = StringChars(s);
    if (!dump_) {
      for (int64_t i = 0; i < n && chars[i] != 0; ++i) AppendUtf8(chars[i], out_);
      return;
    }
    out_->push_back('"');
    for (int64_t i = 0; i < n && chars[i] != 0; ++i) {
      uint32_t c = chars[i];
      if (c == '"' || c == '\\') {
        out_->push_back('\\');
        out_->push_back(static_cast<char>(c));
      } else if (c < 32) {
        absl::StrAppendFormat(out_, "\\%03o", c);
      } else {
        AppendUtf8(c, out_);
      }
    }
    out_->push_back('"');
  }

  bool PrintList(Oop x) {
    out_->push_back('(');
    bool first = true;
    while (IsPair(x)) {
      Oop item = Slot(x, pair::kHead);
      // Encoded forms carry their Env as an element; it is not shown.
      if (!IsEnv(item)) {
        if (!first) out_->push_back(' ');
        if (!Print(item)) return false;
        first = false;
      }
      if (out_->size() > limit_) {
        out_->append(" ...");
        break;
      }
      x = Slot(x, pair::kTail);
    }
    if (x != kNil && !IsPair(x)) {
      out_->append(" . ");
      if (!Print(x)) return false;
    }
    out_->push_back(')');
    return true;
  }

  bool PrintArray(Oop a) {
    int64_t n = IsFixnum(Field(a, array::kSize)) ? ArraySize(a) : 0;
    absl::StrAppend(out_, "Array<", n, ">(");
    for (int64_t i = 0; i < n; ++i) {
      if (i > 0) out_->push_back(' ');
      if (!Print(ArrayAt(a, i))) return false;
      if (out_->size() > limit_) {
        out_->append(" ...");
        break;
      }
    }
    out_->push_back(')');
    return true;
  }

  bool PrintExpr(Oop x) {
    Oop name = Field(x, expr::kName);
    out_->append("Expr");
    if (name != kNil) {
      out_->push_back('.');
      if (!Print(name)) return false;
    }
    out_->push_back('=');
    Oop defn = Field(x, expr::kDefn);
    return Print(Car(Cdr(defn)));
  }

  bool PrintEnv(Oop e) {
    out_->append("Env");
    if (Field(e, env::kParent) == kNil) out_->push_back('*');
    if (Field(e, env::kStable) == kNil) out_->push_back('=');
    out_->push_back('<');
    if (!Print(Field(e, env::kLevel))) return false;
    out_->push_back('+');
    if (!Print(Field(e, env::kOffset))) return false;
    out_->append(":>");
    return true;
  }

  bool PrintOther(Oop x) {
    uint32_t type = HeaderOf(x)->type;
    Oop var = vm_.FindGlobal("%type-names");
    if (var == kNil) {
      if (for_message_) {
        absl::StrAppend(out_, "<type=", type, ">");
        return true;
      }
      vm_.Error("undefined variable: %type-names");
      return false;
    }
    Oop names = Slot(var, variable::kValue);
    if (Is(names, kArrayType) && type < ArraySize(names) && IsSymbol(ArrayAt(names, type))) {
      if (for_message_) {
        out_->append(SymbolName(ArrayAt(names, type)));
      } else {
        out_->append("\x1b[34m");
        out_->append(SymbolName(ArrayAt(names, type)));
        out_->append("\x1b[m");
      }
      return true;
    }
    absl::StrAppend(out_, "<type=", type, ">");
    return true;
  }

  Vm& vm_;
  bool dump_;
  bool for_message_;
  size_t limit_;
  std::string* out_;
};

}  // namespace

bool PrintTo(Vm& vm, Oop x, bool dump, std::string* out) {
  return Printer(vm, dump, false, SIZE_MAX, out).Print(x);
}

std::string DumpForMessage(Vm& vm, Oop x, size_t limit) {
  std::string out;
  Printer(vm, true, true, limit, &out).Print(x);
  return out;
}

}  // namespace maru
