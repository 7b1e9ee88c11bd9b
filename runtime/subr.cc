#include "runtime/subr.h"

#include "runtime/heap.h"

namespace maru {

namespace {

Oop NewSubr(const char* name, void* imp, SubrKind kind, int32_t arity) {
  // Scanned: foreign Subrs point at collector-allocated names and call data.
  Oop s = AllocRaw(kSubrType, sizeof(SubrBody), /*scanned=*/true);
  if (s == kNil) return kNil;
  SubrBody* body = SubrOf(s);
  body->name = name;
  body->imp = imp;
  body->sig = nullptr;
  body->profile = 0;
  body->kind = kind;
  body->arity = arity;
  body->data = nullptr;
  return s;
}

}  // namespace

Oop NewPrimitive(const char* name, PrimitiveFn fn, int32_t arity) {
  return NewSubr(name, reinterpret_cast<void*>(fn), SubrKind::kPrimitive, arity);
}

Oop NewSpecialFormSubr(const char* name, SpecialFormFn fn) {
  return NewSubr(name, reinterpret_cast<void*>(fn), SubrKind::kSpecialForm, -1);
}

}  // namespace maru
