using System.Text;
using WasmSharp.Wasi.Native;

namespace WasmSharp.Wasi;

/// <summary>
/// Where a guest's stdin, stdout or stderr goes: the host's own (<see cref="Inherit"/>), a .NET
/// <see cref="Stream"/>, fixed input bytes, an in-memory <see cref="WasiOutputBuffer"/>, or nothing
/// (<see cref="Null"/>: reads see end of file, writes are discarded).
/// </summary>
public abstract class WasiStdio
{
    private protected WasiStdio()
    {
    }

    /// <summary>The host process's own standard stream.</summary>
    public static WasiStdio Inherit { get; } = new InheritStdio();

    /// <summary>Nothing: reading gives end of file, writing succeeds and drops the bytes.</summary>
    public static WasiStdio Null { get; } = new NullStdio();

    /// <summary>
    /// A .NET stream: read from for stdin, written (and flushed) for stdout and stderr. The stream is
    /// shared by every context made from the configuration and is never disposed by WASI.
    /// </summary>
    public static WasiStdio FromStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new StreamStdio(stream);
    }

    /// <summary>Fixed input: each context reads <paramref name="data"/> from its start, then sees end of file.</summary>
    public static WasiStdio FromBytes(ReadOnlyMemory<byte> data) => new BytesStdio(data);

    /// <summary>Fixed input given as text, encoded as UTF-8.</summary>
    public static WasiStdio FromString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new BytesStdio(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The per-context stream behind descriptor <paramref name="fd"/> (0, 1 or 2).</summary>
    internal abstract StdioStream Open(int fd);
}

/// <summary>
/// Collects what a guest writes, in memory. One buffer may serve as stdout and stderr at once (the
/// writes interleave) and keeps accumulating across runs until <see cref="Clear"/>.
/// </summary>
public sealed class WasiOutputBuffer : WasiStdio
{
    private readonly MemoryStream _buffer = new();
    private readonly Lock _lock = new();

    /// <summary>The number of bytes written so far.</summary>
    public long Length
    {
        get
        {
            lock (_lock) return _buffer.Length;
        }
    }

    /// <summary>A copy of the bytes written so far.</summary>
    public byte[] ToArray()
    {
        lock (_lock) return _buffer.ToArray();
    }

    /// <summary>The bytes written so far, decoded as UTF-8.</summary>
    public string GetString() => Encoding.UTF8.GetString(ToArray());

    public void Clear()
    {
        lock (_lock) _buffer.SetLength(0);
    }

    public override string ToString() => GetString();

    internal override StdioStream Open(int fd) => new BufferStream(this);

    internal void Append(ReadOnlySpan<byte> data)
    {
        lock (_lock) _buffer.Write(data);
    }

    private sealed class BufferStream(WasiOutputBuffer owner) : StdioStream
    {
        public override int Read(Span<byte> buffer) => 0;

        public override void Write(ReadOnlySpan<byte> data) => owner.Append(data);
    }
}

/// <summary>The open form of a <see cref="WasiStdio"/> inside one context.</summary>
internal abstract class StdioStream
{
    /// <summary>Whether the stream is an interactive terminal (reported as a character device).</summary>
    public virtual bool IsTerminal => false;

    /// <summary>Reads at most <paramref name="buffer"/>.Length bytes; 0 means end of file.</summary>
    public abstract int Read(Span<byte> buffer);

    public abstract void Write(ReadOnlySpan<byte> data);

    /// <summary>Bytes known to be readable without blocking (for <c>poll_oneoff</c>), or null when unknown.</summary>
    public virtual ulong? Available => null;

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1: forever) for input; true when a read would
    /// not block. Streams that cannot tell say they are ready.
    /// </summary>
    public virtual bool WaitReadable(int timeoutMilliseconds) => true;
}

internal sealed class NullStdio : WasiStdio
{
    internal override StdioStream Open(int fd) => NullStream.Instance;

    private sealed class NullStream : StdioStream
    {
        public static readonly NullStream Instance = new();

        public override int Read(Span<byte> buffer) => 0;

        public override void Write(ReadOnlySpan<byte> data)
        {
        }

        public override ulong? Available => 0;
    }
}

internal sealed class BytesStdio(ReadOnlyMemory<byte> data) : WasiStdio
{
    internal override StdioStream Open(int fd) => new Cursor(data);

    private sealed class Cursor(ReadOnlyMemory<byte> data) : StdioStream
    {
        private int _position;

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, data.Length - _position);
            data.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Write(ReadOnlySpan<byte> bytes)
        {
        }

        public override ulong? Available => (ulong)(data.Length - _position);
    }
}

internal sealed class StreamStdio(Stream stream) : WasiStdio
{
    internal override StdioStream Open(int fd) => new Adapter(stream);

    private sealed class Adapter(Stream stream) : StdioStream
    {
        public override int Read(Span<byte> buffer) => stream.Read(buffer);

        public override void Write(ReadOnlySpan<byte> data)
        {
            stream.Write(data);
            stream.Flush();
        }
    }
}

internal sealed class InheritStdio : WasiStdio
{
    internal override StdioStream Open(int fd) => new ConsoleStdio(fd);

    /// <summary>The process's standard streams, opened on first use so an unused one costs nothing.</summary>
    private sealed unsafe class ConsoleStdio(int fd) : StdioStream
    {
        private Stream? _stream;

        private Stream Stream => _stream ??= fd switch
        {
            0 => Console.OpenStandardInput(),
            1 => Console.OpenStandardOutput(),
            _ => Console.OpenStandardError(),
        };

        public override bool IsTerminal => fd switch
        {
            0 => !Console.IsInputRedirected,
            1 => !Console.IsOutputRedirected,
            _ => !Console.IsErrorRedirected,
        };

        public override int Read(Span<byte> buffer) => Stream.Read(buffer);

        public override void Write(ReadOnlySpan<byte> data)
        {
            Stream.Write(data);
            Stream.Flush();
        }

        public override bool WaitReadable(int timeoutMilliseconds)
        {
            if (fd != 0 || !Libc.IsSupported) return true;
            Libc.PollFd pfd = new() { Fd = 0, Events = Libc.POLLIN };
            var r = Libc.Poll(&pfd, 1, timeoutMilliseconds);
            // An error or a hang-up also means a read would not block.
            return r != 0;
        }
    }
}
