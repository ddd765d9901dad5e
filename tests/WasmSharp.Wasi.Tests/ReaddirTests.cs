namespace WasmSharp.Wasi.Tests;

public sealed class ReaddirTests : IDisposable
{
    private readonly Sandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public void ListsDotEntriesFilesDirectoriesAndLinks()
    {
        File.WriteAllText(_box.In("file"), "x");
        Directory.CreateDirectory(_box.In("dir"));
        File.CreateSymbolicLink(_box.In("link"), "file");
        using var g = _box.Guest();
        var entries = g.ReadDir(TestGuest.PreopenFd);
        Assert.Equal([".", "..", "dir", "file", "link"], entries.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal(".", entries[0].Name);
        Assert.Equal("..", entries[1].Name);
        var byName = entries.ToDictionary(e => e.Name);
        Assert.Equal(WasiFileType.Directory, byName["."].Type);
        Assert.Equal(WasiFileType.Directory, byName["dir"].Type);
        Assert.Equal(WasiFileType.RegularFile, byName["file"].Type);
        Assert.Equal(WasiFileType.SymbolicLink, byName["link"].Type);
        // Inodes agree with filestat.
        Assert.Equal(g.FileStat(TestGuest.PreopenFd).Stat.Ino, byName["."].Ino);
        Assert.Equal(g.PathStat("file").Stat.Ino, byName["file"].Ino);
        Assert.Equal(g.PathStat("link").Stat.Ino, byName["link"].Ino);
        // Cookies count entries: d_next of the n-th entry is n + 1.
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (ulong)i), entries.Select(e => e.Next));
    }

    [Fact]
    public void CookiesResumeAndSmallBuffersStillGetEverything()
    {
        for (var i = 0; i < 300; i++) File.WriteAllText(_box.In($"file.{i}"), "");
        using var g = _box.Guest();
        var all = g.ReadDir(TestGuest.PreopenFd, bufLen: 4096);
        Assert.Equal(302, all.Count);
        Assert.Equal(all.Select(e => e.Name), g.ReadDir(TestGuest.PreopenFd, bufLen: 64).Select(e => e.Name));
        Assert.Equal(all.Select(e => e.Name), g.ReadDir(TestGuest.PreopenFd, bufLen: 24 + 10).Select(e => e.Name));

        var buf = g.Alloc(4096);
        var used = g.Alloc(4);
        Assert.Equal(WasiErrno.Success, g.Wasi.FdReaddir(g.Memory, TestGuest.PreopenFd, buf, 4096, 300, used));
        Assert.Equal((uint)(2 * 24 + all[300].Name.Length + all[301].Name.Length), g.U32(used));
        Assert.Equal(WasiErrno.Success, g.Wasi.FdReaddir(g.Memory, TestGuest.PreopenFd, buf, 4096, 302, used));
        Assert.Equal(0u, g.U32(used));
        Assert.Equal(WasiErrno.Success, g.Wasi.FdReaddir(g.Memory, TestGuest.PreopenFd, buf, 4096, 9999, used));
        Assert.Equal(0u, g.U32(used));
    }

    [Fact]
    public void TruncatedEntriesFillTheBuffer()
    {
        File.WriteAllText(_box.In("a_rather_long_file_name"), "");
        using var g = _box.Guest();
        var buf = g.Alloc(64);
        var used = g.Alloc(4);
        // "." (25 bytes) and ".." (26) fit; the third entry is cut at the end of the buffer.
        Assert.Equal(WasiErrno.Success, g.Wasi.FdReaddir(g.Memory, TestGuest.PreopenFd, buf, 60, 0, used));
        Assert.Equal(60u, g.U32(used));
    }

    [Fact]
    public void NewEntriesAppearAfterRewinding()
    {
        using var g = _box.Guest();
        Assert.Equal(2, g.ReadDir(TestGuest.PreopenFd).Count);
        g.OpenOk("new", WasiOFlags.Creat);
        Assert.Equal(3, g.ReadDir(TestGuest.PreopenFd).Count);
    }

    [Fact]
    public void OnlyDirectoriesWithTheRightCanBeRead()
    {
        File.WriteAllText(_box.In("file"), "");
        using var g = _box.Guest();
        var file = g.OpenOk("file", rights: WasiRights.All);
        var buf = g.Alloc(256);
        var used = g.Alloc(4);
        Assert.Equal(WasiErrno.NotCapable, g.Wasi.FdReaddir(g.Memory, file, buf, 256, 0, used));
        Assert.Equal(WasiErrno.Badf, g.Wasi.FdReaddir(g.Memory, 1, buf, 256, 0, used));
        var dir = g.OpenDir(".");
        Assert.Equal(WasiErrno.Success, g.Wasi.FdFdstatSetRights(dir, (long)WasiRights.PathOpen, 0));
        Assert.Equal(WasiErrno.NotCapable, g.Wasi.FdReaddir(g.Memory, dir, buf, 256, 0, used));
        Assert.Equal(WasiErrno.Fault, g.Wasi.FdReaddir(g.Memory, TestGuest.PreopenFd, g.Memory.Length - 10, 256, 0, used));
    }
}
