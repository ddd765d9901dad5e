using System.Text;

namespace WasmSharp.Wasi.Tests;

public sealed class FdTests : IDisposable
{
    private readonly Sandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public void WriteSeekTellRead()
    {
        using var g = _box.Guest();
        var fd = g.OpenOk("file.txt", WasiOFlags.Creat);
        Assert.True(fd > 3);
        Assert.Equal((WasiErrno.Success, 10u), g.Write(fd, "0123"u8.ToArray(), "456789"u8.ToArray()));
        Assert.Equal((WasiErrno.Success, 10ul), g.Seek(fd, 0, WasiWhence.Cur));
        Assert.Equal((WasiErrno.Success, 4ul), g.Seek(fd, -6, WasiWhence.Cur));
        Assert.Equal("4567", Encoding.UTF8.GetString(g.Read(fd, 4).Data));
        Assert.Equal((WasiErrno.Success, 8ul), g.Seek(fd, -2, WasiWhence.End));
        Assert.Equal("89", Encoding.UTF8.GetString(g.Read(fd, 100).Data));
        Assert.Equal(WasiErrno.Inval, g.Seek(fd, -100, WasiWhence.Cur).Errno);
        Assert.Equal(WasiErrno.Inval, g.Seek(fd, 0, (WasiWhence)3).Errno);
        Assert.Equal((WasiErrno.Success, 1000ul), g.Seek(fd, 1000, WasiWhence.Set));
        var tell = g.Alloc(8);
        Assert.Equal(WasiErrno.Success, g.Wasi.FdTell(g.Memory, fd, tell));
        Assert.Equal(1000ul, g.U64(tell));
        Assert.Equal("0123456789", File.ReadAllText(_box.In("file.txt")));
    }

    [Fact]
    public void PreadAndPwriteLeaveTheOffsetAlone()
    {
        using var g = _box.Guest();
        var fd = g.OpenOk("file.txt", WasiOFlags.Creat);
        g.Write(fd, "abcdef");
        var (iovs, buffers) = g.Iovecs(2, 2);
        "XY"u8.CopyTo(g.Memory.AsSpan(buffers[0]));
        "ZW"u8.CopyTo(g.Memory.AsSpan(buffers[1]));
        var n = g.Alloc(4);
        Assert.Equal(WasiErrno.Success, g.Wasi.FdPwrite(g.Memory, fd, iovs, 2, 1, n));
        Assert.Equal(4u, g.U32(n));
        Assert.Equal(6ul, g.Seek(fd, 0, WasiWhence.Cur).Offset);
        Assert.Equal(WasiErrno.Success, g.Wasi.FdPread(g.Memory, fd, iovs, 2, 3, n));
        Assert.Equal(3u, g.U32(n));
        Assert.Equal("ZW", Encoding.UTF8.GetString(g.Memory, buffers[0], 2));
        Assert.Equal("f", Encoding.UTF8.GetString(g.Memory, buffers[1], 1));
        Assert.Equal(6ul, g.Seek(fd, 0, WasiWhence.Cur).Offset);
        Assert.Equal("aXYZWf", File.ReadAllText(_box.In("file.txt")));
        Assert.Equal(WasiErrno.Inval, g.Wasi.FdPread(g.Memory, fd, iovs, 2, -1, n));
    }

    [Fact]
    public void AppendFlagCanBeTurnedOff()
    {
        using var g = _box.Guest();
        var fd = g.OpenOk("file.txt", WasiOFlags.Creat, fdflags: WasiFdFlags.Append);
        Assert.Equal(WasiFdFlags.Append, g.FdStat(fd).Stat.Flags);
        g.Write(fd, "aaaa");
        g.Seek(fd, 0, WasiWhence.Set);
        g.Write(fd, "bb");
        Assert.Equal("aaaabb", File.ReadAllText(_box.In("file.txt")));
        Assert.Equal(WasiErrno.Success, g.Wasi.FdFdstatSetFlags(fd, 0));
        Assert.Equal(WasiFdFlags.None, g.FdStat(fd).Stat.Flags);
        g.Seek(fd, 0, WasiWhence.Set);
        g.Write(fd, "cc");
        Assert.Equal("ccaabb", File.ReadAllText(_box.In("file.txt")));
        Assert.Equal(WasiErrno.NotSup, g.Wasi.FdFdstatSetFlags(fd, (int)WasiFdFlags.Sync));
        Assert.Equal(WasiErrno.Inval, g.Wasi.FdFdstatSetFlags(fd, 0x100));
    }

    [Fact]
    public void SizeTimesAllocateAdviseAndSync()
    {
        using var g = _box.Guest();
        var fd = g.OpenOk("file.txt", WasiOFlags.Creat);
        Assert.Equal(WasiErrno.Success, g.Wasi.FdFilestatSetSize(fd, 100));
        var (_, stat) = g.FileStat(fd);
        Assert.Equal(100ul, stat.Size);
        Assert.Equal(WasiFileType.RegularFile, stat.FileType);
        Assert.Equal(1ul, stat.Nlink);
        Assert.Equal(WasiErrno.Success, g.Wasi.FdAllocate(fd, 90, 20));
        Assert.Equal(110ul, g.FileStat(fd).Stat.Size);
        Assert.Equal(WasiErrno.Success, g.Wasi.FdAllocate(fd, 0, 10));
        Assert.Equal(110ul, g.FileStat(fd).Stat.Size);
        Assert.Equal(WasiErrno.Success, g.Wasi.FdAdvise(fd, 0, 10, 1));
        Assert.Equal(WasiErrno.Inval, g.Wasi.FdAdvise(fd, 0, 10, 6));
        Assert.Equal(WasiErrno.Success, g.Wasi.FdSync(fd));
        Assert.Equal(WasiErrno.Success, g.Wasi.FdDatasync(fd));

        var mtim = stat.Mtim - 1_000_000_123;
        Assert.Equal(WasiErrno.Success, g.Wasi.FdFilestatSetTimes(fd, 0, (long)mtim, (int)WasiFstFlags.Mtim));
        var after = g.FileStat(fd).Stat;
        Assert.Equal(mtim, after.Mtim);
        Assert.Equal(stat.Atim, after.Atim);
        Assert.Equal(WasiErrno.Inval, g.Wasi.FdFilestatSetTimes(fd, 0, 0, (int)(WasiFstFlags.Mtim | WasiFstFlags.MtimNow)));
        Assert.Equal(WasiErrno.Inval, g.Wasi.FdFilestatSetTimes(fd, 0, 0, (int)(WasiFstFlags.Atim | WasiFstFlags.AtimNow)));
        Assert.Equal(WasiErrno.Success, g.Wasi.FdFilestatSetTimes(fd, 0, 0, (int)WasiFstFlags.AtimNow));
    }

    [Fact]
    public void RightsCanOnlyBeDropped()
    {
        using var g = _box.Guest();
        var fd = g.OpenOk("file.txt", WasiOFlags.Creat, WasiRights.FdRead | WasiRights.FdWrite | WasiRights.FdSeek);
        Assert.Equal(WasiRights.FdRead | WasiRights.FdWrite | WasiRights.FdSeek, g.FdStat(fd).Stat.Base);
        Assert.Equal(WasiErrno.Success, g.Wasi.FdFdstatSetRights(fd, (long)WasiRights.FdSeek, 0));
        Assert.Equal(WasiErrno.Badf, g.Write(fd, "x").Errno);
        Assert.Equal(WasiErrno.Badf, g.Read(fd, 1).Errno);
        Assert.Equal(WasiErrno.Success, g.Seek(fd, 0, WasiWhence.Set).Errno);
        Assert.Equal(WasiErrno.NotCapable, g.Wasi.FdFdstatSetRights(fd, (long)(WasiRights.FdSeek | WasiRights.FdRead), 0));
        Assert.Equal(WasiErrno.NotCapable, g.Wasi.FdFilestatSetSize(fd, 0));
        Assert.Equal(WasiErrno.NotCapable, g.FileStat(fd).Errno);
    }

    [Fact]
    public void OpenedRightsAreBoundedByTheDirectory()
    {
        using var g = _box.Guest();
        var dir = g.OpenDir(".");
        Assert.Equal(WasiErrno.Success, g.Wasi.FdFdstatSetRights(dir, (long)WasiRightsSets.DirectoryBase, (long)WasiRights.FdRead));
        var fd = g.OpenOk("file.txt", WasiOFlags.Creat, WasiRights.All, dirFd: dir);
        Assert.Equal(WasiRights.FdRead, g.FdStat(fd).Stat.Base);
        Assert.Equal(WasiErrno.Badf, g.Write(fd, "x").Errno);
        // Without PATH_OPEN nothing can be opened at all.
        Assert.Equal(WasiErrno.Success, g.Wasi.FdFdstatSetRights(dir, (long)WasiRights.FdReaddir, 0));
        Assert.Equal(WasiErrno.NotCapable, g.Open("file.txt", dirFd: dir).Errno);
    }

    [Fact]
    public void DirectoriesAreNotFiles()
    {
        using var g = _box.Guest();
        var dir = g.OpenDir(".");
        Assert.Equal(WasiFileType.Directory, g.FdStat(dir).Stat.FileType);
        Assert.Equal(WasiRights.None, g.FdStat(dir).Stat.Base & (WasiRights.FdSeek | WasiRights.FdFilestatSetSize | WasiRights.FdWrite));
        Assert.Contains(g.Read(dir, 10).Errno, new[] { WasiErrno.IsDir, WasiErrno.Badf });
        Assert.Contains(g.Write(dir, "x").Errno, new[] { WasiErrno.IsDir, WasiErrno.Badf });
        Assert.Equal(WasiErrno.NotCapable, g.Seek(dir, 0, WasiWhence.Set).Errno);
        Assert.Equal(WasiErrno.Success, g.FileStat(dir).Errno);
        Assert.Equal(WasiFileType.Directory, g.FileStat(dir).Stat.FileType);
        // Asking for write access to a directory is EISDIR, as open(2) says.
        Assert.Equal(WasiErrno.IsDir, g.Open(".", WasiOFlags.Directory, WasiRights.FdRead | WasiRights.FdWrite).Errno);
    }

    [Fact]
    public void CloseRenumberAndPrestat()
    {
        using var g = _box.Guest();
        var a = g.OpenOk("a", WasiOFlags.Creat);
        var b = g.OpenOk("b", WasiOFlags.Creat);
        g.Write(a, "from a");
        Assert.Equal(WasiErrno.Success, g.Wasi.FdRenumber(a, b));
        Assert.Equal(WasiErrno.Badf, g.Wasi.FdClose(a));
        Assert.Equal(6ul, g.Seek(b, 0, WasiWhence.Cur).Offset);
        Assert.Equal(WasiErrno.Badf, g.Wasi.FdRenumber(b, a));
        Assert.Equal(WasiErrno.Badf, g.Wasi.FdRenumber(77, b));
        Assert.Equal(WasiErrno.Success, g.Wasi.FdRenumber(b, b));
        // The lowest free number is reused.
        Assert.Equal(a, g.OpenOk("c", WasiOFlags.Creat));

        var prestat = g.Alloc(8);
        Assert.Equal(WasiErrno.Success, g.Wasi.FdPrestatGet(g.Memory, TestGuest.PreopenFd, prestat));
        Assert.Equal(0, g.Memory[prestat]);
        Assert.Equal(1u, g.U32(prestat + 4));
        var name = g.Alloc(8);
        Assert.Equal(WasiErrno.NameTooLong, g.Wasi.FdPrestatDirName(g.Memory, TestGuest.PreopenFd, name, 0));
        Assert.Equal(WasiErrno.Success, g.Wasi.FdPrestatDirName(g.Memory, TestGuest.PreopenFd, name, 8));
        Assert.Equal((byte)'.', g.Memory[name]);
        Assert.Equal(WasiErrno.Badf, g.Wasi.FdPrestatGet(g.Memory, b, prestat));
        Assert.Equal(WasiErrno.Badf, g.Wasi.FdPrestatGet(g.Memory, 100, prestat));

        // Closing the preopen is allowed; what was opened from it stays usable.
        Assert.Equal(WasiErrno.Success, g.Wasi.FdClose(TestGuest.PreopenFd));
        Assert.Equal(WasiErrno.Badf, g.Wasi.FdPrestatGet(g.Memory, TestGuest.PreopenFd, prestat));
        Assert.Equal(WasiErrno.Success, g.Write(b, "!").Errno);
    }

    [Fact]
    public void DisposeClosesHostDescriptors()
    {
        var g = _box.Guest();
        for (var i = 0; i < 10; i++) g.OpenOk($"f{i}", WasiOFlags.Creat);
        Assert.Equal(14, g.Wasi.OpenDescriptorCount);
        g.Dispose();
        Assert.Equal(0, g.Wasi.OpenDescriptorCount);
    }
}
