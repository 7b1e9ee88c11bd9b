;;; fib -- doubly recursive Fibonacci; same algorithm and output as benchmarks/programs/fib.l.
;;; Generic arithmetic, no fixnum declarations.

(define (argument default)
  (let ((args (cdr (command-line))))
    (if (pair? args) (string->number (car args)) default)))

(define (print-line . items) (for-each display items) (newline))

(define n (argument 36))

(define (fib n)
  (if (< n 2)
      n
      (+ (fib (- n 1)) (fib (- n 2)))))

(print-line "fib " n ": " (fib n))
