// triangl: triangle solitaire search from (22 1) (benchmarks/programs/triangl.l). The board and
// the move tables are global arrays, as in the Maru program.
#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/baselines/gc_cells.h"

namespace maru::baselines {

namespace {

// A pair whose head is a list of numbers: the list of answers.
struct ListCell {
  IntCell* car;
  ListCell* cdr;
};

int64_t board[16] = {1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
int64_t sequence[14] = {};
const int64_t kA[37] = {1, 2,  4, 3,  5,  6, 1,  3,  6, 2,  5,  4,  11, 12, 13, 7,  8, 4, 4,
                        7, 11, 8, 12, 13, 6, 10, 15, 9, 14, 13, 13, 14, 15, 9,  10, 6, 6};
const int64_t kB[37] = {2, 4, 7, 5, 8, 9, 3, 6,  10, 5, 9, 8,  12, 13, 14, 8, 9, 5, 2,
                        4, 7, 5, 8, 9, 3, 6, 10, 5,  9, 8, 12, 13, 14, 8,  9, 5, 5};
const int64_t kC[37] = {4, 7, 11, 8, 12, 13, 6, 10, 15, 9, 14, 13, 13, 14, 15, 9, 10, 6, 1,
                        2, 4, 3,  5, 6,  1,  3, 6,  2,  5, 4,  11, 12, 13, 7,  8, 4,  4};
ListCell* answer = nullptr;

// The prelude's array->list.
MARU_CALL_FAITHFUL IntCell* ArrayToList(const int64_t* a, int64_t length) {
  IntCell* result = nullptr;
  for (int64_t i = length; 0 < i;) {
    i -= 1;
    result = ConsInt(a[i], result);
  }
  return result;
}

MARU_CALL_FAITHFUL bool Attempt(int64_t i, int64_t depth) {
  if (depth == 14) {
    ListCell* cell = GcNew<ListCell>();
    cell->car = ArrayToList(sequence, 14)->cdr;
    cell->cdr = answer;
    answer = cell;
    return true;
  }
  if (board[kA[i]] == 1 && board[kB[i]] == 1 && board[kC[i]] == 0) {
    board[kA[i]] = 0;
    board[kB[i]] = 0;
    board[kC[i]] = 1;
    sequence[depth] = i;
    int64_t j = 0;
    int64_t d = depth + 1;
    while (j != 36 && !Attempt(j, d)) j += 1;
    board[kA[i]] = 1;
    board[kB[i]] = 1;
    board[kC[i]] = 0;
    return false;
  }
  return false;
}

MARU_CALL_FAITHFUL IntCell* Test(int64_t i, int64_t depth) {
  answer = nullptr;
  Attempt(i, depth);
  return answer == nullptr ? nullptr : answer->car;
}

}  // namespace

std::string RunTriangl(int64_t repetitions) {
  IntCell* first = nullptr;
  for (int64_t r = 0; r < repetitions; ++r) first = Test(Opaque<int64_t>(22), 1);
  std::string line = "triangl 22 1 x" + std::to_string(repetitions) + ": " +
                     std::to_string(ListLength(answer)) + " first " + FormatIntList(first);
  answer = nullptr;  // the answers are garbage once the line is made
  return line;
}

}  // namespace maru::baselines
