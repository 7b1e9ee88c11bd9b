;;; nqueens -- number of n-queens solutions with lists and append; same as
;;; benchmarks/programs/nqueens.l.

(define (argument default)
  (let ((args (cdr (command-line))))
    (if (pair? args) (string->number (car args)) default)))

(define (print-line . items) (for-each display items) (newline))

(define n (argument 12))

(define (iota1 n)
  (let loop ((i n) (l '()))
    (if (= i 0) l (loop (- i 1) (cons i l)))))

(define (ok? row dist placed)
  (if (null? placed)
      #t
      (and (not (= (car placed) (+ row dist)))
           (not (= (car placed) (- row dist)))
           (ok? row (+ dist 1) (cdr placed)))))

(define (try-queens x y z)
  (if (null? x)
      (if (null? y) 1 0)
      (+ (if (ok? (car x) 1 z)
             (try-queens (append (cdr x) y) '() (cons (car x) z))
             0)
         (try-queens (cdr x) (cons (car x) y) z))))

(print-line "nqueens " n ": " (try-queens (iota1 n) '() '()))
