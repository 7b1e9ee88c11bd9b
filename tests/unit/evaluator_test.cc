// Unit tests of the evaluation model (spec §5) and the special forms (§6).
#include <gc.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/evaluator.h"
#include "runtime/heap.h"
#include "runtime/vm.h"
#include "tests/unit/test_support.h"

namespace maru {
namespace {

using ::maru::test::Session;
using ::testing::StartsWith;

using EvaluatorTest = ::maru::test::SessionTest;

// ---- §6 special forms -----------------------------------------------------------------------

TEST_F(EvaluatorTest, Quote) {
  EXPECT_EQ(R("(quote x)"), "x");
  EXPECT_EQ(R("(quote)"), "()");
  EXPECT_EQ(R("'(a (b c))"), "(a (b c))");
  EXPECT_EQ(R("'(a . (b c))"), "(a b c)");  // §12
}

TEST_F(EvaluatorTest, If) {
  EXPECT_EQ(R("(if 0 'y 'n)"), "y");  // §12
  EXPECT_EQ(R("(if () 'y)"), "()");
  EXPECT_EQ(R("(if () 1 2 3)"), "3");
  EXPECT_EQ(R("(if \"\" 1 2)"), "1");  // "" is true (§5.6)
  EXPECT_EQ(R("(if (array) 1 2)"), "1");
}

TEST_F(EvaluatorTest, AndOr) {
  EXPECT_EQ(R("(and)"), "t");
  EXPECT_EQ(R("(or)"), "()");
  EXPECT_EQ(R("(and 1 2)"), "2");
  EXPECT_EQ(R("(and 1 () nosuch-is-not-evaluated)"),
            "ERROR: undefined variable: nosuch-is-not-evaluated");  // encoded first (§5.1)
  EXPECT_EQ(R("(define hits 0) (define hit (lambda (v) (set hits (+ hits 1)) v)) "
              "(and (hit 1) (hit ()) (hit 3))"),
            "()");
  EXPECT_EQ(R("hits"), "2");
  EXPECT_EQ(R("(or () 3)"), "3");
  EXPECT_EQ(R("(set hits 0) (or (hit ()) (hit 5) (hit 6))"), "5");
  EXPECT_EQ(R("hits"), "2");
}

TEST_F(EvaluatorTest, WhileAlwaysReturnsNil) {
  EXPECT_EQ(R("(while ())"), "()");
  EXPECT_EQ(R("(define i 0) (while (< i 5) (set i (+ i 1)) 'x)"), "()");
  EXPECT_EQ(R("i"), "5");
}

TEST_F(EvaluatorTest, Lambda) {
  EXPECT_EQ(R("((lambda (x) x) 5)"), "5");
  EXPECT_EQ(R("((lambda ()))"), "()");  // empty body
  EXPECT_EQ(R("((lambda (a b) a b) 1 2)"), "2");
  EXPECT_EQ(R("(type-of (lambda ()))"), "9");
}

TEST_F(EvaluatorTest, RestParameters) {
  EXPECT_EQ(R("((lambda args args) 1 2)"), "(1 2)");  // §12
  EXPECT_EQ(R("((lambda args args))"), "()");
  EXPECT_EQ(R("((lambda (a . b) b) 1 2 3)"), "(2 3)");
  EXPECT_EQ(R("((lambda (a . b) b) 1)"), "()");
  EXPECT_EQ(R("((lambda (a b . c) (cons a (cons b c))) 1 2 3 4)"), "(1 2 3 4)");
  EXPECT_EQ(R("((lambda (a . b) b))"), "ERROR: too few arguments applying Expr=(a . b) to ()");
}

TEST_F(EvaluatorTest, ArityErrors) {
  EXPECT_EQ(R("((lambda (x) x))"), "ERROR: too few arguments applying Expr=(x) to ()");
  EXPECT_EQ(R("((lambda (x) x) 1 2)"), "ERROR: too many arguments applying Expr=(x) to (1 2)");
  EXPECT_EQ(R("((lambda () 1) 'a)"), "ERROR: too many arguments applying Expr=() to (a)");
  EXPECT_EQ(R("(define f (lambda (x y) x)) (f 1)"),
            "ERROR: too few arguments applying Expr.f=(x y) to (1)");
}

TEST_F(EvaluatorTest, NonSymbolParameter) {
  EXPECT_EQ(R("(lambda (1) 1)"), "ERROR: non-symbol parameter name: 1");
  EXPECT_EQ(R("(lambda (a \"b\") 1)"), "ERROR: non-symbol parameter name: \"b\"");
}

TEST_F(EvaluatorTest, Let) {
  EXPECT_EQ(R("(let ((a 1) (b 2)) (+ a b))"), "3");
  EXPECT_EQ(R("(let ((y 1 2 3)) y)"), "3");  // §12: the last value
  EXPECT_EQ(R("(let ())"), "()");
  EXPECT_EQ(R("(let ((a 1)))"), "()");
  // [project rule] 6: a binding without an init expression is nil.
  EXPECT_EQ(R("(let ((a 1) (b)) b)"), "()");
  EXPECT_EQ(R("(let ((a 1) b) b)"), "()");
  EXPECT_EQ(R("(let (a) a)"), "()");
}

TEST_F(EvaluatorTest, LetInitsAreResolvedInTheOuterScope) {
  EXPECT_EQ(R("(let ((a 1)) (let ((a 2) (b a)) b))"), "1");
  EXPECT_EQ(R("((lambda (x) (let ((x (+ x 1)) (y x)) (cons x y))) 5)"), "(6 . 5)");
}

TEST_F(EvaluatorTest, LetInitsRunInOrder) {
  EXPECT_EQ(R("(define log ()) (define note (lambda (v) (set log (cons v log)) v)) "
              "(let ((a (note 1) (note 2)) (b (note 3))) (cons a b))"),
            "(2 . 3)");
  EXPECT_EQ(R("log"), "(3 2 1)");
}

TEST_F(EvaluatorTest, TopLevelLetVariablesDoNotPersist) {
  EXPECT_EQ(R("(let ((zz 1)) zz)"), "1");
  EXPECT_EQ(R("zz"), "ERROR: undefined variable: zz");
}

TEST_F(EvaluatorTest, Define) {
  EXPECT_EQ(R("(define x 5)"), "5");
  EXPECT_EQ(R("x"), "5");
  EXPECT_EQ(R("(define y)"), "()");
  EXPECT_EQ(R("(define z 1 2 3)"), "1");  // extra operands are ignored
  EXPECT_EQ(R("(define x 6) x"), "6");
}

TEST_F(EvaluatorTest, DefineInsideALambdaIsGlobal) {
  // §5.6: (let ((x 1)) (define x 5) x) => 1, and a global x is now 5.
  EXPECT_EQ(R("(let ((x 1)) (define x 5) x)"), "1");
  EXPECT_EQ(R("x"), "5");
  EXPECT_EQ(R("(define mk (lambda () (define made 'yes))) (mk) made"), "yes");
}

TEST_F(EvaluatorTest, DefineCreatesTheVariableAtEncodeTime) {
  // §5.3: the Variable exists even though the define never ran.
  EXPECT_EQ(R("(define never (lambda () (define late 1)))"), "Expr.never=()");
  EXPECT_EQ(R("late"), "()");
}

TEST_F(EvaluatorTest, Set) {
  EXPECT_EQ(R("(define x 1) (set x 2)"), "2");
  EXPECT_EQ(R("x"), "2");
  EXPECT_EQ(R("((lambda (a) (set a 10) a) 1)"), "10");
  EXPECT_EQ(R("(set nosuch 1)"), "ERROR: set: undefined variable: nosuch");
  // Set reaches the innermost binding of any enclosing function.
  EXPECT_EQ(R("((lambda (a) ((lambda () (set a 7))) a) 1)"), "7");
}

TEST_F(EvaluatorTest, NamingOfExprsAndForms) {
  // §5.6 Naming.
  EXPECT_EQ(R("(define f (lambda () 1)) f"), "Expr.f=()");
  EXPECT_EQ(R("(define g f) g"), "Expr.f=()");  // already named: unchanged
  EXPECT_EQ(R("(define h) (set h (lambda (a) a)) h"), "Expr.h=(a)");
  EXPECT_EQ(R("(define m (form (lambda (env) 1))) m"), "Form(Expr.m=(env), ())");
  EXPECT_EQ(R("((lambda (k) (set k (lambda () 1)) k) ())"), "Expr.k=()");
}

// ---- §5.6 closures and frames ---------------------------------------------------------------

TEST_F(EvaluatorTest, ClosuresCaptureTheirContext) {
  EXPECT_EQ(R("(define make (lambda () (let ((n 0)) (lambda () (set n (+ n 1)))))) "
              "(define c1 (make)) (define c2 (make)) (c1) (c1) (c2) (cons (c1) (c2))"),
            "(3 . 2)");
}

TEST_F(EvaluatorTest, ClosuresSeeLaterAssignments) {
  EXPECT_EQ(R("(define get ()) ((lambda (x) (set get (lambda () x)) (set x 5)) 1) (get)"), "5");
  EXPECT_EQ(R("(define put ()) (define peek ()) "
              "((lambda (x) (set put (lambda (v) (set x v))) (set peek (lambda () x))) 0) "
              "(put 42) (peek)"),
            "42");
}

TEST_F(EvaluatorTest, NestedClosuresReachOuterFrames) {
  EXPECT_EQ(R("((((lambda (a) (lambda (b) (lambda (c) (cons a (cons b (cons c ())))))) 1) 2) 3)"),
            "(1 2 3)");
}

TEST_F(EvaluatorTest, LetSharesTheEnclosingFrame) {
  // §5.6 / §12: closures made in a while loop over (let ((j i)) ...) return (2 2 2).
  EXPECT_EQ(R("(define fs ()) (define run (lambda () (let ((i 0)) (while (< i 3) "
              "(let ((j i)) (set fs (cons (lambda () j) fs))) (set i (+ i 1)))))) (run) "
              "(cons ((car fs)) (cons ((car (cdr fs))) (cons ((car (cdr (cdr fs)))) ())))"),
            "(2 2 2)");
}

TEST_F(EvaluatorTest, LetFrameSharingWithThePrelude) {
  Session s(/*prelude=*/true);
  EXPECT_EQ(s.Run("(let ((fs ()) (i 0)) (while (< i 3) (let ((j i)) "
                  "(set fs (cons (lambda () j) fs))) (set i (+ i 1))) "
                  "(map (lambda (f) (f)) fs))"),
            "(2 2 2)");
}

TEST_F(EvaluatorTest, EachCallGetsFreshSlots) {
  EXPECT_EQ(R("(define mk (lambda (i) (let ((j i)) (lambda () j)))) "
              "(define a (mk 1)) (define b (mk 2)) (cons (a) (b))"),
            "(1 . 2)");
}

TEST_F(EvaluatorTest, SiblingLetsGetDistinctSlots) {
  EXPECT_EQ(R("((lambda () (let ((a 1)) (let ((b 2)) (let ((c 3)) (cons a (cons b c)))))))"),
            "(1 2 . 3)");
  EXPECT_EQ(R("(define g1 ()) (define g2 ()) "
              "((lambda () (let ((a 1)) (set g1 (lambda () a))) (let ((b 2)) "
              "(set g2 (lambda () b))))) (cons (g1) (g2))"),
            "(1 . 2)");
}

TEST_F(EvaluatorTest, ManyLocals) {
  // More locals than a small fixed frame.
  std::string params, args, sum = "0";
  for (int i = 0; i < 40; ++i) {
    params += " p" + std::to_string(i);
    args += " " + std::to_string(i);
    sum = "(+ " + sum + " p" + std::to_string(i) + ")";
  }
  EXPECT_EQ(R("((lambda (" + params + ") (let ((q 1000)) (+ q " + sum + ")))" + args + ")"),
            "1780");
}

TEST_F(EvaluatorTest, RecursionAndMutualRecursion) {
  EXPECT_EQ(R("(define fact (lambda (n) (if (< n 2) 1 (* n (fact (- n 1)))))) (fact 20)"),
            "2432902008176640000");
  EXPECT_EQ(R("(define ev? ()) (define od? (lambda (n) (if (= n 0) () (ev? (- n 1))))) "
              "(set ev? (lambda (n) (if (= n 0) 't (od? (- n 1))))) (ev? 100)"),
            "t");
}

TEST_F(EvaluatorTest, ClosuresAndLocalsAfterMaterialisation) {
  EXPECT_EQ(R("((lambda (x) (let ((f (lambda () x))) (set x 2) (f))) 1)"), "2");
  EXPECT_EQ(R("((lambda (a) (let ((f (lambda () a))) (let ((b 10)) (set a (+ a b)) (f)))) 1)"),
            "11");
  std::string params, args;
  for (int i = 0; i < 30; ++i) {
    params += " p" + std::to_string(i);
    args += " " + std::to_string(i);
  }
  EXPECT_EQ(R("((lambda (" + params + ") (let ((f (lambda () (cons p0 p29)))) (set p29 99) "
              "(set p0 -1) (f)))" + args + ")"),
            "(-1 . 99)");
}

TEST_F(EvaluatorTest, ClosuresOverTopLevelLetVariables) {
  EXPECT_EQ(R("(let ((x 1)) (define getx (lambda () x)) (define setx (lambda (v) (set x v))))"),
            "Expr.setx=(v)");
  EXPECT_EQ(R("(getx)"), "1");
  EXPECT_EQ(R("(setx 5) (getx)"), "5");
}

// ---- Variables are found by name (§4.3) -----------------------------------------------------

TEST_F(EvaluatorTest, RenamedGlobalIsFoundByItsNewName) {
  // §4.3: the core finds a Variable by its name slot in an Env (written with set-oop-at).
  EXPECT_EQ(R("(define old-name 5) (set-oop-at (defined? 'old-name) 0 'new-name)"), "new-name");
  EXPECT_EQ(R("new-name"), "5");
  EXPECT_EQ(R("(defined? 'new-name)"), "new-name");
  EXPECT_EQ(R("old-name"), "ERROR: undefined variable: old-name");
}

TEST_F(EvaluatorTest, ReplacedBindingIsFound) {
  // A Variable stored into the global Env's bindings Array (as the prelude's
  // environment-define does) replaces the one at that index.
  EXPECT_EQ(R("(define rb 1) (define v (allocate 13 5)) (set-oop-at v 0 'rb) (set-oop-at v 1 2) "
              "(set-oop-at v 2 *globals*) (set-oop-at v 3 (oop-at (defined? 'rb) 3)) "
              "(set-array-at (oop-at *globals* 3) (oop-at (defined? 'rb) 3) v) 0"),
            "0");
  EXPECT_EQ(R("rb"), "2");
  EXPECT_EQ(R("(= (defined? 'rb) v)"), "t");
}

TEST_F(EvaluatorTest, AppendedAllocatedVariableIsFound) {
  // §4.3: a Variable made by (allocate 13 5), appended to an Env (here the global one).
  EXPECT_EQ(R("(define v (allocate 13 5)) (set-oop-at v 0 'appended) (set-oop-at v 1 77) "
              "(set-oop-at v 2 *globals*) (set-oop-at v 3 (oop-at *globals* 2)) "
              "(set-array-at (oop-at *globals* 3) (oop-at *globals* 2) v) "
              "(set-oop-at *globals* 2 (+ 1 (oop-at *globals* 2))) 0"),
            "0");
  EXPECT_EQ(R("appended"), "77");
}

// ---- §5.6 late binding ----------------------------------------------------------------------

TEST_F(EvaluatorTest, GlobalsAreLateBound) {
  EXPECT_EQ(R("(define g (lambda () 1)) (define h (lambda () (g))) (h)"), "1");
  EXPECT_EQ(R("(define g (lambda () 2)) (h)"), "2");
  EXPECT_EQ(R("(set g (lambda () 3)) (h)"), "3");
  EXPECT_EQ(R("(set-oop-at (defined? 'g) 1 (lambda () 4)) (h)"), "4");
}

TEST_F(EvaluatorTest, ForwardReferencesNeedAPriorDefine) {
  EXPECT_EQ(R("(define h2 (lambda () (g2)))"), "ERROR: undefined variable: g2");
  EXPECT_EQ(R("(define g2) (define h2 (lambda () (g2))) (define g2 (lambda () 7)) (h2)"), "7");
}

TEST_F(EvaluatorTest, FormsAndFixedsAreReplacedAtEncodeTime) {
  // §5.6 exception: a global whose value was a Form or Fixed when a reference was encoded.
  EXPECT_EQ(R("(define my-if if) (my-if 1 2 3)"), "2");  // §6: alias of a special form
  EXPECT_EQ(R("(my-if () 2 3)"), "3");
  EXPECT_EQ(R("(define my-lambda lambda) ((my-lambda (x) (+ x 1)) 5)"), "6");
  EXPECT_EQ(R("(define my-quote quote) (my-quote (a b))"), "(a b)");
}

TEST_F(EvaluatorTest, FixedReachingHeadPositionAtRunTime) {
  // §6: applied to the unevaluated (encoded) operands; quote/if/and/or/while still work.
  EXPECT_EQ(R("((lambda (f) (f () 1 2)) if)"), "2");
  EXPECT_EQ(R("((lambda (q) (q (car 1))) quote)"), "(car 1)");
  EXPECT_EQ(R("((lambda (f) (f 1 () 3)) and)"), "()");
}

TEST_F(EvaluatorTest, Namespaces) {
  // §5.6 / §4.3: *globals* set to another level-0 Env changes where names are defined and found.
  EXPECT_EQ(R("(define orig *globals*) (define e (allocate 14 5)) (set-oop-at e 0 orig) "
              "(set-oop-at e 1 0) (set-oop-at e 2 0) (set-oop-at e 3 (array)) (set *globals* e) 1"),
            "1");
  EXPECT_EQ(R("(define ns-var 5)"), "5");
  EXPECT_EQ(R("(+ ns-var 1)"), "6");  // parent fallback for +
  EXPECT_EQ(R("(defined? 'ns-var orig)"), "()");
  EXPECT_EQ(R("(define car 'shadowed) car"), "shadowed");
  EXPECT_EQ(R("(set *globals* orig)"), "<globals>");
  EXPECT_EQ(R("ns-var"), "ERROR: undefined variable: ns-var");
  EXPECT_EQ(R("(car '(1))"), "1");
}

TEST_F(EvaluatorTest, EvaluationOrderIsLeftToRight) {
  EXPECT_EQ(R("(define log ()) (define note (lambda (x) (set log (cons x log)) x)) "
              "(+ (note 1) (note 2)) log"),
            "(2 1)");
  EXPECT_EQ(R("(set log ()) ((note car) (note '(9))) log"), "((9) car)");
}

// ---- §5.2 expansion -------------------------------------------------------------------------

TEST_F(EvaluatorTest, MacrosExpandAndReexpand) {
  EXPECT_EQ(R("(define add (form (lambda (env a b) (cons '+ (cons a (cons b ()))))))"),
            "Form(Expr.add=(env a b), ())");
  EXPECT_EQ(R("(add 1 (add 2 3))"), "6");
  EXPECT_EQ(R("(define add2 (form (lambda (env a) (cons 'add (cons a (cons 2 ())))))) (add2 5)"),
            "7");
}

TEST_F(EvaluatorTest, MacroReceivesUnexpandedOperands) {
  EXPECT_EQ(R("(define qt (form (lambda (env x) (cons 'quote (cons x ()))))) (qt (add 1 2))"),
            "(add 1 2)");
  EXPECT_EQ(R("(define add (form (lambda (env a b) (cons '+ (cons a (cons b ()))))))"),
            "Form(Expr.add=(env a b), ())");
  EXPECT_EQ(R("(qt (add 1 2))"), "(add 1 2)");
}

TEST_F(EvaluatorTest, SymbolMacros) {
  EXPECT_EQ(R("(define answer (form () (lambda (env s) 42))) answer"), "42");
  EXPECT_EQ(R("(+ answer 1)"), "43");
}

TEST_F(EvaluatorTest, HeadIsExpandedFirst) {
  // §5.2: the head is expanded first; a symbol macro in head position yields 42, which is not
  // a symbol, so the form becomes (42 1).
  EXPECT_EQ(R("(define sm (form () (lambda (env s) 42)))"), "Form((), Expr=(env s))");
  EXPECT_EQ(R("(sm 1)"), "ERROR: cannot apply: 42");
  EXPECT_EQ(R("(expand '(sm 1))"), "(42 1)");
}

TEST_F(EvaluatorTest, MacroDefinedInsideAFormIsNotAvailableInIt) {
  // §5.1: the whole form is expanded before any of it runs.
  EXPECT_THAT(R("(let () (define m2 (form (lambda (env) 42))) (m2))"),
              StartsWith("ERROR: cannot apply: Form("));
  EXPECT_EQ(R("(m2)"), "42");
}

TEST_F(EvaluatorTest, ExpansionIgnoresLambdaParameters) {
  // §5.2: a parameter named like a macro does not shadow it.
  EXPECT_EQ(R("(define seven (form (lambda (env) 7)))"), "Form(Expr.seven=(env), ())");
  EXPECT_EQ(R("((lambda (x seven) (seven)) 1 (lambda () 1))"), "7");
  // A parameter list that is itself a macro call is expanded (here to 7, not a parameter list).
  EXPECT_THAT(R("((lambda (seven) 1) 2)"), StartsWith("ERROR: "));
}

TEST_F(EvaluatorTest, GeneralisedSet) {
  EXPECT_EQ(R("(define p (cons 1 2)) (set (car p) 5) p"), "(5 . 2)");
  EXPECT_EQ(R("(set (cdr p) 6) p"), "(5 . 6)");
  EXPECT_EQ(R("(define a (array 2)) (set (array-at a 1) 'x) a"), "Array<2>(() x)");
  EXPECT_EQ(R("(set (foo 1) 2)"), "ERROR: undefined variable: set-foo");
  EXPECT_EQ(R("(define set-foo (lambda (a b) (+ a b))) (set (foo 1) 2)"), "3");
  EXPECT_EQ(R("(expand '(set (oop-at x 0) v))"), "(set-oop-at x 0 v)");
}

TEST_F(EvaluatorTest, GeneralisedSetRewritesAfterInnerExpansion) {
  EXPECT_EQ(R("(define head (form (lambda (env x) (cons 'car (cons x ())))))"),
            "Form(Expr.head=(env x), ())");
  EXPECT_EQ(R("(expand '(set (head q) 1))"), "(set-car q 1)");
  EXPECT_EQ(R("(define p (cons 1 2)) (set (head p) 9) p"), "(9 . 2)");
}

// ---- §5.4 / §5.5 hooks ----------------------------------------------------------------------

TEST_F(EvaluatorTest, ApplicatorsHook) {
  EXPECT_EQ(R("(5 1)"), "ERROR: cannot apply: 5");
  EXPECT_EQ(R("(set *applicators* (array)) "
              "(set-array-at *applicators* 2 (lambda (f . args) (cons 'applied (cons f args))))"),
            "Expr=(f . args)");
  EXPECT_EQ(R("(5 1 2)"), "(applied 5 1 2)");
  EXPECT_EQ(R("(apply 6 '(7))"), "(applied 6 7)");
  EXPECT_EQ(R("(\"s\" 1)"), "ERROR: cannot apply: \"s\"");
}

TEST_F(EvaluatorTest, ApplicatorForForms) {
  // §5.4: a Form is applicable at run time only with an applicator for type 10.
  EXPECT_EQ(R("(define fm (form (lambda (env) 1))) (apply fm '(1))"),
            "ERROR: cannot apply: Form(Expr.fm=(env), ())");
  EXPECT_EQ(R("(set *applicators* (array)) (set-array-at *applicators* 10 (lambda (f . a) a)) "
              "(apply fm '(1 2))"),
            "(1 2)");
}

TEST_F(EvaluatorTest, EvaluatorsHook) {
  // §5.4: other values evaluate to themselves unless *evaluators* has an entry for their type.
  EXPECT_EQ(R("(array-length (eval (array 3)))"), "3");
  EXPECT_EQ(R("(set *evaluators* (array)) "
              "(set-array-at *evaluators* 8 (lambda (a) (cons 'evaluated (array-length a))))"),
            "Expr=(a)");
  EXPECT_EQ(R("(eval (array 3))"), "(evaluated . 3)");
  // Longs, Strings, nil evaluate to themselves regardless of hooks.
  EXPECT_EQ(R("(set-array-at *evaluators* 2 (lambda (n) 'hooked)) (eval 5)"), "5");
}

TEST_F(EvaluatorTest, ExpandersHook) {
  // §5.2: an atom whose type has an expander is replaced by its result (not re-expanded).
  EXPECT_EQ(R("(set *expanders* (array)) (set-array-at *expanders* 3 (lambda (d) 99))"),
            "Expr=(d)");
  EXPECT_EQ(R("(cons 1.5 2)"), "(99 . 2)");
  EXPECT_EQ(R("(set *expanders* ()) 1.5"), "1.500000");
}

TEST_F(EvaluatorTest, EncodersHook) {
  EXPECT_EQ(R("(set *encoders* (array)) "
              "(set-array-at *encoders* 4 (lambda (s env) (string-length s)))"),
            "Expr=(s env)");
  EXPECT_EQ(R("(+ \"abc\" 1)"), "4");
  EXPECT_EQ(R("(set *encoders* ()) \"abc\""), "\"abc\"");
}

// ---- §5.3 encoded shape ---------------------------------------------------------------------

TEST_F(EvaluatorTest, EncodedShapes) {
  EXPECT_EQ(R("(encode '(let ((a 1 2) (b)) a) *globals*)"), "(Fixed<let> ((a 1 2) (b)) a)");
  EXPECT_EQ(R("(encode '(set car 1) *globals*)"), "(Fixed<set> car 1)");
  EXPECT_EQ(R("(encode '(quote (x y)) *globals*)"), "(Fixed<quote> (x y))");
  EXPECT_EQ(R("(encode '(lambda (a . r) r) *globals*)"), "(Fixed<lambda> (a . r) r)");
  EXPECT_EQ(R("(encode '(lambda r r) *globals*)"), "(Fixed<lambda> r r)");
  EXPECT_EQ(R("(type-of (car (cdr (encode '(lambda (x) x) *globals*))))"), "14");
}

TEST_F(EvaluatorTest, ExprDefinitionIsTheEncodedForm) {
  // §4.1: defn is (env params . body), params are Variables.
  EXPECT_EQ(R("(define f (lambda (a b) (+ a b))) (type-of (car (oop-at f 1)))"), "14");
  EXPECT_EQ(R("(cdr (oop-at f 1))"), "((a b) (+ a b))");
  EXPECT_EQ(R("(type-of (car (car (cdr (oop-at f 1)))))"), "13");
  EXPECT_EQ(R("(oop-at (car (oop-at f 1)) 2)"), "2");  // Env offset: two slots
}

// ---- §4.3 non-moving heap and collection ---------------------------------------------------

TEST_F(EvaluatorTest, ObjectsSurviveCollectionAndDoNotMove) {
  EXPECT_EQ(R("(define p (cons 1 2)) (define addr (address-of p)) "
              "(define mk (lambda (n) (let ((s (long->string n))) (lambda () s)))) "
              "(define keep (array)) (define i 0) "
              "(while (< i 2000) (set-array-at keep i (mk i)) (set i (+ i 1))) i"),
            "2000");
  // Churn: lots of garbage.
  EXPECT_EQ(R("(set i 0) (while (< i 200000) (cons i (array 3)) (set i (+ i 1))) i"), "200000");
  GC_gcollect();
  EXPECT_EQ(R("(= addr (address-of p))"), "t");
  EXPECT_EQ(R("p"), "(1 . 2)");
  EXPECT_EQ(R("(cons ((array-at keep 0)) ((array-at keep 1999)))"), "(\"0\" . \"1999\")");
  EXPECT_EQ(R("(set i 0) (define ok 't) (while (< i 2000) "
              "(if (!= ((array-at keep i)) (long->string i)) (set ok ())) (set i (+ i 1))) ok"),
            "t");
}

// ---- C++ API --------------------------------------------------------------------------------

TEST_F(EvaluatorTest, ApplyFromCpp) {
  Oop f = s_.Eval("(lambda (a b) (cons b a))");
  ASSERT_NE(f, kErrorOop);
  Oop args[2] = {MakeFixnum(1), MakeFixnum(2)};
  Oop r = Apply(s_.vm(), f, args, 2, nullptr);
  ASSERT_NE(r, kErrorOop);
  EXPECT_EQ(s_.Dump(r), "(2 . 1)");
  Oop r2 = Apply(s_.vm(), f, args, 1, nullptr);
  EXPECT_EQ(r2, kErrorOop);
  EXPECT_EQ(s_.vm().TakeError().message, "too few arguments applying Expr=(a b) to (1)");
}

}  // namespace
}  // namespace maru
