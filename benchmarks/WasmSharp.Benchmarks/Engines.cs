using WasmSharp.Binary;
using WasmSharp.Validation;

namespace WasmSharp.Benchmarks;

/// <summary>The two things being compared, shared by the BenchmarkDotNet and the quick runs.</summary>
public static class Engines
{
    /// <summary>
    /// Wasmtime with the proposals the suite uses switched on (splay needs GC), so that both engines
    /// accept the same modules and do the same work.
    /// </summary>
    /// <param name="parallel">
    /// Wasmtime validates function bodies on several threads by default; false measures it on one
    /// thread, as WasmSharp runs.
    /// </param>
    public static Wasmtime.Engine CreateWasmtime(bool parallel = true) =>
        new(new Wasmtime.Config()
            .WithParallelCompilation(parallel)
            .WithGc(true)
            .WithFunctionReferences(true)
            .WithReferenceTypes(true)
            .WithExceptions(true)
            .WithSIMD(true)
            .WithRelaxedSIMD(true, false)
            .WithTailCalls(true)
            .WithMultiMemory(true)
            .WithMemory64(true));

    /// <summary>WasmSharp: decode then validate; throws on a malformed or invalid module.</summary>
    public static void WasmSharpDecodeValidate(byte[] bytes) => ModuleValidator.Validate(ModuleDecoder.Decode(bytes));

    /// <summary>Wasmtime: Module.Validate decodes and validates; returns the error or null.</summary>
    public static string? WasmtimeValidate(Wasmtime.Engine engine, byte[] bytes) => Wasmtime.Module.Validate(engine, bytes);
}
