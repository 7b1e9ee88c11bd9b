;;; deriv -- symbolic differentiation; same as benchmarks/programs/deriv.l.

(define (argument default)
  (let ((args (cdr (command-line))))
    (if (pair? args) (string->number (car args)) default)))

(define (print-line . items) (for-each display items) (newline))

(define reps (argument 100000))

(define (deriv a)
  (cond ((not (pair? a))
         (if (eq? a 'x) 1 0))
        ((eq? (car a) '+)
         (cons '+ (map deriv (cdr a))))
        ((eq? (car a) '-)
         (cons '- (map deriv (cdr a))))
        ((eq? (car a) '*)
         (list '* a (cons '+ (map (lambda (a) (list '/ (deriv a) a)) (cdr a)))))
        ((eq? (car a) '/)
         (list '-
               (list '/ (deriv (cadr a)) (caddr a))
               (list '/ (cadr a) (list '* (caddr a) (caddr a) (deriv (caddr a))))))
        (else
         (error 'deriv "no derivation method available" a))))

(define expr '(+ (* 3 x x) (* a x x) (* b x) 5))

(let loop ((i 0) (result '()))
  (if (< i reps)
      (loop (+ i 1) (deriv expr))
      (print-line "deriv x" reps ": " result)))
