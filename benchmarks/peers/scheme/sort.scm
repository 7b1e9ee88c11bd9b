;;; sort -- quicksort (Hoare partition, middle pivot) of N minimal-standard pseudo-random
;;; numbers; same as benchmarks/programs/sort.l.

(define (argument default)
  (let ((args (cdr (command-line))))
    (if (pair? args) (string->number (car args)) default)))

(define (print-line . items) (for-each display items) (newline))

(define n (argument 500000))

(define seed 42)

(define (next-random)
  (set! seed (remainder (* seed 16807) 2147483647))
  seed)

(define (quicksort a lo hi)
  (if (< lo hi)
      (let ((p (vector-ref a (quotient (+ lo hi) 2))))
        (let partition ((i lo) (j hi))
          (if (<= i j)
              (let* ((i (let scan ((i i)) (if (< (vector-ref a i) p) (scan (+ i 1)) i)))
                     (j (let scan ((j j)) (if (> (vector-ref a j) p) (scan (- j 1)) j))))
                (if (<= i j)
                    (let ((tmp (vector-ref a i)))
                      (vector-set! a i (vector-ref a j))
                      (vector-set! a j tmp)
                      (partition (+ i 1) (- j 1)))
                    (partition i j)))
              (begin
                (quicksort a lo j)
                (quicksort a i hi)))))))

(let ((a (make-vector n)))
  (do ((i 0 (+ i 1))) ((= i n)) (vector-set! a i (next-random)))
  (quicksort a 0 (- n 1))
  (let loop ((i 0) (h 0) (ok 'ok))
    (if (< i n)
        (loop (+ i 1)
              (remainder (+ (* h 31) (vector-ref a i)) 1000000007)
              (if (and (> i 0) (< (vector-ref a i) (vector-ref a (- i 1)))) 'BAD ok))
        (print-line "sort " n ": first " (vector-ref a 0) " median " (vector-ref a (quotient n 2))
                    " last " (vector-ref a (- n 1)) " hash " h " " ok))))
