// The text of the project's prelude (prelude.l), embedded at build time.
#ifndef MARU_RUNTIME_PRELUDE_PRELUDE_SOURCE_H_
#define MARU_RUNTIME_PRELUDE_PRELUDE_SOURCE_H_

#include <string_view>

namespace maru {

std::string_view PreludeSource();

}  // namespace maru

#endif  // MARU_RUNTIME_PRELUDE_PRELUDE_SOURCE_H_
