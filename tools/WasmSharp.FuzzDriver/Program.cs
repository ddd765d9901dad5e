using System.Globalization;
using WasmSharp;
using WasmSharp.Model;
using WasmSharp.Runtime;

// Runs modules the way binaryen's `wasm-opt --fuzz-exec` does, for scripts/fuzz-binaryen.py: the
// fuzzing-support.log-* imports print, and every exported function is called in export order with zero
// arguments on one instance, the hang-limit initializer first; i32/i64 results and traps are printed in
// binaryen's format. Float logs print as FLOAT (binaryen's float formatting is not reproduced).
// Usage: WasmSharp.FuzzDriver [--outlining-scale X] MODULE.wasm...
var scale = 1.0;
var paths = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--outlining-scale" && i + 1 < args.Length) scale = double.Parse(args[++i], CultureInfo.InvariantCulture);
    else paths.Add(args[i]);
}
var engine = new Engine(new EngineConfig { OutliningBudgetScale = scale });
foreach (var path in paths)
{
    Console.WriteLine($"== {path}");
    try
    {
        var module = WasmSharp.Runtime.Module.FromFile(engine, path);
        using var store = new Store(engine);
        var linker = new Linker(engine);
        linker.DefineFunction<int>("fuzzing-support", "log-i32", v => Console.WriteLine($"[LoggingExternalInterface logging {v}]"));
        // binaryen prints an i64 as its low and high halves.
        linker.DefineFunction<long>("fuzzing-support", "log-i64", v => Console.WriteLine($"[LoggingExternalInterface logging {(int)v} {(int)(v >> 32)}]"));
        linker.DefineFunction<float>("fuzzing-support", "log-f32", _ => Console.WriteLine("[LoggingExternalInterface logging FLOAT]"));
        linker.DefineFunction<double>("fuzzing-support", "log-f64", _ => Console.WriteLine("[LoggingExternalInterface logging FLOAT]"));
        var instance = linker.Instantiate(store, module);
        var hangLimitInitializer = instance.GetFunction("hangLimitInitializer");
        foreach (var (name, item) in instance.Exports)
        {
            if (item is not Function function) continue;
            Console.WriteLine($"[fuzz-exec] calling {name}");
            try
            {
                if (function != hangLimitInitializer) hangLimitInitializer?.Invoke();
                var results = function.Invoke(function.Type.Params.Select(Value.Default).ToArray());
                if (results.Length != 1) continue;
                if (results[0].Type.Code == ValType.I32Code) Console.WriteLine($"[fuzz-exec] note result: {name} => {results[0].AsI32()}");
                else if (results[0].Type.Code == ValType.I64Code) Console.WriteLine($"[fuzz-exec] note result: {name} => {results[0].AsI64()}");
            }
            catch (TrapException trap)
            {
                Console.WriteLine($"[trap {trap.Reason}]");
            }
            catch (ThrownException)
            {
                Console.WriteLine("[exception thrown]");
            }
        }
    }
    catch (WasmException e)
    {
        Console.WriteLine($"[load error {e.Message}]");
    }
}
