#include "jit/module_key.h"

#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "jit/runtime_calls.h"
#include "runtime/heap.h"
#include "runtime/strings.h"
#include "runtime/subr.h"

namespace maru::jit {
namespace {

template <typename Fn>
uint64_t AddressOf(Fn* fn) {
  return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(fn));
}

// The runtime functions generated code calls, by number. Append only: the numbers are in cached
// modules (a module whose build differs is never loaded, but a stable order keeps this simple).
const std::vector<uint64_t>& RuntimeFunctions() {
  static const std::vector<uint64_t> functions = {
      AddressOf(&AddCallLine),      AddressOf(&AllocatePair),   AddressOf(&ApplyFixed),
      AddressOf(&ArityMismatch),    AddressOf(&CallFunction),   AddressOf(&DefineGlobal),
      AddressOf(&EvalForm),         AddressOf(&EvalHookedAtom), AddressOf(&LoadOuterVariable),
      AddressOf(&MakeClosure),      AddressOf(&MakeRestList),   AddressOf(&NameValueIfUnnamed),
      AddressOf(&RevalidateGuards), AddressOf(&StackOverflow),  AddressOf(&StoreOuterVariable),
      AddressOf(&TakeInterrupt),
  };
  return functions;
}

// The instructions of f in block order (the numbering of WordSource::kField).
std::vector<const ir::Instr*> Numbered(const ir::Function& f) {
  std::vector<const ir::Instr*> out;
  for (const ir::Block& b : f.blocks) {
    for (const ir::Instr& in : b.instrs) out.push_back(&in);
  }
  return out;
}

uint64_t FieldOf(const ir::Instr& in, uint32_t field) {
  switch (field) {
    case 0:
      return in.imm;
    case 1:
      return in.imm2;
    case 2:
      return in.form;
    default:
      return static_cast<uint64_t>(in.aux);
  }
}

bool IsPrimitiveOrForeignSubr(Oop o) { return IsSubr(o) && SubrOf(o)->imp != nullptr; }

// Writes Oops for the key: words as themselves, heap objects as what code generation may ask of
// them, and their identity as the order of first appearance.
class CanonicalWriter {
 public:
  CanonicalWriter(const ir::Function& f, std::string* out) : out_(out) {
    ids_[f.expr] = 0;  // "this function": self-calls are compiled differently
  }

  void Write(Oop o) {
    if (!IsObject(o)) {
      absl::StrAppend(out_, "w", absl::Hex(o));
      return;
    }
    auto [it, added] = ids_.try_emplace(o, static_cast<int>(ids_.size()));
    absl::StrAppend(out_, "#", it->second);
    if (!added) return;
    uint32_t type = TypeOf(o);
    absl::StrAppend(out_, "<", type);
    switch (type) {
      case kSymbolType:
        AppendText(SymbolName(o));
        break;
      case kStringType:
        AppendText(StringToUtf8(o));
        break;
      case kVariableType:
        Write(Slot(o, variable::kName));
        break;
      case kSubrType: {
        const SubrBody* subr = SubrOf(o);
        AppendText(subr->name != nullptr ? subr->name : "");
        absl::StrAppend(out_, " ", static_cast<int>(subr->kind), " ", subr->arity);
        break;
      }
      case kExprType:
        absl::StrAppend(out_, " ", SlotCount(o));
        break;
      case kLongType:
        absl::StrAppend(out_, " ", LongValue(o));
        break;
      case kDoubleType: {
        uint64_t bits;
        double value = DoubleValue(o);
        std::memcpy(&bits, &value, 8);
        absl::StrAppend(out_, " ", absl::Hex(bits));
        break;
      }
      default:
        break;  // used by identity only
    }
    *out_ += ">";
  }

 private:
  void AppendText(std::string_view text) {
    absl::StrAppend(out_, " ", text.size(), ":", std::string(text));
  }

  std::string* out_;
  absl::flat_hash_map<Oop, int> ids_;
};

}  // namespace

void AppendCanonicalIr(const ir::Function& f, std::string* out) {
  CanonicalWriter w(f, out);
  absl::StrAppend(out, "function ", f.name.size(), ":", f.name, " level ", f.level, " slots ",
                  f.nslots, " rest ", f.rest_slot, " record ", f.guard_record != 0, " params");
  for (int64_t s : f.param_slots) absl::StrAppend(out, " ", s);
  *out += "\nguards";
  for (const auto& [variable, value] : f.shared_guards) {
    *out += " ";
    w.Write(variable);
    *out += "=";
    w.Write(value);
  }
  *out += "\n";
  for (const ir::Block& b : f.blocks) {
    absl::StrAppend(out, "block", b.cold ? " cold" : "", " (");
    for (ir::ValueId p : b.params) absl::StrAppend(out, " v", p);
    *out += ")\n";
    for (const ir::Instr& in : b.instrs) {
      absl::StrAppend(out, static_cast<int>(in.op), " v", in.result, " (");
      for (ir::ValueId a : in.args) absl::StrAppend(out, " v", a);
      *out += ") ";
      w.Write(in.imm);
      *out += " ";
      w.Write(in.imm2);
      // A closure's aux is its site record's address: whether it has one is what counts.
      int64_t aux = in.op == ir::Opcode::kClosure ? (in.aux != 0) : in.aux;
      absl::StrAppend(out, " ", aux, " ", in.targets[0], " ", in.targets[1], "\n");
    }
  }
}

bool DescribeTableWords(const ir::Function& f, const std::vector<uint64_t>& words,
                        std::vector<WordSource>* sources) {
  // Every word a source could give, the first source of each value winning.
  absl::flat_hash_map<uint64_t, WordSource> known;
  auto offer = [&](uint64_t value, WordSource source) { known.try_emplace(value, source); };
  offer(f.env, {WordSource::kFunction, 0, 0});
  offer(f.expr, {WordSource::kFunction, 1, 0});
  offer(f.guard_record, {WordSource::kFunction, 2, 0});
  offer(Intern("t"), {WordSource::kSymbolT, 0, 0});
  const std::vector<uint64_t>& runtime = RuntimeFunctions();
  for (uint32_t i = 0; i < runtime.size(); ++i) offer(runtime[i], {WordSource::kRuntime, i, 0});
  std::vector<const ir::Instr*> instrs = Numbered(f);
  for (uint32_t i = 0; i < instrs.size(); ++i) {
    for (uint32_t field = 0; field < 3; ++field) {
      Oop o = FieldOf(*instrs[i], field);
      if (!IsObject(o)) continue;
      offer(o, {WordSource::kField, i, field});
      if (IsPrimitiveOrForeignSubr(o)) {
        offer(AddressOf(SubrOf(o)->imp), {WordSource::kSubrImp, i, field});
      }
    }
    if (instrs[i]->op == ir::Opcode::kClosure && instrs[i]->aux != 0) {
      offer(static_cast<uint64_t>(instrs[i]->aux), {WordSource::kField, i, 3});
    }
  }
  sources->clear();
  for (uint64_t word : words) {
    auto it = known.find(word);
    if (it == known.end() || word == 0) return false;
    sources->push_back(it->second);
  }
  return true;
}

bool ResolveTableWords(const ir::Function& f, const std::vector<WordSource>& sources,
                       std::vector<uint64_t>* words) {
  std::vector<const ir::Instr*> instrs = Numbered(f);
  const std::vector<uint64_t>& runtime = RuntimeFunctions();
  words->clear();
  for (const WordSource& s : sources) {
    uint64_t word = 0;
    switch (s.kind) {
      case WordSource::kField:
      case WordSource::kSubrImp: {
        if (s.a >= instrs.size() || s.b > 3) return false;
        word = FieldOf(*instrs[s.a], s.b);
        if (s.kind == WordSource::kSubrImp) {
          if (s.b > 2 || !IsPrimitiveOrForeignSubr(word)) return false;
          word = AddressOf(SubrOf(word)->imp);
        }
        break;
      }
      case WordSource::kFunction:
        if (s.a > 2) return false;
        word = s.a == 0 ? f.env : s.a == 1 ? f.expr : f.guard_record;
        break;
      case WordSource::kRuntime:
        if (s.a >= runtime.size()) return false;
        word = runtime[s.a];
        break;
      case WordSource::kSymbolT:
        word = Intern("t");
        break;
      default:
        return false;
    }
    if (word == 0) return false;
    words->push_back(word);
  }
  return true;
}

}  // namespace maru::jit
