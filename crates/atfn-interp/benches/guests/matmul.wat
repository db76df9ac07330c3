;; f64 matrix multiply C = A x B of 128x128 matrices (row-major at 0, 131072, 262144),
;; A[i][j] = i + j, B[i][j] = i - j. `run` returns the bits of the sum of C's entries.
(module
  (memory 6)
  (func (export "run") (result i64)
    (local $i i32) (local $j i32) (local $k i32) (local $acc f64) (local $sum f64)
    ;; Fill A and B.
    (loop $fi
      (local.set $j (i32.const 0))
      (loop $fj
        (f64.store (i32.shl (i32.add (i32.shl (local.get $i) (i32.const 7)) (local.get $j)) (i32.const 3))
          (f64.convert_i32_s (i32.add (local.get $i) (local.get $j))))
        (f64.store offset=131072
          (i32.shl (i32.add (i32.shl (local.get $i) (i32.const 7)) (local.get $j)) (i32.const 3))
          (f64.convert_i32_s (i32.sub (local.get $i) (local.get $j))))
        (br_if $fj (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 128))))
      (br_if $fi (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 128))))
    ;; Multiply.
    (local.set $i (i32.const 0))
    (loop $mi
      (local.set $j (i32.const 0))
      (loop $mj
        (local.set $acc (f64.const 0))
        (local.set $k (i32.const 0))
        (loop $mk
          (local.set $acc (f64.add (local.get $acc)
            (f64.mul
              (f64.load (i32.shl (i32.add (i32.shl (local.get $i) (i32.const 7)) (local.get $k)) (i32.const 3)))
              (f64.load offset=131072
                (i32.shl (i32.add (i32.shl (local.get $k) (i32.const 7)) (local.get $j)) (i32.const 3))))))
          (br_if $mk (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (i32.const 128))))
        (f64.store offset=262144
          (i32.shl (i32.add (i32.shl (local.get $i) (i32.const 7)) (local.get $j)) (i32.const 3))
          (local.get $acc))
        (local.set $sum (f64.add (local.get $sum) (local.get $acc)))
        (br_if $mj (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 128))))
      (br_if $mi (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 128))))
    (i64.reinterpret_f64 (local.get $sum))))
