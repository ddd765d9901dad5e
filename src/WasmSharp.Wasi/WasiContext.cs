using System.Text;
using WasmSharp.Wasi.Native;

namespace WasmSharp.Wasi;

/// <summary>
/// The state of one WASI guest (its descriptor table, stdio, arguments and environment) and the
/// implementation of every <c>wasi_snapshot_preview1</c> function. Each function takes the guest's linear
/// memory as a span and its arguments exactly as the Wasm ABI passes them (i32 as <c>int</c>, i64 as
/// <c>long</c>, pointers as u32 offsets), and returns the WASI errno; results are written into memory.
/// Independent of any engine: tests drive it with a plain byte array. Not thread-safe (neither is a guest).
/// </summary>
public sealed partial class WasiContext : IDisposable
{
    private readonly List<WasiFd?> _fds = [];
    private readonly byte[][] _args;
    private readonly byte[][] _environment;
    private readonly WasiClock _clock;
    private readonly WasiRandomSource _random;
    private bool _disposed;

    /// <summary>Creates the guest's state from <paramref name="config"/>, opening its preopened directories.</summary>
    /// <exception cref="DirectoryNotFoundException">A preopened directory does not exist or is not a directory.</exception>
    /// <exception cref="PlatformNotSupportedException">Directories are preopened on a platform other than 64-bit Linux.</exception>
    public WasiContext(WasiConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        _args = [.. config.Args.Select(a => Encoding.UTF8.GetBytes(a))];
        _environment = [.. config.ResolveEnvironment().Select(kv => Encoding.UTF8.GetBytes(kv.Key + "=" + kv.Value))];
        _clock = config.Clock;
        _random = config.Random;
        _fds.Add(new StdioFd(config.Stdin.Open(0), isInput: true));
        _fds.Add(new StdioFd(config.Stdout.Open(1), isInput: false));
        _fds.Add(new StdioFd(config.Stderr.Open(2), isInput: false));
        try
        {
            foreach (var preopen in config.Preopens) _fds.Add(OpenPreopen(preopen));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public WasiConfig Config { get; }

    /// <summary>The number of descriptors the guest has open (stdio included).</summary>
    public int OpenDescriptorCount => _fds.Count(f => f is not null);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var fd in _fds) fd?.Dispose();
        _fds.Clear();
    }

    private static unsafe HostDirFd OpenPreopen(WasiPreopen preopen)
    {
        if (!Libc.IsSupported)
            throw new PlatformNotSupportedException("Preopened directories are implemented for 64-bit Linux only.");
        var full = Path.GetFullPath(preopen.HostPath);
        var bytes = Encoding.UTF8.GetBytes(full + "\0");
        int fd;
        fixed (byte* p = bytes)
        {
            fd = Libc.OpenAt(Libc.AT_FDCWD, p, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
            // A directory that can be searched but not listed is still a usable root.
            if (fd < 0 && Libc.LastError == Libc.EACCES)
                fd = Libc.OpenAt(Libc.AT_FDCWD, p, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        }
        if (fd < 0)
            throw new DirectoryNotFoundException($"Cannot preopen '{preopen.HostPath}': {Libc.LastErrno.ToString().ToLowerInvariant()}.");
        var inheriting = WasiRightsSets.DirectoryInheriting;
        var baseRights = WasiRightsSets.DirectoryBase;
        if (preopen.ReadOnly)
        {
            inheriting &= ~WasiRightsSets.Mutating;
            baseRights &= ~WasiRightsSets.Mutating;
        }
        return new HostDirFd(new HostHandle(fd), preopen.GuestPath, preopen.ReadOnly) { Base = baseRights, Inheriting = inheriting };
    }

    private WasiFd? Get(int fd)
    {
        var index = (uint)fd;
        return index < (uint)_fds.Count ? _fds[(int)index] : null;
    }

    /// <summary>Gives <paramref name="entry"/> the lowest free descriptor number, as POSIX does.</summary>
    private int Allocate(WasiFd entry)
    {
        for (var i = 0; i < _fds.Count; i++)
        {
            if (_fds[i] is null)
            {
                _fds[i] = entry;
                return i;
            }
        }
        _fds.Add(entry);
        return _fds.Count - 1;
    }

    // ---- args and environment ----

    /// <summary><c>args_get(argv: ptr ptr u8, argv_buf: ptr u8)</c></summary>
    public WasiErrno ArgsGet(Span<byte> memory, int argv, int argvBuf) => WriteStrings(memory, _args, (uint)argv, (uint)argvBuf);

    /// <summary><c>args_sizes_get() -> (size, size)</c>: the count and the total length with NULs.</summary>
    public WasiErrno ArgsSizesGet(Span<byte> memory, int countPtr, int bufSizePtr) => WriteSizes(memory, _args, (uint)countPtr, (uint)bufSizePtr);

    /// <summary><c>environ_get(environ: ptr ptr u8, environ_buf: ptr u8)</c>: "NAME=value" strings.</summary>
    public WasiErrno EnvironGet(Span<byte> memory, int environ, int environBuf) => WriteStrings(memory, _environment, (uint)environ, (uint)environBuf);

    /// <summary><c>environ_sizes_get() -> (size, size)</c></summary>
    public WasiErrno EnvironSizesGet(Span<byte> memory, int countPtr, int bufSizePtr) => WriteSizes(memory, _environment, (uint)countPtr, (uint)bufSizePtr);

    private static WasiErrno WriteStrings(Span<byte> memory, byte[][] strings, uint pointers, uint buffer)
    {
        ulong total = 0;
        foreach (var s in strings) total += (ulong)s.Length + 1;
        if (!Guest.InBounds(memory, pointers, (ulong)strings.Length * 4) || !Guest.InBounds(memory, buffer, total)) return WasiErrno.Fault;
        var at = buffer;
        for (var i = 0; i < strings.Length; i++)
        {
            Guest.U32(memory, pointers + (uint)i * 4, at);
            strings[i].CopyTo(memory[(int)at..]);
            memory[(int)at + strings[i].Length] = 0;
            at += (uint)strings[i].Length + 1;
        }
        return WasiErrno.Success;
    }

    private static WasiErrno WriteSizes(Span<byte> memory, byte[][] strings, uint countPtr, uint sizePtr)
    {
        ulong total = 0;
        foreach (var s in strings) total += (ulong)s.Length + 1;
        if (total > uint.MaxValue) return WasiErrno.Overflow;
        if (!Guest.InBounds(memory, countPtr, 4) || !Guest.InBounds(memory, sizePtr, 4)) return WasiErrno.Fault;
        Guest.U32(memory, countPtr, (uint)strings.Length);
        Guest.U32(memory, sizePtr, (uint)total);
        return WasiErrno.Success;
    }

    // ---- clocks, randomness, process ----

    /// <summary><c>clock_res_get(id: clockid) -> timestamp</c></summary>
    public WasiErrno ClockResGet(Span<byte> memory, int id, int resultPtr)
    {
        if ((uint)id > (uint)WasiClockId.ThreadCpuTime) return WasiErrno.Inval;
        return Guest.WriteU64(memory, (uint)resultPtr, _clock.ResolutionNanoseconds((WasiClockId)id));
    }

    /// <summary><c>clock_time_get(id: clockid, precision: timestamp) -> timestamp</c></summary>
    public WasiErrno ClockTimeGet(Span<byte> memory, int id, long precision, int resultPtr)
    {
        if (!Guest.InBounds(memory, (uint)resultPtr, 8)) return WasiErrno.Fault;
        var now = _clock.Now((WasiClockId)(uint)id);
        if (now is null) return WasiErrno.Inval;
        Guest.U64(memory, (uint)resultPtr, now.Value);
        return WasiErrno.Success;
    }

    /// <summary><c>random_get(buf: ptr u8, buf_len: size)</c></summary>
    public WasiErrno RandomGet(Span<byte> memory, int buf, int bufLen)
    {
        if (!Guest.InBounds(memory, (uint)buf, (uint)bufLen)) return WasiErrno.Fault;
        _random(memory.Slice(buf, (int)(uint)bufLen));
        return WasiErrno.Success;
    }

    /// <summary><c>proc_exit(rval: exitcode)</c>: never returns; throws <see cref="WasiExitException"/>.</summary>
    public void ProcExit(int code) => throw new WasiExitException(code);

    /// <summary><c>proc_raise(sig: signal)</c>: signals are not supported (ENOTSUP, as in Wasmtime).</summary>
    public WasiErrno ProcRaise(int signal) => WasiErrno.NotSup;

    /// <summary><c>sched_yield()</c></summary>
    public WasiErrno SchedYield()
    {
        Thread.Yield();
        return WasiErrno.Success;
    }

    // ---- sockets: none can be granted in preview1, so every descriptor that exists is not a socket ----

    /// <summary><c>sock_accept(fd, flags: fdflags) -> fd</c></summary>
    public WasiErrno SockAccept(Span<byte> memory, int fd, int flags, int resultPtr) => Get(fd) is null ? WasiErrno.Badf : WasiErrno.NotSock;

    /// <summary><c>sock_recv(fd, ri_data: iovec_array, ri_flags: riflags) -> (size, roflags)</c></summary>
    public WasiErrno SockRecv(Span<byte> memory, int fd, int riData, int riDataLen, int riFlags, int sizePtr, int roFlagsPtr) =>
        Get(fd) is null ? WasiErrno.Badf : WasiErrno.NotSock;

    /// <summary><c>sock_send(fd, si_data: ciovec_array, si_flags: siflags) -> size</c></summary>
    public WasiErrno SockSend(Span<byte> memory, int fd, int siData, int siDataLen, int siFlags, int sizePtr) =>
        Get(fd) is null ? WasiErrno.Badf : WasiErrno.NotSock;

    /// <summary><c>sock_shutdown(fd, how: sdflags)</c></summary>
    public WasiErrno SockShutdown(int fd, int how) => Get(fd) is null ? WasiErrno.Badf : WasiErrno.NotSock;
}
