;;; triangl -- triangle solitaire search from (22 1); same as benchmarks/programs/triangl.l.

(define (argument default)
  (let ((args (cdr (command-line))))
    (if (pair? args) (string->number (car args)) default)))

(define (print-line . items) (for-each display items) (newline))

(define reps (argument 5))

(define *board* (list->vector '(1 1 1 1 1 0 1 1 1 1 1 1 1 1 1 1)))
(define *sequence* (list->vector '(0 0 0 0 0 0 0 0 0 0 0 0 0 0)))
(define *a* (list->vector '(1 2 4 3 5 6 1 3 6 2 5 4 11 12 13 7 8 4 4 7 11 8 12 13 6 10
                            15 9 14 13 13 14 15 9 10 6 6)))
(define *b* (list->vector '(2 4 7 5 8 9 3 6 10 5 9 8 12 13 14 8 9 5 2 4 7 5 8 9 3 6 10
                            5 9 8 12 13 14 8 9 5 5)))
(define *c* (list->vector '(4 7 11 8 12 13 6 10 15 9 14 13 13 14 15 9 10 6 1 2 4 3 5 6 1
                            3 6 2 5 4 11 12 13 7 8 4 4)))
(define *answer* '())

(define (attempt i depth)
  (cond ((= depth 14)
         (set! *answer* (cons (cdr (vector->list *sequence*)) *answer*))
         #t)
        ((and (= 1 (vector-ref *board* (vector-ref *a* i)))
              (= 1 (vector-ref *board* (vector-ref *b* i)))
              (= 0 (vector-ref *board* (vector-ref *c* i))))
         (vector-set! *board* (vector-ref *a* i) 0)
         (vector-set! *board* (vector-ref *b* i) 0)
         (vector-set! *board* (vector-ref *c* i) 1)
         (vector-set! *sequence* depth i)
         (do ((j 0 (+ j 1))
              (d (+ depth 1)))
             ((or (= j 36) (attempt j d)) #f))
         (vector-set! *board* (vector-ref *a* i) 1)
         (vector-set! *board* (vector-ref *b* i) 1)
         (vector-set! *board* (vector-ref *c* i) 0)
         #f)
        (else #f)))

(define (test i depth)
  (set! *answer* '())
  (attempt i depth)
  (car *answer*))

(let loop ((r 0) (first '()))
  (if (< r reps)
      (loop (+ r 1) (test 22 1))
      (print-line "triangl 22 1 x" reps ": " (length *answer*) " first " first)))
