// puzzle: Forest Baskett's packing puzzle (benchmarks/programs/puzzle.l). Global arrays as in
// the Maru program; each piece is its own array, reached through the array of pieces.
#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/baselines/gc_cells.h"

namespace maru::baselines {

namespace {

constexpr int64_t kSize = 511;
constexpr int64_t kClassMax = 3;
constexpr int64_t kTypeMax = 12;
constexpr int64_t kD = 8;

int64_t iii = 0;
int64_t kount = 0;
int64_t piececount[kClassMax + 1];
int64_t piece_class[kTypeMax + 1];
int64_t piecemax[kTypeMax + 1];
bool puzzle[kSize + 1];
bool piece_storage[kTypeMax + 1][kSize + 1];
bool* p[kTypeMax + 1];

// True when piece i fits at position j.
MARU_CALL_FAITHFUL bool Fit(int64_t i, int64_t j) {
  int64_t end = piecemax[i];
  const bool* piece = p[i];
  int64_t k = 0;
  while (k <= end && !(piece[k] && puzzle[j + k])) k += 1;
  return k > end;
}

// Places piece i at j; returns the first free position after j (0 when the box is full).
MARU_CALL_FAITHFUL int64_t Place(int64_t i, int64_t j) {
  int64_t end = piecemax[i];
  const bool* piece = p[i];
  for (int64_t k = 0; k <= end; ++k) {
    if (piece[k]) puzzle[j + k] = true;
  }
  piececount[piece_class[i]] = piececount[piece_class[i]] - 1;
  int64_t k = j;
  while (k <= kSize && puzzle[k]) k += 1;
  return k > kSize ? 0 : k;
}

MARU_CALL_FAITHFUL void PuzzleRemove(int64_t i, int64_t j) {
  int64_t end = piecemax[i];
  const bool* piece = p[i];
  for (int64_t k = 0; k <= end; ++k) {
    if (piece[k]) puzzle[j + k] = false;
  }
  piececount[piece_class[i]] = piececount[piece_class[i]] + 1;
}

// Tries every piece type at position j; counts every trial in kount.
MARU_CALL_FAITHFUL bool Trial(int64_t j) {
  int64_t i = 0;
  bool found = false;
  while (!found && i <= kTypeMax) {
    if (piececount[piece_class[i]] != 0 && Fit(i, j)) {
      int64_t k = Place(i, j);
      if (Trial(k) || k == 0) {
        found = true;
      } else {
        PuzzleRemove(i, j);
      }
    }
    i += 1;
  }
  kount += 1;
  return found;
}

MARU_CALL_FAITHFUL void DefinePiece(int64_t iclass, int64_t ii, int64_t jj, int64_t kk) {
  int64_t index = 0;
  for (int64_t i = 0; i <= ii; ++i) {
    for (int64_t j = 0; j <= jj; ++j) {
      for (int64_t k = 0; k <= kk; ++k) {
        index = i + kD * (j + kD * k);
        p[iii][index] = true;
      }
    }
  }
  piece_class[iii] = iclass;
  piecemax[iii] = index;
  if (iii != kTypeMax) iii += 1;
}

// One run; returns kount, or -1 when the puzzle has no solution (the Maru program returns nil).
MARU_CALL_FAITHFUL int64_t Start() {
  kount = 0;
  for (int64_t m = 0; m <= kSize; ++m) puzzle[m] = true;
  for (int64_t i = 1; i <= 5; ++i) {
    for (int64_t j = 1; j <= 5; ++j) {
      for (int64_t k = 1; k <= 5; ++k) puzzle[i + kD * (j + kD * k)] = false;
    }
  }
  for (int64_t i = 0; i <= kTypeMax; ++i) {
    for (int64_t m = 0; m <= kSize; ++m) p[i][m] = false;
  }
  iii = 0;
  DefinePiece(0, 3, 1, 0);
  DefinePiece(0, 1, 0, 3);
  DefinePiece(0, 0, 3, 1);
  DefinePiece(0, 1, 3, 0);
  DefinePiece(0, 3, 0, 1);
  DefinePiece(0, 0, 1, 3);
  DefinePiece(1, 2, 0, 0);
  DefinePiece(1, 0, 2, 0);
  DefinePiece(1, 0, 0, 2);
  DefinePiece(2, 1, 1, 0);
  DefinePiece(2, 1, 0, 1);
  DefinePiece(2, 0, 1, 1);
  DefinePiece(3, 1, 1, 1);
  piececount[0] = 13;
  piececount[1] = 3;
  piececount[2] = 1;
  piececount[3] = 1;
  int64_t m = kD * (kD + 1) + 1;
  if (!Fit(0, m)) return -1;  // the Maru program raises an error here; it never happens
  int64_t n = Place(0, m);
  return Trial(n) ? kount : -1;
}

}  // namespace

std::string RunPuzzle(int64_t repetitions) {
  for (int64_t i = 0; i <= kTypeMax; ++i) p[i] = piece_storage[i];
  int64_t result = -1;
  for (int64_t r = 0; r < repetitions; ++r) result = Start();
  return "puzzle " + std::to_string(kSize) + " x" + std::to_string(repetitions) + ": " +
         (result < 0 ? std::string("()") : std::to_string(result));
}

}  // namespace maru::baselines
