using System.Text;

namespace WasmSharp.Cli;

/// <summary>
/// The standard streams a command uses, so tests can run the CLI in process. Text and binary output
/// share <see cref="StandardOutput"/>: <see cref="WriteBinary"/> flushes <see cref="Out"/> first to keep them in order.
/// </summary>
public sealed class CliConsole
{
    private static readonly UTF8Encoding s_utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <param name="standardError">The byte stream behind <paramref name="error"/>, for a guest's stderr; when null, bytes are decoded as UTF-8 into <paramref name="error"/>.</param>
    public CliConsole(Stream standardInput, Stream standardOutput, TextWriter error, Stream? standardError = null)
    {
        StandardInput = standardInput;
        StandardOutput = standardOutput;
        Out = new StreamWriter(standardOutput, s_utf8NoBom, bufferSize: 64 * 1024, leaveOpen: true) { NewLine = "\n" };
        Error = error;
        StandardError = standardError ?? new TextWriterStream(error);
    }

    public Stream StandardInput { get; }
    public Stream StandardOutput { get; }
    public TextWriter Out { get; }
    public TextWriter Error { get; }

    /// <summary>Standard error as bytes: where a WASI guest's stderr goes when it runs in process.</summary>
    public Stream StandardError { get; }

    /// <summary>
    /// True for the process's own streams: a WASI guest then gets the real descriptors (so it can tell a
    /// terminal from a pipe) instead of the streams above.
    /// </summary>
    public bool InheritsProcessStdio { get; private init; }

    public static CliConsole FromProcess() =>
        new(Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error, Console.OpenStandardError()) { InheritsProcessStdio = true };

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

    /// <summary>A write-only stream that decodes UTF-8 (across writes) into a <see cref="TextWriter"/>.</summary>
    private sealed class TextWriterStream(TextWriter writer) : Stream
    {
        private readonly Decoder _decoder = s_utf8NoBom.GetDecoder();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var chars = new char[_decoder.GetCharCount(buffer, flush: false)];
            var n = _decoder.GetChars(buffer, chars, flush: false);
            writer.Write(chars, 0, n);
        }

        public override void Flush() => writer.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
