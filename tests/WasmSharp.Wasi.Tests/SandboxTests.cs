namespace WasmSharp.Wasi.Tests;

/// <summary>
/// Every way out of a preopen we know of, tried through every path-taking function: each is refused
/// (ENOTCAPABLE, as Wasmtime's EPERM/ENOTCAPABLE family) and nothing outside the preopen changes.
/// </summary>
public sealed class SandboxTests : IDisposable
{
    private readonly Sandbox _box = new();

    public void Dispose() => _box.Dispose();

    public static TheoryData<string> EscapingPaths => new()
    {
        "/etc/passwd",
        "/",
        "..",
        "../",
        "../outside/secret.txt",
        "../outside/new.txt",
        "./../outside/secret.txt",
        "sub/../../outside/secret.txt",
        "sub/../sub/../../outside",
        "link_out_rel/secret.txt",
        "link_out_abs/secret.txt",
        "link_out_rel",
        "link_out_abs",
        "link_file_out",
        "link_chain/secret.txt",
        "sub/link_up_up/secret.txt",
        "link_out_rel/new.txt",
        "link_out_rel/",
        "link_dotdot_out/outside/secret.txt",
    };

    private TestGuest Prepared(bool readOnly = false)
    {
        Directory.CreateDirectory(_box.In("sub"));
        File.WriteAllText(_box.In("inside.txt"), "inside");
        // Links planted by the host (or an earlier, less careful program): relative and absolute, direct and chained.
        File.CreateSymbolicLink(_box.In("link_out_rel"), "../outside");
        File.CreateSymbolicLink(_box.In("link_out_abs"), _box.Outside);
        File.CreateSymbolicLink(_box.In("link_file_out"), "../outside/secret.txt");
        File.CreateSymbolicLink(_box.In("link_chain"), "link_out_rel");
        File.CreateSymbolicLink(_box.In("sub/link_up_up"), "../../outside");
        File.CreateSymbolicLink(_box.In("link_dotdot_out"), "..");
        return _box.Guest(readOnly);
    }

    [Theory]
    [MemberData(nameof(EscapingPaths))]
    public void OpenIsRefused(string path)
    {
        using var g = Prepared();
        foreach (var oflags in new[] { WasiOFlags.None, WasiOFlags.Creat, WasiOFlags.Creat | WasiOFlags.Trunc, WasiOFlags.Directory })
        {
            var (errno, _) = g.Open(path, oflags, follow: true);
            Assert.Equal(WasiErrno.NotCapable, errno);
        }
        _box.AssertOutsideUnchanged();
    }

    [Theory]
    [MemberData(nameof(EscapingPaths))]
    public void StatIsRefused(string path)
    {
        using var g = Prepared();
        Assert.Equal(WasiErrno.NotCapable, g.PathStat(path, follow: true).Errno);
        Assert.Equal(WasiErrno.NotCapable, g.SetTimes(path, 0, 0, WasiFstFlags.AtimNow | WasiFstFlags.MtimNow, follow: true));
        _box.AssertOutsideUnchanged();
    }

    [Theory]
    [MemberData(nameof(EscapingPaths))]
    public void MutationsAreRefused(string path)
    {
        using var g = Prepared();
        // Only the last component of these paths is not followed, so the escape may lie in an earlier one;
        // links as the last component are the link itself and are handled in the tests below.
        if (!IsLinkItself(path))
        {
            Assert.Equal(WasiErrno.NotCapable, g.Mkdir(path));
            Assert.Equal(WasiErrno.NotCapable, g.Unlink(path));
            Assert.Equal(WasiErrno.NotCapable, g.Rmdir(path));
            Assert.Equal(WasiErrno.NotCapable, g.Symlink("inside.txt", path));
            Assert.Equal(WasiErrno.NotCapable, g.Readlink(path).Errno);
            Assert.Equal(WasiErrno.NotCapable, g.Rename("inside.txt", path));
            Assert.Equal(WasiErrno.NotCapable, g.Rename(path, "stolen"));
            Assert.Equal(WasiErrno.NotCapable, g.Link("inside.txt", path));
            Assert.Equal(WasiErrno.NotCapable, g.Link(path, "stolen"));
        }
        Assert.Equal(WasiErrno.NotCapable, g.Link(path, "stolen", follow: true));
        Assert.True(File.Exists(_box.In("inside.txt")));
        Assert.False(File.Exists(_box.In("stolen")));
        _box.AssertOutsideUnchanged();
    }

    private static bool IsLinkItself(string path) => path is "link_out_rel" or "link_out_abs" or "link_file_out";

    [Fact]
    public void LinksAsLastComponentAreActedOnThemselves()
    {
        using var g = Prepared();
        // Not following: the link itself is stat'ed, read, renamed and removed; its target is untouched.
        var (errno, stat) = g.PathStat("link_file_out");
        Assert.Equal(WasiErrno.Success, errno);
        Assert.Equal(WasiFileType.SymbolicLink, stat.FileType);
        Assert.Equal((WasiErrno.Success, "../outside/secret.txt"), g.Readlink("link_file_out"));
        Assert.Equal(WasiErrno.Loop, g.Open("link_file_out", follow: false).Errno);
        Assert.Equal(WasiErrno.Success, g.Rename("link_file_out", "renamed_link"));
        Assert.Equal(WasiErrno.Success, g.Unlink("renamed_link"));
        Assert.Equal(WasiErrno.Success, g.Unlink("link_out_abs"));
        Assert.Equal(WasiErrno.NotDir, g.Rmdir("link_out_rel"));
        _box.AssertOutsideUnchanged();
    }

    [Fact]
    public void WritingThroughAnEscapingLinkChangesNothing()
    {
        using var g = Prepared();
        Assert.Equal(WasiErrno.NotCapable, g.Open("link_file_out", WasiOFlags.Trunc, WasiRights.FdWrite).Errno);
        Assert.Equal(WasiErrno.NotCapable, g.Open("link_file_out", WasiOFlags.Creat, WasiRights.FdWrite, fdflags: WasiFdFlags.Append).Errno);
        Assert.Equal(WasiErrno.NotCapable, g.Open("link_out_rel/planted.txt", WasiOFlags.Creat | WasiOFlags.Excl, WasiRights.FdWrite).Errno);
        Assert.Equal(WasiErrno.NotCapable, g.Mkdir("link_out_rel/planted"));
        _box.AssertOutsideUnchanged();
    }

    [Fact]
    public void AbsoluteSymlinkTargetsAreNotCreated()
    {
        using var g = Prepared();
        Assert.Equal(WasiErrno.NotCapable, g.Symlink("/etc/passwd", "abs"));
        Assert.Equal(WasiErrno.NotCapable, g.Symlink(_box.Outside, "abs"));
        Assert.False(Path.Exists(_box.In("abs")));
        _box.AssertOutsideUnchanged();
    }

    [Fact]
    public void AGuestMadeRelativeLinkOutCannotBeFollowed()
    {
        using var g = Prepared();
        // Creating the link only writes inside; following it is what the sandbox refuses.
        Assert.Equal(WasiErrno.Success, g.Symlink("../outside/secret.txt", "mine"));
        Assert.Equal(WasiErrno.NotCapable, g.Open("mine", follow: true).Errno);
        Assert.Equal(WasiErrno.NotCapable, g.Open("mine", WasiOFlags.Trunc, WasiRights.FdWrite, follow: true).Errno);
        Assert.Equal(WasiErrno.NotCapable, g.PathStat("mine", follow: true).Errno);
        Assert.Equal(WasiErrno.Success, g.Symlink("..", "up"));
        Assert.Equal(WasiErrno.NotCapable, g.Open("up/outside/secret.txt").Errno);
        Assert.Equal(WasiErrno.NotCapable, g.Unlink("up/outside/secret.txt"));
        Assert.Equal(WasiErrno.NotCapable, g.Rename("up/outside/secret.txt", "got"));
        _box.AssertOutsideUnchanged();
    }

    [Fact]
    public void LinksThatStayInsideWork()
    {
        using var g = Prepared();
        File.WriteAllText(_box.In("sub/data.txt"), "data");
        File.CreateSymbolicLink(_box.In("sub/back"), "../inside.txt");
        File.CreateSymbolicLink(_box.In("to_sub"), "sub/../sub");
        var fd = g.OpenOk("sub/back", rights: WasiRights.FdRead);
        Assert.Equal("inside", System.Text.Encoding.UTF8.GetString(g.Read(fd, 100).Data));
        fd = g.OpenOk("to_sub/data.txt", rights: WasiRights.FdRead);
        Assert.Equal("data", System.Text.Encoding.UTF8.GetString(g.Read(fd, 100).Data));
        Assert.Equal(WasiErrno.Success, g.PathStat("to_sub/../sub/back", follow: true).Errno);
        _box.AssertOutsideUnchanged();
    }

    [Fact]
    public void SymlinkLoopsAreLoops()
    {
        using var g = Prepared();
        File.CreateSymbolicLink(_box.In("a"), "b");
        File.CreateSymbolicLink(_box.In("b"), "a");
        File.CreateSymbolicLink(_box.In("self"), "self");
        Assert.Equal(WasiErrno.Loop, g.Open("a", follow: true).Errno);
        Assert.Equal(WasiErrno.Loop, g.Open("self/x").Errno);
        Assert.Equal(WasiErrno.Loop, g.Open("self", follow: false).Errno);
    }

    [Fact]
    public void EveryDirectoryDescriptorIsItsOwnRoot()
    {
        using var g = Prepared();
        File.WriteAllText(_box.In("sub/data.txt"), "data");
        var sub = g.OpenDir("sub");
        // ".." from a descriptor of "sub" is refused even though it would stay inside the preopen, as cap-std does.
        Assert.Equal(WasiErrno.NotCapable, g.Open("../inside.txt", dirFd: sub).Errno);
        Assert.Equal(WasiErrno.Success, g.Open("data.txt", dirFd: sub).Errno);
        Assert.Equal(WasiErrno.Success, g.Open("sub/../sub/data.txt").Errno);
    }

    [Fact]
    public void RenameAndLinkAcrossDescriptorsStayInside()
    {
        using var g = Prepared();
        var sub = g.OpenDir("sub");
        Assert.Equal(WasiErrno.Success, g.Rename("inside.txt", "moved.txt", toDirFd: sub));
        Assert.True(File.Exists(_box.In("sub/moved.txt")));
        Assert.Equal(WasiErrno.NotCapable, g.Rename("moved.txt", "../../outside/moved.txt", dirFd: sub, toDirFd: sub));
        Assert.Equal(WasiErrno.Success, g.Link("moved.txt", "hard.txt", dirFd: sub, toDirFd: TestGuest.PreopenFd));
        Assert.Equal(WasiErrno.NotCapable, g.Link("hard.txt", "../outside/hard.txt"));
        _box.AssertOutsideUnchanged();
    }

    [Fact]
    public void NulAndInvalidUtf8AreRejected()
    {
        using var g = Prepared();
        Assert.Equal(WasiErrno.Inval, g.Open("inside.txt\0").Errno);
        Assert.Equal(WasiErrno.Inval, g.Open("inside.txt\0/../../outside/secret.txt").Errno);
        var (p, len) = g.Bytes([(byte)'a', 0xFF, 0xFE]);
        var result = g.Alloc(4);
        Assert.Equal(WasiErrno.Ilseq, g.Wasi.PathOpen(g.Memory, TestGuest.PreopenFd, 0, p, len, 0, 0, 0, 0, result));
        Assert.Equal(WasiErrno.NoEnt, g.Open("").Errno);
    }

    [Fact]
    public void ReadOnlyPreopenRefusesEveryChange()
    {
        File.WriteAllText(_box.In("file.txt"), "original");
        Directory.CreateDirectory(_box.In("dir"));
        using var g = _box.Guest(readOnly: true);
        var before = File.GetLastWriteTimeUtc(_box.In("file.txt"));
        var stat = g.FdStat(TestGuest.PreopenFd).Stat;
        Assert.Equal(WasiRights.None, stat.Base & WasiRightsSets.Mutating);
        Assert.Equal(WasiRights.None, stat.Inheriting & WasiRightsSets.Mutating);

        Assert.Equal(WasiErrno.NotCapable, g.Open("new.txt", WasiOFlags.Creat, WasiRights.FdWrite).Errno);
        Assert.Equal(WasiErrno.NotCapable, g.Open("file.txt", WasiOFlags.Trunc, WasiRights.FdWrite).Errno);
        Assert.Equal(WasiErrno.NotCapable, g.Mkdir("newdir"));
        Assert.Equal(WasiErrno.NotCapable, g.Rmdir("dir"));
        Assert.Equal(WasiErrno.NotCapable, g.Unlink("file.txt"));
        Assert.Equal(WasiErrno.NotCapable, g.Rename("file.txt", "renamed.txt"));
        Assert.Equal(WasiErrno.NotCapable, g.Link("file.txt", "hard.txt"));
        Assert.Equal(WasiErrno.NotCapable, g.Symlink("file.txt", "soft.txt"));
        Assert.Equal(WasiErrno.NotCapable, g.SetTimes("file.txt", 0, 0, WasiFstFlags.MtimNow));

        // Asking for write access gets a descriptor without it: reading works, writing does not.
        var fd = g.OpenOk("file.txt", rights: WasiRights.FdRead | WasiRights.FdWrite | WasiRights.FdFilestatSetSize | WasiRights.FdFilestatSetTimes);
        Assert.Equal(WasiRights.None, g.FdStat(fd).Stat.Base & WasiRightsSets.Mutating);
        Assert.Equal("original", System.Text.Encoding.UTF8.GetString(g.Read(fd, 100).Data));
        Assert.Equal(WasiErrno.Badf, g.Write(fd, "changed").Errno);
        Assert.Equal(WasiErrno.NotCapable, g.Wasi.FdFilestatSetSize(fd, 0));
        Assert.Equal(WasiErrno.NotCapable, g.Wasi.FdFilestatSetTimes(fd, 0, 0, (int)WasiFstFlags.MtimNow));
        Assert.Equal(WasiErrno.NotCapable, g.Wasi.FdFdstatSetRights(fd, (long)WasiRights.All, 0));

        var dir = g.OpenDir("dir");
        Assert.Equal(WasiErrno.NotCapable, g.Open("x", WasiOFlags.Creat, dirFd: dir).Errno);

        Assert.Equal("original", File.ReadAllText(_box.In("file.txt")));
        Assert.Equal(before, File.GetLastWriteTimeUtc(_box.In("file.txt")));
        Assert.Equal(["dir", "file.txt"], Directory.EnumerateFileSystemEntries(_box.Inside).Select(Path.GetFileName).Order());
    }
}
