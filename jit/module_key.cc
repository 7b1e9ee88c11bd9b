#include "jit/module_key.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "jit/runtime_calls.h"
#include "runtime/env.h"
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
      AddressOf(&AddCallLine),
      AddressOf(&AllocatePair),
      AddressOf(&ApplyFixed),
      AddressOf(&ArityMismatch),
      AddressOf(&CallFunction),
      AddressOf(&DefineGlobal),
      AddressOf(&EvalForm),
      AddressOf(&EvalHookedAtom),
      AddressOf(&LoadOuterVariable),
      AddressOf(&MakeClosure),
      AddressOf(&MakeRestList),
      AddressOf(&NameValueIfUnnamed),
      AddressOf(&RevalidateGuards),
      AddressOf(&StackOverflow),
      AddressOf(&StoreOuterVariable),
      AddressOf(&TakeInterrupt),
      AddressOf(&RequestOptimizedCode),
  };
  return functions;
}

// The objects of an inline frame, in the order of WordSource::kInlineFrame's field.
std::array<Oop, 4> InlineFrameObjects(const ir::InlineFrame& frame) {
  return {frame.env, frame.home, frame.call_form, frame.callee};
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

// Appends the canonical IR in binary: fixed-size little-endian fields and length-prefixed
// texts, so that it reads one way only. Oops are written as themselves when they are not heap
// objects, else by what code generation may ask of them and their identity (the order of first
// appearance; this function's own Expr is 0: self-calls are compiled differently).
class CanonicalWriter {
 public:
  CanonicalWriter(const ir::Function& f, std::string* out, size_t expected)
      : out_(out), used_(out->size()) {
    out_->resize(used_ + expected);
    ids_.reserve(64);
    ids_[f.expr] = 0;
  }

  ~CanonicalWriter() { out_->resize(used_); }

  // Fields are stored straight into the string, grown ahead (appends one by one cost more than
  // the rest of the key).
  template <typename T>
  ABSL_ATTRIBUTE_ALWAYS_INLINE void Put(T v) {
    Reserve(sizeof v);
    std::memcpy(out_->data() + used_, &v, sizeof v);
    used_ += sizeof v;
  }
  void Text(std::string_view text) {
    Put(static_cast<uint32_t>(text.size()));
    Reserve(text.size());
    std::memcpy(out_->data() + used_, text.data(), text.size());
    used_ += text.size();
  }

  ABSL_ATTRIBUTE_ALWAYS_INLINE void Write(Oop o) {
    if (!IsObject(o)) {
      Put<uint8_t>(0);
      Put<uint64_t>(o);
      return;
    }
    WriteObject(o);
  }

 private:
  ABSL_ATTRIBUTE_NOINLINE void WriteObject(Oop o) {
    auto [it, added] = ids_.try_emplace(o, static_cast<uint32_t>(ids_.size()));
    Put<uint8_t>(added ? 2 : 1);
    Put<uint32_t>(it->second);
    if (!added) return;
    uint32_t type = TypeOf(o);
    Put<uint32_t>(type);
    switch (type) {
      case kSymbolType:
        Text(SymbolName(o));
        break;
      case kStringType:
        Text(StringToUtf8(o));
        break;
      case kVariableType:
        // (Code reaches a variable of an enclosing activation by its level and index.)
        Write(Slot(o, variable::kName));
        Put<int64_t>(VariableLevel(o));
        Put<int64_t>(VariableIndex(o));
        break;
      case kSubrType: {
        const SubrBody* subr = SubrOf(o);
        Text(subr->name != nullptr ? subr->name : "");
        Put<int32_t>(static_cast<int32_t>(subr->kind));
        Put<int32_t>(subr->arity);
        break;
      }
      case kExprType:
        Put<int64_t>(SlotCount(o));
        break;
      case kLongType:
        Put<int64_t>(LongValue(o));
        break;
      case kDoubleType: {
        uint64_t bits;
        double value = DoubleValue(o);
        std::memcpy(&bits, &value, 8);
        Put<uint64_t>(bits);
        break;
      }
      default:
        break;  // used by identity only
    }
  }

  ABSL_ATTRIBUTE_ALWAYS_INLINE void Reserve(size_t n) {
    if (ABSL_PREDICT_FALSE(used_ + n > out_->size())) Grow(n);
  }
  ABSL_ATTRIBUTE_NOINLINE void Grow(size_t n) { out_->resize(2 * (used_ + n)); }

  std::string* out_;
  size_t used_;
  absl::flat_hash_map<Oop, uint32_t> ids_;
};

}  // namespace

void AppendCanonicalIr(const ir::Function& f, std::string* out) {
  size_t instrs = 0;
  for (const ir::Block& b : f.blocks) instrs += b.instrs.size();
  CanonicalWriter w(f, out, 64 + 48 * instrs);
  // (Not the name: it only names the code for tools.)
  w.Put<int64_t>(f.level);
  w.Put<int64_t>(f.nslots);
  w.Put<int64_t>(f.rest_slot);
  w.Put<uint8_t>(f.guard_record != 0);
  w.Put<uint8_t>(f.counts_calls);
  w.Put<uint32_t>(static_cast<uint32_t>(f.param_slots.size()));
  for (int64_t slot : f.param_slots) w.Put<int64_t>(slot);
  w.Put<uint32_t>(static_cast<uint32_t>(f.shared_guards.size()));
  for (const auto& [variable, value] : f.shared_guards) {
    w.Write(variable);
    w.Write(value);
  }
  w.Put<int64_t>(f.inline_slots);
  w.Put<uint32_t>(static_cast<uint32_t>(f.inline_frames.size()));
  for (const ir::InlineFrame& frame : f.inline_frames) {
    w.Put<int32_t>(frame.parent);
    w.Put<int64_t>(frame.slot_base);
    w.Put<int64_t>(frame.nslots);
    w.Put<int64_t>(frame.level);
    for (Oop o : InlineFrameObjects(frame)) w.Write(o);
  }
  w.Put<uint32_t>(static_cast<uint32_t>(f.blocks.size()));
  for (const ir::Block& b : f.blocks) {
    w.Put<uint8_t>(b.cold);
    w.Put<uint32_t>(static_cast<uint32_t>(b.params.size()));
    for (ir::ValueId p : b.params) w.Put<int32_t>(p);
    w.Put<uint32_t>(static_cast<uint32_t>(b.instrs.size()));
    for (const ir::Instr& in : b.instrs) {
      w.Put<uint8_t>(static_cast<uint8_t>(in.op));
      w.Put<int32_t>(in.result);
      w.Put<uint32_t>(static_cast<uint32_t>(in.args.size()));
      for (ir::ValueId a : in.args) w.Put<int32_t>(a);
      w.Write(in.imm);
      w.Write(in.imm2);
      // A closure's aux is its site record's address: whether it has one is what counts.
      w.Put<int64_t>(in.op == ir::Opcode::kClosure ? (in.aux != 0) : in.aux);
      w.Put<int32_t>(in.targets[0]);
      w.Put<int32_t>(in.targets[1]);
      w.Put<int32_t>(in.frame);
      w.Put<uint8_t>(in.fixnum_args);
      w.Put<uint8_t>(in.no_overflow);
    }
  }
}

bool DescribeTableWords(const ir::Function& f, const std::vector<uint64_t>& words,
                        std::vector<WordSource>* sources) {
  // The candidates in a fixed order, the first one giving a word's value describing it; done
  // once every word is described.
  // The words sorted with their indices (a few dozen: a binary search beats hashing, and the
  // candidates looked up are many more than the words).
  std::vector<std::pair<uint64_t, uint32_t>> index_of(words.size());
  for (uint32_t i = 0; i < words.size(); ++i) index_of[i] = {words[i], i};
  std::sort(index_of.begin(), index_of.end());
  sources->assign(words.size(), WordSource{});
  std::vector<bool> described(words.size(), false);
  size_t remaining = words.size();
  auto offer = [&](uint64_t value, WordSource source) {
    // Only the epoch may be 0 (a function without a guard record has no record word).
    if (value == 0 && !(source.kind == WordSource::kFunction && source.a == 3)) return;
    auto it = std::lower_bound(index_of.begin(), index_of.end(), std::pair{value, uint32_t{0}});
    if (it == index_of.end() || it->first != value || described[it->second]) return;
    described[it->second] = true;
    (*sources)[it->second] = source;
    --remaining;
  };
  offer(f.env, {WordSource::kFunction, 0, 0});
  offer(f.expr, {WordSource::kFunction, 1, 0});
  offer(f.guard_record, {WordSource::kFunction, 2, 0});
  if (f.guard_record != 0) offer(f.guard_epoch, {WordSource::kFunction, 3, 0});
  offer(SymbolT(), {WordSource::kSymbolT, 0, 0});
  const std::vector<uint64_t>& runtime = RuntimeFunctions();
  for (uint32_t i = 0; i < runtime.size() && remaining > 0; ++i) {
    offer(runtime[i], {WordSource::kRuntime, i, 0});
  }
  for (uint32_t k = 0; k < f.inline_frames.size() && remaining > 0; ++k) {
    std::array<Oop, 4> objects = InlineFrameObjects(f.inline_frames[k]);
    for (uint32_t field = 0; field < objects.size(); ++field) {
      if (IsObject(objects[field])) offer(objects[field], {WordSource::kInlineFrame, k, field});
    }
  }
  uint32_t number = 0;
  for (const ir::Block& b : f.blocks) {
    for (const ir::Instr& in : b.instrs) {
      if (remaining == 0) break;
      for (uint32_t field = 0; field < 3; ++field) {
        Oop o = FieldOf(in, field);
        if (!IsObject(o)) continue;
        offer(o, {WordSource::kField, number, field});
        if (IsPrimitiveOrForeignSubr(o)) {
          offer(AddressOf(SubrOf(o)->imp), {WordSource::kSubrImp, number, field});
        }
      }
      if (in.op == ir::Opcode::kClosure && in.aux != 0) {
        offer(static_cast<uint64_t>(in.aux), {WordSource::kField, number, 3});
      }
      ++number;
    }
  }
  return remaining == 0;
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
        if (s.a > 3) return false;
        if (s.a == 3) {
          if (f.guard_record == 0) return false;
          words->push_back(f.guard_epoch);  // (may be 0)
          continue;
        }
        word = s.a == 0 ? f.env : s.a == 1 ? f.expr : f.guard_record;
        break;
      case WordSource::kRuntime:
        if (s.a >= runtime.size()) return false;
        word = runtime[s.a];
        break;
      case WordSource::kSymbolT:
        word = SymbolT();
        break;
      case WordSource::kInlineFrame:
        if (s.a >= f.inline_frames.size() || s.b > 3) return false;
        word = InlineFrameObjects(f.inline_frames[s.a])[s.b];
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
