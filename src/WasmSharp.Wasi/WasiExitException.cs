using WasmSharp.Runtime;

namespace WasmSharp.Wasi;

/// <summary>
/// Thrown by <c>proc_exit</c> to end the guest. It unwinds through the Wasm frames, where the engine wraps
/// it in a <see cref="TrapException"/>; <see cref="TryGetExitCode"/> finds it either way.
/// </summary>
public sealed class WasiExitException : Exception
{
    public WasiExitException(int exitCode)
        : base($"the guest exited with code {exitCode}")
    {
        ExitCode = exitCode;
    }

    /// <summary>The exit code the guest passed to <c>proc_exit</c>.</summary>
    public int ExitCode { get; }

    /// <summary>Whether <paramref name="exception"/> is, or wraps, a <see cref="WasiExitException"/>; if so its code.</summary>
    public static bool TryGetExitCode(Exception? exception, out int exitCode)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is WasiExitException exit)
            {
                exitCode = exit.ExitCode;
                return true;
            }
        }
        exitCode = 0;
        return false;
    }
}
