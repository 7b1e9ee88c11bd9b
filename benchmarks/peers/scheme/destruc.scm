;;; destruc -- destructive list operations on (600 50); same as benchmarks/programs/destruc.l
;;; (the head of each set-cdr! step is computed before its tail, as there).

(define (argument default)
  (let ((args (cdr (command-line))))
    (if (pair? args) (string->number (car args)) default)))

(define (print-line . items) (for-each display items) (newline))

(define reps (argument 150))

;; a list of n ()s
(define (nils n)
  (do ((n n (- n 1))
       (a '() (cons '() a)))
      ((= n 0) a)))

(define (append-to-tail! x y)
  (if (null? x)
      y
      (let loop ((a x) (b (cdr x)))
        (if (null? b)
            (begin (set-cdr! a y) x)
            (loop b (cdr b))))))

;; stores i into the first half of list x; returns the cell after that half
(define (destruc-head x i)
  (do ((j (quotient (length x) 2) (- j 1))
       (a x (cdr a)))
      ((= j 0) a)
    (set-car! a i)))

;; cuts the list held by cell l1 after its first half (storing i there) and returns the rest
(define (destruc-tail l1 i)
  (let ((n (quotient (length (car l1)) 2)))
    (if (= n 0)
        (begin (set-car! l1 '()) (car l1))
        (do ((j n (- j 1))
             (a (car l1) (cdr a)))
            ((= j 1)
             (let ((rest (cdr a)))
               (set-cdr! a '())
               rest))
          (set-car! a i)))))

(define (destructive n m)
  (let ((l (nils 10)))
    (do ((i n (- i 1)))
        ((= i 0) l)
      (if (null? (car l))
          (do ((ll l (cdr ll)))
              ((null? ll))
            (if (null? (car ll)) (set-car! ll (cons '() '())))
            (append-to-tail! (car ll) (nils m)))
          (do ((l1 l (cdr l1))
               (l2 (cdr l) (cdr l2)))
              ((null? l2))
            (let* ((head (destruc-head (car l2) i))
                   (tail (destruc-tail l1 i)))
              (set-cdr! head tail)))))))

(define (sum-numbers l)
  (let loop ((l l) (sum 0))
    (cond ((null? l) sum)
          ((null? (car l)) (loop (cdr l) sum))
          (else (loop (cdr l) (+ sum (car l)))))))

(let loop ((r 0) (result '()))
  (if (< r reps)
      (loop (+ r 1) (destructive 600 50))
      (print-line "destruc 600 50 x" reps ": lengths " (map length result)
                  " sum " (apply + (map sum-numbers result)))))
