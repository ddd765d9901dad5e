using System.Text;
using WasmSharp.Runtime;
using RuntimeModule = WasmSharp.Runtime.Module;

namespace WasmSharp.Tests.Runtime;

/// <summary>
/// Outlining of large functions into region methods. Most tests force it on small functions (a tiny budget makes
/// every statement run a region), check that regions were made, and compare with outlining off.
/// </summary>
public class OutliningTests
{
    private static readonly EngineConfig Forced = EngineConfig.Default with { OutliningBudgetScale = 0.0001 };
    private static readonly EngineConfig Off = EngineConfig.Default with { OutlineLargeFunctions = false };

    private static (Instance Instance, RuntimeModule Module, Store Store) Instantiate(string wat, EngineConfig config)
    {
        var engine = new Engine(config);
        var store = new Store(engine);
        var module = RuntimeModule.FromText(engine, wat);
        return (new Linker(engine).Instantiate(store, module), module, store);
    }

    /// <summary>Runs <paramref name="run"/> with outlining forced and off; both must agree, and regions must have been made.</summary>
    private static void AssertSameWithAndWithoutOutlining<T>(string wat, Func<Instance, T> run)
    {
        var outlined = Instantiate(wat, Forced);
        Assert.True(outlined.Module.Compiled.Compilation.RegionCount > 0, "nothing was outlined");
        var plain = Instantiate(wat, Off);
        Assert.Equal(0, plain.Module.Compiled.Compilation.RegionCount);
        Assert.Equal(run(plain.Instance), run(outlined.Instance));
    }

    [Fact]
    public void LocalsWrittenInARegionAreSeenAfterIt()
    {
        const string wat = """
            (module (func (export "f") (param $p i32) (result i32) (local $a i32) (local $b i64) (local $c f64)
              (local.set $a (i32.mul (local.get $p) (i32.const 3)))
              (local.set $b (i64.extend_i32_s (local.get $a)))
              (block (local.set $p (i32.add (local.get $p) (i32.const 1))) (local.set $c (f64.const 2.5)))
              ;; a block inside an expression: its body is outlined with a value of the caller below on the stack
              (local.set $a (i32.add (local.get $a) (block (result i32) (local.set $b (i64.add (local.get $b) (i64.const 7))) (i32.const 5))))
              (i32.add (i32.add (local.get $a) (local.get $p))
                (i32.add (i32.wrap_i64 (local.get $b)) (i32.trunc_f64_s (local.get $c))))))
            """;
        AssertSameWithAndWithoutOutlining(wat, i => Enumerable.Range(-3, 7).Select(x => i.GetFunction<int, int>("f")(x)).ToArray());
        Assert.Equal(10 * 3 + 5 + 11 + 37 + 2, Instantiate(wat, Forced).Instance.GetFunction<int, int>("f")(10));
    }

    [Fact]
    public void BranchesLeaveRegionsToOuterLabelsAndTheFunction()
    {
        const string wat = """
            (module (func (export "f") (param $x i32) (result i32) (local $r i32)
              (block $out
                (block $b2
                  (block $b1
                    (local.set $r (i32.const 1))
                    (br_if $b1 (i32.eq (local.get $x) (i32.const 9)))
                    (local.set $r (i32.const 2))
                    (br_table $b1 $b2 $out $b1 (local.get $x))
                  )
                  (local.set $r (i32.add (local.get $r) (i32.const 10)))
                  (if (i32.eq (local.get $x) (i32.const 5)) (then (br $out)))
                  (if (i32.eq (local.get $x) (i32.const 6)) (then (return (i32.const 600))))
                )
                (local.set $r (i32.add (local.get $r) (i32.const 100)))
              )
              (local.get $r)))
            """;
        AssertSameWithAndWithoutOutlining(wat, i => Enumerable.Range(-1, 12).Select(x => i.GetFunction<int, int>("f")(x)).ToArray());
        var f = Instantiate(wat, Forced).Instance.GetFunction<int, int>("f");
        Assert.Equal([112, 102, 2, 112, 112, 12, 600, 112, 112, 111], Enumerable.Range(0, 10).Select(x => f(x)).ToArray());
    }

    [Fact]
    public void ReturnsWithOneAndWithSeveralResults()
    {
        const string wat = """
            (module
              (func (export "one") (param $x i32) (result i64)
                (block (block
                  (if (i32.gt_s (local.get $x) (i32.const 10)) (then (return (i64.const 77))))
                  (br_if 1 (i32.lt_s (local.get $x) (i32.const 0)))))
                (i64.extend_i32_s (local.get $x)))
              (func (export "many") (param $x i32) (result i32 i64 f64)
                (block
                  (drop (i32.const 5))
                  (if (i32.eqz (local.get $x)) (then (return (i32.const 1) (i64.const 2) (f64.const 3.5))))
                  (if (i32.eq (local.get $x) (i32.const 1)) (then (br 2 (i32.const 4) (i64.const 5) (f64.const 6.5)))))
                (i32.const 7) (i64.const 8) (f64.const 9.5)))
            """;
        AssertSameWithAndWithoutOutlining(wat, i =>
        {
            var one = i.GetFunction<int, long>("one");
            var many = i.GetFunction("many")!;
            var results = new List<string> { string.Join(",", new[] { -5, 3, 11 }.Select(x => one(x))) };
            for (var x = 0; x < 3; x++) results.Add(string.Join(",", many.Invoke(x)));
            return string.Join(";", results);
        });
        var outlined = Instantiate(wat, Forced).Instance;
        Assert.Equal(77L, outlined.GetFunction<int, long>("one")(11));
        var r = outlined.GetFunction("many")!.Invoke(1);
        Assert.Equal((4, 5L, 6.5), (r[0].AsI32(), r[1].AsI64(), r[2].AsF64()));
    }

    [Fact]
    public void LoopsAroundAndInsideRegions()
    {
        const string wat = """
            (module (func (export "f") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $s i32)
              (loop $outer
                (local.set $j (i32.const 0))
                (block $done (loop $inner
                  (br_if $done (i32.ge_s (local.get $j) (local.get $i)))
                  (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (local.get $j))))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br $inner)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $outer (i32.lt_s (local.get $i) (local.get $n))))
              (local.get $s)))
            """;
        AssertSameWithAndWithoutOutlining(wat, i => Enumerable.Range(0, 20).Select(x => i.GetFunction<int, int>("f")(x)).ToArray());
        var expected = 0;
        for (var i = 0; i < 30; i++) for (var j = 0; j < i; j++) expected += i * j;
        Assert.Equal(expected, Instantiate(wat, Forced).Instance.GetFunction<int, int>("f")(30));
    }

    [Fact]
    public void MemoryAccessesAndGrowthInsideRegions()
    {
        // The caller's cached memory length must be reloaded after a region that grew the memory.
        const string wat = """
            (module (memory 1)
              (func (export "f") (param $x i32) (result i32) (local $old i32)
                (i32.store (i32.const 16) (local.get $x))
                (i32.store (i32.const 65532) (i32.const 9))
                (block
                  (local.set $old (memory.grow (i32.const 1)))
                  (i32.store (i32.const 70000) (i32.add (i32.load (i32.const 16)) (i32.const 1))))
                (i32.store (i32.const 131068) (i32.load (i32.const 70000)))
                (i32.add (i32.add (local.get $old) (i32.load (i32.const 131068))) (i32.load (i32.const 65532)))))
            """;
        AssertSameWithAndWithoutOutlining(wat, i => i.GetFunction<int, int>("f")(41));
        Assert.Equal(1 + 42 + 9, Instantiate(wat, Forced).Instance.GetFunction<int, int>("f")(41));
    }

    [Fact]
    public void CallsInsideRegions()
    {
        const string wat = """
            (module
              (type $t (func (param i32) (result i32)))
              (table 1 funcref) (elem (i32.const 0) $sq)
              (func $sq (type $t) (i32.mul (local.get 0) (local.get 0)))
              (func $pair (param i32) (result i32 i32) (local.get 0) (i32.add (local.get 0) (i32.const 1)))
              (func (export "f") (param $x i32) (result i32) (local $a i32) (local $b i32)
                (local.set $a (call $sq (local.get $x)))
                (local.set $b (call_indirect (type $t) (local.get $a) (i32.const 0)))
                (local.set $a (i32.sub (call $pair (local.get $b))))
                (i32.add (local.get $a) (local.get $b))))
            """;
        AssertSameWithAndWithoutOutlining(wat, i => i.GetFunction<int, int>("f")(3));
        Assert.Equal(-1 + 81, Instantiate(wat, Forced).Instance.GetFunction<int, int>("f")(3));
    }

    [Fact]
    public void ATrapInsideARegionNamesTheFunction()
    {
        const string wat = """
            (module (memory 1)
              (func $crash (export "crash") (param $x i32) (result i32) (local $a i32)
                (local.set $a (i32.add (local.get $x) (i32.const 1)))
                (block (local.set $a (i32.load (i32.mul (local.get $a) (i32.const 65536)))))
                (local.get $a))
              (func $top (export "top") (param i32) (result i32) (call $crash (local.get 0))))
            """;
        var (instance, module, _) = Instantiate(wat, Forced);
        Assert.True(module.Compiled.Compilation.RegionCount > 0);
        var trap = Assert.Throws<TrapException>(() => instance.GetFunction<int, int>("top")(5));
        Assert.Equal(TrapCode.MemoryOutOfBounds, trap.Code);
        Assert.Equal("out of bounds memory access", trap.Reason);
        Assert.Equal(["crash", "top"], trap.Backtrace.Select(f => f.FunctionName));
        Assert.Equal(0, instance.GetFunction<int, int>("top")(-1));
    }

    [Fact]
    public void DeepRecursionThroughRegionsTraps()
    {
        const string wat = """
            (module
              (func $down (export "down") (param $n i64) (result i64) (local $a i64)
                (local.set $a (i64.add (local.get $n) (i64.const 1)))
                (block (local.set $a (call $down (local.get $a))))
                (i64.add (local.get $a) (i64.const 1)))
              (func (export "ok") (result i32) (i32.const 7)))
            """;
        var (instance, module, store) = Instantiate(wat, Forced);
        using var _ = store;
        Assert.True(module.Compiled.Compilation.RegionCount > 0);
        TrapException? trap = null;
        var thread = new Thread(() => trap = Assert.Throws<TrapException>(() => instance.GetFunction<long, long>("down")(0)), 1024 * 1024);
        thread.Start();
        thread.Join();
        Assert.Equal(TrapCode.CallStackExhausted, trap!.Code);
        Assert.Equal("call stack exhausted", trap.Reason);
        Assert.Equal(7, instance.GetFunction<int>("ok")());
    }

    [Fact]
    public void FuelRunsOutInsideARegion()
    {
        const string wat = """
            (module (func (export "spin") (param $n i32) (result i32) (local $i i32)
              (local.set $i (i32.const 0))
              (block $done (loop $l
                (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $l)))
              (local.get $i)))
            """;
        var (instance, module, store) = Instantiate(wat, Forced with { ConsumeFuel = true });
        using var _ = store;
        Assert.True(module.Compiled.Compilation.RegionCount > 0);
        var spin = instance.GetFunction<int, int>("spin");
        store.Fuel = 1_000;
        Assert.Equal(10, spin(10));
        var used = 1_000 - store.Fuel;
        var (plainInstance, _, plainStore) = Instantiate(wat, Off with { ConsumeFuel = true });
        using var __ = plainStore;
        plainStore.Fuel = 1_000;
        plainInstance.GetFunction<int, int>("spin")(10);
        Assert.Equal(1_000 - plainStore.Fuel, used);
        store.Fuel = 1_000;
        var trap = Assert.Throws<TrapException>(() => spin(1_000_000));
        Assert.Equal(TrapCode.OutOfFuel, trap.Code);
    }

    [Fact]
    public void AFunctionTooLargeForTheJitIsOutlinedAtTheDefaultBudget()
    {
        // Straight-line code well past the JIT's limits, like the big generated functions of real modules.
        var body = new StringBuilder();
        for (var k = 0; k < 4_000; k++)
        {
            body.Append(CultureInfoInvariant($"(local.set $a (i32.add (i32.mul (local.get $a) (i32.const {k % 13 + 1})) (i32.load offset={k % 64 * 4} (local.get $p))))\n"));
            if (k % 500 == 499) body.Append("(if (i32.eq (local.get $a) (local.get $p)) (then (return (i32.const -1))))\n");
        }
        var wat = $$"""
            (module (memory 1) (data (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a")
              (func (export "f") (param $p i32) (result i32) (local $a i32)
                {{body}}
                (local.get $a)))
            """;
        var outlined = Instantiate(wat, EngineConfig.Default);
        Assert.True(outlined.Module.Compiled.Compilation.RegionCount > 1);
        var plain = Instantiate(wat, Off);
        foreach (var p in new[] { 0, 1, 3 })
            Assert.Equal(plain.Instance.GetFunction<int, int>("f")(p), outlined.Instance.GetFunction<int, int>("f")(p));
    }

    [Fact]
    public void ASwitchOfThousandsOfNestedBlocksIsNotPeeledLevelByLevel()
    {
        // How C compilers lower a big switch: cases as nested blocks around one br_table. Every level's run of
        // statements is nearly the whole body, with an exit per case: outlining it level by level made hundreds of
        // nested region methods and took minutes (shootout-switch). Such a body stays whole.
        const int cases = 1_500;
        var code = new StringBuilder("block $out\n");
        for (var k = 0; k < cases; k++) code.Append("block\n");
        code.Append("local.get $x\nbr_table");
        for (var k = 0; k <= cases; k++) code.Append(CultureInfoInvariant($" {k}"));
        code.Append('\n');
        for (var k = 0; k < cases; k++)
        {
            code.Append("end\n");
            code.Append(CultureInfoInvariant($"local.get $r i32.const {k * 7 + 1} i32.add local.set $r br {cases - 1 - k}\n"));
        }
        code.Append("end\n");
        var wat = $$"""
            (module (func (export "f") (param $x i32) (result i32) (local $r i32)
              {{code}}
              local.get $r))
            """;
        var outlined = Instantiate(wat, EngineConfig.Default);
        Assert.True(outlined.Module.Compiled.Compilation.RegionCount <= 2, $"{outlined.Module.Compiled.Compilation.RegionCount} regions");
        var plain = Instantiate(wat, Off);
        foreach (var x in new[] { 0, 1, 749, cases - 1, cases, -1 })
            Assert.Equal(plain.Instance.GetFunction<int, int>("f")(x), outlined.Instance.GetFunction<int, int>("f")(x));
        Assert.Equal(749 * 7 + 1, outlined.Instance.GetFunction<int, int>("f")(749));
    }

    private static string CultureInfoInvariant(FormattableString s) => FormattableString.Invariant(s);
}
