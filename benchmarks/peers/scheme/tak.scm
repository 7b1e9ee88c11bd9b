;;; tak -- the Takeuchi function on (18 12 6); same as benchmarks/programs/tak.l.

(define (argument default)
  (let ((args (cdr (command-line))))
    (if (pair? args) (string->number (car args)) default)))

(define (print-line . items) (for-each display items) (newline))

(define reps (argument 1000))

(define (tak x y z)
  (if (< y x)
      (tak (tak (- x 1) y z)
           (tak (- y 1) z x)
           (tak (- z 1) x y))
      z))

(let loop ((i 0) (sum 0))
  (if (< i reps)
      (loop (+ i 1) (+ sum (tak 18 12 6)))
      (print-line "tak 18 12 6 x" reps ": " sum)))
