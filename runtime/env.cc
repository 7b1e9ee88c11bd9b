#include "runtime/env.h"

#include <gc.h>

#include "absl/container/flat_hash_map.h"

namespace maru {

namespace {

// Envs with many bindings (the global Env, namespaces) get a hash index from a name to the
// position of its most recent binding, so that encoding a symbol does not scan hundreds of
// Variables. Programs may edit bindings behind the index's back (append, replace, rename through
// set-oop-at), so a hit is checked against the bindings Array and a miss falls back to a scan;
// either disagreement rebuilds the index. Positions, not Variables, are stored: the index lives
// in malloc'd memory the collector does not scan.
constexpr int64_t kIndexThreshold = 24;

struct EnvIndex {
  Oop bindings = kNil;  // the Array indexed (compared by identity only)
  int64_t count = 0;    // how many of its elements are indexed
  absl::flat_hash_map<Oop, int64_t> position;
};

void FreeEnvIndex(void* /*env*/, void* index) { delete static_cast<EnvIndex*>(index); }

EnvIndex* IndexFor(Oop env, Oop bindings, int64_t size, bool rebuild) {
  auto* index = reinterpret_cast<EnvIndex*>(Slot(env, env::kIndexTable));
  if (index == nullptr) {
    index = new EnvIndex;
    Slot(env, env::kIndexTable) = reinterpret_cast<Oop>(index);
    GC_register_finalizer_no_order(reinterpret_cast<void*>(env), FreeEnvIndex, index, nullptr,
                                   nullptr);
  }
  if (rebuild || index->bindings != bindings || index->count > size) {
    index->position.clear();
    index->bindings = bindings;
    index->count = 0;
  }
  Oop* elements = ArrayElements(bindings);
  for (; index->count < size; ++index->count) {
    Oop var = elements[index->count];
    if (IsVariable(var)) index->position[Slot(var, variable::kName)] = index->count;
  }
  return index;
}

Oop ScanBindings(Oop bindings, int64_t size, Oop name) {
  Oop* elements = ArrayElements(bindings);
  for (int64_t i = size - 1; i >= 0; --i) {
    Oop var = elements[i];
    if (IsVariable(var) && Slot(var, variable::kName) == name) return var;
  }
  return kNil;
}

}  // namespace

Oop NewEnv(Oop parent, int64_t level, int64_t offset) {
  Oop bindings = NewArray(0);
  if (bindings == kNil) return kNil;
  Oop env = AllocSlots(kEnvType, env::kSlots, env::kAllSlots - env::kSlots);
  if (env == kNil) return kNil;
  Slot(env, env::kParent) = parent;
  Slot(env, env::kLevel) = MakeFixnum(level);
  Slot(env, env::kOffset) = MakeFixnum(offset);
  Slot(env, env::kBindings) = bindings;
  return env;
}

Oop NewVariable(Oop name, Oop value, Oop env, int64_t index) {
  Oop var = AllocSlots(kVariableType, variable::kSlots, variable::kAllSlots - variable::kSlots);
  if (var == kNil) return kNil;
  Slot(var, variable::kName) = name;
  Slot(var, variable::kValue) = value;
  Slot(var, variable::kEnv) = env;
  Slot(var, variable::kIndex) = MakeFixnum(index);
  return var;
}

Oop EnvDefine(Oop env, Oop name) {
  int64_t offset = EnvOffset(env);
  Oop var = NewVariable(name, kNil, env, offset);
  if (var == kNil) return kNil;
  Oop bindings = Slot(env, env::kBindings);
  if (!Is(bindings, kArrayType)) {
    bindings = NewArray(0);
    if (bindings == kNil) return kNil;
    Slot(env, env::kBindings) = bindings;
  }
  if (!ArrayAppend(bindings, var)) return kNil;
  Slot(env, env::kOffset) = MakeFixnum(offset + 1);
  return var;
}

Oop EnvFindLocal(Oop env, Oop name) {
  // Objects made with (allocate 14 n) may be shorter than a core Env (no native index word).
  Oop bindings = Slot(env, env::kBindings);
  if (!Is(bindings, kArrayType)) return kNil;
  int64_t size = ArraySize(bindings);
  if (size < kIndexThreshold || SlotCount(env) != env::kSlots) {
    return ScanBindings(bindings, size, name);
  }
  EnvIndex* index = IndexFor(env, bindings, size, /*rebuild=*/false);
  auto it = index->position.find(name);
  if (it != index->position.end()) {
    Oop var = ArrayElements(bindings)[it->second];
    if (IsVariable(var) && Slot(var, variable::kName) == name) {
      // A later binding of the same name would have been indexed over this one, unless the
      // Array was edited; a replaced or renamed binding fails the check above.
      return var;
    }
  }
  Oop var = ScanBindings(bindings, size, name);
  if (var != kNil) IndexFor(env, bindings, size, /*rebuild=*/true);
  return var;
}

Oop EnvLookup(Oop env, Oop name) {
  int depth = 0;
  while (IsEnv(env) && depth++ < 100000) {
    Oop var = EnvFindLocal(env, name);
    if (var != kNil) return var;
    env = Slot(env, env::kParent);
  }
  return kNil;
}

}  // namespace maru
