using System.Runtime.InteropServices;

namespace WasmSharp.Wasi.Native;

/// <summary>
/// The Linux libc calls the sandboxed file system is built on. The *at family lets every path be resolved
/// relative to a directory descriptor that is already inside a preopen, so no absolute host path of a
/// guest-chosen location is ever formed.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Lib = "libc";

    // The flag values that differ between architectures are chosen once, in the static constructor.
    internal const int O_RDONLY = 0;
    internal const int O_WRONLY = 1;
    internal const int O_RDWR = 2;
    internal const int O_CREAT = 0x40;
    internal const int O_EXCL = 0x80;
    internal const int O_NOCTTY = 0x100;
    internal const int O_TRUNC = 0x200;
    internal const int O_APPEND = 0x400;
    internal const int O_NONBLOCK = 0x800;
    internal const int O_DSYNC = 0x1000;
    internal const int O_SYNC = 0x101000;
    internal const int O_CLOEXEC = 0x80000;
    internal const int O_PATH = 0x200000;
    internal static readonly int O_DIRECTORY;
    internal static readonly int O_NOFOLLOW;

    internal const int AT_FDCWD = -100;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const int AT_REMOVEDIR = 0x200;
    internal const int AT_EMPTY_PATH = 0x1000;

    internal const int F_GETFL = 3;
    internal const int F_SETFL = 4;

    internal const uint STATX_BASIC_STATS = 0x7ff;

    internal const long UTIME_NOW = (1L << 30) - 1;
    internal const long UTIME_OMIT = (1L << 30) - 2;

    internal const int S_IFMT = 0xF000;
    internal const int S_IFSOCK = 0xC000;
    internal const int S_IFLNK = 0xA000;
    internal const int S_IFREG = 0x8000;
    internal const int S_IFBLK = 0x6000;
    internal const int S_IFDIR = 0x4000;
    internal const int S_IFCHR = 0x2000;

    internal const short POLLIN = 1;

    internal const int CLOCK_PROCESS_CPUTIME_ID = 2;
    internal const int CLOCK_THREAD_CPUTIME_ID = 3;

    internal const int EINTR = 4;
    internal const int EINVAL = 22;
    internal const int ENOTDIR = 20;
    internal const int ELOOP = 40;
    internal const int ENOENT = 2;
    internal const int EACCES = 13;

    static Libc()
    {
        // asm-generic (arm64, riscv64, loongarch64) and x86 disagree on these two; arm (32-bit) is like arm64.
        if (RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86)
        {
            O_DIRECTORY = 0x10000;
            O_NOFOLLOW = 0x20000;
        }
        else
        {
            O_DIRECTORY = 0x4000;
            O_NOFOLLOW = 0x8000;
        }
    }

    /// <summary>Whether this implementation of the sandboxed file system can run here.</summary>
    internal static bool IsSupported => OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    [StructLayout(LayoutKind.Sequential)]
    internal struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>struct statx: the same layout on every architecture, unlike struct stat.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    internal struct Statx
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(16)] public uint Nlink;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Ino;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(64)] public long AtimeSec;
        [FieldOffset(72)] public uint AtimeNsec;
        [FieldOffset(96)] public long CtimeSec;
        [FieldOffset(104)] public uint CtimeNsec;
        [FieldOffset(112)] public long MtimeSec;
        [FieldOffset(120)] public uint MtimeNsec;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;

        public readonly ulong Dev =>
            ((ulong)(DevMajor & 0xfffff000) << 32) | ((ulong)(DevMajor & 0xfff) << 8)
            | ((ulong)(DevMinor & 0xffffff00) << 12) | (DevMinor & 0xff);
    }

    [LibraryImport(Lib, EntryPoint = "openat", SetLastError = true)]
    private static partial int OpenAtNative(int dirfd, byte* path, int flags, uint mode);

    /// <summary>openat, retried on EINTR.</summary>
    internal static int OpenAt(int dirfd, byte* path, int flags, uint mode)
    {
        int r;
        do r = OpenAtNative(dirfd, path, flags, mode); while (r < 0 && Marshal.GetLastPInvokeError() == EINTR);
        return r;
    }

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "readv", SetLastError = true)]
    internal static partial nint ReadV(int fd, IoVec* iov, int iovcnt);

    [LibraryImport(Lib, EntryPoint = "writev", SetLastError = true)]
    internal static partial nint WriteV(int fd, IoVec* iov, int iovcnt);

    [LibraryImport(Lib, EntryPoint = "preadv", SetLastError = true)]
    internal static partial nint PreadV(int fd, IoVec* iov, int iovcnt, long offset);

    [LibraryImport(Lib, EntryPoint = "pwritev", SetLastError = true)]
    internal static partial nint PwriteV(int fd, IoVec* iov, int iovcnt, long offset);

    [LibraryImport(Lib, EntryPoint = "lseek", SetLastError = true)]
    internal static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport(Lib, EntryPoint = "ftruncate", SetLastError = true)]
    internal static partial int FTruncate(int fd, long length);

    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int FSync(int fd);

    [LibraryImport(Lib, EntryPoint = "fdatasync", SetLastError = true)]
    internal static partial int FDataSync(int fd);

    /// <summary>Returns the error number itself (0 on success), not -1 and errno.</summary>
    [LibraryImport(Lib, EntryPoint = "posix_fadvise")]
    internal static partial int PosixFAdvise(int fd, long offset, long len, int advice);

    /// <summary>Returns the error number itself (0 on success), not -1 and errno.</summary>
    [LibraryImport(Lib, EntryPoint = "posix_fallocate")]
    internal static partial int PosixFAllocate(int fd, long offset, long len);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int FCntl(int fd, int cmd, long arg);

    [LibraryImport(Lib, EntryPoint = "mkdirat", SetLastError = true)]
    internal static partial int MkdirAt(int dirfd, byte* path, uint mode);

    [LibraryImport(Lib, EntryPoint = "unlinkat", SetLastError = true)]
    internal static partial int UnlinkAt(int dirfd, byte* path, int flags);

    [LibraryImport(Lib, EntryPoint = "renameat", SetLastError = true)]
    internal static partial int RenameAt(int olddirfd, byte* oldpath, int newdirfd, byte* newpath);

    [LibraryImport(Lib, EntryPoint = "linkat", SetLastError = true)]
    internal static partial int LinkAt(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, int flags);

    [LibraryImport(Lib, EntryPoint = "symlinkat", SetLastError = true)]
    internal static partial int SymlinkAt(byte* target, int newdirfd, byte* linkpath);

    [LibraryImport(Lib, EntryPoint = "readlinkat", SetLastError = true)]
    internal static partial nint ReadlinkAt(int dirfd, byte* path, byte* buf, nuint bufsize);

    [LibraryImport(Lib, EntryPoint = "utimensat", SetLastError = true)]
    internal static partial int UtimensAt(int dirfd, byte* path, Timespec* times, int flags);

    [LibraryImport(Lib, EntryPoint = "futimens", SetLastError = true)]
    internal static partial int FUtimens(int fd, Timespec* times);

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true)]
    internal static partial int StatX(int dirfd, byte* path, int flags, uint mask, Statx* buf);

    [LibraryImport(Lib, EntryPoint = "fdopendir", SetLastError = true)]
    internal static partial nint FdOpenDir(int fd);

    [LibraryImport(Lib, EntryPoint = "readdir", SetLastError = true)]
    internal static partial byte* ReadDir(nint dir);

    [LibraryImport(Lib, EntryPoint = "closedir", SetLastError = true)]
    internal static partial int CloseDir(nint dir);

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    internal static partial int Poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport(Lib, EntryPoint = "clock_gettime", SetLastError = true)]
    internal static partial int ClockGetTime(int clockId, Timespec* tp);

    [LibraryImport(Lib, EntryPoint = "clock_getres", SetLastError = true)]
    internal static partial int ClockGetRes(int clockId, Timespec* tp);

    internal static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>The WASI error for the errno of the last failed call.</summary>
    internal static WasiErrno LastErrno => ToWasi(Marshal.GetLastPInvokeError());

    /// <summary>Maps a Linux errno to the WASI errno of the same meaning.</summary>
    internal static WasiErrno ToWasi(int errno) => errno switch
    {
        0 => WasiErrno.Success,
        1 => WasiErrno.Perm,
        2 => WasiErrno.NoEnt,
        3 => WasiErrno.Srch,
        4 => WasiErrno.Intr,
        5 => WasiErrno.Io,
        6 => WasiErrno.Nxio,
        7 => WasiErrno.TooBig,
        8 => WasiErrno.NoExec,
        9 => WasiErrno.Badf,
        10 => WasiErrno.Child,
        11 => WasiErrno.Again,
        12 => WasiErrno.NoMem,
        13 => WasiErrno.Acces,
        14 => WasiErrno.Fault,
        16 => WasiErrno.Busy,
        17 => WasiErrno.Exist,
        18 => WasiErrno.Xdev,
        19 => WasiErrno.NoDev,
        20 => WasiErrno.NotDir,
        21 => WasiErrno.IsDir,
        22 => WasiErrno.Inval,
        23 => WasiErrno.Nfile,
        24 => WasiErrno.Mfile,
        25 => WasiErrno.NoTty,
        26 => WasiErrno.TxtBsy,
        27 => WasiErrno.Fbig,
        28 => WasiErrno.NoSpc,
        29 => WasiErrno.Spipe,
        30 => WasiErrno.Rofs,
        31 => WasiErrno.Mlink,
        32 => WasiErrno.Pipe,
        33 => WasiErrno.Dom,
        34 => WasiErrno.Range,
        35 => WasiErrno.Deadlk,
        36 => WasiErrno.NameTooLong,
        37 => WasiErrno.NoLck,
        38 => WasiErrno.NoSys,
        39 => WasiErrno.NotEmpty,
        40 => WasiErrno.Loop,
        42 => WasiErrno.NoMsg,
        43 => WasiErrno.Idrm,
        67 => WasiErrno.NoLink,
        71 => WasiErrno.Proto,
        72 => WasiErrno.Multihop,
        74 => WasiErrno.BadMsg,
        75 => WasiErrno.Overflow,
        84 => WasiErrno.Ilseq,
        88 => WasiErrno.NotSock,
        89 => WasiErrno.DestAddrReq,
        90 => WasiErrno.MsgSize,
        91 => WasiErrno.ProtoType,
        92 => WasiErrno.NoProtoOpt,
        93 => WasiErrno.ProtoNoSupport,
        95 => WasiErrno.NotSup,
        97 => WasiErrno.AfNoSupport,
        98 => WasiErrno.AddrInUse,
        99 => WasiErrno.AddrNotAvail,
        100 => WasiErrno.NetDown,
        101 => WasiErrno.NetUnreach,
        102 => WasiErrno.NetReset,
        103 => WasiErrno.ConnAborted,
        104 => WasiErrno.ConnReset,
        105 => WasiErrno.NoBufs,
        106 => WasiErrno.IsConn,
        107 => WasiErrno.NotConn,
        110 => WasiErrno.TimedOut,
        111 => WasiErrno.ConnRefused,
        113 => WasiErrno.HostUnreach,
        114 => WasiErrno.Already,
        115 => WasiErrno.InProgress,
        116 => WasiErrno.Stale,
        122 => WasiErrno.Dquot,
        125 => WasiErrno.Canceled,
        130 => WasiErrno.OwnerDead,
        131 => WasiErrno.NotRecoverable,
        _ => WasiErrno.Io,
    };
}
