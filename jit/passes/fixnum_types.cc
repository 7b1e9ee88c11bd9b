// Fixnum tag-check elimination: operands of inline primitives that are known to be fixnums are
// marked (ir::Instr::fixnum_args) and the backends omit their tag tests; + - * whose operands'
// ranges keep the result a fixnum are marked no_overflow and omit the overflow test.
//
// What is known comes from definitions (values are SSA): a fixnum constant; the result of a
// primitive that yields a fixnum for fixnum operands (& | ^ ~, >>, type-of, and + - * when the
// operands' ranges keep it in range: the guard before every inline primitive makes the core
// primitive the one that runs, whatever path it takes), or for any integer (& with a
// non-negative fixnum, >> by a constant of at least 1); a storeslot's result; a block parameter
// every jump passes a known fixnum. Each known value carries an interval of its
// possible values. Block parameters are solved optimistically (a loop's parameters start unknown
// and grow to the union of what reaches them); a range that is still growing after a few rounds
// becomes the whole fixnum range, so the iteration ends.
#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "jit/passes/passes.h"

namespace maru::jit {

namespace {

using ir::Opcode;
using ir::PrimitiveOp;

struct Range {
  bool reached = false;  // false: nothing is known yet (optimistic start; bottom of the lattice)
  bool fixnum = false;   // only meaningful when reached
  int64_t lo = 0, hi = 0;
};

constexpr Range kNotFixnum = {true, false, 0, 0};
constexpr Range kAnyFixnum = {true, true, kFixnumMin, kFixnumMax};

Range Fixnums(__int128 lo, __int128 hi) {
  if (lo < kFixnumMin || hi > kFixnumMax) return kNotFixnum;
  return {true, true, static_cast<int64_t>(lo), static_cast<int64_t>(hi)};
}

Range Join(const Range& a, const Range& b) {
  if (!a.reached) return b;
  if (!b.reached) return a;
  if (!a.fixnum || !b.fixnum) return kNotFixnum;
  return {true, true, std::min(a.lo, b.lo), std::max(a.hi, b.hi)};
}

bool operator==(const Range& a, const Range& b) {
  return a.reached == b.reached && a.fixnum == b.fixnum && a.lo == b.lo && a.hi == b.hi;
}

// The smallest all-ones mask covering [0, hi] (hi >= 0).
int64_t MaskCovering(int64_t hi) {
  int64_t mask = 0;
  while (mask < hi) mask = (mask << 1) | 1;
  return mask;
}

// The range of an inline primitive's result given its operands' ranges.
// (Inline primitives have at most three operands.)
using Operands = std::span<const Range>;

Range PrimitiveResult(PrimitiveOp op, Operands x) {
  if (op == PrimitiveOp::kTypeOf) return Fixnums(0, UINT32_MAX);
  // Whatever integer the other operand is (64-bit at most; the result of a non-integer is an
  // error, never a value): & with a non-negative fixnum is within [0, that fixnum], and >> by a
  // constant count of at least 1 fits a fixnum.
  if (op == PrimitiveOp::kBitAnd) {
    bool bounded = false;
    int64_t hi = kFixnumMax;
    for (const Range& r : x) {
      if (r.reached && r.fixnum && r.lo >= 0) {
        bounded = true;
        hi = std::min(hi, r.hi);
      }
    }
    if (bounded) return Fixnums(0, hi);
  }
  if (op == PrimitiveOp::kShr && x[1].reached && x[1].fixnum && x[1].lo == x[1].hi &&
      (x[1].lo & 63) >= 1 && !(x[0].reached && x[0].fixnum)) {
    if (!x[0].reached) return Range{};
    int shift = static_cast<int>(x[1].lo & 63);
    return Fixnums(INT64_MIN >> shift, INT64_MAX >> shift);
  }
  for (const Range& r : x) {
    if (!r.reached) return Range{};  // not yet known: stay optimistic
  }
  for (const Range& r : x) {
    if (!r.fixnum) return kNotFixnum;
  }
  switch (op) {
    case PrimitiveOp::kAdd:
      return Fixnums(__int128{x[0].lo} + x[1].lo, __int128{x[0].hi} + x[1].hi);
    case PrimitiveOp::kSub:
      return Fixnums(__int128{x[0].lo} - x[1].hi, __int128{x[0].hi} - x[1].lo);
    case PrimitiveOp::kMul: {
      __int128 p[] = {__int128{x[0].lo} * x[1].lo, __int128{x[0].lo} * x[1].hi,
                      __int128{x[0].hi} * x[1].lo, __int128{x[0].hi} * x[1].hi};
      return Fixnums(*std::min_element(p, p + 4), *std::max_element(p, p + 4));
    }
    case PrimitiveOp::kBitAnd:
      // A non-negative operand bounds the result; otherwise anything fits.
      if (x[0].lo >= 0 && x[1].lo >= 0) return Fixnums(0, std::min(x[0].hi, x[1].hi));
      if (x[0].lo >= 0) return Fixnums(0, x[0].hi);
      if (x[1].lo >= 0) return Fixnums(0, x[1].hi);
      return kAnyFixnum;
    case PrimitiveOp::kBitOr:
    case PrimitiveOp::kBitXor:
      if (x[0].lo >= 0 && x[1].lo >= 0) return Fixnums(0, MaskCovering(std::max(x[0].hi, x[1].hi)));
      return kAnyFixnum;
    case PrimitiveOp::kBitNot:
      return Fixnums(-__int128{x[0].hi} - 1, -__int128{x[0].lo} - 1);
    case PrimitiveOp::kShr:
      if (x[1].lo == x[1].hi) {
        int shift = static_cast<int>(x[1].lo & 63);
        return Fixnums(x[0].lo >> shift, x[0].hi >> shift);
      }
      return Fixnums(std::min<int64_t>(x[0].lo, 0), std::max<int64_t>(x[0].hi, 0));
    default:
      return kNotFixnum;  // comparisons (t or nil), pairs, elements
  }
}

// Operands whose tag test the backends may omit: those the primitive's fast path tests.
bool TestsFixnumOperand(PrimitiveOp op, size_t i) {
  switch (op) {
    case PrimitiveOp::kAdd:
    case PrimitiveOp::kSub:
    case PrimitiveOp::kMul:
    case PrimitiveOp::kLt:
    case PrimitiveOp::kLe:
    case PrimitiveOp::kGt:
    case PrimitiveOp::kGe:
    case PrimitiveOp::kEq:
    case PrimitiveOp::kNe:
    case PrimitiveOp::kBitAnd:
    case PrimitiveOp::kBitOr:
    case PrimitiveOp::kBitXor:
    case PrimitiveOp::kBitNot:
    case PrimitiveOp::kShl:
    case PrimitiveOp::kShr:
      return true;
    case PrimitiveOp::kArrayAt:
    case PrimitiveOp::kSetArrayAt:
    case PrimitiveOp::kStringAt:
      return i == 1;  // the index
    default:
      return false;
  }
}

}  // namespace

bool EliminateTagChecks(ir::Function& f) {
  std::vector<Range> range(f.value_count);
  // Rounds in which each block parameter's range changed: past a few, it widens.
  std::vector<int> changes(f.value_count, 0);
  constexpr int kWidenAfter = 3;
  for (bool moved = true; moved;) {
    moved = false;
    auto update = [&](ir::ValueId v, Range r, bool widen) {
      if (r == range[v]) return;
      if (widen && range[v].reached && ++changes[v] > kWidenAfter && r.fixnum) r = kAnyFixnum;
      if (r == range[v]) return;
      range[v] = r;
      moved = true;
    };
    for (ir::Block& b : f.blocks) {
      for (const ir::Instr& in : b.instrs) {
        switch (in.op) {
          case Opcode::kConst:
            update(in.result,
                   IsFixnum(in.imm) ? Fixnums(FixnumValue(in.imm), FixnumValue(in.imm))
                                    : kNotFixnum,
                   false);
            break;
          case Opcode::kStoreSlot:
            update(in.result, range[in.args[0]], false);
            break;
          case Opcode::kPrimitive: {
            std::array<Range, 3> operands;
            const size_t count = std::min(in.args.size(), operands.size());
            for (size_t i = 0; i < count; ++i) operands[i] = range[in.args[i]];
            update(in.result,
                   in.args.size() > operands.size()
                       ? kNotFixnum
                       : PrimitiveResult(static_cast<PrimitiveOp>(in.aux), Operands(operands.data(), count)),
                   false);
            break;
          }
          case Opcode::kJump: {
            const ir::Block& target = f.blocks[in.targets[0]];
            for (size_t i = 0; i < in.args.size(); ++i) {
              update(target.params[i], Join(range[target.params[i]], range[in.args[i]]), true);
            }
            break;
          }
          default:
            if (in.result != ir::kNoValue) update(in.result, kNotFixnum, false);
            break;
        }
      }
    }
  }
  bool changed = false;
  for (ir::Block& b : f.blocks) {
    for (ir::Instr& in : b.instrs) {
      if (in.op != Opcode::kPrimitive) continue;
      auto op = static_cast<PrimitiveOp>(in.aux);
      uint8_t known = 0;
      for (size_t i = 0; i < in.args.size() && i < 8; ++i) {
        const Range& r = range[in.args[i]];
        if (r.reached && r.fixnum && TestsFixnumOperand(op, i)) known |= uint8_t{1} << i;
      }
      bool fits = false;
      if ((op == PrimitiveOp::kAdd || op == PrimitiveOp::kSub || op == PrimitiveOp::kMul) &&
          known == 3) {
        const Range& r = range[in.result];
        fits = r.reached && r.fixnum;
      }
      if (known != in.fixnum_args || fits != in.no_overflow) {
        in.fixnum_args = known;
        in.no_overflow = fits;
        changed = true;
      }
    }
  }
  return changed;
}

}  // namespace maru::jit
