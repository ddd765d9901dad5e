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
