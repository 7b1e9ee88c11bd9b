;;; diviter -- divide by 2 using lists of ()s, iteratively; same as benchmarks/programs/diviter.l.

(define (argument default)
  (let ((args (cdr (command-line))))
    (if (pair? args) (string->number (car args)) default)))

(define (print-line . items) (for-each display items) (newline))

(define reps (argument 20000))

(define (create-n n)
  (do ((n n (- n 1))
       (a '() (cons '() a)))
      ((= n 0) a)))

(define (iterative-div2 l)
  (do ((l l (cddr l))
       (a '() (cons (car l) a)))
      ((null? l) a)))

(define ll (create-n 1000))

(let loop ((i 0) (result '()))
  (if (< i reps)
      (loop (+ i 1) (iterative-div2 ll))
      (print-line "diviter 1000 x" reps ": " (length result))))
