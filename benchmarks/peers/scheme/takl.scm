;;; takl -- Takeuchi with lists as counters; same as benchmarks/programs/takl.l.

(define (argument default)
  (let ((args (cdr (command-line))))
    (if (pair? args) (string->number (car args)) default)))

(define (print-line . items) (for-each display items) (newline))

(define reps (argument 100))

(define (listn n)
  (if (= n 0)
      '()
      (cons n (listn (- n 1)))))

(define l18 (listn 18))
(define l12 (listn 12))
(define l6 (listn 6))

;; true when list x is shorter than list y
(define (shorterp x y)
  (and (not (null? y))
       (or (null? x)
           (shorterp (cdr x) (cdr y)))))

(define (mas x y z)
  (if (not (shorterp y x))
      z
      (mas (mas (cdr x) y z)
           (mas (cdr y) z x)
           (mas (cdr z) x y))))

(let loop ((i 0) (sum 0))
  (if (< i reps)
      (loop (+ i 1) (+ sum (length (mas l18 l12 l6))))
      (print-line "takl 18 12 6 x" reps ": " sum)))
