// Runs one sightglass module under Node's WASI preview1 (node:wasi), as scripts/run-sightglass-cli.sh
// runs it under `wasmsharp run --preload bench=bench.wasm --dir .::. MODULE`:
//
//   node scripts/sightglass/node-run.mjs MODULE.wasm
//
// The current directory is preopened as "." ; argv[0] is the module's file name; the environment
// is empty; stdio is inherited; `bench.start` and `bench.end` are no-ops. The exit code is the
// guest's (proc_exit) or 0 when _start returns.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import process from "node:process";
import { WASI } from "node:wasi";

const path = process.argv[2];
if (!path) {
  console.error("usage: node node-run.mjs MODULE.wasm [ARGS...]");
  process.exit(2);
}

const wasi = new WASI({
  version: "preview1",
  args: [basename(path), ...process.argv.slice(3)],
  env: {},
  preopens: { ".": "." },
  returnOnExit: true,
});
const bench = { start() {}, end() {} };
const module = await WebAssembly.compile(await readFile(path));
const instance = await WebAssembly.instantiate(module, { ...wasi.getImportObject(), bench });
process.exitCode = wasi.start(instance);
