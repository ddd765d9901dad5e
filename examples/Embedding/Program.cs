using WasmSharp.Runtime;

// One engine per configuration, shared by every module and store (it is thread-safe).
var engine = new Engine();

// Parsed, validated and compiled to CIL; Module.FromBytes and Module.FromFile take binaries.
var module = Module.FromText(engine, """
    (module
      (import "host" "log" (func $log (param i32)))
      (func (export "add") (param i32 i32) (result i32)
        (call $log (local.get 0))
        (i32.add (local.get 0) (local.get 1)))
      (func (export "div") (param i32 i32) (result i32)
        (i32.div_s (local.get 0) (local.get 1))))
    """);

// Imports are resolved by name; a host function is any delegate over Wasm types.
var linker = new Linker(engine);
linker.DefineFunction("host", "log", (int value) => Console.WriteLine($"log: {value}"));

// A store holds the state of instances (memories, tables, globals); one thread uses it at a time.
using var store = new Store(engine);
var instance = linker.Instantiate(store, module);

// A typed delegate calls the compiled code directly: no boxing, no argument arrays.
var add = instance.GetFunction<int, int, int>("add");
Console.WriteLine($"2 + 3 = {add(2, 3)}");

// Traps are exceptions, with the spec's message and a Wasm backtrace.
try
{
    instance.GetFunction<int, int, int>("div")(1, 0);
}
catch (TrapException trap)
{
    Console.WriteLine($"trap: {trap.Reason}");
}
