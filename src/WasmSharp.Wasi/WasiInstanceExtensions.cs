using WasmSharp.Runtime;

namespace WasmSharp.Wasi;

/// <summary>Running WASI commands.</summary>
public static class WasiInstanceExtensions
{
    /// <summary>
    /// Runs a WASI command: calls its <c>_start</c> export and returns the exit code, 0 when <c>_start</c>
    /// returns and the code given to <c>proc_exit</c> otherwise.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The module has no <c>_start</c> function.</exception>
    /// <exception cref="TrapException">The guest trapped (other than by exiting).</exception>
    public static int RunWasiCommand(this Instance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var start = instance.GetFunction("_start") ?? throw new KeyNotFoundException("The module has no \"_start\" function to run.");
        try
        {
            start.Invoke([], []);
            return 0;
        }
        catch (Exception e) when (WasiExitException.TryGetExitCode(e, out var code))
        {
            return code;
        }
    }
}
