using WasmSharp.Runtime;

namespace WasmSharp.Tests.Runtime;

public class ExecutionTests
{
    private static Instance Instantiate(string wat, Linker? linker = null, Store? store = null)
    {
        var engine = linker?.Engine ?? store?.Engine ?? new Engine();
        store ??= new Store(engine);
        linker ??= new Linker(engine);
        return linker.Instantiate(store, Module.FromText(engine, wat));
    }

    [Fact]
    public void AddsTwoNumbers()
    {
        var instance = Instantiate("""(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))""");
        var add = instance.GetFunction<int, int, int>("add");
        Assert.Equal(3, add(1, 2));
        Assert.Equal(7, instance.GetFunction("add")!.Invoke(3, 4)[0].AsI32());
    }

    [Fact]
    public void RecursiveFactorial()
    {
        var instance = Instantiate("""
            (module
              (func $fac (export "fac") (param i64) (result i64)
                (if (result i64) (i64.eqz (local.get 0))
                  (then (i64.const 1))
                  (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1))))))))
            """);
        Assert.Equal(2432902008176640000L, instance.GetFunction<long, long>("fac")(20));
    }

    [Fact]
    public void LoopsAndMemory()
    {
        var instance = Instantiate("""
            (module
              (memory (export "mem") 1)
              (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $acc i32)
                (block $done
                  (loop $next
                    (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
                    (i32.store (i32.mul (local.get $i) (i32.const 4)) (local.get $i))
                    (local.set $acc (i32.add (local.get $acc) (i32.load (i32.mul (local.get $i) (i32.const 4)))))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $next)))
                (local.get $acc)))
            """);
        Assert.Equal(4950, instance.GetFunction<int, int>("sum")(100));
        Assert.Equal(99, instance.GetMemory("mem")!.ReadInt32(99 * 4));
    }

    [Fact]
    public void LoadsCoveredByAnEarlierCheckStillSeeTheRightBounds()
    {
        // A load through the same unchanged local that ends no further than an earlier checked one skips its check;
        // one that ends further, or after the local changed, or after a join, must still trap.
        var instance = Instantiate("""
            (module (memory 1)
              (func (export "covered") (param $p i32) (result i32)
                (i32.add (i32.load offset=100 (local.get $p)) (i32.load offset=4 (local.get $p))))
              (func (export "further") (param $p i32) (result i32)
                (i32.add (i32.load offset=4 (local.get $p)) (i32.load offset=100 (local.get $p))))
              (func (export "changed") (param $p i32) (param $q i32) (result i32)
                (drop (i32.load offset=100 (local.get $p)))
                (local.set $p (local.get $q))
                (i32.load (local.get $p)))
              (func (export "joined") (param $p i32) (param $q i32) (result i32)
                (if (local.get $q) (then (drop (i32.load offset=100 (local.get $p)))))
                (i32.load offset=4 (local.get $p))))
            """);
        var covered = instance.GetFunction<int, int>("covered");
        var further = instance.GetFunction<int, int>("further");
        Assert.Equal(0, covered(65536 - 104));
        Assert.Equal(TrapCode.MemoryOutOfBounds, Assert.Throws<TrapException>(() => covered(65536 - 103)).Code);
        Assert.Equal(0, further(65536 - 104));
        Assert.Equal(TrapCode.MemoryOutOfBounds, Assert.Throws<TrapException>(() => further(65536 - 103)).Code);
        var changed = instance.GetFunction<int, int, int>("changed");
        Assert.Equal(0, changed(0, 65532));
        Assert.Equal(TrapCode.MemoryOutOfBounds, Assert.Throws<TrapException>(() => changed(0, 65533)).Code);
        var joined = instance.GetFunction<int, int, int>("joined");
        Assert.Equal(0, joined(65536 - 104, 1));
        Assert.Equal(TrapCode.MemoryOutOfBounds, Assert.Throws<TrapException>(() => joined(65533, 0)).Code);
    }

    [Theory]
    [InlineData("i32.rotl")]
    [InlineData("i32.rotr")]
    public void AZeroTestOfARotateByAConstantSeesTheRotatedValue(string rotate)
    {
        // .NET 10's JIT drops the compare after a rotate by a constant, and x64 rotates do not set the zero flag
        // (dotnet/runtime#129288): without NumericOps.RotateCounts these read whatever flag came before.
        var instance = Instantiate($$"""
            (module
              (global $g (mut i32) (i32.const 0))
              (func $touch (global.set $g (i32.add (global.get $g) (i32.const 1))))
              (func (export "branch") (param i32) (result i32)
                (call $touch)
                (if (result i32) ({{rotate}} (local.get 0) (i32.const 28)) (then (i32.const 1)) (else (i32.const -1))))
              (func (export "select") (param i32) (result i32)
                (call $touch)
                (select (i32.const 1) (i32.const -1) ({{rotate}} (local.get 0) (i32.const 65500)))))
            """);
        foreach (var name in new[] { "branch", "select" })
        {
            var f = instance.GetFunction<int, int>(name);
            Assert.Equal(-1, f(0));
            Assert.Equal(1, f(1));
            Assert.Equal(1, f(int.MinValue));
        }
    }

    [Fact]
    public void ARotateFeedingABranchInAnOutlinedRegionIsRight()
    {
        // The shape differential fuzzing found: the region's exit code is a select on the rotated value.
        var engine = new Engine(EngineConfig.Default with { OutliningBudgetScale = 0.0001 });
        var instance = new Linker(engine).Instantiate(new Store(engine), Module.FromText(engine, """
            (module
              (global $limit (mut i32) (i32.const 10))
              (func (export "f") (param i32) (result i32)
                loop (result f32)
                  global.get $limit
                  i32.eqz
                  if
                    i32.const 99
                    return
                  end
                  global.get $limit
                  i32.const 1
                  i32.sub
                  global.set $limit
                  block (result f32)
                    local.get 0
                    i32.const 65500
                    i32.rotl
                    br_if 1
                    f32.const 1
                  end
                end
                drop
                global.get $limit))
            """));
        Assert.Equal(9, instance.GetFunction<int, int>("f")(0));
    }

    [Fact]
    public void OutOfBoundsLoadTraps()
    {
        var instance = Instantiate("""(module (memory 1) (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))""");
        var load = instance.GetFunction<int, int>("load");
        Assert.Equal(0, load(65532));
        var trap = Assert.Throws<TrapException>(() => load(65533));
        Assert.Equal(TrapCode.MemoryOutOfBounds, trap.Code);
        Assert.Equal("out of bounds memory access", trap.Reason);
    }
}
