using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace WasmSharp.Benchmarks.Calls;

/// <summary>
/// The cost of crossing between C# and Wasm, both directions, WasmSharp beside Wasmtime: C# calling an
/// exported <c>(i32, i32) -&gt; i32</c> through a typed delegate, and Wasm calling a C# host function of
/// that type from a loop (reported per call; the loop's own cost is one add and one branch a call).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CallOverheadBenchmarks
{
    private const int HostCallsPerInvoke = 1000;

    private const string Wat = """
        (module
          (import "host" "add" (func $host_add (param i32 i32) (result i32)))
          (func (export "add") (param i32 i32) (result i32)
            (i32.add (local.get 0) (local.get 1)))
          ;; Calls host.add n times, threading the result through so nothing can be hoisted.
          (func (export "call_host") (param $n i32) (result i32)
            (local $acc i32)
            (block $done
              (br_if $done (i32.eqz (local.get $n)))
              (loop $again
                (local.set $acc (call $host_add (local.get $acc) (local.get $n)))
                (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
            (local.get $acc)))
        """;

    private WasmSharp.Runtime.Store? _wsStore;
    private Func<int, int, int> _wsAdd = (_, _) => 0;
    private Func<int, int> _wsCallHost = _ => 0;

    private Wasmtime.Engine? _wtEngine;
    private Wasmtime.Store? _wtStore;
    private Wasmtime.Linker? _wtLinker;
    private Wasmtime.Module? _wtModule;
    private Func<int, int, int> _wtAdd = (_, _) => 0;
    private Func<int, int> _wtCallHost = _ => 0;

    private int _x = 1;

    [GlobalSetup]
    public void Setup()
    {
        var engine = new WasmSharp.Runtime.Engine();
        var module = WasmSharp.Runtime.Module.FromText(engine, Wat);
        var linker = new WasmSharp.Runtime.Linker(engine);
        linker.DefineFunction<int, int, int>("host", "add", (a, b) => a + b);
        _wsStore = new WasmSharp.Runtime.Store(engine);
        var instance = linker.Instantiate(_wsStore, module);
        _wsAdd = instance.GetFunction<int, int, int>("add");
        _wsCallHost = instance.GetFunction<int, int>("call_host");

        _wtEngine = new Wasmtime.Engine();
        _wtModule = Wasmtime.Module.FromText(_wtEngine, "calls", Wat);
        _wtLinker = new Wasmtime.Linker(_wtEngine);
        _wtLinker.DefineFunction("host", "add", (int a, int b) => a + b);
        _wtStore = new Wasmtime.Store(_wtEngine);
        var wtInstance = _wtLinker.Instantiate(_wtStore, _wtModule);
        _wtAdd = wtInstance.GetFunction<int, int, int>("add") ?? throw new InvalidOperationException("no add export");
        _wtCallHost = wtInstance.GetFunction<int, int>("call_host") ?? throw new InvalidOperationException("no call_host export");

        // Both must compute the same thing, or the comparison means nothing.
        if (_wsAdd(2, 3) != 5 || _wtAdd(2, 3) != 5 || _wsCallHost(10) != _wtCallHost(10))
            throw new InvalidOperationException("WasmSharp and Wasmtime disagree on the call benchmark module.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _wsStore?.Dispose();
        _wtStore?.Dispose();
        _wtLinker?.Dispose();
        _wtModule?.Dispose();
        _wtEngine?.Dispose();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("C# calls Wasm export")]
    public int ExportCall_Wasmtime() => _wtAdd(_x, 7);

    [Benchmark, BenchmarkCategory("C# calls Wasm export")]
    public int ExportCall_WasmSharp() => _wsAdd(_x, 7);

    [Benchmark(Baseline = true, OperationsPerInvoke = HostCallsPerInvoke), BenchmarkCategory("Wasm calls C# host function")]
    public int HostCall_Wasmtime() => _wtCallHost(HostCallsPerInvoke + _x - 1);

    [Benchmark(OperationsPerInvoke = HostCallsPerInvoke), BenchmarkCategory("Wasm calls C# host function")]
    public int HostCall_WasmSharp() => _wsCallHost(HostCallsPerInvoke + _x - 1);
}
