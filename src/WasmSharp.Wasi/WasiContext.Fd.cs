using WasmSharp.Wasi.Native;

namespace WasmSharp.Wasi;

public sealed partial class WasiContext
{
    /// <summary>Linux's IOV_MAX: readv and writev take no more vectors in one call.</summary>
    private const int IovMax = 1024;

    /// <summary><c>fd_advise(fd, offset: filesize, len: filesize, advice)</c></summary>
    public WasiErrno FdAdvise(int fd, long offset, long length, int advice)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        if ((uint)advice > 5) return WasiErrno.Inval;
        if (!entry.Has(WasiRights.FdAdvise)) return WasiErrno.NotCapable;
        if (entry is not HostFileFd file) return entry is HostDirFd ? WasiErrno.IsDir : WasiErrno.Badf;
        if (offset < 0 || length < 0) return WasiErrno.Inval;
        // WASI orders the advice normal, sequential, random; POSIX normal, random, sequential.
        var posix = advice switch { 1 => 2, 2 => 1, _ => advice };
        var r = Libc.PosixFAdvise(file.Fd, offset, length, posix);
        return r == 0 ? WasiErrno.Success : Libc.ToWasi(r);
    }

    /// <summary><c>fd_allocate(fd, offset: filesize, len: filesize)</c></summary>
    public WasiErrno FdAllocate(int fd, long offset, long length)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        if (!entry.Has(WasiRights.FdAllocate)) return WasiErrno.NotCapable;
        if (entry is not HostFileFd file) return entry is HostDirFd ? WasiErrno.IsDir : WasiErrno.Badf;
        if (file.ReadOnly) return WasiErrno.NotCapable;
        if (offset < 0 || length <= 0) return WasiErrno.Inval;
        var r = Libc.PosixFAllocate(file.Fd, offset, length);
        return r == 0 ? WasiErrno.Success : Libc.ToWasi(r);
    }

    /// <summary><c>fd_close(fd)</c>: closing a preopen is allowed.</summary>
    public WasiErrno FdClose(int fd)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        _fds[fd] = null;
        entry.Dispose();
        return WasiErrno.Success;
    }

    /// <summary><c>fd_datasync(fd)</c></summary>
    public WasiErrno FdDatasync(int fd) => Sync(fd, WasiRights.FdDatasync, dataOnly: true);

    /// <summary><c>fd_sync(fd)</c></summary>
    public WasiErrno FdSync(int fd) => Sync(fd, WasiRights.FdSync, dataOnly: false);

    private WasiErrno Sync(int fd, WasiRights right, bool dataOnly)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        if (!entry.Has(right)) return WasiErrno.NotCapable;
        var host = HostFdOf(entry);
        if (host < 0) return WasiErrno.Inval;
        var r = dataOnly ? Libc.FDataSync(host) : Libc.FSync(host);
        return r == 0 ? WasiErrno.Success : Libc.LastErrno;
    }

    /// <summary><c>fd_fdstat_get(fd) -> fdstat</c> (24 bytes: filetype u8, flags u16 at 2, rights u64 at 8 and 16).</summary>
    public WasiErrno FdFdstatGet(Span<byte> memory, int fd, int resultPtr)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        var ptr = (uint)resultPtr;
        if (!Guest.InBounds(memory, ptr, 24)) return WasiErrno.Fault;
        memory.Slice(resultPtr, 24).Clear();
        memory[resultPtr] = (byte)entry.FileType;
        Guest.U16(memory, ptr + 2, (ushort)entry.Flags);
        Guest.U64(memory, ptr + 8, (ulong)entry.Base);
        Guest.U64(memory, ptr + 16, (ulong)entry.Inheriting);
        return WasiErrno.Success;
    }

    /// <summary><c>fd_fdstat_set_flags(fd, flags: fdflags)</c>: APPEND and NONBLOCK can change; the sync flags cannot.</summary>
    public WasiErrno FdFdstatSetFlags(int fd, int flags)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        if ((flags & ~0x1F) != 0) return WasiErrno.Inval;
        if (!entry.Has(WasiRights.FdFdstatSetFlags)) return WasiErrno.NotCapable;
        var wanted = (WasiFdFlags)flags;
        const WasiFdFlags syncFlags = WasiFdFlags.Sync | WasiFdFlags.Dsync | WasiFdFlags.Rsync;
        if ((wanted & syncFlags) != (entry.Flags & syncFlags)) return WasiErrno.NotSup;
        if (entry is HostFileFd file)
        {
            var current = Libc.FCntl(file.Fd, Libc.F_GETFL, 0);
            if (current < 0) return Libc.LastErrno;
            var updated = current & ~(Libc.O_APPEND | Libc.O_NONBLOCK);
            if ((wanted & WasiFdFlags.Append) != 0) updated |= Libc.O_APPEND;
            if ((wanted & WasiFdFlags.NonBlock) != 0) updated |= Libc.O_NONBLOCK;
            if (Libc.FCntl(file.Fd, Libc.F_SETFL, updated) < 0) return Libc.LastErrno;
        }
        entry.Flags = wanted;
        return WasiErrno.Success;
    }

    /// <summary><c>fd_fdstat_set_rights(fd, fs_rights_base, fs_rights_inheriting)</c>: rights can only be dropped.</summary>
    public WasiErrno FdFdstatSetRights(int fd, long rightsBase, long rightsInheriting)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        var newBase = (WasiRights)rightsBase;
        var newInheriting = (WasiRights)rightsInheriting;
        if ((newBase & ~entry.Base) != 0 || (newInheriting & ~entry.Inheriting) != 0) return WasiErrno.NotCapable;
        entry.Base = newBase;
        entry.Inheriting = newInheriting;
        return WasiErrno.Success;
    }

    /// <summary><c>fd_filestat_get(fd) -> filestat</c> (64 bytes).</summary>
    public unsafe WasiErrno FdFilestatGet(Span<byte> memory, int fd, int resultPtr)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        if (!Guest.InBounds(memory, (uint)resultPtr, 64)) return WasiErrno.Fault;
        if (!entry.Has(WasiRights.FdFilestatGet)) return WasiErrno.NotCapable;
        if (entry is StdioFd)
        {
            memory.Slice(resultPtr, 64).Clear();
            memory[resultPtr + 16] = (byte)entry.FileType;
            return WasiErrno.Success;
        }
        Libc.Statx st;
        byte empty = 0;
        if (Libc.StatX(HostFdOf(entry), &empty, Libc.AT_EMPTY_PATH | Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &st) != 0) return Libc.LastErrno;
        WriteFilestat(memory, (uint)resultPtr, in st);
        return WasiErrno.Success;
    }

    /// <summary><c>fd_filestat_set_size(fd, size: filesize)</c></summary>
    public WasiErrno FdFilestatSetSize(int fd, long size)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        if (!entry.Has(WasiRights.FdFilestatSetSize)) return WasiErrno.NotCapable;
        if (entry is not HostFileFd file) return entry is HostDirFd ? WasiErrno.IsDir : WasiErrno.Badf;
        if (file.ReadOnly) return WasiErrno.NotCapable;
        if (size < 0) return WasiErrno.Inval;
        return Libc.FTruncate(file.Fd, size) == 0 ? WasiErrno.Success : Libc.LastErrno;
    }

    /// <summary><c>fd_filestat_set_times(fd, atim, mtim, fst_flags)</c></summary>
    public unsafe WasiErrno FdFilestatSetTimes(int fd, long atim, long mtim, int fstFlags)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        if (!TryTimes(atim, mtim, fstFlags, out var atime, out var mtime)) return WasiErrno.Inval;
        if (!entry.Has(WasiRights.FdFilestatSetTimes)) return WasiErrno.NotCapable;
        if (entry is HostFileFd { ReadOnly: true } or HostDirFd { ReadOnly: true }) return WasiErrno.NotCapable;
        var host = HostFdOf(entry);
        if (host < 0) return WasiErrno.Badf;
        var times = stackalloc Libc.Timespec[2];
        times[0] = atime;
        times[1] = mtime;
        if (Libc.FUtimens(host, times) == 0) return WasiErrno.Success;
        // A directory opened only for path lookups (O_PATH) cannot be passed to futimens.
        byte empty = 0;
        return Libc.UtimensAt(host, &empty, times, Libc.AT_EMPTY_PATH) == 0 ? WasiErrno.Success : Libc.LastErrno;
    }

    /// <summary><c>fd_pread(fd, iovs: iovec_array, offset: filesize) -> size</c></summary>
    public WasiErrno FdPread(Span<byte> memory, int fd, int iovs, int iovsLen, long offset, int resultPtr)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        if (!Guest.InBounds(memory, (uint)resultPtr, 4)) return WasiErrno.Fault;
        if (!entry.Has(WasiRights.FdRead)) return WasiErrno.Badf;
        var error = Guest.ReadIovecs(memory, (uint)iovs, (uint)iovsLen, out var vectors);
        if (error != WasiErrno.Success) return error;
        switch (entry)
        {
            case StdioFd: return WasiErrno.Spipe;
            case HostDirFd: return WasiErrno.IsDir;
        }
        if (offset < 0) return WasiErrno.Inval;
        error = HostTransfer(memory, ((HostFileFd)entry).Fd, vectors, write: false, offset, out var n);
        if (error != WasiErrno.Success) return error;
        Guest.U32(memory, (uint)resultPtr, n);
        return WasiErrno.Success;
    }

    /// <summary><c>fd_pwrite(fd, iovs: ciovec_array, offset: filesize) -> size</c>. In append mode Linux appends, ignoring the offset.</summary>
    public WasiErrno FdPwrite(Span<byte> memory, int fd, int iovs, int iovsLen, long offset, int resultPtr)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        if (!Guest.InBounds(memory, (uint)resultPtr, 4)) return WasiErrno.Fault;
        if (!entry.Has(WasiRights.FdWrite)) return WasiErrno.Badf;
        var error = Guest.ReadIovecs(memory, (uint)iovs, (uint)iovsLen, out var vectors);
        if (error != WasiErrno.Success) return error;
        switch (entry)
        {
            case StdioFd: return WasiErrno.Spipe;
            case HostDirFd: return WasiErrno.IsDir;
        }
        if (((HostFileFd)entry).ReadOnly) return WasiErrno.NotCapable;
        if (offset < 0) return WasiErrno.Inval;
        error = HostTransfer(memory, ((HostFileFd)entry).Fd, vectors, write: true, offset, out var n);
        if (error != WasiErrno.Success) return error;
        Guest.U32(memory, (uint)resultPtr, n);
        return WasiErrno.Success;
    }

    /// <summary><c>fd_read(fd, iovs: iovec_array) -> size</c>. Stdin fills only the first non-empty buffer (a short read).</summary>
    public WasiErrno FdRead(Span<byte> memory, int fd, int iovs, int iovsLen, int resultPtr)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        if (!Guest.InBounds(memory, (uint)resultPtr, 4)) return WasiErrno.Fault;
        if (!entry.Has(WasiRights.FdRead)) return WasiErrno.Badf;
        var error = Guest.ReadIovecs(memory, (uint)iovs, (uint)iovsLen, out var vectors);
        if (error != WasiErrno.Success) return error;
        uint n;
        switch (entry)
        {
            case StdioFd stdio:
                {
                    n = 0;
                    foreach (var (ptr, len) in vectors)
                    {
                        if (len == 0) continue;
                        try
                        {
                            n = (uint)stdio.Stream.Read(memory.Slice((int)ptr, (int)len));
                        }
                        catch (IOException)
                        {
                            return WasiErrno.Io;
                        }
                        catch (Exception e) when (e is NotSupportedException or ObjectDisposedException)
                        {
                            return WasiErrno.Badf;
                        }
                        break;
                    }
                    break;
                }
            case HostDirFd:
                return WasiErrno.IsDir;
            default:
                error = HostTransfer(memory, ((HostFileFd)entry).Fd, vectors, write: false, -1, out n);
                if (error != WasiErrno.Success) return error;
                break;
        }
        Guest.U32(memory, (uint)resultPtr, n);
        return WasiErrno.Success;
    }

    /// <summary><c>fd_write(fd, iovs: ciovec_array) -> size</c></summary>
    public WasiErrno FdWrite(Span<byte> memory, int fd, int iovs, int iovsLen, int resultPtr)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        if (!Guest.InBounds(memory, (uint)resultPtr, 4)) return WasiErrno.Fault;
        if (!entry.Has(WasiRights.FdWrite)) return WasiErrno.Badf;
        var error = Guest.ReadIovecs(memory, (uint)iovs, (uint)iovsLen, out var vectors);
        if (error != WasiErrno.Success) return error;
        uint n;
        switch (entry)
        {
            case StdioFd stdio:
                {
                    n = 0;
                    try
                    {
                        foreach (var (ptr, len) in vectors)
                        {
                            stdio.Stream.Write(memory.Slice((int)ptr, (int)len));
                            n += len;
                        }
                    }
                    catch (IOException)
                    {
                        return n > 0 ? WriteCount(memory, resultPtr, n) : WasiErrno.Io;
                    }
                    catch (Exception e) when (e is NotSupportedException or ObjectDisposedException)
                    {
                        return WasiErrno.Badf;
                    }
                    break;
                }
            case HostDirFd:
                return WasiErrno.IsDir;
            default:
                if (((HostFileFd)entry).ReadOnly) return WasiErrno.NotCapable;
                error = HostTransfer(memory, ((HostFileFd)entry).Fd, vectors, write: true, -1, out n);
                if (error != WasiErrno.Success) return error;
                break;
        }
        return WriteCount(memory, resultPtr, n);
    }

    private static WasiErrno WriteCount(Span<byte> memory, int resultPtr, uint n)
    {
        Guest.U32(memory, (uint)resultPtr, n);
        return WasiErrno.Success;
    }

    /// <summary>One readv/writev/preadv/pwritev straight between the host file and guest memory.</summary>
    private static unsafe WasiErrno HostTransfer(Span<byte> memory, int hostFd, (uint Ptr, uint Len)[] vectors, bool write, long offset, out uint transferred)
    {
        transferred = 0;
        var count = Math.Min(vectors.Length, IovMax);
        if (count == 0) return WasiErrno.Success;
        var iov = stackalloc Libc.IoVec[count];
        nint r;
        fixed (byte* basePtr = memory)
        {
            ulong total = 0;
            var used = 0;
            for (var i = 0; i < count; i++)
            {
                // Linux rejects a total above SSIZE_MAX; stop short and report a short transfer instead.
                if (total + vectors[i].Len > int.MaxValue) break;
                iov[i].Base = basePtr + vectors[i].Ptr;
                iov[i].Length = vectors[i].Len;
                total += vectors[i].Len;
                used++;
            }
            do
            {
                r = (write, offset >= 0) switch
                {
                    (false, false) => Libc.ReadV(hostFd, iov, used),
                    (true, false) => Libc.WriteV(hostFd, iov, used),
                    (false, true) => Libc.PreadV(hostFd, iov, used, offset),
                    (true, true) => Libc.PwriteV(hostFd, iov, used, offset),
                };
            }
            while (r < 0 && Libc.LastError == Libc.EINTR);
        }
        if (r < 0) return Libc.LastErrno;
        transferred = (uint)r;
        return WasiErrno.Success;
    }

    /// <summary><c>fd_prestat_get(fd) -> prestat</c>: tag 0 (a directory) and the length of its guest name.</summary>
    public WasiErrno FdPrestatGet(Span<byte> memory, int fd, int resultPtr)
    {
        if (Get(fd) is not HostDirFd { PreopenName: { } name }) return WasiErrno.Badf;
        if (!Guest.InBounds(memory, (uint)resultPtr, 8)) return WasiErrno.Fault;
        memory.Slice(resultPtr, 8).Clear();
        Guest.U32(memory, (uint)resultPtr + 4, (uint)System.Text.Encoding.UTF8.GetByteCount(name));
        return WasiErrno.Success;
    }

    /// <summary><c>fd_prestat_dir_name(fd, path: ptr u8, path_len: size)</c>: the guest name, without a NUL.</summary>
    public WasiErrno FdPrestatDirName(Span<byte> memory, int fd, int pathPtr, int pathLen)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        if (entry is not HostDirFd { PreopenName: { } name }) return WasiErrno.Badf;
        var bytes = System.Text.Encoding.UTF8.GetBytes(name);
        if ((uint)pathLen < (uint)bytes.Length) return WasiErrno.NameTooLong;
        if (!Guest.InBounds(memory, (uint)pathPtr, (uint)bytes.Length)) return WasiErrno.Fault;
        bytes.CopyTo(memory[pathPtr..]);
        return WasiErrno.Success;
    }

    /// <summary><c>fd_renumber(fd, to: fd)</c>: moves <paramref name="fd"/> onto <paramref name="to"/>, closing what was there. Both must be open.</summary>
    public WasiErrno FdRenumber(int fd, int to)
    {
        var from = Get(fd);
        var target = Get(to);
        if (from is null || target is null) return WasiErrno.Badf;
        if (fd == to) return WasiErrno.Success;
        target.Dispose();
        _fds[to] = from;
        _fds[fd] = null;
        return WasiErrno.Success;
    }

    /// <summary><c>fd_seek(fd, offset: filedelta, whence) -> filesize</c></summary>
    public WasiErrno FdSeek(Span<byte> memory, int fd, long offset, int whence, int resultPtr)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        if (!Guest.InBounds(memory, (uint)resultPtr, 8)) return WasiErrno.Fault;
        if (entry is StdioFd) return WasiErrno.Spipe;
        if ((uint)whence > 2) return WasiErrno.Inval;
        var tellOnly = offset == 0 && whence == (int)WasiWhence.Cur;
        if (!entry.Has(WasiRights.FdSeek) && !(tellOnly && entry.Has(WasiRights.FdTell))) return WasiErrno.NotCapable;
        if (entry is not HostFileFd file) return WasiErrno.IsDir;
        var r = Libc.LSeek(file.Fd, offset, whence);
        if (r < 0) return Libc.LastErrno;
        Guest.U64(memory, (uint)resultPtr, (ulong)r);
        return WasiErrno.Success;
    }

    /// <summary><c>fd_tell(fd) -> filesize</c></summary>
    public WasiErrno FdTell(Span<byte> memory, int fd, int resultPtr)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        if (!Guest.InBounds(memory, (uint)resultPtr, 8)) return WasiErrno.Fault;
        if (entry is StdioFd) return WasiErrno.Spipe;
        if (!entry.Has(WasiRights.FdTell)) return WasiErrno.NotCapable;
        if (entry is not HostFileFd file) return WasiErrno.IsDir;
        var r = Libc.LSeek(file.Fd, 0, (int)WasiWhence.Cur);
        if (r < 0) return Libc.LastErrno;
        Guest.U64(memory, (uint)resultPtr, (ulong)r);
        return WasiErrno.Success;
    }

    /// <summary>
    /// <c>fd_readdir(fd, buf: ptr u8, buf_len: size, cookie: dircookie) -> size</c>: dirents (24 bytes each,
    /// then the name) from position <paramref name="cookie"/>; a full buffer means there may be more.
    /// </summary>
    public WasiErrno FdReaddir(Span<byte> memory, int fd, int buf, int bufLen, long cookie, int resultPtr)
    {
        var entry = Get(fd);
        if (entry is null) return WasiErrno.Badf;
        if (!Guest.InBounds(memory, (uint)buf, (uint)bufLen) || !Guest.InBounds(memory, (uint)resultPtr, 4)) return WasiErrno.Fault;
        if (entry is StdioFd) return WasiErrno.Badf;
        if (!entry.Has(WasiRights.FdReaddir)) return WasiErrno.NotCapable;
        if (entry is not HostDirFd dir) return entry is HostFileFd ? WasiErrno.NotDir : WasiErrno.Badf;
        if (cookie == 0 || dir.Listing is null)
        {
            var error = ListDirectory(dir, out var listing);
            if (error != WasiErrno.Success) return error;
            dir.Listing = listing;
        }
        var entries = dir.Listing;
        var output = memory.Slice(buf, (int)(uint)bufLen);
        Span<byte> header = stackalloc byte[24];
        var used = 0;
        for (var i = (ulong)cookie; i < (ulong)entries.Count && used < output.Length; i++)
        {
            var e = entries[(int)i];
            header.Clear();
            Guest.U64(header, 0, i + 1);
            Guest.U64(header, 8, e.Inode);
            Guest.U32(header, 16, (uint)e.Name.Length);
            header[20] = (byte)e.Type;
            // A dirent that does not fit is written truncated: the guest sees a full buffer and asks again with more room.
            var h = Math.Min(header.Length, output.Length - used);
            header[..h].CopyTo(output[used..]);
            used += h;
            var nameBytes = Math.Min(e.Name.Length, output.Length - used);
            e.Name.AsSpan(0, nameBytes).CopyTo(output[used..]);
            used += nameBytes;
        }
        Guest.U32(memory, (uint)resultPtr, (uint)used);
        return WasiErrno.Success;
    }

    /// <summary>"." and ".." (both given the directory's own inode: the parent may lie outside the sandbox), then the host's entries.</summary>
    private static unsafe WasiErrno ListDirectory(HostDirFd dir, out List<DirectoryEntry> listing)
    {
        listing = [];
        Libc.Statx self;
        byte empty = 0;
        if (Libc.StatX(dir.Fd, &empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, &self) != 0) return Libc.LastErrno;
        listing.Add(new DirectoryEntry([(byte)'.'], self.Ino, WasiFileType.Directory));
        listing.Add(new DirectoryEntry([(byte)'.', (byte)'.'], self.Ino, WasiFileType.Directory));
        // A fresh open file description, so listing never disturbs the descriptor's own position.
        byte* dot = stackalloc byte[] { (byte)'.', 0 };
        var fd = Libc.OpenAt(dir.Fd, dot, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) return Libc.LastErrno;
        var stream = Libc.FdOpenDir(fd);
        if (stream == 0)
        {
            var error = Libc.LastErrno;
            Libc.Close(fd);
            return error;
        }
        try
        {
            while (true)
            {
                var d = Libc.ReadDir(stream);
                if (d == null)
                {
                    var errno = Libc.LastError;
                    if (errno != 0) return Libc.ToWasi(errno);
                    break;
                }
                // struct dirent (64-bit glibc and musl): d_ino u64, d_off i64, d_reclen u16, d_type u8, d_name.
                var namePtr = d + 19;
                var nameLength = new ReadOnlySpan<byte>(namePtr, 256).IndexOf((byte)0);
                if (nameLength < 0) nameLength = 256;
                var name = new ReadOnlySpan<byte>(namePtr, nameLength);
                if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)) continue;
                var ino = *(ulong*)d;
                var type = FromDirentType(d[18]);
                Libc.Statx st;
                // The inode must agree with what a stat of the entry says (overlay file systems may differ).
                if (Libc.StatX(dir.Fd, namePtr, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &st) == 0)
                {
                    ino = st.Ino;
                    type = FromMode(st.Mode);
                }
                listing.Add(new DirectoryEntry(name.ToArray(), ino, type));
            }
        }
        finally
        {
            Libc.CloseDir(stream);
        }
        return WasiErrno.Success;
    }

    private static int HostFdOf(WasiFd entry) => entry switch
    {
        HostFileFd f => f.Fd,
        HostDirFd d => d.Fd,
        _ => -1,
    };

    /// <summary>Validates fst_flags (a value and NOW for the same time is EINVAL) and makes the two timespecs for utimensat.</summary>
    private static bool TryTimes(long atim, long mtim, int fstFlags, out Libc.Timespec atime, out Libc.Timespec mtime)
    {
        var flags = (WasiFstFlags)fstFlags;
        atime = mtime = default;
        if ((fstFlags & ~0xF) != 0) return false;
        if ((flags & (WasiFstFlags.Atim | WasiFstFlags.AtimNow)) == (WasiFstFlags.Atim | WasiFstFlags.AtimNow)) return false;
        if ((flags & (WasiFstFlags.Mtim | WasiFstFlags.MtimNow)) == (WasiFstFlags.Mtim | WasiFstFlags.MtimNow)) return false;
        atime = TimeSpec(flags.HasFlag(WasiFstFlags.Atim), flags.HasFlag(WasiFstFlags.AtimNow), (ulong)atim);
        mtime = TimeSpec(flags.HasFlag(WasiFstFlags.Mtim), flags.HasFlag(WasiFstFlags.MtimNow), (ulong)mtim);
        return true;
    }

    private static Libc.Timespec TimeSpec(bool set, bool now, ulong ns)
    {
        if (now) return new Libc.Timespec { Nanoseconds = Libc.UTIME_NOW };
        if (!set) return new Libc.Timespec { Nanoseconds = Libc.UTIME_OMIT };
        return new Libc.Timespec { Seconds = (long)(ns / 1_000_000_000), Nanoseconds = (long)(ns % 1_000_000_000) };
    }

    private static void WriteFilestat(Span<byte> memory, uint ptr, in Libc.Statx st)
    {
        memory.Slice((int)ptr, 64).Clear();
        Guest.U64(memory, ptr, st.Dev);
        Guest.U64(memory, ptr + 8, st.Ino);
        memory[(int)ptr + 16] = (byte)FromMode(st.Mode);
        Guest.U64(memory, ptr + 24, st.Nlink);
        Guest.U64(memory, ptr + 32, st.Size);
        Guest.U64(memory, ptr + 40, Nanoseconds(st.AtimeSec, st.AtimeNsec));
        Guest.U64(memory, ptr + 48, Nanoseconds(st.MtimeSec, st.MtimeNsec));
        Guest.U64(memory, ptr + 56, Nanoseconds(st.CtimeSec, st.CtimeNsec));
    }

    private static ulong Nanoseconds(long seconds, uint nanoseconds) => seconds < 0 ? 0 : (ulong)seconds * 1_000_000_000 + nanoseconds;

    internal static WasiFileType FromMode(int mode) => (mode & Libc.S_IFMT) switch
    {
        Libc.S_IFREG => WasiFileType.RegularFile,
        Libc.S_IFDIR => WasiFileType.Directory,
        Libc.S_IFLNK => WasiFileType.SymbolicLink,
        Libc.S_IFCHR => WasiFileType.CharacterDevice,
        Libc.S_IFBLK => WasiFileType.BlockDevice,
        Libc.S_IFSOCK => WasiFileType.SocketStream,
        _ => WasiFileType.Unknown,
    };

    private static WasiFileType FromDirentType(byte type) => type switch
    {
        2 => WasiFileType.CharacterDevice,
        4 => WasiFileType.Directory,
        6 => WasiFileType.BlockDevice,
        8 => WasiFileType.RegularFile,
        10 => WasiFileType.SymbolicLink,
        12 => WasiFileType.SocketStream,
        _ => WasiFileType.Unknown,
    };
}
