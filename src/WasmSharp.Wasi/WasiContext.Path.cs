using WasmSharp.Wasi.Native;

namespace WasmSharp.Wasi;

public sealed partial class WasiContext
{
    private const WasiRights DirectoryOnlyRights =
        WasiRights.PathCreateDirectory | WasiRights.PathCreateFile | WasiRights.PathLinkSource | WasiRights.PathLinkTarget
        | WasiRights.PathOpen | WasiRights.FdReaddir | WasiRights.PathReadlink | WasiRights.PathRenameSource
        | WasiRights.PathRenameTarget | WasiRights.PathFilestatGet | WasiRights.PathFilestatSetSize
        | WasiRights.PathFilestatSetTimes | WasiRights.PathSymlink | WasiRights.PathRemoveDirectory | WasiRights.PathUnlinkFile;

    private const WasiRights FileOnlyRights =
        WasiRights.FdSeek | WasiRights.FdTell | WasiRights.FdWrite | WasiRights.FdAllocate | WasiRights.FdFilestatSetSize;

    /// <summary>
    /// The directory a path operation starts from, after checking <paramref name="rights"/>. A file
    /// descriptor is ENOTDIR; stdio or a closed number is EBADF.
    /// </summary>
    private WasiErrno GetDirectory(int fd, WasiRights rights, out HostDirFd dir)
    {
        dir = null!;
        switch (Get(fd))
        {
            case null:
            case StdioFd:
                return WasiErrno.Badf;
            case HostFileFd:
                return WasiErrno.NotDir;
            case HostDirFd d:
                if (!d.Has(rights)) return WasiErrno.NotCapable;
                dir = d;
                return WasiErrno.Success;
            default:
                return WasiErrno.Badf;
        }
    }

    /// <summary>Reads the guest path and resolves it inside <paramref name="dir"/>.</summary>
    private static WasiErrno ResolvePath(Span<byte> memory, HostDirFd dir, int pathPtr, int pathLen, bool follow, out ResolvedPath resolved)
    {
        resolved = null!;
        var error = Guest.ReadUtf8(memory, (uint)pathPtr, (uint)pathLen, out var path);
        if (error != WasiErrno.Success) return error;
        error = PathResolver.Resolve(dir.Fd, path, follow, out var result);
        if (error != WasiErrno.Success) return error;
        resolved = result!;
        return WasiErrno.Success;
    }

    /// <summary><c>path_create_directory(fd, path: string)</c></summary>
    public unsafe WasiErrno PathCreateDirectory(Span<byte> memory, int fd, int pathPtr, int pathLen)
    {
        var error = GetDirectory(fd, WasiRights.PathCreateDirectory, out var dir);
        if (error != WasiErrno.Success) return error;
        if (dir.ReadOnly) return WasiErrno.NotCapable;
        error = ResolvePath(memory, dir, pathPtr, pathLen, follow: false, out var target);
        if (error != WasiErrno.Success) return error;
        using (target)
        {
            fixed (byte* name = target.Name)
                return Libc.MkdirAt(target.DirFd, name, 0x1FF) == 0 ? WasiErrno.Success : Libc.LastErrno;
        }
    }

    /// <summary><c>path_filestat_get(fd, flags: lookupflags, path: string) -> filestat</c></summary>
    public unsafe WasiErrno PathFilestatGet(Span<byte> memory, int fd, int flags, int pathPtr, int pathLen, int resultPtr)
    {
        var error = GetDirectory(fd, WasiRights.PathFilestatGet, out var dir);
        if (error != WasiErrno.Success) return error;
        if (!Guest.InBounds(memory, (uint)resultPtr, 64)) return WasiErrno.Fault;
        error = ResolvePath(memory, dir, pathPtr, pathLen, Follow(flags), out var target);
        if (error != WasiErrno.Success) return error;
        using (target)
        {
            error = StatResolved(target, out var st);
            if (error != WasiErrno.Success) return error;
            WriteFilestat(memory, (uint)resultPtr, in st);
            return WasiErrno.Success;
        }
    }

    /// <summary><c>path_filestat_set_times(fd, flags: lookupflags, path: string, atim, mtim, fst_flags)</c></summary>
    public unsafe WasiErrno PathFilestatSetTimes(Span<byte> memory, int fd, int flags, int pathPtr, int pathLen, long atim, long mtim, int fstFlags)
    {
        var error = GetDirectory(fd, WasiRights.PathFilestatSetTimes, out var dir);
        if (error != WasiErrno.Success) return error;
        if (!TryTimes(atim, mtim, fstFlags, out var atime, out var mtime)) return WasiErrno.Inval;
        if (dir.ReadOnly) return WasiErrno.NotCapable;
        error = ResolvePath(memory, dir, pathPtr, pathLen, Follow(flags), out var target);
        if (error != WasiErrno.Success) return error;
        using (target)
        {
            if (target.TrailingSlash)
            {
                error = StatResolved(target, out _);
                if (error != WasiErrno.Success) return error;
            }
            var times = stackalloc Libc.Timespec[2];
            times[0] = atime;
            times[1] = mtime;
            fixed (byte* name = target.BareName)
                return Libc.UtimensAt(target.DirFd, name, times, Libc.AT_SYMLINK_NOFOLLOW) == 0 ? WasiErrno.Success : Libc.LastErrno;
        }
    }

    /// <summary><c>path_link(old_fd, old_flags: lookupflags, old_path: string, new_fd, new_path: string)</c>: a hard link.</summary>
    public unsafe WasiErrno PathLink(Span<byte> memory, int oldFd, int oldFlags, int oldPathPtr, int oldPathLen, int newFd, int newPathPtr, int newPathLen)
    {
        var error = GetDirectory(oldFd, WasiRights.PathLinkSource, out var oldDir);
        if (error != WasiErrno.Success) return error;
        error = GetDirectory(newFd, WasiRights.PathLinkTarget, out var newDir);
        if (error != WasiErrno.Success) return error;
        if (newDir.ReadOnly) return WasiErrno.NotCapable;
        error = ResolvePath(memory, oldDir, oldPathPtr, oldPathLen, Follow(oldFlags), out var source);
        if (error != WasiErrno.Success) return error;
        using (source)
        {
            error = ResolvePath(memory, newDir, newPathPtr, newPathLen, follow: false, out var target);
            if (error != WasiErrno.Success) return error;
            using (target)
            {
                fixed (byte* from = source.Name)
                fixed (byte* to = target.Name)
                    return Libc.LinkAt(source.DirFd, from, target.DirFd, to, 0) == 0 ? WasiErrno.Success : Libc.LastErrno;
            }
        }
    }

    /// <summary>
    /// <c>path_open(fd, dirflags: lookupflags, path: string, oflags, fs_rights_base, fs_rights_inheriting, fdflags) -> fd</c>.
    /// The new descriptor gets the requested rights that the directory can hand down (never more); it is
    /// opened for reading and writing on the host as its FD_READ and FD_WRITE rights say.
    /// </summary>
    public unsafe WasiErrno PathOpen(Span<byte> memory, int fd, int dirFlags, int pathPtr, int pathLen, int oflags,
        long rightsBase, long rightsInheriting, int fdFlags, int resultPtr)
    {
        var o = (WasiOFlags)oflags;
        var required = WasiRights.PathOpen | ((o & WasiOFlags.Creat) != 0 ? WasiRights.PathCreateFile : 0);
        var error = GetDirectory(fd, required, out var dir);
        if (error != WasiErrno.Success) return error;
        if (!Guest.InBounds(memory, (uint)resultPtr, 4)) return WasiErrno.Fault;
        if ((oflags & ~0xF) != 0 || (fdFlags & ~0x1F) != 0) return WasiErrno.Inval;
        if ((o & (WasiOFlags.Creat | WasiOFlags.Directory)) == (WasiOFlags.Creat | WasiOFlags.Directory)) return WasiErrno.Inval;
        if (dir.ReadOnly && (o & (WasiOFlags.Creat | WasiOFlags.Trunc)) != 0) return WasiErrno.NotCapable;
        var newBase = (WasiRights)rightsBase & dir.Inheriting;
        var newInheriting = (WasiRights)rightsInheriting & dir.Inheriting;
        var fdflags = (WasiFdFlags)fdFlags;

        var read = (newBase & (WasiRights.FdRead | WasiRights.FdReaddir)) != 0;
        var write = (newBase & WasiRights.FdWrite) != 0;
        var flags = Libc.O_CLOEXEC | Libc.O_NOCTTY | Libc.O_NOFOLLOW | (write ? (read ? Libc.O_RDWR : Libc.O_WRONLY) : Libc.O_RDONLY);
        if ((o & WasiOFlags.Creat) != 0) flags |= Libc.O_CREAT;
        if ((o & WasiOFlags.Excl) != 0) flags |= Libc.O_EXCL;
        if ((o & WasiOFlags.Trunc) != 0) flags |= Libc.O_TRUNC;
        if ((o & WasiOFlags.Directory) != 0) flags |= Libc.O_DIRECTORY;
        if ((fdflags & WasiFdFlags.Append) != 0) flags |= Libc.O_APPEND;
        if ((fdflags & WasiFdFlags.NonBlock) != 0) flags |= Libc.O_NONBLOCK;
        if ((fdflags & WasiFdFlags.Dsync) != 0) flags |= Libc.O_DSYNC;
        if ((fdflags & (WasiFdFlags.Sync | WasiFdFlags.Rsync)) != 0) flags |= Libc.O_SYNC;

        error = ResolvePath(memory, dir, pathPtr, pathLen, Follow(dirFlags), out var target);
        if (error != WasiErrno.Success) return error;
        int hostFd;
        using (target)
        {
            // "name/" means "a directory"; saying so with O_DIRECTORY keeps the kernel from following a final link.
            if (target.TrailingSlash)
            {
                if ((o & WasiOFlags.Creat) != 0) return WasiErrno.IsDir;
                flags |= Libc.O_DIRECTORY;
            }
            fixed (byte* name = target.BareName)
            {
                hostFd = Libc.OpenAt(target.DirFd, name, flags, 0x1B6);
                // Nothing to read or write: a file the host may not read can still be opened for its metadata.
                if (hostFd < 0 && Libc.LastError == Libc.EACCES && !read && !write && (o & (WasiOFlags.Creat | WasiOFlags.Trunc)) == 0)
                    hostFd = Libc.OpenAt(target.DirFd, name, Libc.O_PATH | Libc.O_CLOEXEC | Libc.O_NOFOLLOW | (flags & Libc.O_DIRECTORY), 0);
            }
        }
        if (hostFd < 0) return Libc.LastErrno;
        var handle = new HostHandle(hostFd);
        Libc.Statx st;
        byte empty = 0;
        if (Libc.StatX(hostFd, &empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, &st) != 0)
        {
            var statError = Libc.LastErrno;
            handle.Dispose();
            return statError;
        }
        var type = FromMode(st.Mode);
        WasiFd entry = type == WasiFileType.Directory
            ? new HostDirFd(handle, null, dir.ReadOnly) { Base = newBase & ~FileOnlyRights, Inheriting = newInheriting }
            : new HostFileFd(handle, type, dir.ReadOnly) { Base = newBase & ~DirectoryOnlyRights, Inheriting = newInheriting };
        entry.Flags = fdflags;
        Guest.U32(memory, (uint)resultPtr, (uint)Allocate(entry));
        return WasiErrno.Success;
    }

    /// <summary><c>path_readlink(fd, path: string, buf: ptr u8, buf_len: size) -> size</c>: truncated to the buffer, no NUL.</summary>
    public unsafe WasiErrno PathReadlink(Span<byte> memory, int fd, int pathPtr, int pathLen, int buf, int bufLen, int resultPtr)
    {
        var error = GetDirectory(fd, WasiRights.PathReadlink, out var dir);
        if (error != WasiErrno.Success) return error;
        if (!Guest.InBounds(memory, (uint)buf, (uint)bufLen) || !Guest.InBounds(memory, (uint)resultPtr, 4)) return WasiErrno.Fault;
        error = ResolvePath(memory, dir, pathPtr, pathLen, follow: false, out var target);
        if (error != WasiErrno.Success) return error;
        using (target)
        {
            var content = new byte[4096];
            nint n;
            fixed (byte* name = target.BareName)
            fixed (byte* b = content)
                n = Libc.ReadlinkAt(target.DirFd, name, b, (nuint)content.Length);
            if (n < 0) return Libc.LastErrno;
            var copied = (int)Math.Min(n, (uint)bufLen);
            content.AsSpan(0, copied).CopyTo(memory[buf..]);
            Guest.U32(memory, (uint)resultPtr, (uint)copied);
            return WasiErrno.Success;
        }
    }

    /// <summary><c>path_remove_directory(fd, path: string)</c>: the directory must be empty.</summary>
    public unsafe WasiErrno PathRemoveDirectory(Span<byte> memory, int fd, int pathPtr, int pathLen)
    {
        var error = GetDirectory(fd, WasiRights.PathRemoveDirectory, out var dir);
        if (error != WasiErrno.Success) return error;
        if (dir.ReadOnly) return WasiErrno.NotCapable;
        error = ResolvePath(memory, dir, pathPtr, pathLen, follow: false, out var target);
        if (error != WasiErrno.Success) return error;
        using (target)
        {
            fixed (byte* name = target.Name)
                return Libc.UnlinkAt(target.DirFd, name, Libc.AT_REMOVEDIR) == 0 ? WasiErrno.Success : Libc.LastErrno;
        }
    }

    /// <summary><c>path_rename(fd, old_path: string, new_fd, new_path: string)</c></summary>
    public unsafe WasiErrno PathRename(Span<byte> memory, int fd, int oldPathPtr, int oldPathLen, int newFd, int newPathPtr, int newPathLen)
    {
        var error = GetDirectory(fd, WasiRights.PathRenameSource, out var oldDir);
        if (error != WasiErrno.Success) return error;
        error = GetDirectory(newFd, WasiRights.PathRenameTarget, out var newDir);
        if (error != WasiErrno.Success) return error;
        if (oldDir.ReadOnly || newDir.ReadOnly) return WasiErrno.NotCapable;
        error = ResolvePath(memory, oldDir, oldPathPtr, oldPathLen, follow: false, out var source);
        if (error != WasiErrno.Success) return error;
        using (source)
        {
            error = ResolvePath(memory, newDir, newPathPtr, newPathLen, follow: false, out var target);
            if (error != WasiErrno.Success) return error;
            using (target)
            {
                fixed (byte* from = source.Name)
                fixed (byte* to = target.Name)
                    return Libc.RenameAt(source.DirFd, from, target.DirFd, to) == 0 ? WasiErrno.Success : Libc.LastErrno;
            }
        }
    }

    /// <summary>
    /// <c>path_symlink(old_path: string, fd, new_path: string)</c>: creates <paramref name="newPathPtr"/> pointing
    /// at the text of <paramref name="oldPathPtr"/>. An absolute target is refused (it could only lead outside).
    /// </summary>
    public unsafe WasiErrno PathSymlink(Span<byte> memory, int oldPathPtr, int oldPathLen, int fd, int newPathPtr, int newPathLen)
    {
        var error = GetDirectory(fd, WasiRights.PathSymlink, out var dir);
        if (error != WasiErrno.Success) return error;
        if (dir.ReadOnly) return WasiErrno.NotCapable;
        error = Guest.ReadUtf8(memory, (uint)oldPathPtr, (uint)oldPathLen, out var linkTarget);
        if (error != WasiErrno.Success) return error;
        if (linkTarget.Length == 0) return WasiErrno.NoEnt;
        if (Array.IndexOf(linkTarget, (byte)0) >= 0) return WasiErrno.Inval;
        if (linkTarget[0] == (byte)'/') return WasiErrno.NotCapable;
        error = ResolvePath(memory, dir, newPathPtr, newPathLen, follow: false, out var target);
        if (error != WasiErrno.Success) return error;
        using (target)
        {
            var terminated = new byte[linkTarget.Length + 1];
            linkTarget.CopyTo(terminated, 0);
            fixed (byte* link = terminated)
            fixed (byte* name = target.Name)
                return Libc.SymlinkAt(link, target.DirFd, name) == 0 ? WasiErrno.Success : Libc.LastErrno;
        }
    }

    /// <summary><c>path_unlink_file(fd, path: string)</c>: removes a file or a symbolic link (a directory is EISDIR).</summary>
    public unsafe WasiErrno PathUnlinkFile(Span<byte> memory, int fd, int pathPtr, int pathLen)
    {
        var error = GetDirectory(fd, WasiRights.PathUnlinkFile, out var dir);
        if (error != WasiErrno.Success) return error;
        if (dir.ReadOnly) return WasiErrno.NotCapable;
        error = ResolvePath(memory, dir, pathPtr, pathLen, follow: false, out var target);
        if (error != WasiErrno.Success) return error;
        using (target)
        {
            fixed (byte* name = target.Name)
                return Libc.UnlinkAt(target.DirFd, name, 0) == 0 ? WasiErrno.Success : Libc.LastErrno;
        }
    }

    /// <summary>
    /// Stats the resolved target itself (never through a final link); a path that ended in '/' must name a
    /// directory, which is checked here rather than by letting the kernel follow a trailing-slash link.
    /// </summary>
    private static unsafe WasiErrno StatResolved(ResolvedPath target, out Libc.Statx st)
    {
        Libc.Statx result;
        fixed (byte* name = target.BareName)
        {
            if (Libc.StatX(target.DirFd, name, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &result) != 0)
            {
                st = default;
                return Libc.LastErrno;
            }
        }
        st = result;
        return target.TrailingSlash && FromMode(st.Mode) != WasiFileType.Directory ? WasiErrno.NotDir : WasiErrno.Success;
    }

    private static bool Follow(int lookupFlags) => (lookupFlags & (int)WasiLookupFlags.SymlinkFollow) != 0;
}
