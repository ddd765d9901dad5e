using WasmSharp.Model;

namespace WasmSharp.Compilation;

internal sealed partial class FunctionCompiler
{
    private bool TryEmitSimd(in Instruction ins) => false;

    private bool TryEmitSimdMemory(in Instruction ins) => false;
}
