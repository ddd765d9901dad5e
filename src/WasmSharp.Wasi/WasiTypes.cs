namespace WasmSharp.Wasi;

/// <summary>File descriptor rights (the witx <c>rights</c> flags, a u64).</summary>
[Flags]
public enum WasiRights : ulong
{
    None = 0,
    FdDatasync = 1UL << 0,
    FdRead = 1UL << 1,
    FdSeek = 1UL << 2,
    FdFdstatSetFlags = 1UL << 3,
    FdSync = 1UL << 4,
    FdTell = 1UL << 5,
    FdWrite = 1UL << 6,
    FdAdvise = 1UL << 7,
    FdAllocate = 1UL << 8,
    PathCreateDirectory = 1UL << 9,
    PathCreateFile = 1UL << 10,
    PathLinkSource = 1UL << 11,
    PathLinkTarget = 1UL << 12,
    PathOpen = 1UL << 13,
    FdReaddir = 1UL << 14,
    PathReadlink = 1UL << 15,
    PathRenameSource = 1UL << 16,
    PathRenameTarget = 1UL << 17,
    PathFilestatGet = 1UL << 18,
    PathFilestatSetSize = 1UL << 19,
    PathFilestatSetTimes = 1UL << 20,
    FdFilestatGet = 1UL << 21,
    FdFilestatSetSize = 1UL << 22,
    FdFilestatSetTimes = 1UL << 23,
    PathSymlink = 1UL << 24,
    PathRemoveDirectory = 1UL << 25,
    PathUnlinkFile = 1UL << 26,
    PollFdReadwrite = 1UL << 27,
    SockShutdown = 1UL << 28,
    SockAccept = 1UL << 29,
    All = (1UL << 30) - 1,
}

/// <summary>The type of a file (the witx <c>filetype</c> enum, a u8).</summary>
public enum WasiFileType : byte
{
    Unknown = 0,
    BlockDevice = 1,
    CharacterDevice = 2,
    Directory = 3,
    RegularFile = 4,
    SocketDgram = 5,
    SocketStream = 6,
    SymbolicLink = 7,
}

/// <summary>File descriptor flags (the witx <c>fdflags</c>, a u16).</summary>
[Flags]
public enum WasiFdFlags : ushort
{
    None = 0,
    Append = 1,
    Dsync = 2,
    NonBlock = 4,
    Rsync = 8,
    Sync = 16,
}

/// <summary>Flags of <c>path_open</c> (the witx <c>oflags</c>, a u16).</summary>
[Flags]
public enum WasiOFlags : ushort
{
    None = 0,
    Creat = 1,
    Directory = 2,
    Excl = 4,
    Trunc = 8,
}

/// <summary>Path lookup flags (the witx <c>lookupflags</c>, a u32).</summary>
[Flags]
public enum WasiLookupFlags : uint
{
    None = 0,
    SymlinkFollow = 1,
}

/// <summary>Which timestamps <c>*_filestat_set_times</c> changes (the witx <c>fstflags</c>, a u16).</summary>
[Flags]
public enum WasiFstFlags : ushort
{
    None = 0,
    Atim = 1,
    AtimNow = 2,
    Mtim = 4,
    MtimNow = 8,
}

/// <summary>The clocks of <c>clock_time_get</c> (the witx <c>clockid</c>, a u32).</summary>
public enum WasiClockId : uint
{
    Realtime = 0,
    Monotonic = 1,
    ProcessCpuTime = 2,
    ThreadCpuTime = 3,
}

/// <summary>The base of <c>fd_seek</c> (the witx <c>whence</c>, a u8).</summary>
public enum WasiWhence : byte
{
    Set = 0,
    Cur = 1,
    End = 2,
}

/// <summary>The kinds of <c>poll_oneoff</c> subscriptions and events (the witx <c>eventtype</c>, a u8).</summary>
public enum WasiEventType : byte
{
    Clock = 0,
    FdRead = 1,
    FdWrite = 2,
}

/// <summary>The rights WASI hosts conventionally give a preopened directory and what it hands down.</summary>
public static class WasiRightsSets
{
    /// <summary>The base rights of a directory: everything that acts on paths beneath it, and its own metadata.</summary>
    public const WasiRights DirectoryBase =
        WasiRights.PathCreateDirectory | WasiRights.PathCreateFile | WasiRights.PathLinkSource | WasiRights.PathLinkTarget
        | WasiRights.PathOpen | WasiRights.FdReaddir | WasiRights.PathReadlink | WasiRights.PathRenameSource
        | WasiRights.PathRenameTarget | WasiRights.PathSymlink | WasiRights.PathRemoveDirectory | WasiRights.PathUnlinkFile
        | WasiRights.PathFilestatGet | WasiRights.PathFilestatSetTimes | WasiRights.FdFilestatGet | WasiRights.FdFilestatSetTimes;

    /// <summary>The rights of a regular file.</summary>
    public const WasiRights FileBase =
        WasiRights.FdDatasync | WasiRights.FdRead | WasiRights.FdSeek | WasiRights.FdFdstatSetFlags | WasiRights.FdSync
        | WasiRights.FdTell | WasiRights.FdWrite | WasiRights.FdAdvise | WasiRights.FdAllocate | WasiRights.FdFilestatGet
        | WasiRights.FdFilestatSetSize | WasiRights.FdFilestatSetTimes | WasiRights.PollFdReadwrite;

    /// <summary>What a directory hands down to what is opened beneath it.</summary>
    public const WasiRights DirectoryInheriting = DirectoryBase | FileBase;

    /// <summary>The rights that change the file system; a read-only preopen never grants them.</summary>
    public const WasiRights Mutating =
        WasiRights.FdDatasync | WasiRights.FdWrite | WasiRights.FdAllocate | WasiRights.FdFilestatSetSize
        | WasiRights.FdFilestatSetTimes | WasiRights.PathCreateDirectory | WasiRights.PathCreateFile
        | WasiRights.PathLinkTarget | WasiRights.PathRenameSource | WasiRights.PathRenameTarget
        | WasiRights.PathFilestatSetSize | WasiRights.PathFilestatSetTimes | WasiRights.PathSymlink
        | WasiRights.PathRemoveDirectory | WasiRights.PathUnlinkFile;
}
