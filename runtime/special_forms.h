// The core's nine special forms (spec §6).
#ifndef MARU_RUNTIME_SPECIAL_FORMS_H_
#define MARU_RUNTIME_SPECIAL_FORMS_H_

#include "runtime/subr.h"
#include "runtime/vm.h"

namespace maru {

SpecialFormFn SpecialFormFunction(SpecialForm f);
const char* SpecialFormName(SpecialForm f);

}  // namespace maru

#endif  // MARU_RUNTIME_SPECIAL_FORMS_H_
