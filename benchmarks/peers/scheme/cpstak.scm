;;; cpstak -- continuation-passing Takeuchi; same as benchmarks/programs/cpstak.l.

(define (argument default)
  (let ((args (cdr (command-line))))
    (if (pair? args) (string->number (car args)) default)))

(define (print-line . items) (for-each display items) (newline))

(define reps (argument 30))

(define (cps-tak x y z k)
  (if (not (< y x))
      (k z)
      (cps-tak (- x 1) y z
               (lambda (v1)
                 (cps-tak (- y 1) z x
                          (lambda (v2)
                            (cps-tak (- z 1) x y
                                     (lambda (v3)
                                       (cps-tak v1 v2 v3 k)))))))))

(define (cpstak x y z)
  (cps-tak x y z (lambda (a) a)))

(let loop ((i 0) (sum 0))
  (if (< i reps)
      (loop (+ i 1) (+ sum (cpstak 18 12 6)))
      (print-line "cpstak 18 12 6 x" reps ": " sum)))
