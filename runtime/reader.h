// The Maru reader (spec §3): UTF-8 text from a C stream to Maru data, recording (path . line) on
// every pair it makes.
#ifndef MARU_RUNTIME_READER_H_
#define MARU_RUNTIME_READER_H_

#include <cstdint>
#include <cstdio>
#include <string>

#include "runtime/object.h"
#include "runtime/vm.h"

namespace maru {

class Reader {
 public:
  // Reads from `in` (not owned). `path` names the source in positions and messages.
  Reader(Vm& vm, FILE* in, std::string path);
  ~Reader();

  // The next top-level form. At end of input returns kNil and sets *eof. On a syntax error returns
  // kErrorOop with the error pending in the Vm (its message is the spec's text; the position is in
  // error_position()). The stream is left just after the form (one character of lookahead is
  // handed back to the Vm's per-stream pushback so `getc` sees it).
  Oop Read(bool* eof);

  int line() const { return line_; }
  // Skips a first line that starts with "#!" (call before the first Read).
  void SkipShebangLine();
  // Discards the rest of the current line (the REPL's recovery after a syntax error).
  void SkipRestOfLine();
  // "path:line:column" of the last error.
  const std::string& error_position() const { return error_position_; }

 private:
  static constexpr int32_t kEof = -1;
  static constexpr int32_t kBadUtf8 = -2;

  int32_t Next();
  int32_t Peek();
  void Unread(int32_t c);

  Oop ReadTopLevel(bool* eof);
  void TakePushback();
  Oop Fail(const std::string& message);
  Oop ReadForm(int32_t c);
  Oop ReadList(int32_t closer);
  Oop ReadPrefixed(Oop symbol);
  Oop ReadString();
  Oop ReadCharacter();
  Oop ReadNumber(int32_t first);
  Oop ReadSymbol(int32_t first);
  // One escaped character after a backslash; -1 on error (pending), or the code.
  int64_t ReadEscape();
  // Skips white space and comments; returns the first other character (consumed) or kEof.
  int32_t SkipBlanks();
  Oop Source();

  Vm& vm_;
  FILE* in_;
  std::string path_;
  Oop path_string_;
  int line_ = 1;
  int column_ = 0;
  int32_t pending_break_ = 0;  // the CR or LF that began the last line break (CR LF counts once)
  // Pushed-back characters (at most two: the shebang check looks two ahead), most recent last.
  int32_t peeked_[2] = {kEof, kEof};
  int npeeked_ = 0;
  Oop source_cache_ = kNil;  // the (path . line) pair of the current line
  int source_cache_line_ = 0;
  std::string error_position_;
};

bool IsSymbolCharacter(int32_t c);  // a "letter" of §3.2 (not a digit)

}  // namespace maru

#endif  // MARU_RUNTIME_READER_H_
