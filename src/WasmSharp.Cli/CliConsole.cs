using System.Text;

namespace WasmSharp.Cli;

/// <summary>
/// The standard streams a command uses, so tests can run the CLI in process. Text and binary output
/// share <see cref="StandardOutput"/>: <see cref="WriteBinary"/> flushes <see cref="Out"/> first to keep them in order.
/// </summary>
public sealed class CliConsole(Stream standardInput, Stream standardOutput, TextWriter error)
{
    private static readonly UTF8Encoding s_utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public Stream StandardInput { get; } = standardInput;
    public Stream StandardOutput { get; } = standardOutput;
    public TextWriter Out { get; } = new StreamWriter(standardOutput, s_utf8NoBom, bufferSize: 64 * 1024, leaveOpen: true) { NewLine = "\n" };
    public TextWriter Error { get; } = error;

    public static CliConsole FromProcess() =>
        new(Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error);

    public void WriteBinary(ReadOnlySpan<byte> bytes)
    {
        Out.Flush();
        StandardOutput.Write(bytes);
        StandardOutput.Flush();
    }

    public void Flush()
    {
        Out.Flush();
        StandardOutput.Flush();
        Error.Flush();
    }
}
