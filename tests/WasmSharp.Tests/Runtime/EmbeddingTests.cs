using System.Runtime.Intrinsics;
using WasmSharp.Model;
using WasmSharp.Runtime;
using Global = WasmSharp.Runtime.Global;
using RuntimeModule = WasmSharp.Runtime.Module;

namespace WasmSharp.Tests.Runtime;

public class EmbeddingTests
{
    [Fact]
    public void UntypedHostFunctionAndUntypedInvoke()
    {
        var engine = new Engine();
        var linker = new Linker(engine);
        linker.DefineFunction("host", "swap", new FuncType([ValType.I64, ValType.F64], [ValType.F64, ValType.I64]),
            (caller, args, results) =>
            {
                results[0] = args[1];
                results[1] = Value.I64(args[0].AsI64() * 2);
            });
        using var store = new Store(engine);
        var instance = linker.Instantiate(store, RuntimeModule.FromText(engine, """
            (module
              (import "host" "swap" (func $swap (param i64 f64) (result f64 i64)))
              (func (export "run") (param i64 f64) (result f64 i64)
                (call $swap (local.get 0) (local.get 1))))
            """));
        var results = instance.GetFunction("run")!.Invoke(Value.I64(21), Value.F64(1.5));
        Assert.Equal(1.5, results[0].AsF64());
        Assert.Equal(42, results[1].AsI64());
        var typed = instance.GetDelegate<Func<long, double, (double, long)>>("run");
        Assert.Equal((2.5, 8L), typed(4, 2.5));
    }

    [Fact]
    public void HostFunctionWithCallerReadsTheCallersMemory()
    {
        var engine = new Engine();
        var linker = new Linker(engine);
        string? seen = null;
        linker.DefineFunction("env", "print", (Caller caller, int ptr, int len) =>
        {
            seen = caller.GetMemory("memory")!.ReadString((ulong)ptr, len);
        });
        using var store = new Store(engine);
        var instance = linker.Instantiate(store, RuntimeModule.FromText(engine, """
            (module
              (import "env" "print" (func $print (param i32 i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "hello, wasm")
              (func (export "main") (call $print (i32.const 16) (i32.const 11))))
            """));
        instance.GetAction("main")();
        Assert.Equal("hello, wasm", seen);
    }

    [Fact]
    public void HostExceptionCrossesWasmAsATrap()
    {
        var engine = new Engine();
        var linker = new Linker(engine);
        var original = new InvalidOperationException("boom");
        linker.DefineFunction("host", "fail", (Action)(() => throw original));
        using var store = new Store(engine);
        var instance = linker.Instantiate(store, RuntimeModule.FromText(engine, """
            (module
              (import "host" "fail" (func $fail))
              (func $inner (call $fail))
              (func (export "outer") (call $inner)))
            """));
        var trap = Assert.Throws<TrapException>(() => instance.GetAction("outer")());
        Assert.Equal(TrapCode.HostException, trap.Code);
        Assert.Same(original, trap.InnerException);
        Assert.Contains(trap.Backtrace, f => f.FunctionName == "inner");
    }

    [Fact]
    public void TrapBacktraceNamesFunctions()
    {
        var engine = new Engine();
        using var store = new Store(engine);
        var instance = new Linker(engine).Instantiate(store, RuntimeModule.FromText(engine, """
            (module
              (func $crash (unreachable))
              (func $middle (call $crash))
              (func (export "top") (call $middle)))
            """));
        var trap = Assert.Throws<TrapException>(() => instance.GetAction("top")());
        Assert.Equal("unreachable", trap.Reason);
        Assert.Equal(["crash", "middle"], trap.Backtrace.Take(2).Select(f => f.FunctionName));
        Assert.Equal(0, trap.Backtrace[0].FunctionIndex);
    }

    [Fact]
    public void FuelStopsAnInfiniteLoop()
    {
        var engine = new Engine(EngineConfig.Default with { ConsumeFuel = true });
        using var store = new Store(engine);
        var instance = new Linker(engine).Instantiate(store, RuntimeModule.FromText(engine, """
            (module
              (func (export "spin") (loop $l (br $l)))
              (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))
            """));
        store.Fuel = 10_000;
        var trap = Assert.Throws<TrapException>(() => instance.GetAction("spin")());
        Assert.Equal(TrapCode.OutOfFuel, trap.Code);
        Assert.Equal("all fuel consumed", trap.Reason);
        Assert.Equal(0UL, store.Fuel);
        store.Fuel = 100;
        Assert.Equal(2, instance.GetFunction<int, int>("inc")(1));
        Assert.True(store.Fuel < 100);
    }

    [Fact]
    public void EpochInterruptsFromAnotherThread()
    {
        var engine = new Engine(EngineConfig.Default with { EpochInterruption = true });
        using var store = new Store(engine);
        var instance = new Linker(engine).Instantiate(store, RuntimeModule.FromText(engine, """
            (module (func (export "spin") (loop $l (br $l))))
            """));
        store.SetEpochDeadline(1);
        using var timer = new Timer(_ => engine.IncrementEpoch(), null, 100, Timeout.Infinite);
        var trap = Assert.Throws<TrapException>(() => instance.GetAction("spin")());
        Assert.Equal(TrapCode.Interrupted, trap.Code);
        Assert.Equal("interrupt", trap.Reason);

        // Interrupted, not broken: with a new deadline the store runs code again.
        var finite = new Linker(engine).Instantiate(store, RuntimeModule.FromText(engine, """
            (module (func (export "count") (param i32) (result i32)
              (loop $l (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br_if $l (local.get 0)))
              (local.get 0)))
            """));
        store.SetEpochDeadline(1_000);
        Assert.Equal(0, finite.GetFunction<int, int>("count")(1_000_000));
    }

    [Fact]
    public void MemoryGrowthIsSeenThroughSpan()
    {
        var engine = new Engine();
        using var store = new Store(engine);
        var instance = new Linker(engine).Instantiate(store, RuntimeModule.FromText(engine, """
            (module
              (memory (export "memory") 1 10)
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
              (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))
            """));
        var memory = instance.GetMemory("memory")!;
        Assert.Equal(65536, memory.Span.Length);
        Assert.Equal(1, instance.GetFunction<int, int>("grow")(2));
        Assert.Equal(3 * 65536, memory.Span.Length);
        memory.Span[3 * 65536 - 1] = 77;
        Assert.Equal(77, instance.GetFunction<int, int>("load")(3 * 65536 - 1));
        Assert.Equal(-1, instance.GetFunction<int, int>("grow")(8));
        Assert.Equal(3, memory.Grow(1));
        Assert.Equal(4UL, memory.PageCount);
        Assert.Equal(0, instance.GetFunction<int, int>("load")(4 * 65536 - 1));
    }

    [Fact]
    public void ReentrancyHostToWasmToHost()
    {
        var engine = new Engine();
        var linker = new Linker(engine);
        using var store = new Store(engine);
        Func<int, int>? fib = null;
        linker.DefineFunction("host", "fib", (int n) => n < 2 ? n : fib!(n - 1) + fib!(n - 2));
        var instance = linker.Instantiate(store, RuntimeModule.FromText(engine, """
            (module
              (import "host" "fib" (func $hfib (param i32) (result i32)))
              (func (export "fib") (param i32) (result i32)
                (if (result i32) (i32.lt_s (local.get 0) (i32.const 2))
                  (then (local.get 0))
                  (else (call $hfib (local.get 0))))))
            """));
        fib = instance.GetFunction<int, int>("fib");
        Assert.Equal(6765, fib(20));
    }

    [Fact]
    public void DeepRecursionTrapsAndTheStoreKeepsWorking()
    {
        var engine = new Engine();
        using var store = new Store(engine);
        var instance = new Linker(engine).Instantiate(store, RuntimeModule.FromText(engine, """
            (module
              (func $down (export "down") (param i64) (result i64)
                (i64.add (i64.const 1) (call $down (i64.add (local.get 0) (i64.const 1)))))
              (func (export "ok") (result i32) (i32.const 7)))
            """));
        var trap = Assert.Throws<TrapException>(() => instance.GetFunction<long, long>("down")(0));
        Assert.Equal(TrapCode.CallStackExhausted, trap.Code);
        Assert.Equal("call stack exhausted", trap.Reason);
        Assert.Equal(7, instance.GetFunction<int>("ok")());
        Assert.Throws<TrapException>(() => instance.GetFunction<long, long>("down")(0));
    }

    [Fact]
    public void DeepRecursionThroughIndirectCallsTraps()
    {
        var engine = new Engine();
        using var store = new Store(engine);
        var instance = new Linker(engine).Instantiate(store, RuntimeModule.FromText(engine, """
            (module
              (type $t (func (param i32) (result i32)))
              (table 1 funcref)
              (elem (i32.const 0) $down)
              (func $down (export "down") (type $t) (i32.add (i32.const 1) (call_indirect (type $t) (local.get 0) (i32.const 0))))
              (func (export "ok") (result i32) (i32.const 7)))
            """));
        var trap = Assert.Throws<TrapException>(() => instance.GetFunction<int, int>("down")(0));
        Assert.Equal(TrapCode.CallStackExhausted, trap.Code);
        Assert.Equal(7, instance.GetFunction<int>("ok")());
    }

    [Fact]
    public void DeepRecursionThroughTheHostTraps()
    {
        var engine = new Engine();
        var linker = new Linker(engine);
        using var store = new Store(engine);
        Func<int, int>? down = null;
        var hostCalls = 0;
        linker.DefineFunction("host", "again", (int n) =>
        {
            hostCalls++;
            return down!(n + 1);
        });
        var instance = linker.Instantiate(store, RuntimeModule.FromText(engine, """
            (module
              (import "host" "again" (func $again (param i32) (result i32)))
              (func (export "down") (param i32) (result i32) (i32.add (i32.const 1) (call $again (local.get 0))))
              (func (export "ok") (result i32) (i32.const 7)))
            """));
        down = instance.GetFunction<int, int>("down");
        // Host -> Wasm -> host -> Wasm ...: the stack runs out in one of the two, and either way it is a trap.
        var trap = Assert.Throws<TrapException>(() => down(0));
        Assert.Equal(TrapCode.CallStackExhausted, trap.Code);
        Assert.True(hostCalls > 100, $"only {hostCalls} host calls");
        Assert.Equal(7, instance.GetFunction<int>("ok")());
        Assert.Equal(TrapCode.CallStackExhausted, Assert.Throws<TrapException>(() => down(0)).Code);
    }

    [Fact]
    public void AHostExceptionLeavesTheStoreUsable()
    {
        var engine = new Engine();
        var linker = new Linker(engine);
        var fail = true;
        linker.DefineFunction("host", "check", (int x) => fail ? throw new ArgumentOutOfRangeException(nameof(x), x, "too big") : x);
        using var store = new Store(engine);
        var instance = linker.Instantiate(store, RuntimeModule.FromText(engine, """
            (module
              (import "host" "check" (func $check (param i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "store") (param i32) (i32.store (i32.const 0) (call $check (local.get 0)))))
            """));
        var trap = Assert.Throws<TrapException>(() => instance.GetAction<int>("store")(42));
        Assert.Equal(TrapCode.HostException, trap.Code);
        var inner = Assert.IsType<ArgumentOutOfRangeException>(trap.InnerException);
        Assert.Equal(42, inner.ActualValue);
        Assert.Equal(0, instance.GetMemory("memory")!.ReadInt32(0));

        fail = false;
        instance.GetAction<int>("store")(42);
        Assert.Equal(42, instance.GetMemory("memory")!.ReadInt32(0));
    }

    [Fact]
    public void DeepRecursionTrapsOnASmallThread()
    {
        var engine = new Engine();
        using var store = new Store(engine);
        var instance = new Linker(engine).Instantiate(store, RuntimeModule.FromText(engine, """
            (module (func $down (export "down") (param i32) (result i32) (call $down (local.get 0))))
            """));
        TrapException? trap = null;
        var thread = new Thread(() => trap = Assert.Throws<TrapException>(() => instance.GetFunction<int, int>("down")(0)), 256 * 1024);
        thread.Start();
        thread.Join();
        Assert.Equal(TrapCode.CallStackExhausted, trap!.Code);
    }

    [Fact]
    public void DeepRecursionWithHugeFramesTraps()
    {
        var engine = new Engine();
        using var store = new Store(engine);
        var locals = string.Join(' ', Enumerable.Repeat("v128", 20_000));
        var instance = new Linker(engine).Instantiate(store, RuntimeModule.FromText(engine, $$"""
            (module (func $big (export "big") (param i32) (result i32) (local {{locals}})
              (local.set 5 (v128.const i64x2 1 2))
              (i32.add (call $big (local.get 0)) (i32x4.extract_lane 0 (local.get 5)))))
            """));
        var trap = Assert.Throws<TrapException>(() => instance.GetFunction<int, int>("big")(0));
        Assert.Equal(TrapCode.CallStackExhausted, trap.Code);
    }

    [Fact]
    public void MillionDeepMutualTailRecursionRunsInConstantStack()
    {
        var engine = new Engine();
        using var store = new Store(engine);
        var instance = new Linker(engine).Instantiate(store, RuntimeModule.FromText(engine, """
            (module
              (func $even (export "even") (param i64) (result i32)
                (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 1))
                  (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
              (func $odd (param i64) (result i32)
                (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 0))
                  (else (return_call $even (i64.sub (local.get 0) (i64.const 1)))))))
            """));
        var even = instance.GetFunction<long, int>("even");
        Assert.Equal(1, even(1_000_000));
        Assert.Equal(0, even(1_000_001));
    }

    [Fact]
    public void GlobalsTablesAndLinkErrors()
    {
        var engine = new Engine();
        using var store = new Store(engine);
        var linker = new Linker(engine);
        var counter = new Global(store, new GlobalType(ValType.I32, Mutable: true), Value.I32(5));
        linker.Define("env", "counter", counter);
        var instance = linker.Instantiate(store, RuntimeModule.FromText(engine, """
            (module
              (import "env" "counter" (global $c (mut i32)))
              (table (export "table") 2 funcref)
              (func $f (result i32) (i32.const 42))
              (elem (i32.const 1) $f)
              (func (export "bump") (global.set $c (i32.add (global.get $c) (i32.const 1))))
              (func (export "call") (param i32) (result i32) (call_indirect (result i32) (local.get 0))))
            """));
        instance.GetAction("bump")();
        Assert.Equal(6, counter.Value.AsI32());
        var table = instance.GetTable("table")!;
        Assert.Null(table.Get(0).AsRef());
        Assert.Equal(42, instance.GetFunction<int, int>("call")(1));
        var trap = Assert.Throws<TrapException>(() => instance.GetFunction<int, int>("call")(0));
        Assert.Equal(TrapCode.UninitializedElement, trap.Code);
        table.Set(0, table.Get(1));
        Assert.Equal(42, instance.GetFunction<int, int>("call")(0));

        var missing = Assert.Throws<LinkException>(() => linker.Instantiate(store, RuntimeModule.FromText(engine,
            """(module (import "env" "nope" (func)))""")));
        Assert.StartsWith("unknown import", missing.Reason);
        var wrongType = Assert.Throws<LinkException>(() => linker.Instantiate(store, RuntimeModule.FromText(engine,
            """(module (import "env" "counter" (global i64)))""")));
        Assert.StartsWith("incompatible import type", wrongType.Reason);
    }

    [Fact]
    public void SimdThroughTheTypedApi()
    {
        var engine = new Engine();
        using var store = new Store(engine);
        var instance = new Linker(engine).Instantiate(store, RuntimeModule.FromText(engine, """
            (module (func (export "add") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1))))
            """));
        var add = instance.GetFunction<Vector128<byte>, Vector128<byte>, Vector128<byte>>("add");
        var r = add(Vector128.Create(1, 2, 3, 4).AsByte(), Vector128.Create(10, 20, 30, 40).AsByte());
        Assert.Equal(Vector128.Create(11, 22, 33, 44), r.AsInt32());
    }

    [Fact]
    public void TypedHostFunctionsWithSeveralResultsAndReferences()
    {
        var engine = new Engine();
        var linker = new Linker(engine);
        linker.DefineFunction("host", "divmod", (int a, int b) => (a / b, a % b));
        linker.DefineFunction("host", "describe", (object? o) => o is string s ? s.Length : -1);
        using var store = new Store(engine);
        var instance = linker.Instantiate(store, RuntimeModule.FromText(engine, """
            (module
              (import "host" "divmod" (func $divmod (param i32 i32) (result i32 i32)))
              (import "host" "describe" (func $describe (param externref) (result i32)))
              (table $t (export "t") 1 externref)
              (elem declare func $describe)
              (func (export "sum-divmod") (param i32 i32) (result i32) (i32.add (call $divmod (local.get 0) (local.get 1))))
              (func (export "keep") (param externref) (table.set $t (i32.const 0) (local.get 0)))
              (func (export "describe-kept") (result i32) (call $describe (table.get $t (i32.const 0))))
              (func (export "self") (result funcref) (ref.func $describe)))
            """));
        Assert.Equal(17 / 5 + 17 % 5, instance.GetFunction<int, int, int>("sum-divmod")(17, 5));
        instance.GetAction<object?>("keep")("hello");
        Assert.Equal(5, instance.GetFunction<int>("describe-kept")());
        Assert.Equal("hello", instance.GetTable("t")!.Get(0).AsRef());
        var f = instance.GetFunction<Function?>("self")();
        Assert.NotNull(f);
        Assert.True(f!.IsHostFunction);
        Assert.Equal(-1, f.Invoke(Value.ExternRef(42))[0].AsI32());
    }

    [Fact]
    public void UntypedInvokeChecksArguments()
    {
        var engine = new Engine();
        using var store = new Store(engine);
        var instance = new Linker(engine).Instantiate(store, RuntimeModule.FromText(engine, """
            (module (func (export "id") (param i64) (result i64) (local.get 0)))
            """));
        var id = instance.GetFunction("id")!;
        Assert.Throws<ArgumentException>(() => id.Invoke(Value.I32(1)));
        Assert.Throws<ArgumentException>(() => id.Invoke());
        Assert.Throws<ArgumentException>(() => instance.GetDelegate<Func<int, int>>("id"));
        Assert.Equal(-5, id.Invoke(Value.I64(-5))[0].AsI64());
    }
}
