;;; strings -- string building; same as benchmarks/programs/strings.l: records made by
;;; string-append, appended to a growable buffer (capacity doubles, characters copied one by
;;; one), then a polynomial hash over the characters.

(define (argument default)
  (let ((args (cdr (command-line))))
    (if (pair? args) (string->number (car args)) default)))

(define (print-line . items) (for-each display items) (newline))

(define n (argument 200000))

(define buf (make-string 16))
(define len 0)

(define (buf-append! s)
  (let ((k (string-length s)))
    (if (> (+ len k) (string-length buf))
        (let grow ((cap (* 2 (string-length buf))))
          (if (> (+ len k) cap)
              (grow (* 2 cap))
              (let ((bigger (make-string cap)))
                (do ((i 0 (+ i 1))) ((= i len)) (string-set! bigger i (string-ref buf i)))
                (set! buf bigger)))))
    (do ((i 0 (+ i 1))) ((= i k)) (string-set! buf (+ len i) (string-ref s i)))
    (set! len (+ len k))))

(define (hash-string s)
  (let ((n (string-length s)))
    (let loop ((i 0) (h 0))
      (if (< i n)
          (loop (+ i 1) (remainder (+ (* h 31) (char->integer (string-ref s i))) 1000000007))
          h))))

(do ((i 0 (+ i 1))) ((= i n))
  (buf-append! (string-append "k" (number->string i) "=" (number->string (remainder (* i i) 9973)) ";")))

(let ((result (substring buf 0 len)))
  (print-line "strings " n ": length " (string-length result) " hash " (hash-string result)))
