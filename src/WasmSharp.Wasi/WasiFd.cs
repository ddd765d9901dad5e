using WasmSharp.Wasi.Native;

namespace WasmSharp.Wasi;

/// <summary>One entry of a guest's descriptor table: what a WASI fd number stands for.</summary>
internal abstract class WasiFd : IDisposable
{
    public WasiRights Base { get; set; }

    public WasiRights Inheriting { get; set; }

    public WasiFdFlags Flags { get; set; }

    public abstract WasiFileType FileType { get; }

    public bool Has(WasiRights rights) => (Base & rights) == rights;

    public virtual void Dispose()
    {
    }
}

/// <summary>Descriptor 0, 1 or 2 (or one renumbered from them).</summary>
internal sealed class StdioFd : WasiFd
{
    public StdioFd(StdioStream stream, bool isInput)
    {
        Stream = stream;
        IsInput = isInput;
        // fstat of stdio works (Wasmtime answers zeros and the file type), so FD_FILESTAT_GET is granted.
        Base = (isInput ? WasiRights.FdRead : WasiRights.FdWrite) | WasiRights.PollFdReadwrite | WasiRights.FdFilestatGet;
        Inheriting = Base;
    }

    public StdioStream Stream { get; }

    public bool IsInput { get; }

    // A terminal is a character device; anything else (pipe, file, in-memory) is reported as Wasmtime does.
    public override WasiFileType FileType => Stream.IsTerminal ? WasiFileType.CharacterDevice : WasiFileType.Unknown;
}

/// <summary>A host file (or device) opened beneath a preopen.</summary>
internal sealed class HostFileFd(HostHandle handle, WasiFileType fileType, bool readOnly) : WasiFd
{
    public HostHandle Handle { get; } = handle;

    public int Fd => Handle.Fd;

    /// <summary>Opened beneath a read-only preopen: nothing may change it, whatever the rights say.</summary>
    public bool ReadOnly { get; } = readOnly;

    public override WasiFileType FileType { get; } = fileType;

    public override void Dispose() => Handle.Dispose();
}

/// <summary>A host directory: a preopen or one opened beneath it. Paths are resolved inside it and never leave it.</summary>
internal sealed class HostDirFd(HostHandle handle, string? preopenName, bool readOnly) : WasiFd
{
    public HostHandle Handle { get; } = handle;

    public int Fd => Handle.Fd;

    /// <summary>The guest name of a preopen (what <c>fd_prestat_dir_name</c> reports); null otherwise.</summary>
    public string? PreopenName { get; } = preopenName;

    public bool ReadOnly { get; } = readOnly;

    /// <summary>The listing of the last <c>fd_readdir</c> from cookie 0, reused while the guest continues it.</summary>
    public List<DirectoryEntry>? Listing { get; set; }

    public override WasiFileType FileType => WasiFileType.Directory;

    public override void Dispose() => Handle.Dispose();
}

internal readonly record struct DirectoryEntry(byte[] Name, ulong Inode, WasiFileType Type);
