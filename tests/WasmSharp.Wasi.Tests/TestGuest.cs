using System.Buffers.Binary;
using System.Text;

namespace WasmSharp.Wasi.Tests;

/// <summary>
/// Drives a <see cref="WasiContext"/> the way a guest would, with a plain byte array as its linear memory
/// and a bump allocator for the strings, iovecs and result slots a call needs.
/// </summary>
internal sealed class TestGuest : IDisposable
{
    public const int PreopenFd = 3;
    private int _next = 1024;

    public TestGuest(WasiConfig config, int memorySize = 1 << 20)
    {
        Memory = new byte[memorySize];
        Wasi = new WasiContext(config);
    }

    public byte[] Memory { get; }

    public WasiContext Wasi { get; }

    public void Dispose() => Wasi.Dispose();

    public int Alloc(int size, int align = 8)
    {
        _next = (_next + align - 1) / align * align;
        var p = _next;
        _next += size;
        if (_next > Memory.Length) throw new InvalidOperationException("test guest memory exhausted");
        return p;
    }

    /// <summary>Copies <paramref name="bytes"/> into memory; returns (pointer, length).</summary>
    public (int Ptr, int Len) Bytes(ReadOnlySpan<byte> bytes)
    {
        var p = Alloc(Math.Max(bytes.Length, 1), 1);
        bytes.CopyTo(Memory.AsSpan(p));
        return (p, bytes.Length);
    }

    public (int Ptr, int Len) Str(string s) => Bytes(Encoding.UTF8.GetBytes(s));

    public uint U32(int ptr) => BinaryPrimitives.ReadUInt32LittleEndian(Memory.AsSpan(ptr));

    public ulong U64(int ptr) => BinaryPrimitives.ReadUInt64LittleEndian(Memory.AsSpan(ptr));

    public ushort U16(int ptr) => BinaryPrimitives.ReadUInt16LittleEndian(Memory.AsSpan(ptr));

    public void SetU32(int ptr, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Memory.AsSpan(ptr), value);

    public void SetU64(int ptr, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Memory.AsSpan(ptr), value);

    /// <summary>An iovec array of one buffer per element of <paramref name="lengths"/>; returns the array and the buffers.</summary>
    public (int Iovs, int[] Buffers) Iovecs(params int[] lengths)
    {
        var iovs = Alloc(8 * lengths.Length);
        var buffers = new int[lengths.Length];
        for (var i = 0; i < lengths.Length; i++)
        {
            buffers[i] = Alloc(Math.Max(lengths[i], 1), 1);
            SetU32(iovs + 8 * i, (uint)buffers[i]);
            SetU32(iovs + 8 * i + 4, (uint)lengths[i]);
        }
        return (iovs, buffers);
    }

    public (WasiErrno Errno, int Fd) Open(string path, WasiOFlags oflags = WasiOFlags.None, WasiRights rights = WasiRights.All,
        WasiRights inheriting = WasiRights.All, WasiFdFlags fdflags = WasiFdFlags.None, bool follow = true, int dirFd = PreopenFd)
    {
        var (p, len) = Str(path);
        var result = Alloc(4);
        var errno = Wasi.PathOpen(Memory, dirFd, follow ? 1 : 0, p, len, (int)oflags, (long)rights, (long)inheriting, (int)fdflags, result);
        return (errno, errno == WasiErrno.Success ? (int)U32(result) : -1);
    }

    public int OpenOk(string path, WasiOFlags oflags = WasiOFlags.None, WasiRights rights = WasiRights.All,
        WasiFdFlags fdflags = WasiFdFlags.None, int dirFd = PreopenFd)
    {
        var (errno, fd) = Open(path, oflags, rights, WasiRights.All, fdflags, dirFd: dirFd);
        Assert.Equal(WasiErrno.Success, errno);
        return fd;
    }

    /// <summary>Opens a directory with the rights a directory has (asking for FD_WRITE on one is EISDIR).</summary>
    public int OpenDir(string path, int dirFd = PreopenFd)
    {
        var (errno, fd) = Open(path, WasiOFlags.Directory, WasiRightsSets.DirectoryBase, WasiRightsSets.DirectoryInheriting, dirFd: dirFd);
        Assert.Equal(WasiErrno.Success, errno);
        return fd;
    }

    public (WasiErrno Errno, uint Written) Write(int fd, params byte[][] chunks)
    {
        var (iovs, buffers) = Iovecs([.. chunks.Select(c => c.Length)]);
        for (var i = 0; i < chunks.Length; i++) chunks[i].CopyTo(Memory.AsSpan(buffers[i]));
        var result = Alloc(4);
        var errno = Wasi.FdWrite(Memory, fd, iovs, chunks.Length, result);
        return (errno, errno == WasiErrno.Success ? U32(result) : 0);
    }

    public (WasiErrno Errno, uint Written) Write(int fd, string text) => Write(fd, Encoding.UTF8.GetBytes(text));

    public (WasiErrno Errno, byte[] Data) Read(int fd, int max)
    {
        var (iovs, buffers) = Iovecs(max);
        var result = Alloc(4);
        var errno = Wasi.FdRead(Memory, fd, iovs, 1, result);
        return (errno, errno == WasiErrno.Success ? Memory.AsSpan(buffers[0], (int)U32(result)).ToArray() : []);
    }

    public (WasiErrno Errno, ulong Offset) Seek(int fd, long offset, WasiWhence whence)
    {
        var result = Alloc(8);
        var errno = Wasi.FdSeek(Memory, fd, offset, (int)whence, result);
        return (errno, errno == WasiErrno.Success ? U64(result) : 0);
    }

    public (WasiErrno Errno, Filestat Stat) FileStat(int fd)
    {
        var result = Alloc(64);
        var errno = Wasi.FdFilestatGet(Memory, fd, result);
        return (errno, Filestat.Read(this, result));
    }

    public (WasiErrno Errno, Filestat Stat) PathStat(string path, bool follow = false, int dirFd = PreopenFd)
    {
        var (p, len) = Str(path);
        var result = Alloc(64);
        var errno = Wasi.PathFilestatGet(Memory, dirFd, follow ? 1 : 0, p, len, result);
        return (errno, Filestat.Read(this, result));
    }

    public (WasiErrno Errno, Fdstat Stat) FdStat(int fd)
    {
        var result = Alloc(24);
        var errno = Wasi.FdFdstatGet(Memory, fd, result);
        return (errno, new Fdstat((WasiFileType)Memory[result], (WasiFdFlags)U16(result + 2), (WasiRights)U64(result + 8), (WasiRights)U64(result + 16)));
    }

    public WasiErrno Mkdir(string path, int dirFd = PreopenFd)
    {
        var (p, len) = Str(path);
        return Wasi.PathCreateDirectory(Memory, dirFd, p, len);
    }

    public WasiErrno Rmdir(string path, int dirFd = PreopenFd)
    {
        var (p, len) = Str(path);
        return Wasi.PathRemoveDirectory(Memory, dirFd, p, len);
    }

    public WasiErrno Unlink(string path, int dirFd = PreopenFd)
    {
        var (p, len) = Str(path);
        return Wasi.PathUnlinkFile(Memory, dirFd, p, len);
    }

    public WasiErrno Rename(string from, string to, int dirFd = PreopenFd, int toDirFd = PreopenFd)
    {
        var (a, alen) = Str(from);
        var (b, blen) = Str(to);
        return Wasi.PathRename(Memory, dirFd, a, alen, toDirFd, b, blen);
    }

    public WasiErrno Link(string from, string to, bool follow = false, int dirFd = PreopenFd, int toDirFd = PreopenFd)
    {
        var (a, alen) = Str(from);
        var (b, blen) = Str(to);
        return Wasi.PathLink(Memory, dirFd, follow ? 1 : 0, a, alen, toDirFd, b, blen);
    }

    public WasiErrno Symlink(string target, string path, int dirFd = PreopenFd)
    {
        var (a, alen) = Str(target);
        var (b, blen) = Str(path);
        return Wasi.PathSymlink(Memory, a, alen, dirFd, b, blen);
    }

    public (WasiErrno Errno, string Target) Readlink(string path, int bufLen = 256, int dirFd = PreopenFd)
    {
        var (p, len) = Str(path);
        var buf = Alloc(Math.Max(bufLen, 1), 1);
        var result = Alloc(4);
        var errno = Wasi.PathReadlink(Memory, dirFd, p, len, buf, bufLen, result);
        return (errno, errno == WasiErrno.Success ? Encoding.UTF8.GetString(Memory, buf, (int)U32(result)) : "");
    }

    public WasiErrno SetTimes(string path, long atim, long mtim, WasiFstFlags flags, bool follow = false, int dirFd = PreopenFd)
    {
        var (p, len) = Str(path);
        return Wasi.PathFilestatSetTimes(Memory, dirFd, follow ? 1 : 0, p, len, atim, mtim, (int)flags);
    }

    /// <summary>Reads a whole directory with <c>fd_readdir</c>, <paramref name="bufLen"/> bytes at a time.</summary>
    public List<(string Name, WasiFileType Type, ulong Ino, ulong Next)> ReadDir(int fd, int bufLen = 4096)
    {
        var entries = new List<(string, WasiFileType, ulong, ulong)>();
        ulong cookie = 0;
        var buf = Alloc(bufLen);
        var result = Alloc(4);
        while (true)
        {
            Assert.Equal(WasiErrno.Success, Wasi.FdReaddir(Memory, fd, buf, bufLen, (long)cookie, result));
            var used = (int)U32(result);
            var at = 0;
            var complete = 0;
            while (at + 24 <= used)
            {
                var next = U64(buf + at);
                var ino = U64(buf + at + 8);
                var namelen = (int)U32(buf + at + 16);
                var type = (WasiFileType)Memory[buf + at + 20];
                if (at + 24 + namelen > used) break;
                entries.Add((Encoding.UTF8.GetString(Memory, buf + at + 24, namelen), type, ino, next));
                cookie = next;
                at += 24 + namelen;
                complete++;
            }
            if (used < bufLen) return entries;
            Assert.True(complete > 0, "the buffer cannot hold a single entry");
        }
    }
}

internal readonly record struct Fdstat(WasiFileType FileType, WasiFdFlags Flags, WasiRights Base, WasiRights Inheriting);

internal readonly record struct Filestat(ulong Dev, ulong Ino, WasiFileType FileType, ulong Nlink, ulong Size, ulong Atim, ulong Mtim, ulong Ctim)
{
    public static Filestat Read(TestGuest g, int p) =>
        new(g.U64(p), g.U64(p + 8), (WasiFileType)g.Memory[p + 16], g.U64(p + 24), g.U64(p + 32), g.U64(p + 40), g.U64(p + 48), g.U64(p + 56));
}
