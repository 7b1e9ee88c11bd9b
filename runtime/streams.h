// The registry of open C streams. Maru code names streams by Long handles (FILE* addresses, as in
// the reference); only handles registered here are ever dereferenced.
#ifndef MARU_RUNTIME_STREAMS_H_
#define MARU_RUNTIME_STREAMS_H_

#include <cstdio>

#include "runtime/object.h"

namespace maru {

void RegisterStream(FILE* f);
void UnregisterStream(FILE* f);
bool IsOpenStream(FILE* f);

// The Long handle of a stream (kNil if it cannot be allocated).
Oop StreamHandle(FILE* f);

}  // namespace maru

#endif  // MARU_RUNTIME_STREAMS_H_
