using System.Runtime.CompilerServices;
using WasmSharp.Runtime;

namespace WasmSharp.Wasi;

/// <summary>Registers the <c>wasi_snapshot_preview1</c> functions with a <see cref="Linker"/>.</summary>
public static class WasiLinkerExtensions
{
    /// <summary>The import module name of WASI preview1.</summary>
    public const string ModuleName = "wasi_snapshot_preview1";

    /// <summary>
    /// Defines every WASI preview1 function. Each store that calls them gets its own
    /// <see cref="WasiContext"/>, made from <paramref name="config"/> on the first call.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">A preopened directory does not exist.</exception>
    public static Linker DefineWasi(this Linker linker, WasiConfig config)
    {
        ArgumentNullException.ThrowIfNull(linker);
        ArgumentNullException.ThrowIfNull(config);
        // Fail here rather than at the guest's first call.
        foreach (var p in config.Preopens)
        {
            if (!Directory.Exists(p.HostPath)) throw new DirectoryNotFoundException($"Cannot preopen '{p.HostPath}': no such directory.");
        }
        var contexts = new ConditionalWeakTable<Store, WasiContext>();
        return Define(linker, caller => contexts.GetValue(caller.Store, _ => new WasiContext(config)));
    }

    /// <summary>Defines every WASI preview1 function, all acting on <paramref name="context"/> (whatever store calls them).</summary>
    public static Linker DefineWasi(this Linker linker, WasiContext context)
    {
        ArgumentNullException.ThrowIfNull(linker);
        ArgumentNullException.ThrowIfNull(context);
        return Define(linker, _ => context);
    }

    private static Linker Define(Linker linker, Func<Caller, WasiContext> ctx)
    {
        const string M = ModuleName;
        linker.DefineFunction(M, "args_get", (Caller c, int argv, int buf) => (int)ctx(c).ArgsGet(Mem(c), argv, buf));
        linker.DefineFunction(M, "args_sizes_get", (Caller c, int count, int size) => (int)ctx(c).ArgsSizesGet(Mem(c), count, size));
        linker.DefineFunction(M, "environ_get", (Caller c, int env, int buf) => (int)ctx(c).EnvironGet(Mem(c), env, buf));
        linker.DefineFunction(M, "environ_sizes_get", (Caller c, int count, int size) => (int)ctx(c).EnvironSizesGet(Mem(c), count, size));
        linker.DefineFunction(M, "clock_res_get", (Caller c, int id, int result) => (int)ctx(c).ClockResGet(Mem(c), id, result));
        linker.DefineFunction(M, "clock_time_get", (Caller c, int id, long precision, int result) => (int)ctx(c).ClockTimeGet(Mem(c), id, precision, result));
        linker.DefineFunction(M, "fd_advise", (Caller c, int fd, long offset, long len, int advice) => (int)ctx(c).FdAdvise(fd, offset, len, advice));
        linker.DefineFunction(M, "fd_allocate", (Caller c, int fd, long offset, long len) => (int)ctx(c).FdAllocate(fd, offset, len));
        linker.DefineFunction(M, "fd_close", (Caller c, int fd) => (int)ctx(c).FdClose(fd));
        linker.DefineFunction(M, "fd_datasync", (Caller c, int fd) => (int)ctx(c).FdDatasync(fd));
        linker.DefineFunction(M, "fd_fdstat_get", (Caller c, int fd, int result) => (int)ctx(c).FdFdstatGet(Mem(c), fd, result));
        linker.DefineFunction(M, "fd_fdstat_set_flags", (Caller c, int fd, int flags) => (int)ctx(c).FdFdstatSetFlags(fd, flags));
        linker.DefineFunction(M, "fd_fdstat_set_rights", (Caller c, int fd, long rightsBase, long rightsInheriting) => (int)ctx(c).FdFdstatSetRights(fd, rightsBase, rightsInheriting));
        linker.DefineFunction(M, "fd_filestat_get", (Caller c, int fd, int result) => (int)ctx(c).FdFilestatGet(Mem(c), fd, result));
        linker.DefineFunction(M, "fd_filestat_set_size", (Caller c, int fd, long size) => (int)ctx(c).FdFilestatSetSize(fd, size));
        linker.DefineFunction(M, "fd_filestat_set_times", (Caller c, int fd, long atim, long mtim, int flags) => (int)ctx(c).FdFilestatSetTimes(fd, atim, mtim, flags));
        linker.DefineFunction(M, "fd_pread", (Delegate)((Caller c, int fd, int iovs, int iovsLen, long offset, int result) => (int)ctx(c).FdPread(Mem(c), fd, iovs, iovsLen, offset, result)));
        linker.DefineFunction(M, "fd_prestat_get", (Caller c, int fd, int result) => (int)ctx(c).FdPrestatGet(Mem(c), fd, result));
        linker.DefineFunction(M, "fd_prestat_dir_name", (Caller c, int fd, int path, int len) => (int)ctx(c).FdPrestatDirName(Mem(c), fd, path, len));
        linker.DefineFunction(M, "fd_pwrite", (Delegate)((Caller c, int fd, int iovs, int iovsLen, long offset, int result) => (int)ctx(c).FdPwrite(Mem(c), fd, iovs, iovsLen, offset, result)));
        linker.DefineFunction(M, "fd_read", (Caller c, int fd, int iovs, int iovsLen, int result) => (int)ctx(c).FdRead(Mem(c), fd, iovs, iovsLen, result));
        linker.DefineFunction(M, "fd_readdir", (Delegate)((Caller c, int fd, int buf, int len, long cookie, int result) => (int)ctx(c).FdReaddir(Mem(c), fd, buf, len, cookie, result)));
        linker.DefineFunction(M, "fd_renumber", (Caller c, int fd, int to) => (int)ctx(c).FdRenumber(fd, to));
        linker.DefineFunction(M, "fd_seek", (Caller c, int fd, long offset, int whence, int result) => (int)ctx(c).FdSeek(Mem(c), fd, offset, whence, result));
        linker.DefineFunction(M, "fd_sync", (Caller c, int fd) => (int)ctx(c).FdSync(fd));
        linker.DefineFunction(M, "fd_tell", (Caller c, int fd, int result) => (int)ctx(c).FdTell(Mem(c), fd, result));
        linker.DefineFunction(M, "fd_write", (Caller c, int fd, int iovs, int iovsLen, int result) => (int)ctx(c).FdWrite(Mem(c), fd, iovs, iovsLen, result));
        linker.DefineFunction(M, "path_create_directory", (Caller c, int fd, int path, int len) => (int)ctx(c).PathCreateDirectory(Mem(c), fd, path, len));
        linker.DefineFunction(M, "path_filestat_get", (Delegate)((Caller c, int fd, int flags, int path, int len, int result) => (int)ctx(c).PathFilestatGet(Mem(c), fd, flags, path, len, result)));
        linker.DefineFunction(M, "path_filestat_set_times", (Delegate)((Caller c, int fd, int flags, int path, int len, long atim, long mtim, int fstFlags) =>
            (int)ctx(c).PathFilestatSetTimes(Mem(c), fd, flags, path, len, atim, mtim, fstFlags)));
        linker.DefineFunction(M, "path_link", (Delegate)((Caller c, int oldFd, int oldFlags, int oldPath, int oldLen, int newFd, int newPath, int newLen) =>
            (int)ctx(c).PathLink(Mem(c), oldFd, oldFlags, oldPath, oldLen, newFd, newPath, newLen)));
        linker.DefineFunction(M, "path_open", (Delegate)((Caller c, int fd, int dirFlags, int path, int len, int oflags, long rightsBase, long rightsInheriting, int fdFlags, int result) =>
            (int)ctx(c).PathOpen(Mem(c), fd, dirFlags, path, len, oflags, rightsBase, rightsInheriting, fdFlags, result)));
        linker.DefineFunction(M, "path_readlink", (Delegate)((Caller c, int fd, int path, int len, int buf, int bufLen, int result) =>
            (int)ctx(c).PathReadlink(Mem(c), fd, path, len, buf, bufLen, result)));
        linker.DefineFunction(M, "path_remove_directory", (Caller c, int fd, int path, int len) => (int)ctx(c).PathRemoveDirectory(Mem(c), fd, path, len));
        linker.DefineFunction(M, "path_rename", (Delegate)((Caller c, int fd, int oldPath, int oldLen, int newFd, int newPath, int newLen) =>
            (int)ctx(c).PathRename(Mem(c), fd, oldPath, oldLen, newFd, newPath, newLen)));
        linker.DefineFunction(M, "path_symlink", (Caller c, int oldPath, int oldLen, int fd, int newPath, int newLen) => (int)ctx(c).PathSymlink(Mem(c), oldPath, oldLen, fd, newPath, newLen));
        linker.DefineFunction(M, "path_unlink_file", (Caller c, int fd, int path, int len) => (int)ctx(c).PathUnlinkFile(Mem(c), fd, path, len));
        linker.DefineFunction(M, "poll_oneoff", (Caller c, int subs, int events, int count, int result) => (int)ctx(c).PollOneoff(Mem(c), subs, events, count, result));
        linker.DefineFunction(M, "proc_exit", (Caller c, int code) => ctx(c).ProcExit(code));
        linker.DefineFunction(M, "proc_raise", (Caller c, int signal) => (int)ctx(c).ProcRaise(signal));
        linker.DefineFunction(M, "random_get", (Caller c, int buf, int len) => (int)ctx(c).RandomGet(Mem(c), buf, len));
        linker.DefineFunction(M, "sched_yield", (Caller c) => (int)ctx(c).SchedYield());
        linker.DefineFunction(M, "sock_accept", (Caller c, int fd, int flags, int result) => (int)ctx(c).SockAccept(Mem(c), fd, flags, result));
        linker.DefineFunction(M, "sock_recv", (Delegate)((Caller c, int fd, int data, int dataLen, int flags, int size, int roFlags) =>
            (int)ctx(c).SockRecv(Mem(c), fd, data, dataLen, flags, size, roFlags)));
        linker.DefineFunction(M, "sock_send", (Delegate)((Caller c, int fd, int data, int dataLen, int flags, int size) =>
            (int)ctx(c).SockSend(Mem(c), fd, data, dataLen, flags, size)));
        linker.DefineFunction(M, "sock_shutdown", (Caller c, int fd, int how) => (int)ctx(c).SockShutdown(fd, how));
        return linker;
    }

    /// <summary>The calling instance's exported "memory", as WASI requires.</summary>
    private static Span<byte> Mem(Caller caller)
    {
        var memory = caller.GetMemory("memory")
            ?? throw new InvalidOperationException("WASI needs the calling module to export its memory as \"memory\".");
        // A span reaches 2 GiB; pointers beyond that fault.
        return memory.ByteLength <= int.MaxValue ? memory.Span : memory.GetSpan(0, int.MaxValue);
    }
}
