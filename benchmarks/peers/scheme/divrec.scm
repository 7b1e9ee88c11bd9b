;;; divrec -- divide by 2 using lists of ()s, recursively; same as benchmarks/programs/divrec.l.

(define (argument default)
  (let ((args (cdr (command-line))))
    (if (pair? args) (string->number (car args)) default)))

(define (print-line . items) (for-each display items) (newline))

(define reps (argument 20000))

(define (create-n n)
  (do ((n n (- n 1))
       (a '() (cons '() a)))
      ((= n 0) a)))

(define (recursive-div2 l)
  (if (null? l)
      '()
      (cons (car l) (recursive-div2 (cddr l)))))

(define ll (create-n 1000))

(let loop ((i 0) (result '()))
  (if (< i reps)
      (loop (+ i 1) (recursive-div2 ll))
      (print-line "divrec 1000 x" reps ": " (length result))))
