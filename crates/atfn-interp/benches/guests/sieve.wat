;; Sieve of Eratosthenes over 1,000,000 byte flags, repeated 4 times: byte loads/stores
;; and tight loops. `run` returns the number of primes below 10^6 (78498) times 4.
(module
  (memory 16)
  (func $sieve (result i32)
    (local $i i32) (local $j i32) (local $count i32)
    (memory.fill (i32.const 0) (i32.const 0) (i32.const 1000000))
    (local.set $i (i32.const 2))
    (loop $outer
      (if (i32.eqz (i32.load8_u (local.get $i)))
        (then
          (local.set $count (i32.add (local.get $count) (i32.const 1)))
          (local.set $j (i32.mul (local.get $i) (local.get $i)))
          (block $done
            (br_if $done (i32.ge_u (local.get $j) (i32.const 1000000)))
            (loop $inner
              (i32.store8 (local.get $j) (i32.const 1))
              (local.set $j (i32.add (local.get $j) (local.get $i)))
              (br_if $inner (i32.lt_u (local.get $j) (i32.const 1000000)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (i32.const 1000000))))
    (local.get $count))
  (func (export "run") (result i64)
    (local $r i32) (local $sum i64)
    (loop $rep
      (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (call $sieve))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $rep (i32.lt_u (local.get $r) (i32.const 4))))
    (local.get $sum)))
