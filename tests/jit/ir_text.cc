#include "tests/jit/ir_text.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "runtime/env.h"
#include "runtime/heap.h"
#include "runtime/printer.h"
#include "runtime/strings.h"

namespace maru::jit::irtext {

namespace {

constexpr char kKeepAliveGlobal[] = "%ir-text-objects";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The whole of `s` as a decimal int64 (false on overflow or stray characters).
bool ToInt64(std::string_view s, int64_t* out) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

// A signed decimal integer that fills the whole token.
bool ParseInteger(std::string_view token, int64_t* out) {
  if (token.empty()) return false;
  size_t i = token[0] == '-' ? 1 : 0;
  if (i == token.size()) return false;
  for (size_t j = i; j < token.size(); ++j) {
    if (!IsDigit(token[j])) return false;
  }
  return ToInt64(token, out);
}

}  // namespace

// --- OopNames -------------------------------------------------------------------------------

OopNames::OopNames(Vm& vm) : vm_(vm) {
  keep_var_ = vm_.FindGlobal(kKeepAliveGlobal);
  if (keep_var_ == kNil) keep_var_ = vm_.DefineGlobal(kKeepAliveGlobal, kNil);
}

void OopNames::KeepAlive(Oop o) {
  if (!IsObject(o)) return;
  Oop cell = NewPair(o, Slot(keep_var_, variable::kValue));
  if (cell == kNil) std::abort();
  Slot(keep_var_, variable::kValue) = cell;
}

ir::OopFormatter OopNames::formatter() {
  return [this](Oop o) { return Format(o); };
}

std::string OopNames::Format(Oop o) {
  if (auto it = by_oop_.find(o); it != by_oop_.end()) return "#" + it->second;
  if (o == kNil) return "()";
  if (IsFixnum(o)) return absl::StrCat(FixnumValue(o));
  if (!IsObject(o)) return absl::StrFormat("0x%x", static_cast<uint64_t>(o));
  if (Is(o, kLongType)) return absl::StrCat(LongValue(o));
  if (o == vm_.sym_t) return "t";
  if (IsSymbol(o)) return "'" + std::string(SymbolName(o));
  if (IsString(o)) {
    std::string out = "\"";
    for (char c : StringToUtf8(o)) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\t') {
        out += "\\t";
      } else if (static_cast<unsigned char>(c) < 32) {
        out += absl::StrFormat("\\%03o", c);
      } else {
        out += c;
      }
    }
    return out + "\"";
  }
  if (IsVariable(o) && IsGlobalVariable(o) && IsSymbol(Slot(o, variable::kName))) {
    return "@" + std::string(SymbolName(Slot(o, variable::kName)));
  }
  if (describe_objects_) return "{" + DumpForMessage(vm_, o, 200) + "}";
  std::string name;
  do {
    name = absl::StrCat("o", next_auto_++);
  } while (by_name_.count(name) != 0);
  SetName(name, o);
  return "#" + name;
}

bool OopNames::Parse(std::string_view token, Oop* out, std::string* error) {
  if (token.empty()) {
    *error = "missing operand";
    return false;
  }
  if (token == "()") {
    *out = kNil;
    return true;
  }
  if (token == "t") {
    *out = vm_.sym_t;
    return true;
  }
  int64_t number;
  if (ParseInteger(token, &number)) {
    *out = NewLong(number);
    KeepAlive(*out);
    return true;
  }
  std::string_view rest = token.substr(1);
  switch (token[0]) {
    case '\'':
      if (rest.empty()) break;
      *out = Intern(rest);
      return true;
    case '@':
      if (rest.empty()) break;
      *out = vm_.FindGlobal(rest);
      if (*out == kNil) *out = vm_.DefineGlobal(rest, kNil);
      return true;
    case '#':
      if (rest.empty()) break;
      *out = Named(rest);
      return true;
    case '"': {
      if (token.size() < 2 || token.back() != '"') break;
      std::string text;
      for (size_t i = 1; i + 1 < token.size(); ++i) {
        char c = token[i];
        if (c == '\\' && i + 2 < token.size()) {
          c = token[++i];
          if (c == 'n') {
            c = '\n';
          } else if (c == 't') {
            c = '\t';
          } else if (c >= '0' && c <= '7' && i + 3 < token.size()) {
            c = static_cast<char>((c - '0') * 64 + (token[i + 1] - '0') * 8 + (token[i + 2] - '0'));
            i += 2;
          }
        }
        text += c;
      }
      *out = NewStringFromUtf8(text);
      KeepAlive(*out);
      return true;
    }
    default:
      break;
  }
  *error = "bad operand '" + std::string(token) + "'";
  return false;
}

Oop OopNames::Named(std::string_view name) {
  if (auto it = by_name_.find(name); it != by_name_.end()) return it->second;
  Oop o = NewPair(kNil, kNil);
  if (o == kNil) std::abort();
  SetName(name, o);
  return o;
}

void OopNames::SetName(std::string_view name, Oop o) {
  if (auto it = by_name_.find(name); it != by_name_.end()) {
    by_oop_.erase(it->second);
    by_name_.erase(it);
  }
  if (auto it = by_oop_.find(o); it != by_oop_.end()) {
    by_name_.erase(it->second);
    by_oop_.erase(it);
  }
  by_name_.emplace(std::string(name), o);
  by_oop_.emplace(o, std::string(name));
  KeepAlive(o);
}

std::string OopNames::NameOf(Oop o) const {
  auto it = by_oop_.find(o);
  return it == by_oop_.end() ? "" : it->second;
}

// --- Parser ---------------------------------------------------------------------------------

namespace {

// A cursor over one line.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  bool AtEnd() const { return pos_ >= s_.size(); }
  std::string_view Rest() const { return s_.substr(std::min(pos_, s_.size())); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  char Next() { return AtEnd() ? '\0' : s_[pos_++]; }
  void SkipSpaces() {
    while (!AtEnd() && s_[pos_] == ' ') ++pos_;
  }
  bool Consume(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) != lit) return false;
    pos_ += lit.size();
    return true;
  }
  // A name prefixed by one letter followed by decimal digits: v3, s0, b12.
  bool Number(char prefix, int64_t* out) {
    if (Peek() != prefix) return false;
    size_t end = pos_ + 1;
    while (end < s_.size() && IsDigit(s_[end])) ++end;
    if (end == pos_ + 1) return false;
    if (!ToInt64(s_.substr(pos_ + 1, end - pos_ - 1), out)) return false;
    pos_ = end;
    return true;
  }
  // An Oop operand token: a quoted string, or everything up to the next ',' (trailing spaces
  // dropped).
  std::string_view OopToken() {
    size_t start = pos_;
    if (Peek() == '"') {
      size_t i = pos_ + 1;
      while (i < s_.size() && s_[i] != '"') i += s_[i] == '\\' ? 2 : 1;
      pos_ = std::min(i + 1, s_.size());
      return s_.substr(start, pos_ - start);
    }
    while (!AtEnd() && s_[pos_] != ',') ++pos_;
    size_t end = pos_;
    while (end > start && s_[end - 1] == ' ') --end;
    return s_.substr(start, end - start);
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

class Parser {
 public:
  Parser(OopNames& names, ir::Function* f) : names_(names), f_(f) {
    for (int op = 0; op < 256; ++op) {
      std::string name = ir::OpcodeName(static_cast<ir::Opcode>(op));
      if (name != "?") opcodes_.emplace(name, static_cast<ir::Opcode>(op));
    }
    for (int p = 0; p < static_cast<int>(ir::PrimitiveOp::kCount); ++p) {
      primitives_.emplace(ir::PrimitiveOpName(static_cast<ir::PrimitiveOp>(p)),
                          static_cast<ir::PrimitiveOp>(p));
    }
  }

  std::string Run(std::string_view text) {
    *f_ = ir::Function();
    std::vector<std::string_view> lines;
    for (size_t start = 0;;) {
      size_t end = text.find('\n', start);
      lines.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
    bool header = false;
    for (size_t i = 0; i < lines.size(); ++i) {
      line_ = static_cast<int>(i) + 1;
      std::string_view line = lines[i];
      while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
      if (line.empty()) continue;
      std::string problem;
      if (!header) {
        problem = Header(line);
        header = true;
      } else if (line.substr(0, 7) == "inline ") {
        problem = InlineFrameLine(line);
      } else if (line.substr(0, 2) == "  ") {
        problem = Instruction(line.substr(2));
      } else {
        problem = BlockLabel(line);
      }
      if (!problem.empty()) return "line " + std::to_string(line_) + ": " + problem;
    }
    if (!header) return "no function header";
    f_->value_count = max_value_ + 1;
    return "";
  }

 private:
  std::string Header(std::string_view line) {
    Cursor c(line);
    if (!c.Consume("function ")) return "expected 'function NAME level=L slots=N params=(...)'";
    std::string_view rest = c.Rest();
    size_t at = rest.rfind(" level=");
    if (at == std::string_view::npos) return "missing level=";
    f_->name = std::string(rest.substr(0, at));
    Cursor a(rest.substr(at + 1));
    int64_t level, slots;
    if (!a.Consume("level=") || !SignedNumber(a, &level)) return "bad level=";
    if (!a.Consume(" slots=") || !SignedNumber(a, &slots)) return "bad slots=";
    f_->level = level;
    f_->nslots = slots;
    if (!a.Consume(" params=(")) return "missing params=(";
    bool rest_next = false;
    for (bool first = true;; first = false) {
      if (a.Consume(")")) break;
      if (!first && !a.Consume(" ")) return "bad params";
      if (f_->rest_slot >= 0) return "parameter after the rest parameter";
      if (a.Consume(".")) {
        if (rest_next) return "bad rest parameter";
        rest_next = true;
        continue;
      }
      int64_t slot;
      if (!a.Number('s', &slot)) return "bad parameter slot";
      if (rest_next) {
        f_->rest_slot = slot;
      } else {
        f_->param_slots.push_back(slot);
      }
    }
    if (rest_next && f_->rest_slot < 0) return "missing rest parameter after '.'";
    if (!a.AtEnd()) return "text after params=(...)";
    return "";
  }

  // inline @K in @P slots=sB+N level=L callee=X
  std::string InlineFrameLine(std::string_view line) {
    if (!f_->blocks.empty()) return "an inline frame after the blocks";
    Cursor c(line);
    int64_t id, parent, base, nslots, level;
    if (!c.Consume("inline @") || !SignedNumber(c, &id) ||
        id != static_cast<int64_t>(f_->inline_frames.size()) + 1) {
      return "expected 'inline @K' numbered in order";
    }
    if (!c.Consume(" in @") || !SignedNumber(c, &parent)) return "expected ' in @P'";
    if (!c.Consume(" slots=") || !c.Number('s', &base) || !c.Consume("+") ||
        !SignedNumber(c, &nslots)) {
      return "expected ' slots=sB+N'";
    }
    if (!c.Consume(" level=") || !SignedNumber(c, &level)) return "expected ' level=L'";
    if (!c.Consume(" callee=")) return "expected ' callee='";
    ir::InlineFrame frame;
    std::string problem = Oop(c, &frame.callee);
    if (!problem.empty()) return problem;
    frame.parent = static_cast<int32_t>(parent);
    frame.slot_base = base;
    frame.nslots = nslots;
    frame.level = level;
    f_->inline_frames.push_back(frame);
    f_->inline_slots = std::max(f_->inline_slots, base + nslots - f_->nslots);
    return End(c);
  }

  static bool SignedNumber(Cursor& c, int64_t* out) {
    bool negative = c.Consume("-");
    std::string digits;
    while (IsDigit(c.Peek())) {
      digits += c.Next();
    }
    if (digits.empty() || !ToInt64(digits, out)) return false;
    if (negative) *out = -*out;
    return true;
  }

  std::string BlockLabel(std::string_view line) {
    Cursor c(line);
    int64_t id;
    if (!c.Number('b', &id))
      return "expected a block label or an instruction: '" + std::string(line) + "'";
    if (id != static_cast<int64_t>(f_->blocks.size())) {
      return absl::StrCat("block b", id, " out of order (expected b", f_->blocks.size(), ")");
    }
    ir::Block block;
    if (c.Consume("(")) {
      std::string problem = ValueList(c, ')', &block.params);
      if (!problem.empty()) return problem;
    }
    if (!c.Consume(":") || !c.AtEnd()) return "a block label ends with ':'";
    f_->blocks.push_back(std::move(block));
    return "";
  }

  // Values separated by ", " up to `close` (consumed); close '\0' means the end of the line.
  template <typename Values>  // a block's parameters or an instruction's operands
  std::string ValueList(Cursor& c, char close, Values* out) {
    auto closed = [&] { return close == '\0' ? c.AtEnd() : c.Consume(std::string(1, close)); };
    if (closed()) return "";
    for (;;) {
      ir::ValueId v;
      std::string problem = Value(c, &v);
      if (!problem.empty()) return problem;
      out->push_back(v);
      if (closed()) return "";
      if (!c.Consume(", ")) return "expected ', ' between values";
    }
  }

  std::string Value(Cursor& c, ir::ValueId* out) {
    int64_t id;
    if (!c.Number('v', &id) || id > (1 << 24))
      return "expected a value at '" + std::string(c.Rest()) + "'";
    *out = static_cast<ir::ValueId>(id);
    max_value_ = std::max(max_value_, *out);
    return "";
  }

  std::string Target(Cursor& c, ir::BlockId* out) {
    int64_t id;
    if (!c.Number('b', &id) || id > (1 << 24))
      return "expected a block at '" + std::string(c.Rest()) + "'";
    *out = static_cast<ir::BlockId>(id);
    return "";
  }

  std::string Oop(Cursor& c, maru::Oop* out) {
    std::string error;
    if (!names_.Parse(c.OopToken(), out, &error)) return error;
    return "";
  }

  std::string Comma(Cursor& c) {
    return c.Consume(", ") ? "" : "expected ', ' at '" + std::string(c.Rest()) + "'";
  }

  std::string End(Cursor& c) {
    return c.AtEnd() ? "" : "unexpected text '" + std::string(c.Rest()) + "'";
  }

  std::string Instruction(std::string_view line) {
    if (f_->blocks.empty()) return "instruction outside a block";
    ir::Instr in;
    // A trailing " @K": the inline frame the instruction belongs to.
    if (size_t at = line.rfind(" @"); at != std::string_view::npos) {
      std::string_view digits = line.substr(at + 2);
      int64_t frame = 0;
      if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos &&
          ToInt64(digits, &frame)) {
        in.frame = static_cast<int32_t>(frame);
        line = line.substr(0, at);
      }
    }
    // Then " nooverflow" and " fixnum(I,J...)": the facts of jit/passes/fixnum_types.cc.
    if (line.size() > 11 && line.substr(line.size() - 11) == " nooverflow") {
      in.no_overflow = true;
      line.remove_suffix(11);
    }
    if (size_t at = line.rfind(" fixnum("); at != std::string_view::npos && line.back() == ')') {
      std::string_view list = line.substr(at + 8, line.size() - at - 9);
      for (size_t start = 0; start <= list.size();) {
        size_t end = list.find(',', start);
        if (end == std::string_view::npos) end = list.size();
        int64_t i = 0;
        if (!ToInt64(list.substr(start, end - start), &i) || i < 0 || i > 7) {
          return "bad fixnum(...) operand list";
        }
        in.fixnum_args |= static_cast<uint8_t>(1 << i);
        start = end + 1;
      }
      line = line.substr(0, at);
    }
    Cursor c(line);
    if (c.Peek() == 'v') {
      std::string problem = Value(c, &in.result);
      if (!problem.empty()) return problem;
      if (!c.Consume(" = ")) return "expected ' = ' after the result";
    }
    std::string name;
    while (!c.AtEnd() && c.Peek() != ' ' && c.Peek() != '.') {
      name += c.Next();
    }
    auto it = opcodes_.find(name);
    if (it == opcodes_.end()) return absl::StrCat("unknown opcode '", name, "'");
    in.op = it->second;
    if (ir::HasResult(in.op) != (in.result != ir::kNoValue)) {
      return absl::StrCat(name, ir::HasResult(in.op) ? " needs" : " has no", " result");
    }
    std::string problem = Operands(c, &in);
    if (!problem.empty()) return problem;
    f_->blocks.back().instrs.push_back(std::move(in));
    return "";
  }

  std::string Operands(Cursor& c, ir::Instr* in) {
    using ir::Opcode;
    std::string p;
    auto value = [&](ir::ValueId* v) {
      if (p.empty()) p = Value(c, v);
    };
    auto comma = [&] {
      if (p.empty()) p = Comma(c);
    };
    auto oop = [&](maru::Oop* o) {
      if (p.empty()) p = Oop(c, o);
    };
    auto target = [&](ir::BlockId* b) {
      if (p.empty()) p = Target(c, b);
    };
    auto space = [&] {
      if (p.empty() && !c.Consume(" ")) p = "expected an operand";
    };
    // Guards of a global's value print two Oop operands (matched by name: newer than the rest).
    if (std::string(ir::OpcodeName(in->op)) == "globalis") {
      space();
      oop(&in->imm);
      comma();
      oop(&in->imm2);
      if (p.empty()) p = End(c);
      return p;
    }
    switch (in->op) {
      case Opcode::kConst:
      case Opcode::kLoadGlobal:
      case Opcode::kLoadVar:
      case Opcode::kClosure:
      case Opcode::kEvalForm:
      case Opcode::kEvalAtom:
        space();
        oop(&in->imm);
        break;
      case Opcode::kLoadSlot: {
        space();
        if (p.empty() && !c.Number('s', &in->aux)) p = "expected a slot";
        break;
      }
      case Opcode::kParam: {
        space();
        if (p.empty() && !c.Number('#', &in->aux)) p = "expected #INDEX";
        break;
      }
      case Opcode::kStoreSlot: {
        space();
        if (p.empty() && !c.Number('s', &in->aux)) p = "expected a slot";
        comma();
        in->args.resize(1);
        value(&in->args[0]);
        break;
      }
      case Opcode::kStoreGlobal:
      case Opcode::kStoreVar:
      case Opcode::kDefine:
      case Opcode::kNameValue:
        space();
        oop(&in->imm);
        comma();
        in->args.resize(1);
        value(&in->args[0]);
        break;
      case Opcode::kPrimitive: {
        if (!c.Consume(".")) return "expected prim.NAME";
        std::string name;
        while (!c.AtEnd() && c.Peek() != ' ') {
          name += c.Next();
        }
        auto it = primitives_.find(name);
        if (it == primitives_.end()) return absl::StrCat("unknown primitive '", name, "'");
        in->aux = static_cast<int64_t>(it->second);
        // The printer writes a space even when there are no operands (trimmed with the line).
        c.Consume(" ");
        p = ValueList(c, '\0', &in->args);
        break;
      }
      case Opcode::kCall: {
        space();
        in->args.resize(1);
        value(&in->args[0]);
        if (p.empty() && !c.Consume("(")) p = "expected '(' after the callee";
        if (p.empty()) p = ValueList(c, ')', &in->args);
        break;
      }
      case Opcode::kJump:
        space();
        target(&in->targets[0]);
        if (p.empty() && c.Consume("(")) p = ValueList(c, ')', &in->args);
        break;
      case Opcode::kBranch:
        space();
        in->args.resize(1);
        value(&in->args[0]);
        comma();
        target(&in->targets[0]);
        comma();
        target(&in->targets[1]);
        break;
      default:
        if (c.Consume(" ")) p = ValueList(c, '\0', &in->args);
        break;
    }
    if (p.empty()) p = End(c);
    return p;
  }

  OopNames& names_;
  ir::Function* f_;
  std::map<std::string, ir::Opcode> opcodes_;
  std::map<std::string, ir::PrimitiveOp> primitives_;
  int line_ = 0;
  ir::ValueId max_value_ = -1;
};

}  // namespace

std::string ParseFunction(std::string_view text, OopNames& names, ir::Function* out) {
  return Parser(names, out).Run(text);
}

ir::Function ParseOrDie(std::string_view text, OopNames& names) {
  ir::Function f;
  std::string problem = ParseFunction(text, names, &f);
  if (!problem.empty()) {
    std::fprintf(stderr, "IR text does not parse: %s\n%.*s\n", problem.c_str(),
                 static_cast<int>(text.size()), text.data());
    std::abort();
  }
  return f;
}

std::string PrintFunction(const ir::Function& f, OopNames& names) {
  return ir::Print(f, names.formatter());
}

}  // namespace maru::jit::irtext
