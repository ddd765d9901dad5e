using WasmSharp.Wasi.Native;

namespace WasmSharp.Wasi;

/// <summary>
/// Where a guest path leads: the directory holding its last component (a descriptor inside the sandbox)
/// and that component's name, NUL-terminated, ready for an *at call.
/// </summary>
internal sealed class ResolvedPath(int dirFd, HostHandle? owner, byte[] name, byte[] bareName) : IDisposable
{
    /// <summary>The directory the name is relative to.</summary>
    public int DirFd { get; } = dirFd;

    /// <summary>
    /// The last component (".": the directory itself), NUL-terminated, with a trailing '/' when the guest
    /// wrote one, so the kernel applies its rules for one (only calls that never follow a final link get it).
    /// </summary>
    public byte[] Name { get; } = name;

    /// <summary>The last component without any trailing '/', NUL-terminated.</summary>
    public byte[] BareName { get; } = bareName;

    /// <summary>The guest's path ended in '/': the target must be a directory.</summary>
    public bool TrailingSlash => Name.Length != BareName.Length;

    public void Dispose() => owner?.Dispose();
}

/// <summary>
/// Resolves guest paths one component at a time beneath a directory descriptor, the way cap-std does
/// without openat2: intermediate directories are opened with O_NOFOLLOW, symbolic links are read and
/// expanded here rather than by the kernel, and anything that would leave the starting directory (an
/// absolute path, <c>..</c> above it, a link to an absolute path or through <c>..</c> above it) is refused
/// with ENOTCAPABLE before the host file system outside is touched.
/// </summary>
internal static unsafe class PathResolver
{
    /// <summary>Linux's limit on links followed in one lookup.</summary>
    private const int MaxSymlinks = 40;

    private const int PathMax = 4096;

    private static readonly byte[] s_dot = [(byte)'.', 0];

    /// <summary>
    /// Resolves <paramref name="path"/> beneath <paramref name="baseFd"/>. The last component is followed
    /// when it is a symbolic link and <paramref name="followFinal"/> is set (or the path ends in '/');
    /// otherwise the result names the link itself.
    /// </summary>
    public static WasiErrno Resolve(int baseFd, ReadOnlySpan<byte> path, bool followFinal, out ResolvedPath? result)
    {
        result = null;
        if (path.Length == 0) return WasiErrno.NoEnt;
        if (path.Contains((byte)0)) return WasiErrno.Inval;
        if (path[0] == (byte)'/') return WasiErrno.NotCapable;
        var trailingSlash = path[^1] == (byte)'/';
        var pending = new Stack<byte[]>();
        PushComponents(pending, path);
        var dirs = new List<HostHandle>();
        var symlinks = 0;
        byte[]? final = null;
        try
        {
            while (pending.Count > 0)
            {
                var component = pending.Pop();
                var isLast = pending.Count == 0;
                var top = dirs.Count == 0 ? baseFd : dirs[^1].Fd;
                if (IsDot(component))
                {
                    if (isLast) final = component;
                    continue;
                }
                if (IsDotDot(component))
                {
                    if (dirs.Count == 0) return WasiErrno.NotCapable;
                    dirs[^1].Dispose();
                    dirs.RemoveAt(dirs.Count - 1);
                    if (isLast) final = [(byte)'.'];
                    continue;
                }
                if (isLast)
                {
                    if (followFinal || trailingSlash)
                    {
                        var link = ReadLink(top, component, out var linkError);
                        if (linkError != WasiErrno.Success) return linkError;
                        if (link is not null)
                        {
                            var expanded = Expand(pending, link, ref symlinks);
                            if (expanded != WasiErrno.Success) return expanded;
                            if (link[^1] == (byte)'/') trailingSlash = true;
                            continue;
                        }
                    }
                    final = component;
                    break;
                }
                var fd = OpenDirectory(top, component);
                if (fd >= 0)
                {
                    dirs.Add(new HostHandle(fd));
                    continue;
                }
                var errno = Libc.LastError;
                if (errno is Libc.ENOTDIR or Libc.ELOOP)
                {
                    var link = ReadLink(top, component, out var linkError);
                    if (linkError != WasiErrno.Success) return linkError;
                    if (link is not null)
                    {
                        var expanded = Expand(pending, link, ref symlinks);
                        if (expanded != WasiErrno.Success) return expanded;
                        continue;
                    }
                }
                return Libc.ToWasi(errno);
            }
            final ??= [(byte)'.'];
            byte[] name, bareName;
            if (IsDot(final))
            {
                name = bareName = s_dot;
            }
            else
            {
                bareName = new byte[final.Length + 1];
                final.CopyTo(bareName, 0);
                name = bareName;
                if (trailingSlash)
                {
                    name = new byte[final.Length + 2];
                    final.CopyTo(name, 0);
                    name[final.Length] = (byte)'/';
                }
            }
            HostHandle? owner = null;
            if (dirs.Count > 0)
            {
                owner = dirs[^1];
                dirs.RemoveAt(dirs.Count - 1);
            }
            result = new ResolvedPath(owner?.Fd ?? baseFd, owner, name, bareName);
            return WasiErrno.Success;
        }
        finally
        {
            foreach (var d in dirs) d.Dispose();
        }
    }

    /// <summary>Replaces a link by its target's components; the target must stay relative.</summary>
    private static WasiErrno Expand(Stack<byte[]> pending, byte[] target, ref int symlinks)
    {
        if (++symlinks > MaxSymlinks) return WasiErrno.Loop;
        if (target.Length == 0) return WasiErrno.NoEnt;
        if (target[0] == (byte)'/') return WasiErrno.NotCapable;
        PushComponents(pending, target);
        return WasiErrno.Success;
    }

    private static void PushComponents(Stack<byte[]> pending, ReadOnlySpan<byte> path)
    {
        var end = path.Length;
        while (end > 0)
        {
            while (end > 0 && path[end - 1] == (byte)'/') end--;
            if (end == 0) break;
            var start = path[..end].LastIndexOf((byte)'/') + 1;
            pending.Push(path[start..end].ToArray());
            end = start;
        }
    }

    private static int OpenDirectory(int dirFd, byte[] component)
    {
        Span<byte> name = stackalloc byte[component.Length + 1];
        component.CopyTo(name);
        name[^1] = 0;
        fixed (byte* p = name)
            return Libc.OpenAt(dirFd, p, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
    }

    /// <summary>The target of <paramref name="component"/> when it is a symbolic link; null when it is not (or does not exist).</summary>
    private static byte[]? ReadLink(int dirFd, byte[] component, out WasiErrno error)
    {
        error = WasiErrno.Success;
        Span<byte> name = stackalloc byte[component.Length + 1];
        component.CopyTo(name);
        name[^1] = 0;
        Span<byte> buffer = stackalloc byte[PathMax];
        nint n;
        fixed (byte* p = name)
        fixed (byte* b = buffer)
            n = Libc.ReadlinkAt(dirFd, p, b, PathMax);
        if (n < 0) return null;
        if (n >= PathMax)
        {
            error = WasiErrno.NameTooLong;
            return null;
        }
        return buffer[..(int)n].ToArray();
    }

    private static bool IsDot(byte[] c) => c.Length == 1 && c[0] == (byte)'.';

    private static bool IsDotDot(byte[] c) => c.Length == 2 && c[0] == (byte)'.' && c[1] == (byte)'.';
}
