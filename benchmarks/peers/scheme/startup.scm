;;; startup -- start-up cost only; same as benchmarks/programs/startup.l.

(define (argument default)
  (let ((args (cdr (command-line))))
    (if (pair? args) (string->number (car args)) default)))

(define (print-line . items) (for-each display items) (newline))

(print-line "startup " (argument 0) ": ok")
