;;; closures -- closure-heavy pipelines; same as benchmarks/programs/closures.l.

(define (argument default)
  (let ((args (cdr (command-line))))
    (if (pair? args) (string->number (car args)) default)))

(define (print-line . items) (for-each display items) (newline))

(define n (argument 500000))

(define (make-adder k) (lambda (x) (+ x k)))
(define (make-scaler k) (lambda (x) (* x k)))
(define (compose f g) (lambda (x) (f (g x))))

(define (make-counter)
  (let ((c 0))
    (lambda ()
      (set! c (+ c 1))
      c)))

;; compose a list of functions, the first applied last
(define (compose-all fs)
  (if (pair? (cdr fs))
      (compose (car fs) (compose-all (cdr fs)))
      (car fs)))

(let ((counter (make-counter)))
  (let loop ((i 0) (acc 1))
    (if (< i n)
        (let ((f (compose-all (list (make-adder (counter))
                                    (make-scaler 3)
                                    (make-adder (remainder i 7))
                                    (lambda (x) (remainder x 1000003))))))
          (loop (+ i 1) (remainder (f acc) 1000003)))
        (print-line "closures " n ": acc " acc " counter " (counter)))))
