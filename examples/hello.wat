;; A small module for trying the wasmsharp tool: it imports a host function, owns a memory
;; holding a greeting, and exports two functions.
;; Built with: wasmsharp wat2wasm --debug-names examples/hello.wat -o examples/hello.wasm
(module $hello
  (import "env" "print" (func $print (param $offset i32) (param $length i32)))

  (memory $memory (export "memory") 1)
  (data (i32.const 16) "Hello, WebAssembly!")

  ;; Returns a + b.
  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    i32.add)

  ;; Asks the host to print the greeting.
  (func $hello (export "hello")
    (call $print (i32.const 16) (i32.const 19))))
