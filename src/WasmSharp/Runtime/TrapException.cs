using System.Diagnostics;
using System.Text;
using WasmSharp.Compilation;

namespace WasmSharp.Runtime;

/// <summary>One frame of a Wasm backtrace: a function of a module, with its name from the name section when known.</summary>
public readonly record struct WasmFrame(int FunctionIndex, string? FunctionName, string? ModuleName)
{
    public override string ToString()
    {
        var module = ModuleName ?? "<module>";
        return FunctionName is null ? $"{module}!<wasm function {FunctionIndex}>" : $"{module}!{FunctionName} (function {FunctionIndex})";
    }
}

/// <summary>
/// Execution trapped. <see cref="WasmException.Reason"/> is the spec's message for <see cref="Code"/>
/// (what assert_trap expects); a trap raised by a host function carries the original exception as
/// <see cref="Exception.InnerException"/>. <see cref="Backtrace"/> lists the Wasm frames, innermost first.
/// </summary>
public sealed class TrapException : WasmException
{
    private IReadOnlyList<WasmFrame>? _backtrace;

    public TrapException(TrapCode code, Exception? inner = null)
        : this(code, TrapCodes.Message(code), inner)
    {
    }

    public TrapException(TrapCode code, string reason, Exception? inner = null)
        : base(reason, SourceLocation.None, inner)
    {
        Code = code;
    }

    public TrapCode Code { get; }

    /// <summary>
    /// The Wasm functions that were running when the trap happened, innermost first. Frames replaced by
    /// tail calls are absent (as in other engines).
    /// </summary>
    public IReadOnlyList<WasmFrame> Backtrace => _backtrace ??= ComputeBacktrace();

    /// <summary>The backtrace, one frame a line, as the CLI prints it.</summary>
    public string FormatBacktrace()
    {
        var sb = new StringBuilder();
        var frames = Backtrace;
        for (var i = 0; i < frames.Count; i++) sb.Append("  ").Append(i).Append(": ").Append(frames[i]).Append('\n');
        return sb.ToString();
    }

    private IReadOnlyList<WasmFrame> ComputeBacktrace()
    {
        var frames = new List<WasmFrame>();
        // Frames of host functions called from Wasm belong to the inner exception's trace; the Wasm frames are ours.
        foreach (var frame in new StackTrace(this, false).GetFrames())
        {
            var method = frame.GetMethod();
            if (method is null) continue;
            if (CompiledModule.TryMapFrame(method, out var wasmFrame)) frames.Add(wasmFrame);
        }
        return frames;
    }
}
