using System.Globalization;
using WasmSharp.Model;

namespace WasmSharp.Runtime;

/// <summary>
/// The <c>spectest</c> host module the official test suite imports, as in the reference interpreter:
/// <c>print*</c> functions, <c>global_i32</c>/<c>global_i64</c> (666), <c>global_f32</c>/<c>global_f64</c> (666.6),
/// <c>table</c> and <c>table64</c> (10..20 funcref), <c>memory</c> (1..2 pages) and, as the threads proposal
/// has it, <c>shared_memory</c> (1..2 pages, shared).
/// </summary>
public static class Spectest
{
    /// <summary>Defines the spectest module in <paramref name="linker"/>, its state in <paramref name="store"/>; prints go to <paramref name="output"/> (none when null).</summary>
    public static Linker DefineSpectest(this Linker linker, Store store, TextWriter? output = null)
    {
        ArgumentNullException.ThrowIfNull(linker);
        ArgumentNullException.ThrowIfNull(store);
        const string m = "spectest";
        var c = CultureInfo.InvariantCulture;
        linker.DefineFunction(m, "print", () => output?.WriteLine());
        linker.DefineFunction(m, "print_i32", (int x) => output?.WriteLine(x.ToString(c) + " : i32"));
        linker.DefineFunction(m, "print_i64", (long x) => output?.WriteLine(x.ToString(c) + " : i64"));
        linker.DefineFunction(m, "print_f32", (float x) => output?.WriteLine(x.ToString("R", c) + " : f32"));
        linker.DefineFunction(m, "print_f64", (double x) => output?.WriteLine(x.ToString("R", c) + " : f64"));
        linker.DefineFunction(m, "print_i32_f32", (int x, float y) => output?.WriteLine($"{x.ToString(c)} : i32\n{y.ToString("R", c)} : f32"));
        linker.DefineFunction(m, "print_f64_f64", (double x, double y) => output?.WriteLine($"{x.ToString("R", c)} : f64\n{y.ToString("R", c)} : f64"));
        linker.Define(m, "global_i32", new Global(store, new GlobalType(ValType.I32, false), Value.I32(666)));
        linker.Define(m, "global_i64", new Global(store, new GlobalType(ValType.I64, false), Value.I64(666)));
        linker.Define(m, "global_f32", new Global(store, new GlobalType(ValType.F32, false), Value.F32(666.6f)));
        linker.Define(m, "global_f64", new Global(store, new GlobalType(ValType.F64, false), Value.F64(666.6)));
        linker.Define(m, "table", new Table(store, new TableType(ValType.FuncRef, new Limits(10, 20)), Value.FuncRef(null)));
        linker.Define(m, "table64", new Table(store, new TableType(ValType.FuncRef, new Limits(10, 20, Is64: true)), Value.FuncRef(null)));
        linker.Define(m, "memory", new Memory(store, new MemoryType(new Limits(1, 2))));
        // The threads proposal's interpreter adds it; the Wasm 3.0 suite never imports it.
        linker.Define(m, "shared_memory", new Memory(store, new MemoryType(new Limits(1, 2, Shared: true))));
        return linker;
    }
}
