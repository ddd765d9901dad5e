;; The `bench` module of the sightglass protocol, for `wasmsharp run --preload bench=bench.wasm`:
;; a benchmark imports `bench.start` and `bench.end` (no parameters, no results) and calls them
;; around its measured region. Here both do nothing; scripts/run-sightglass-cli.sh builds this
;; file with `wasmsharp wat2wasm`.
(module
  (func (export "start"))
  (func (export "end")))
