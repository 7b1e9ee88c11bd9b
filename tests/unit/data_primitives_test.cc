// Unit tests of raw data, slot access and the memory accessors (spec §4.2, §4.3, §7.8, §7.9,
// §11.3).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/test_support.h"

namespace maru {
namespace {

using ::maru::test::Session;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using DataPrimitivesTest = ::maru::test::SessionTest;

// ---- §7.8 data ------------------------------------------------------------------------------

TEST_F(DataPrimitivesTest, DataIsRoundedUpToEightBytes) {
  EXPECT_EQ(R("(data 10)"), "<data[16]>");
  EXPECT_EQ(R("(data-length (data 10))"), "16");
  EXPECT_EQ(R("(data-length (data 8))"), "8");
  EXPECT_EQ(R("(data-length (data 1))"), "8");
  EXPECT_EQ(R("(data-length (data 0))"), "0");
  EXPECT_EQ(R("(data-length (data))"), "0");
  EXPECT_EQ(R("(type-of (data 8))"), "1");
  EXPECT_EQ(R("(data -5)"), "ERROR: data: negative size: -5");  // §11.3
}

TEST_F(DataPrimitivesTest, DataIsZeroed) {
  EXPECT_EQ(R("(let ((d (data 16))) (cons (long-at d 0) (long-at d 1)))"), "(0 . 0)");
}

TEST_F(DataPrimitivesTest, DataLengthErrors) {
  EXPECT_THAT(R("(data-length \"abc\")"), StartsWith("ERROR: data-length: non-"));
  EXPECT_EQ(R("(data-length)"), "ERROR: wrong number of arguments (0) in: data-length");
}

// ---- §4.2 allocate / allocate-atomic --------------------------------------------------------

TEST_F(DataPrimitivesTest, AllocateMakesNilSlots) {
  EXPECT_EQ(R("(type-of (allocate 20 2))"), "20");
  EXPECT_EQ(R("(let ((o (allocate 20 2))) (cons (oop-at o 0) (oop-at o 1)))"), "(())");
  EXPECT_EQ(R("(allocate 0 2)"), "UNDEFINED");
  EXPECT_EQ(R("(allocate 'x 2)"), "()");  // §7.8: nil if either argument is not a Long
  EXPECT_EQ(R("(allocate 6 'y)"), "()");
  EXPECT_EQ(R("(allocate 6)"), "ERROR: wrong number of arguments (1) in: allocate");
}

TEST_F(DataPrimitivesTest, AllocatedPairBehavesAsAPair) {
  // §4.3: an object made with (allocate T n) for a built-in slot type behaves as a genuine T.
  EXPECT_EQ(R("(define p (allocate 6 3)) (set-oop-at p 0 1) (set-oop-at p 1 2) p"), "(1 . 2)");
  EXPECT_EQ(R("(car p)"), "1");
  EXPECT_EQ(R("(cdr p)"), "2");
  EXPECT_EQ(R("(pair? p)"), "t");
  EXPECT_EQ(R("(set-car p 5) p"), "(5 . 2)");
}

TEST_F(DataPrimitivesTest, AllocatedFixedIsASpecialForm) {
  // §4.3: a Fixed made by (allocate 11 1); its function receives the encoded operands.
  EXPECT_EQ(R("(define quoting (allocate 11 1)) (set-oop-at quoting 0 (lambda args args)) "
              "(fixed? quoting)"),
            "t");
  EXPECT_EQ(R("(quoting 1 (+ 2 3) \"s\")"), "(1 (+ 2 3) \"s\")");
}

TEST_F(DataPrimitivesTest, AllocatedVariableAndEnvAreUsedByTheCore) {
  // §4.3: Variables made by (allocate 13 5) and Envs made by (allocate 14 5).
  const char* setup =
      "(define e (allocate 14 5)) (set-oop-at e 0 *globals*) (set-oop-at e 1 0) "
      "(set-oop-at e 2 0) (set-oop-at e 3 (array)) "
      "(define v (allocate 13 5)) (set-oop-at v 0 'my-var) (set-oop-at v 1 99) "
      "(set-oop-at v 2 e) (set-oop-at v 3 0) "
      "(set-array-at (oop-at e 3) 0 v) (set-oop-at e 2 1) (eval 'my-var e)";
  EXPECT_EQ(R(setup), "99");
  EXPECT_EQ(R("(eval '(+ my-var 1) e)"), "100");
  EXPECT_EQ(R("(eval 'car e)"), "car");  // falls back to the parent
  EXPECT_EQ(R("(defined? 'my-var e)"), "my-var");
  EXPECT_EQ(R("(defined? 'my-var)"), "()");
  EXPECT_EQ(R("(set-oop-at v 1 7) (eval 'my-var e)"), "7");
}

TEST_F(DataPrimitivesTest, AllocateAtomic) {
  EXPECT_EQ(R("(data-length (allocate-atomic 1 10))"), "16");
  EXPECT_EQ(R("(type-of (allocate-atomic 20 16))"), "20");
  EXPECT_EQ(R("(oop-at (allocate-atomic 20 16) 0)"), "()");  // raw: no slots
  EXPECT_EQ(R("(long-at (allocate-atomic 20 16) 1)"), "0");  // zeroed
  EXPECT_EQ(R("(allocate-atomic 'a 8)"), "()");
  EXPECT_EQ(R("(allocate-atomic 1 'b)"), "()");
}

// ---- §4.2 oop-at / set-oop-at ---------------------------------------------------------------

TEST_F(DataPrimitivesTest, OopAtExamples) {
  // §4.2 examples.
  EXPECT_EQ(R("(oop-at '(1 2) 0)"), "1");
  EXPECT_EQ(R("(oop-at '(1 2) 1)"), "(2)");
  EXPECT_EQ(R("(oop-at '(1 2) 3)"), "()");
  EXPECT_EQ(R("(oop-at \"abc\" 0)"), "3");
  EXPECT_EQ(R("(type-of (oop-at (array 3) 1))"), "7");
  EXPECT_EQ(R("(oop-at 'sym 0)"), "()");
}

TEST_F(DataPrimitivesTest, OopAtReturnsNilForNonSlotAccess) {
  EXPECT_EQ(R("(oop-at '(1) -1)"), "()");
  EXPECT_EQ(R("(oop-at '(1) 'a)"), "()");
  EXPECT_EQ(R("(oop-at () 0)"), "()");
  EXPECT_EQ(R("(oop-at 5 0)"), "()");
  EXPECT_EQ(R("(oop-at 4611686018427387904 0)"), "()");  // boxed Long
  EXPECT_EQ(R("(oop-at 1.5 0)"), "()");
  EXPECT_EQ(R("(oop-at (data 16) 0)"), "()");
  EXPECT_EQ(R("(oop-at car 0)"), "()");  // Subr
  EXPECT_EQ(R("(oop-at \"abc\" 1)"), "()");  // [project rule] raw _bits slot
  EXPECT_EQ(R("(oop-at \"abc\" 2)"), "()");
}

TEST_F(DataPrimitivesTest, PairSourceSlot) {
  // §4.1: slot 2 of a pair made by the reader is (path . line).
  EXPECT_EQ(R("\n(oop-at '(1 2) 2)"), "(\"<test>\" . 2)");
  EXPECT_EQ(R("(oop-at (cons 1 2) 2)"), "()");
}

TEST_F(DataPrimitivesTest, BuiltinSlotLayouts) {
  // §4.1 layouts seen through oop-at.
  EXPECT_EQ(R("(oop-at (array 4) 0)"), "4");  // Array size
  EXPECT_EQ(R("(define f (lambda (a b) a)) (oop-at f 0)"), "f");  // Expr name
  EXPECT_EQ(R("(type-of (car (oop-at f 1)))"), "14");              // Expr defn: (env params . body)
  EXPECT_EQ(R("(car (cdr (oop-at f 1)))"), "(a b)");
  EXPECT_EQ(R("(oop-at (form car cdr) 0)"), "car");   // Form function
  EXPECT_EQ(R("(oop-at (form car cdr) 1)"), "cdr");   // Form symbol
  EXPECT_EQ(R("(oop-at if 0)"), "if");                // Fixed function (a Subr)
  EXPECT_EQ(R("(define gv 5) (oop-at (defined? 'gv) 0)"), "gv");  // Variable name
  EXPECT_EQ(R("(oop-at (defined? 'gv) 1)"), "5");                 // Variable value
  EXPECT_EQ(R("(oop-at (oop-at (defined? 'gv) 2) 1)"), "0");      // its Env's level
  EXPECT_EQ(R("(type-of (oop-at *globals* 3))"), "8");             // Env bindings Array
  EXPECT_EQ(R("(oop-at f 3)"), "0");                                // Expr profile
  EXPECT_EQ(R("(oop-at (defined? 'gv) 4)"), "()");                  // Variable type
  // A global's index is its position in the Env's bindings.
  EXPECT_EQ(R("(= (array-at (oop-at *globals* 3) (oop-at (defined? 'gv) 3)) (defined? 'gv))"),
            "t");
  EXPECT_EQ(R("(= (oop-at (defined? 'gv) 3) (- (oop-at *globals* 2) 1))"), "t");
}

TEST_F(DataPrimitivesTest, LambdaEnvLayout) {
  // §4.1: Env parent / level / offset / bindings (Variables in definition order).
  EXPECT_EQ(R("(define f (lambda (a b) (let ((c 1)) c))) (define fe (car (oop-at f 1))) "
              "(type-of (oop-at fe 0))"),
            "14");
  EXPECT_EQ(R("(oop-at fe 2)"), "3");  // a, b and the let's c share the frame
  EXPECT_EQ(R("(array-at (oop-at fe 3) 0)"), "a");
  EXPECT_EQ(R("(array-at (oop-at fe 3) 1)"), "b");
  EXPECT_EQ(R("(oop-at (array-at (oop-at fe 3) 1) 3)"), "1");  // local index
  EXPECT_EQ(R("(= (oop-at (array-at (oop-at fe 3) 0) 2) fe)"), "t");  // owning Env
  EXPECT_EQ(R("(> (oop-at fe 1) 0)"), "t");  // level of a lambda Env
}

TEST_F(DataPrimitivesTest, ClosureContextSlot) {
  // §4.3: an Expr's ctx slot SHOULD yield a Context (or nil); §4.1 Context layout.
  EXPECT_EQ(R("(define k ((lambda (x) (lambda () x)) 5)) (type-of (oop-at k 2))"), "15");
  EXPECT_EQ(R("(type-of (oop-at (oop-at k 2) 1))"), "14");
  EXPECT_EQ(R("(array-at (oop-at (oop-at k 2) 2) 0)"), "5");
}

TEST_F(DataPrimitivesTest, HugeSizesAreErrorsNotCrashes) {
  // [project rule] §1.3 rule 1: no error terminates the host process.
  EXPECT_THAT(R("(array 100000000000000)"), StartsWith("ERROR: "));
  EXPECT_THAT(R("(data 100000000000000)"), StartsWith("ERROR: "));
  EXPECT_THAT(R("(string 100000000000000)"), StartsWith("ERROR: "));
  EXPECT_THAT(R("(set-array-at (array) 100000000000000 1)"), StartsWith("ERROR: "));
  EXPECT_THAT(R("(set-string-at (string 1) 100000000000000 65)"), StartsWith("ERROR: "));
  EXPECT_THAT(R("(allocate 20 100000000000000)"), StartsWith("ERROR: "));
  EXPECT_EQ(R("(+ 1 2)"), "3");
}

TEST_F(DataPrimitivesTest, AllocatedBuiltinsBehaveAsGenuineObjects) {
  // §4.3: an object made with (allocate T n) for a built-in slot type, with at least the declared
  // number of slots, MUST behave as a genuine T for the core.
  EXPECT_EQ(R("(define a (allocate 8 2)) (set-oop-at a 0 0) (array-length a)"), "0");
  EXPECT_EQ(R("(set-array-at a 2 'x) a"), "Array<3>(() () x)");
  EXPECT_EQ(R("(define s (allocate 4 2)) (set-oop-at s 0 0) (string-length s)"), "0");
  EXPECT_EQ(R("(set-string-at s 0 65) (string-at s 0)"), "65");
  EXPECT_EQ(R("(define fm (allocate 10 2)) (set-oop-at fm 0 (lambda (env) 42)) (define m fm)"),
            "Form(Expr.m=(env), ())");
  EXPECT_EQ(R("(m)"), "42");
  EXPECT_EQ(R("(define ex (allocate 9 4)) (set-oop-at ex 1 (oop-at (lambda (q) (+ q 1)) 1)) "
              "(ex 41)"),
            "42");
}

TEST_F(DataPrimitivesTest, AllocatedObjectsWithNilSlotsDoNotCrash) {
  // [project rule] §1.3 rule 1: misuse is an error (or a harmless value), never a crash.
  EXPECT_THAT(R("((allocate 12 4) 1)"), StartsWith("ERROR: "));
  EXPECT_THAT(R("((allocate 9 4) 1)"), StartsWith("ERROR: "));
  EXPECT_THAT(R("(apply (allocate 11 1) '(1))"), StartsWith("ERROR: "));
  EXPECT_EQ(R("(eval '(+ 1 2) (allocate 14 5))"), "ERROR: undefined variable: +");
  EXPECT_EQ(R("(define e (allocate 14 5)) (set-oop-at e 0 *globals*) (eval '(+ 1 2) e)"), "3");
  EXPECT_EQ(R("(array-length (allocate 8 2))"), "0");
  EXPECT_EQ(R("(array-at (allocate 8 2) 0)"), "()");
  EXPECT_EQ(R("(string-length (allocate 4 2))"), "0");
  EXPECT_EQ(R("(allocate 4 2)"), "\"\"");
  EXPECT_EQ(R("(+ 1 2)"), "3");
}

TEST_F(DataPrimitivesTest, StringSizeSlotIsWritable) {
  // §4.2: set-oop-at writes slot i of any object that has slots, Strings included; only the raw
  // slot 1 (`_bits`) ignores stores. Shrinking a String through its `size` slot:
  EXPECT_EQ(R("(define s (string-copy \"abcd\")) (set-oop-at s 0 2)"), "2");
  EXPECT_EQ(R("(string-length s)"), "2");
  EXPECT_EQ(R("s"), "\"ab\"");
}

TEST_F(DataPrimitivesTest, HugeIndexTimesScaleIsOutOfRange) {
  // §7.9: the byte offset is idx x scale and must lie within the object: 2^61 x 8 = 2^64 does
  // not (it must not wrap around to offset 0).
  EXPECT_THAT(R("(byte-at (data 8) 2305843009213693952 8)"), StartsWith("ERROR: byte-at: index ("));
  EXPECT_THAT(R("(long-at (data 8) 2305843009213693952)"), StartsWith("ERROR: long-at: index ("));
  EXPECT_THAT(R("(set-long-at (data 8) 2305843009213693952 7)"),
              StartsWith("ERROR: set-long-at: index ("));
}

TEST_F(DataPrimitivesTest, SetOopAtStoresAndReturnsTheValue) {
  EXPECT_EQ(R("(set-oop-at (cons 1 2) 0 5)"), "5");
  EXPECT_EQ(R("(define p (cons 1 2)) (set-oop-at p 1 '(3)) p"), "(1 3)");
  // Out of range / not a Long / raw objects: nil, and nothing is stored.
  EXPECT_EQ(R("(cons (set-oop-at p 3 9) p)"), "(() 1 3)");
  EXPECT_EQ(R("(cons (set-oop-at p -1 9) p)"), "(() 1 3)");
  EXPECT_EQ(R("(cons (set-oop-at p 'x 9) p)"), "(() 1 3)");
  EXPECT_EQ(R("(set-oop-at 'sym 0 1)"), "()");
  EXPECT_EQ(R("(set-oop-at 5 0 1)"), "()");
  EXPECT_EQ(R("(set-oop-at () 0 1)"), "()");
  EXPECT_EQ(R("(set-oop-at (data 8) 0 1)"), "()");
  // [project rule] a store into a String's raw slot is ignored.
  EXPECT_EQ(R("(define s \"abc\") (set-oop-at s 1 5) s"), "\"abc\"");
  EXPECT_EQ(R("(string-length s)"), "3");
}

TEST_F(DataPrimitivesTest, GlobalValueCellIsSlotOne) {
  // §4.3: the value cell of a global IS slot 1 of its Variable.
  EXPECT_EQ(R("(define gv 1) (define get (lambda () gv)) (set-oop-at (defined? 'gv) 1 42) gv"),
            "42");
  EXPECT_EQ(R("(get)"), "42");
}

TEST_F(DataPrimitivesTest, OopAtArity) {
  EXPECT_EQ(R("(oop-at '(1))"), "ERROR: wrong number of arguments (1) in: oop-at");
  EXPECT_EQ(R("(set-oop-at '(1) 0)"), "ERROR: wrong number of arguments (2) in: set-oop-at");
}

// ---- §7.9 memory accessors ------------------------------------------------------------------

TEST_F(DataPrimitivesTest, SpecExample) {
  EXPECT_EQ(R("(let ((d (data 8))) (set-int-at d 1 -2) (cons (int-at d 1) (byte-at d 7)))"),
            "(-2 . 255)");
}

TEST_F(DataPrimitivesTest, AccessorWidthsAndSignedness) {
  EXPECT_EQ(R("(define d (data 32)) (set-byte-at d 0 200)"), "200");
  EXPECT_EQ(R("(byte-at d 0)"), "200");
  EXPECT_EQ(R("(char-at d 0)"), "-56");  // signed char
  EXPECT_EQ(R("(set-short-at d 1 -1) (cons (short-at d 1) (byte-at d 3))"), "(-1 . 255)");
  EXPECT_EQ(R("(byte-at d 4)"), "0");
  EXPECT_EQ(R("(set-wchar-at d 1 -5) (wchar-at d 1)"), "-5");
  EXPECT_EQ(R("(set-int32-at d 2 2147483647) (int32-at d 2)"), "2147483647");
  EXPECT_EQ(R("(set-int-at d 2 2147483648) (int-at d 2)"), "-2147483648");  // 32-bit
  EXPECT_EQ(R("(set-int64-at d 1 -9223372036854775808) (int64-at d 1)"), "-9223372036854775808");
  EXPECT_EQ(R("(set-long-at d 2 4611686018427387904) (long-at d 2)"), "4611686018427387904");
  EXPECT_EQ(R("(set-longlong-at d 3 -7) (longlong-at d 3)"), "-7");
  EXPECT_EQ(R("(cons (int-at d 6) (int-at d 7))"), "(-7 . -1)");  // low and high halves
  EXPECT_EQ(R("(set-pointer-at d 3 12345) (pointer-at d 3)"), "12345");
  EXPECT_EQ(R("(set-byte-at d 0 256) (byte-at d 0)"), "0");  // truncated to the C type
}

TEST_F(DataPrimitivesTest, FloatingAccessors) {
  EXPECT_EQ(R("(define d (data 32)) (set-float-at d 1 1.5)"), "1.500000");
  EXPECT_EQ(R("(float-at d 1)"), "1.500000");
  EXPECT_EQ(R("(set-float-at d 0 0.1) (float-at d 0)"), "0.100000");
  EXPECT_EQ(R("(set-double-at d 1 -2.25) (double-at d 1)"), "-2.250000");
  EXPECT_EQ(R("(set-longdouble-at d 1 2.5) (longdouble-at d 1)"), "2.500000");  // 16 bytes
  EXPECT_EQ(R("(type-of (double-at d 1))"), "3");
}

TEST_F(DataPrimitivesTest, ScaleArgument) {
  // §7.9: the byte offset is idx x scale when scale is given.
  EXPECT_EQ(R("(define d (data 16)) (set-byte-at d 3 1 7) (byte-at d 3)"), "7");
  EXPECT_EQ(R("(byte-at d 1 3)"), "7");
  EXPECT_EQ(R("(set-int-at d 1 3 -9) (int-at d 1 3)"), "-9");  // byte offset 3, unaligned
  EXPECT_EQ(R("(byte-at d 3)"), "247");
  EXPECT_EQ(R("(set-long-at d 2 4 -1) (int-at d 2)"), "-1");
  EXPECT_EQ(R("(int-at d 3)"), "-1");
}

TEST_F(DataPrimitivesTest, OutOfRangeAccessIsAnError) {
  // §7.9 example message.
  EXPECT_EQ(R("(byte-at (data 8) 8)"), "ERROR: byte-at: index (8) out of range: (<data[8]> 8)");
  EXPECT_THAT(R("(byte-at (data 8) -1)"), StartsWith("ERROR: byte-at: index (-1) out of range"));
  EXPECT_THAT(R("(int-at (data 8) 2)"), StartsWith("ERROR: int-at: index ("));
  EXPECT_THAT(R("(int-at (data 8) 2)"), HasSubstr("out of range"));
  EXPECT_THAT(R("(long-at (data 8) 1)"), StartsWith("ERROR: long-at: index ("));
  EXPECT_THAT(R("(set-long-at (data 8) 1 5)"), StartsWith("ERROR: set-long-at: index ("));
  EXPECT_THAT(R("(int-at (data 8) 1 5)"), StartsWith("ERROR: int-at: index ("));  // bytes 5..8
  EXPECT_THAT(R("(longdouble-at (data 16) 1)"), StartsWith("ERROR: longdouble-at: index ("));
  EXPECT_THAT(R("(set-double-at (data 8) 1 1.0)"), StartsWith("ERROR: set-double-at: index ("));
  // The last element that fits is fine.
  EXPECT_EQ(R("(int-at (data 8) 1)"), "0");
  EXPECT_EQ(R("(byte-at (data 8) 7)"), "0");
}

TEST_F(DataPrimitivesTest, NonIntegerIndexOrScale) {
  EXPECT_THAT(R("(byte-at (data 8) 'a)"), StartsWith("ERROR: byte-at: non-integer index: "));
  EXPECT_THAT(R("(byte-at (data 8) 0 'b)"), StartsWith("ERROR: byte-at: non-integer index: "));
  EXPECT_THAT(R("(set-int-at (data 8) 1.0 5)"),
              StartsWith("ERROR: set-int-at: non-integer index: "));
}

TEST_F(DataPrimitivesTest, ImproperStores) {
  EXPECT_THAT(R("(set-int-at (data 8) 0 1.5)"), StartsWith("ERROR: set-int-at: improper store: "));
  EXPECT_THAT(R("(set-byte-at (data 8) 0 \"a\")"),
              StartsWith("ERROR: set-byte-at: improper store: "));
  // The floating types take Doubles.
  EXPECT_THAT(R("(set-float-at (data 8) 0 'x)"), StartsWith("ERROR: set-float-at: improper store: "));
}

TEST_F(DataPrimitivesTest, AccessorArity) {
  EXPECT_EQ(R("(byte-at (data 8))"), "ERROR: wrong number of arguments (1) in: byte-at");
  EXPECT_EQ(R("(byte-at (data 8) 0 1 2)"), "ERROR: wrong number of arguments (4) in: byte-at");
  EXPECT_EQ(R("(set-byte-at (data 8) 0)"), "ERROR: wrong number of arguments (2) in: set-byte-at");
  EXPECT_EQ(R("(set-byte-at (data 8) 0 1 2 3)"),
            "ERROR: wrong number of arguments (5) in: set-byte-at");
}

TEST_F(DataPrimitivesTest, AccessorsOnNilAreErrors) {
  // §11.3: memory accessors on nil: arity / type error (not a crash).
  EXPECT_THAT(R("(byte-at () 0)"), StartsWith("ERROR: "));
  EXPECT_THAT(R("(set-long-at () 0 1)"), StartsWith("ERROR: "));
  EXPECT_THAT(R("(double-at () 0)"), StartsWith("ERROR: "));
}

TEST_F(DataPrimitivesTest, AllNamesExist) {
  // §7.9: the 26 names.
  const char* names[] = {"byte", "char", "short", "wchar", "int", "int32", "int64",
                         "long", "longlong", "pointer", "float", "double", "longdouble"};
  for (const char* n : names) {
    std::string get = std::string(n) + "-at";
    EXPECT_EQ(R("(type-of " + get + ")"), "12") << get;
    EXPECT_EQ(R("(type-of set-" + get + ")"), "12") << get;
  }
}

}  // namespace
}  // namespace maru
