using WasmSharp.Model;
using WasmSharp.Runtime;
using RuntimeModule = WasmSharp.Runtime.Module;

namespace WasmSharp.Tests.Runtime;

/// <summary>Exception handling (Wasm 3.0: tags, throw, throw_ref, try_table, exnref) on the engine and through the embedding API.</summary>
public class ExceptionHandlingTests
{
    private static Instance Instantiate(string wat, Linker? linker = null, Store? store = null, Engine? engine = null) =>
        TestModules.Instantiate(wat, linker, store, engine);

    [Fact]
    public void CatchByTagDeliversTheValuesToTheMatchingClause()
    {
        var instance = Instantiate("""
            (module
              (tag $other (param i32))
              (tag $e (param i32 i64 f32 f64))
              (func (export "run") (param i32) (result f64)
                (local $l i64) (local $f f32) (local $d f64)
                (block $h (result i32 i64 f32 f64)
                  (block $wrong (result i32)
                    (try_table (catch $other $wrong) (catch $e $h)
                      (throw $e (local.get 0) (i64.const 20) (f32.const 0.5) (f64.const 0.25)))
                    (unreachable))
                  (return (f64.const -1)))
                ;; i32 + i64 + f32 + f64, all as f64
                (local.set $d) (local.set $f) (local.set $l)
                (f64.convert_i32_s)
                (f64.add (f64.convert_i64_s (local.get $l)))
                (f64.add (f64.promote_f32 (local.get $f)))
                (f64.add (local.get $d))))
            """);
        Assert.Equal(7 + 20 + 0.5 + 0.25, instance.GetFunction<int, double>("run")(7));
    }

    [Fact]
    public void CatchRefAndThrowRefRethrowTheSameException()
    {
        var instance = Instantiate("""
            (module
              (tag $e (export "e") (param i32))
              (func (export "catch") (param i32) (result exnref)
                (block $h (result i32 exnref)
                  (try_table (catch_ref $e $h) (throw $e (local.get 0)))
                  (unreachable))
                (return))
              (func (export "rethrow") (param exnref) (throw_ref (local.get 0)))
              (func (export "recatch") (param exnref) (result i32)
                (block $h (result i32)
                  (try_table (catch $e $h) (throw_ref (local.get 0)))
                  (unreachable))))
            """);
        var exnref = instance.GetFunction("catch")!.Invoke(Value.I32(42))[0];
        var exception = Assert.IsType<ThrownException>(exnref.AsRef());
        Assert.Same(instance.GetTag("e"), exception.Tag);
        Assert.Equal([Value.I32(42)], exception.Values);
        Assert.Equal(42, instance.GetFunction("recatch")!.Invoke(exnref)[0].AsI32());
        var escaped = Assert.Throws<ThrownException>(() => instance.GetFunction("rethrow")!.Invoke(exnref));
        Assert.Same(exception, escaped);
    }

    [Fact]
    public void ThrowRefOfNullTraps()
    {
        var instance = Instantiate("""(module (func (export "run") (throw_ref (ref.null exn))))""");
        var trap = Assert.Throws<TrapException>(() => instance.GetAction("run")());
        Assert.Equal(TrapCode.NullExceptionReference, trap.Code);
        Assert.Equal("null exception reference", trap.Reason);
    }

    [Fact]
    public void CatchAllCatchesEveryTagButNoTrap()
    {
        var instance = Instantiate("""
            (module
              (tag $a) (tag $b (param i64))
              (memory 1)
              (func $raise (param i32)
                (if (i32.eq (local.get 0) (i32.const 0)) (then (throw $a)))
                (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $b (i64.const 5))))
                (if (i32.eq (local.get 0) (i32.const 2)) (then (unreachable)))
                (if (i32.eq (local.get 0) (i32.const 3)) (then (drop (i32.div_u (i32.const 1) (i32.const 0)))))
                (if (i32.eq (local.get 0) (i32.const 4)) (then (drop (i32.load (i32.const 65536))))))
              (func (export "run") (param i32) (result i32)
                (block $h
                  (try_table (catch_all $h) (call $raise (local.get 0)))
                  (return (i32.const 0)))
                (i32.const 1)))
            """);
        var run = instance.GetFunction<int, int>("run");
        Assert.Equal(1, run(0));
        Assert.Equal(1, run(1));
        Assert.Equal(TrapCode.Unreachable, Assert.Throws<TrapException>(() => run(2)).Code);
        Assert.Equal(TrapCode.IntegerDivideByZero, Assert.Throws<TrapException>(() => run(3)).Code);
        Assert.Equal(TrapCode.MemoryOutOfBounds, Assert.Throws<TrapException>(() => run(4)).Code);
        Assert.Equal(0, run(5));
    }

    [Fact]
    public void NestedTryTablesKeepTheOperandStackAndPickTheInnermostMatch()
    {
        var instance = Instantiate("""
            (module
              (tag $inner (param i32)) (tag $outer (param i32))
              (func (export "run") (param i32) (result i32)
                (i32.const 1000)                      ;; below both try_tables: spilled and reloaded
                (block $outer-h (result i32)
                  (i32.const 100)                     ;; below both too, inside $outer-h
                  (block $inner-h (result i32)
                    (i32.const 10)                    ;; a try_table parameter
                    (try_table (param i32) (result i32) (catch $outer $outer-h)
                      (try_table (param i32) (result i32) (catch $inner $inner-h)
                        (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $inner (i32.const 1))))
                        (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $outer (i32.const 2))))
                        ;; a plain branch out of both try_tables, with a value
                        (if (i32.eq (local.get 0) (i32.const 3)) (then (br $outer-h (i32.const 3)))))
                      (i32.const 7) (i32.add)))
                  ;; 100 and 17 (no exception) or the payload of $inner
                  (i32.add))
                (i32.add)))
            """);
        var run = instance.GetFunction<int, int>("run");
        Assert.Equal(1117, run(0));
        Assert.Equal(1101, run(1));
        Assert.Equal(1002, run(2));
        Assert.Equal(1003, run(3));
    }

    [Fact]
    public void BranchesAndReturnsLeaveTryTablesWithTheirValues()
    {
        var instance = Instantiate("""
            (module
              (tag $e)
              (func (export "loop") (param i32) (result i32)
                (local $sum i32)
                (loop $again
                  (block $h
                    (try_table (catch $e $h)
                      (local.set $sum (i32.add (local.get $sum) (local.get 0)))
                      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                      (br_if $again (i32.and (local.get 0) (i32.const 1)))
                      (br_table $again $h (i32.eqz (local.get 0))))
                    (throw $e))
                  (br_if $again (local.get 0)))
                (local.get $sum))
              (func (export "pair") (param i32) (result i32 i64)
                (block $h
                  (try_table (catch $e $h)
                    (if (local.get 0) (then (return (i32.const 5) (i64.const 6))))
                    (throw $e)))
                (i32.const -1) (i64.const -1)))
            """);
        Assert.Equal(5 + 4 + 3 + 2 + 1, instance.GetFunction<int, int>("loop")(5));
        var pair = instance.GetDelegate<Func<int, (int, long)>>("pair");
        Assert.Equal((5, 6L), pair(1));
        Assert.Equal((-1, -1L), pair(0));
    }

    [Fact]
    public void ExceptionsCrossFunctionsAndHostFunctions()
    {
        var engine = new Engine();
        var linker = new Linker(engine);
        using var store = new Store(engine);
        var tag = new Tag(store, new FuncType([ValType.I32], []));
        linker.Define("host", "e", tag);
        Action<int>? wasmThrow = null;
        linker.DefineFunction("host", "call-back", (int x) => wasmThrow!(x));
        linker.DefineFunction("host", "throw", (int x) => throw new ThrownException(tag, Value.I32(x * 2)));
        linker.DefineFunction("host", "fail", (int x) => throw new InvalidOperationException("host failure"));
        var instance = Instantiate("""
            (module
              (import "host" "e" (tag $e (param i32)))
              (import "host" "call-back" (func $call-back (param i32)))
              (import "host" "throw" (func $host-throw (param i32)))
              (import "host" "fail" (func $fail (param i32)))
              (func (export "throw") (param i32) (throw $e (local.get 0)))
              (func $through (param i32) (call $call-back (local.get 0)))
              (func (export "via-host") (param i32) (result i32)
                (block $h (result i32)
                  (try_table (catch $e $h) (call $through (local.get 0)))
                  (i32.const -1)))
              (func (export "from-host") (param i32) (result i32)
                (block $h (result i32)
                  (try_table (catch $e $h) (call $host-throw (local.get 0)))
                  (i32.const -1)))
              (func (export "host-failure") (param i32) (result i32)
                (block $h
                  (try_table (catch_all $h) (call $fail (local.get 0)))
                  (return (i32.const -1)))
                (i32.const 1)))
            """, linker, store);
        wasmThrow = instance.GetAction<int>("throw");
        Assert.Equal(9, instance.GetFunction<int, int>("via-host")(9));
        Assert.Equal(18, instance.GetFunction<int, int>("from-host")(9));
        var trap = Assert.Throws<TrapException>(() => instance.GetFunction<int, int>("host-failure")(9));
        Assert.Equal(TrapCode.HostException, trap.Code);
        Assert.IsType<InvalidOperationException>(trap.InnerException);
    }

    [Fact]
    public void AnUncaughtExceptionReachesTheHostWithItsTagAndValues()
    {
        var instance = Instantiate("""
            (module
              (tag $e (export "e") (param i32 f64))
              (func (export "run") (param i32) (throw $e (local.get 0) (f64.const 1.5)))
              (func (export "ok") (result i32) (i32.const 3)))
            """);
        var typed = Assert.Throws<ThrownException>(() => instance.GetAction<int>("run")(4));
        Assert.Same(instance.GetTag("e"), typed.Tag);
        Assert.Equal([Value.I32(4), Value.F64(1.5)], typed.Values);
        Assert.Contains("uncaught exception", typed.Message);
        var untyped = Assert.Throws<ThrownException>(() => instance.GetFunction("run")!.Invoke(Value.I32(5)));
        Assert.Equal(5, untyped.Values[0].AsI32());
        Assert.Equal(3, instance.GetFunction<int>("ok")());
    }

    [Fact]
    public void HostExceptionsAreCheckedAgainstTheTag()
    {
        using var store = new Store(new Engine());
        var tag = new Tag(store, new FuncType([ValType.I32], []));
        Assert.Throws<ArgumentException>(() => new ThrownException(tag));
        Assert.Throws<ArgumentException>(() => new ThrownException(tag, Value.I64(1)));
        Assert.Equal(1, new ThrownException(tag, Value.I32(1)).Values[0].AsI32());
    }

    [Fact]
    public void DeepRecursionWithHandlersStillTrapsCleanly()
    {
        var instance = Instantiate("""
            (module
              (tag $e)
              (func $down (export "down") (param i32) (result i32)
                (block $h
                  (try_table (result i32) (catch_all $h)
                    (i32.add (i32.const 1) (call $down (i32.add (local.get 0) (i32.const 1)))))
                  (return))
                (i32.const 0))
              (func (export "ok") (result i32) (i32.const 7)))
            """);
        var down = instance.GetFunction<int, int>("down");
        Assert.Equal(TrapCode.CallStackExhausted, Assert.Throws<TrapException>(() => down(0)).Code);
        Assert.Equal(7, instance.GetFunction<int>("ok")());
        Assert.Equal(TrapCode.CallStackExhausted, Assert.Throws<TrapException>(() => down(0)).Code);
    }

    private const string Thrower = """
        (module
          (import "env" "callee" (func $callee))
          (tag $e (export "e"))
          (func (export "throw") (throw $e))
          (func (export "run") (result i32)
            (block $mine
              (block $any
                (try_table (catch $e $mine) (catch_all $any) (call $callee))
                (return (i32.const 0)))
              (return (i32.const 2)))
            (i32.const 1)))
        """;

    [Fact]
    public void TwoInstancesOfAModuleHaveDistinctTags()
    {
        var engine = new Engine();
        using var store = new Store(engine);
        var module = RuntimeModule.FromText(engine, Thrower);
        var first = new Linker(engine).DefineFunction("env", "callee", () => { }).Instantiate(store, module);
        var second = new Linker(engine).Define("env", "callee", first.GetFunction("throw")!).Instantiate(store, module);
        Assert.NotSame(first.GetTag("e"), second.GetTag("e"));
        // first's exception is not second's $e: only catch_all takes it.
        Assert.Equal(2, second.GetFunction<int>("run")());
        Assert.Equal(0, first.GetFunction<int>("run")());
    }

    [Fact]
    public void AnImportedTagIsTheExportersTag()
    {
        var engine = new Engine();
        using var store = new Store(engine);
        var exporter = new Linker(engine).DefineFunction("env", "callee", () => { })
            .Instantiate(store, RuntimeModule.FromText(engine, Thrower));
        var linker = new Linker(engine);
        linker.DefineInstance("exporter", exporter);
        var importer = linker.Instantiate(store, RuntimeModule.FromText(engine, """
            (module
              (import "exporter" "e" (tag $e))
              (import "exporter" "throw" (func $throw))
              (func (export "run") (result i32)
                (block $h
                  (try_table (catch $e $h) (call $throw))
                  (return (i32.const 0)))
                (i32.const 1)))
            """));
        Assert.Equal(1, importer.GetFunction<int>("run")());
    }

    [Fact]
    public void ATailCallInATryTableLeavesItsHandlersBehind()
    {
        var instance = Instantiate("""
            (module
              (tag $e)
              (type $v (func))
              (table funcref (elem $throw))
              (func $throw (throw $e))
              (func (export "call") (result i32)
                (block $h
                  (try_table (catch $e $h) (call $throw))
                  (return (i32.const 0)))
                (i32.const 1))
              (func (export "return-call")
                (block $h (try_table (catch $e $h) (return_call $throw))))
              (func (export "return-call-indirect")
                (block $h (try_table (catch $e $h) (return_call_indirect (type $v) (i32.const 0))))))
            """);
        Assert.Equal(1, instance.GetFunction<int>("call")());
        Assert.Throws<ThrownException>(() => instance.GetAction("return-call")());
        Assert.Throws<ThrownException>(() => instance.GetAction("return-call-indirect")());
    }

    [Fact]
    public void MemoryGrownBeforeTheThrowIsSeenAfterTheCatch()
    {
        var instance = Instantiate("""
            (module
              (tag $e)
              (memory 1)
              (func $grow-and-throw (drop (memory.grow (i32.const 1))) (throw $e))
              (func (export "run") (param i32) (result i32)
                (i32.store (i32.const 0) (i32.const 1))   ;; loads the cached base and length
                (block $h
                  (try_table (catch $e $h)
                    ;; The path that completes normally moves no memory, so only the catch can make the caches stale.
                    (if (local.get 0) (then (call $grow-and-throw) (unreachable)))))
                (if (i32.eqz (local.get 0)) (then (return (i32.const 0))))
                ;; the second page exists now: a stale cached length would trap here
                (i32.store (i32.const 65536) (i32.const 41))
                (i32.add (i32.load (i32.const 0)) (i32.load (i32.const 65536)))))
            """);
        var run = instance.GetFunction<int, int>("run");
        Assert.Equal(0, run(0));
        Assert.Equal(42, run(1));
    }

    [Fact]
    public void FuelIsChargedAcrossCatches()
    {
        var engine = new Engine(new EngineConfig { ConsumeFuel = true });
        using var store = new Store(engine) { Fuel = 1_000_000 };
        var instance = Instantiate("""
            (module
              (tag $e (param i32))
              (func (export "run") (param i32) (result i32)
                (local $sum i32)
                (loop $again
                  (block $h (result i32)
                    (try_table (catch $e $h) (throw $e (local.get 0)))
                    (unreachable))
                  (local.set $sum (i32.add (local.get $sum)))
                  (br_if $again (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
                (local.get $sum)))
            """, store: store);
        Assert.Equal(10 + 9 + 8 + 7 + 6 + 5 + 4 + 3 + 2 + 1, instance.GetFunction<int, int>("run")(10));
        Assert.True(store.Fuel < 1_000_000 - 100, $"fuel left: {store.Fuel}");
    }
}
