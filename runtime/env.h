// Compile-time scopes (Env objects, spec §4.1 and §5.3) and the Variables they bind.
#ifndef MARU_RUNTIME_ENV_H_
#define MARU_RUNTIME_ENV_H_

#include <cstdint>

#include "runtime/heap.h"
#include "runtime/object.h"

namespace maru {

inline bool IsEnv(Oop o) { return Is(o, kEnvType); }
inline bool IsVariable(Oop o) { return Is(o, kVariableType); }

inline int64_t EnvLevel(Oop env) {
  Oop level = Slot(env, env::kLevel);
  return IsFixnum(level) ? FixnumValue(level) : 0;
}
inline int64_t EnvOffset(Oop env) {
  Oop offset = Slot(env, env::kOffset);
  return IsFixnum(offset) ? FixnumValue(offset) : 0;
}

Oop NewEnv(Oop parent, int64_t level, int64_t offset);
Oop NewVariable(Oop name, Oop value, Oop env, int64_t index);

// Appends a new Variable for `name` (index = the Env's offset, which is then incremented).
// kNil when memory cannot be had.
Oop EnvDefine(Oop env, Oop name);
// The Variable for `name` in `env`'s own bindings (the most recent wins), or nil.
Oop EnvFindLocal(Oop env, Oop name);
// The Variable for `name` in `env` or its parents, or nil.
Oop EnvLookup(Oop env, Oop name);

// The level of the Env that owns a Variable (0, global, when it has no Env).
inline int64_t VariableLevel(Oop var) {
  Oop env = Slot(var, variable::kEnv);
  return IsEnv(env) ? EnvLevel(env) : 0;
}
inline bool IsGlobalVariable(Oop var) { return VariableLevel(var) == 0; }
inline int64_t VariableIndex(Oop var) {
  Oop index = Slot(var, variable::kIndex);
  return IsFixnum(index) ? FixnumValue(index) : 0;
}

}  // namespace maru

#endif  // MARU_RUNTIME_ENV_H_
