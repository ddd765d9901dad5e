;; wasmsharp run --invoke fac examples/fac.wat 20
(module $fac
  (func $fac (export "fac") (param $n i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 1))
      (else (i64.mul (local.get $n) (call $fac (i64.sub (local.get $n) (i64.const 1)))))))
  (func (export "add") (param f64 f64) (result f64)
    (f64.add (local.get 0) (local.get 1))))
