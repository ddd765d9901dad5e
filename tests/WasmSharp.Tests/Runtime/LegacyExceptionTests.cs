using WasmSharp.Runtime;
using RuntimeModule = WasmSharp.Runtime.Module;

namespace WasmSharp.Tests.Runtime;

/// <summary>The legacy exception instructions (try, catch, catch_all, rethrow, delegate) on the engine.</summary>
public class LegacyExceptionTests
{
    private static Instance Instantiate(string wat, Linker? linker = null, Store? store = null, Engine? engine = null) =>
        TestModules.Instantiate(wat, linker, store, engine);

    [Fact]
    public void CatchByTagPushesTheValuesOnTheStackUnderTheTry()
    {
        var instance = Instantiate("""
            (module
              (tag $other (param i32))
              (tag $e (param i32 i64 f32 f64))
              (func (export "run") (param i32) (result f64)
                (local $l i64) (local $f f32) (local $d f64)
                (f64.const 1000)   ;; under the try: must survive the catch
                (try (result i32 i64 f32 f64)
                  (do (throw $e (local.get 0) (i64.const 20) (f32.const 0.5) (f64.const 0.25)))
                  (catch $other (drop) (i32.const -1) (i64.const 0) (f32.const 0) (f64.const 0))
                  (catch $e))
                ;; i32 + i64 + f32 + f64, all as f64
                (local.set $d) (local.set $f) (local.set $l)
                (f64.convert_i32_s)
                (f64.add (f64.convert_i64_s (local.get $l)))
                (f64.add (f64.promote_f32 (local.get $f)))
                (f64.add (local.get $d))
                (f64.add)))
            """);
        Assert.Equal(1000 + 7 + 20 + 0.5 + 0.25, instance.GetFunction<int, double>("run")(7));
    }

    [Fact]
    public void TheFirstMatchingClauseRunsAndCatchAllTakesTheRest()
    {
        var instance = Instantiate("""
            (module
              (tag $a (param i32)) (tag $b (param i32)) (tag $c)
              (func $raise (param i32)
                (if (i32.eq (local.get 0) (i32.const 0)) (then (throw $a (i32.const 10))))
                (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $b (i32.const 20))))
                (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $c))))
              (func (export "run") (param i32) (result i32)
                (try (result i32)
                  (do (call $raise (local.get 0)) (i32.const 0))
                  (catch $b (i32.add (i32.const 2)))
                  (catch $a (i32.add (i32.const 1)))
                  (catch $b (drop) (i32.const -1))
                  (catch_all (i32.const 3)))))
            """);
        var run = instance.GetFunction<int, int>("run");
        Assert.Equal(11, run(0));
        Assert.Equal(22, run(1));
        Assert.Equal(3, run(2));
        Assert.Equal(0, run(3));
    }

    [Fact]
    public void CatchAllCatchesNoTrap()
    {
        var instance = Instantiate("""
            (module
              (tag $a)
              (memory 1)
              (func $raise (param i32)
                (if (i32.eq (local.get 0) (i32.const 0)) (then (throw $a)))
                (if (i32.eq (local.get 0) (i32.const 1)) (then (unreachable)))
                (if (i32.eq (local.get 0) (i32.const 2)) (then (drop (i32.div_u (i32.const 1) (i32.const 0)))))
                (if (i32.eq (local.get 0) (i32.const 3)) (then (drop (i32.load (i32.const 65536))))))
              (func (export "run") (param i32) (result i32)
                (try (result i32)
                  (do (call $raise (local.get 0)) (i32.const 0))
                  (catch_all (i32.const 1)))))
            """);
        var run = instance.GetFunction<int, int>("run");
        Assert.Equal(1, run(0));
        Assert.Equal(TrapCode.Unreachable, Assert.Throws<TrapException>(() => run(1)).Code);
        Assert.Equal(TrapCode.IntegerDivideByZero, Assert.Throws<TrapException>(() => run(2)).Code);
        Assert.Equal(TrapCode.MemoryOutOfBounds, Assert.Throws<TrapException>(() => run(3)).Code);
        Assert.Equal(0, run(4));
    }

    [Fact]
    public void AnExceptionThrownInACatchBodyIsNotCaughtByItsOwnTry()
    {
        var instance = Instantiate("""
            (module
              (tag $e (param i32))
              (func (export "run") (result i32)
                (try (result i32)
                  (do
                    (try (result i32)
                      (do (throw $e (i32.const 1)))
                      (catch $e (throw $e (i32.add (i32.const 10))))))
                  (catch $e (i32.add (i32.const 100))))))
            """);
        Assert.Equal(111, instance.GetFunction<int>("run")());
    }

    [Fact]
    public void RethrowInANestedCatchRethrowsTheOuterCatchesException()
    {
        var instance = Instantiate("""
            (module
              (tag $outer (export "outer") (param i32))
              (tag $inner (param i32))
              (func (export "nested") (param i32)
                (try
                  (do (throw $outer (local.get 0)))
                  (catch $outer
                    (drop)
                    (try
                      (do (throw $inner (i32.const 2)))
                      (catch $inner (drop) (rethrow 1))))))
              (func (export "caught") (param i32) (result i32)
                (try (result i32)
                  (do (call 0 (local.get 0)) (i32.const 0))
                  (catch $inner)
                  (catch $outer))))
            """);
        Assert.Equal(7, instance.GetFunction<int, int>("caught")(7));
        var escaped = Assert.Throws<ThrownException>(() => instance.GetFunction("nested")!.Invoke(Value.I32(5)));
        Assert.Same(instance.GetTag("outer"), escaped.Tag);
        Assert.Equal([Value.I32(5)], escaped.Values);
    }

    [Fact]
    public void RethrowThrowsTheSameExceptionObject()
    {
        var engine = new Engine();
        var linker = new Linker(engine);
        var store = new Store(engine);
        var tags = Instantiate("""(module (tag (export "e") (param i32)))""", linker, store);
        var original = new ThrownException(tags.GetTag("e")!, Value.I32(3));
        linker.DefineInstance("tags", tags);
        linker.DefineFunction("host", "throw", () => throw original);
        var instance = Instantiate("""
            (module
              (import "tags" "e" (tag $e (param i32)))
              (import "host" "throw" (func $throw))
              (func (export "run")
                (try (do (call $throw)) (catch_all (rethrow 0)))))
            """, linker, store);
        Assert.Same(original, Assert.Throws<ThrownException>(() => instance.GetAction("run")()));
    }

    [Fact]
    public void DelegateHandsTheExceptionToTheTargetTrySkippingTheOnesBetween()
    {
        var instance = Instantiate("""
            (module
              (tag $e)
              (func $throw-if (param i32) (if (local.get 0) (then (throw $e))))
              (func (export "run") (param i32) (result i32)
                (try $target (result i32)
                  (do
                    (try (result i32)
                      (do
                        (try (result i32)
                          (do (call $throw-if (local.get 0)) (i32.const 1))
                          (delegate $target)))
                      (catch_all (i32.const 2))))
                  (catch $e (i32.const 3)))))
            """);
        var run = instance.GetFunction<int, int>("run");
        Assert.Equal(1, run(0));
        Assert.Equal(3, run(1));
    }

    [Fact]
    public void DelegateToABlockGoesToTheTryAroundIt()
    {
        var instance = Instantiate("""
            (module
              (tag $e)
              (func (export "run") (result i32)
                (try (result i32)
                  (do
                    (block $b
                      (try
                        (do (try (do (throw $e)) (delegate $b)))
                        (catch_all (unreachable))))
                    (i32.const 0))
                  (catch_all (i32.const 1)))))
            """);
        Assert.Equal(1, instance.GetFunction<int>("run")());
    }

    [Fact]
    public void DelegateToTheFunctionLabelThrowsToTheCaller()
    {
        var instance = Instantiate("""
            (module
              (tag $e (param i32))
              (func $skipping (param i32)
                (try
                  (do (try (do (throw $e (local.get 0))) (delegate 1)))
                  (catch_all)))
              (func (export "run") (param i32) (result i32)
                (try (result i32)
                  (do (call $skipping (local.get 0)) (i32.const 0))
                  (catch $e))))
            """);
        Assert.Equal(9, instance.GetFunction<int, int>("run")(9));
    }

    [Fact]
    public void DelegateLetsTrapsThrough()
    {
        var instance = Instantiate("""
            (module
              (func (export "run")
                (try
                  (do (try (do (unreachable)) (delegate 0)))
                  (catch_all))))
            """);
        Assert.Equal(TrapCode.Unreachable, Assert.Throws<TrapException>(() => instance.GetAction("run")()).Code);
    }

    [Fact]
    public void ExceptionsCrossCallsAndHostFunctions()
    {
        var engine = new Engine();
        var linker = new Linker(engine);
        var store = new Store(engine);
        var exporter = Instantiate("""
            (module
              (tag $e (export "e") (param i64))
              (func (export "throw") (param i64) (throw $e (local.get 0))))
            """, linker, store);
        var tag = exporter.GetTag("e")!;
        linker.DefineInstance("exporter", exporter);
        linker.DefineFunction("host", "throw", () => throw new ThrownException(tag, Value.I64(40)));
        var importer = Instantiate("""
            (module
              (import "exporter" "e" (tag $e (param i64)))
              (import "exporter" "throw" (func $wasm-throw (param i64)))
              (import "host" "throw" (func $host-throw))
              (func (export "run") (result i64)
                (try (result i64)
                  (do (call $wasm-throw (i64.const 2)) (i64.const 0))
                  (catch $e))
                (try (result i64)
                  (do (call $host-throw) (i64.const 0))
                  (catch $e))
                (i64.add)))
            """, linker, store);
        Assert.Equal(42L, importer.GetFunction<long>("run")());
    }

    [Fact]
    public void BranchesLeaveTryAndCatchBodiesWithTheirValues()
    {
        var instance = Instantiate("""
            (module
              (tag $e (param i32))
              (func (export "run") (param i32) (result i32)
                (i32.const 100)   ;; under everything
                (block $out (result i32)
                  (i32.const 1000)   ;; dropped by the branches to $out
                  (try (result i32)
                    (do
                      (br_if $out (i32.const 1) (i32.eq (local.get 0) (i32.const 0)))
                      (if (i32.eq (local.get 0) (i32.const 1)) (then (return (i32.const 2))))
                      (throw $e (local.get 0)))
                    (catch $e
                      (br_table $out 2 0 (i32.add (i32.const 10)) (i32.sub (local.get 0) (i32.const 2)))))
                  (i32.add))
                (i32.add)))
            """);
        var run = instance.GetFunction<int, int>("run");
        Assert.Equal(101, run(0));
        Assert.Equal(2, run(1));
        Assert.Equal(112, run(2));   // br_table to $out from the catch body
        Assert.Equal(13, run(3));    // br_table to the function label: returns
        Assert.Equal(100 + 1000 + 14, run(4));   // br_table to the try's own label
    }

    [Fact]
    public void ATailCallInATryLeavesItsHandlersBehind()
    {
        var instance = Instantiate("""
            (module
              (tag $e)
              (type $v (func))
              (table funcref (elem $throw))
              (func $throw (throw $e))
              (func (export "call") (result i32)
                (try (result i32) (do (call $throw) (i32.const 0)) (catch $e (i32.const 1))))
              (func (export "return-call")
                (try (do (return_call $throw)) (catch $e)))
              (func (export "return-call-indirect")
                (try (do (return_call_indirect (type $v) (i32.const 0))) (catch_all))))
            """);
        Assert.Equal(1, instance.GetFunction<int>("call")());
        Assert.Throws<ThrownException>(() => instance.GetAction("return-call")());
        Assert.Throws<ThrownException>(() => instance.GetAction("return-call-indirect")());
    }

    [Fact]
    public void MemoryGrownBeforeTheThrowIsSeenInTheCatchBody()
    {
        var instance = Instantiate("""
            (module
              (tag $e)
              (memory 1)
              (func $grow-and-throw (drop (memory.grow (i32.const 1))) (throw $e))
              (func (export "run") (result i32)
                (i32.store (i32.const 0) (i32.const 1))   ;; loads the cached base and length
                (try (result i32)
                  ;; the load after the call reloads the caches, so the body ends with fresh ones
                  (do (call $grow-and-throw) (i32.load (i32.const 0)))
                  (catch $e
                    ;; the second page exists now: a stale cached length would trap here
                    (i32.store (i32.const 65536) (i32.const 41))
                    (i32.add (i32.load (i32.const 0)) (i32.load (i32.const 65536)))))))
            """);
        Assert.Equal(42, instance.GetFunction<int>("run")());
    }

    [Fact]
    public void FuelIsChargedInCatchBodies()
    {
        var engine = new Engine(new EngineConfig { ConsumeFuel = true });
        using var store = new Store(engine) { Fuel = 1_000_000 };
        var instance = Instantiate("""
            (module
              (tag $e (param i32))
              (func (export "run") (param i32) (result i32)
                (local $sum i32)
                (loop $again
                  (try
                    (do (throw $e (local.get 0)))
                    (catch $e (local.set $sum (i32.add (local.get $sum)))
                      (br_if $again (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))
                (local.get $sum)))
            """, store: store);
        Assert.Equal(10 + 9 + 8 + 7 + 6 + 5 + 4 + 3 + 2 + 1, instance.GetFunction<int, int>("run")(10));
        Assert.True(store.Fuel < 1_000_000 - 100, $"fuel left: {store.Fuel}");
    }

    [Fact]
    public void AHandlerThatIsTheMethodsOnlyStackUseCompiles()
    {
        // ILGenerator leaves the caught exception out of the max stack; with nothing else on the stack the JIT rejected these.
        var instance = Instantiate("""
            (module
              (tag $e)
              (func (export "try") (try (do (br 0)) (catch_all)))
              (func (export "try_table") (block (try_table (catch_all 0) (nop)))))
            """);
        instance.GetAction("try")();
        instance.GetAction("try_table")();
    }
}
