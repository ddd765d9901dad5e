namespace WasmSharp.Compilation;

internal sealed partial class FunctionCompiler
{
    /// <summary>Fuel and epoch checks at function entry (nothing unless the engine enables them).</summary>
    private void EmitEntryChecks()
    {
    }

    /// <summary>Fuel and epoch checks at the head of every loop (nothing unless the engine enables them).</summary>
    private void EmitLoopHeaderChecks()
    {
    }
}
