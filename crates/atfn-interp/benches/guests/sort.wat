;; Heapsort of 1,000,000 pseudo-random i32 (LCG) in place, then a sortedness check.
;; `run` returns the sum of a[k * 1000] for k < 1000 if sorted, -1 otherwise.
(module
  (memory 62)
  (global $n i32 (i32.const 1000000))
  (func $sift (param $root i32) (param $end i32)
    (local $child i32) (local $v i32) (local $c i32)
    (local.set $v (i32.load (i32.shl (local.get $root) (i32.const 2))))
    (block $done
      (loop $down
        (local.set $child (i32.add (i32.shl (local.get $root) (i32.const 1)) (i32.const 1)))
        (br_if $done (i32.ge_s (local.get $child) (local.get $end)))
        (local.set $c (i32.load (i32.shl (local.get $child) (i32.const 2))))
        (if (i32.lt_s (i32.add (local.get $child) (i32.const 1)) (local.get $end))
          (then
            (if (i32.gt_s (i32.load offset=4 (i32.shl (local.get $child) (i32.const 2))) (local.get $c))
              (then
                (local.set $child (i32.add (local.get $child) (i32.const 1)))
                (local.set $c (i32.load (i32.shl (local.get $child) (i32.const 2))))))))
        (br_if $done (i32.ge_s (local.get $v) (local.get $c)))
        (i32.store (i32.shl (local.get $root) (i32.const 2)) (local.get $c))
        (local.set $root (local.get $child))
        (br $down)))
    (i32.store (i32.shl (local.get $root) (i32.const 2)) (local.get $v)))
  (func (export "run") (result i64)
    (local $i i32) (local $x i32) (local $t i32) (local $sum i64)
    (local.set $x (i32.const 12345))
    (loop $fill
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (i32.shr_u (local.get $x) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (global.get $n))))
    (local.set $i (i32.div_u (global.get $n) (i32.const 2)))
    (loop $heapify
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (call $sift (local.get $i) (global.get $n))
      (br_if $heapify (i32.gt_s (local.get $i) (i32.const 0))))
    (local.set $i (i32.sub (global.get $n) (i32.const 1)))
    (loop $extract
      (local.set $t (i32.load (i32.const 0)))
      (i32.store (i32.const 0) (i32.load (i32.shl (local.get $i) (i32.const 2))))
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $t))
      (call $sift (i32.const 0) (local.get $i))
      (br_if $extract (i32.gt_s (local.tee $i (i32.sub (local.get $i) (i32.const 1))) (i32.const 0))))
    (local.set $i (i32.const 1))
    (loop $check
      (if (i32.gt_s (i32.load (i32.shl (i32.sub (local.get $i) (i32.const 1)) (i32.const 2))) (i32.load (i32.shl (local.get $i) (i32.const 2))))
        (then (return (i64.const -1))))
      (br_if $check (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (global.get $n))))
    (local.set $i (i32.const 0))
    (loop $sum
      (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (i32.load (i32.mul (local.get $i) (i32.const 4000))))))
      (br_if $sum (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 1000))))
    (local.get $sum)))
