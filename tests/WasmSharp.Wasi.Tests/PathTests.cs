using System.Text;

namespace WasmSharp.Wasi.Tests;

public sealed class PathTests : IDisposable
{
    private readonly Sandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public void OpenFlags()
    {
        File.WriteAllText(_box.In("existing"), "content");
        using var g = _box.Guest();
        Assert.Equal(WasiErrno.NoEnt, g.Open("missing").Errno);
        Assert.Equal(WasiErrno.Exist, g.Open("existing", WasiOFlags.Creat | WasiOFlags.Excl).Errno);
        Assert.Equal(WasiErrno.NotDir, g.Open("existing", WasiOFlags.Directory).Errno);
        Assert.Equal(WasiErrno.Inval, g.Open("new", WasiOFlags.Creat | WasiOFlags.Directory).Errno);
        Assert.Equal(WasiErrno.Inval, g.Open("existing", (WasiOFlags)0x10).Errno);
        Assert.Contains(g.Open("existing/").Errno, new[] { WasiErrno.NotDir, WasiErrno.NoEnt });
        Assert.Contains(g.Open("existing///").Errno, new[] { WasiErrno.NotDir, WasiErrno.NoEnt });

        var fd = g.OpenOk("existing", rights: WasiRights.FdRead);
        Assert.Equal("content", Encoding.UTF8.GetString(g.Read(fd, 100).Data));
        Assert.Equal(WasiErrno.Success, g.Open("existing", WasiOFlags.Trunc, WasiRights.FdWrite).Errno);
        Assert.Equal("", File.ReadAllText(_box.In("existing")));
        var created = g.OpenOk("created", WasiOFlags.Creat | WasiOFlags.Excl, WasiRights.FdWrite);
        g.Write(created, "new");
        Assert.Equal("new", File.ReadAllText(_box.In("created")));

        // A file is not a directory to open beneath.
        Assert.Equal(WasiErrno.NotDir, g.Open("x", WasiOFlags.Creat, dirFd: fd).Errno);
        Assert.Equal(WasiErrno.Badf, g.Open("x", dirFd: 1).Errno);
        Assert.Equal(WasiErrno.Badf, g.Open("x", dirFd: 42).Errno);
    }

    [Fact]
    public void OddButValidPaths()
    {
        Directory.CreateDirectory(_box.In("dir/nested"));
        File.WriteAllText(_box.In("dir/nested/file"), "f");
        using var g = _box.Guest();
        Assert.Equal(WasiErrno.Success, g.Open("dir/.//nested/../../dir/nested/../nested///./file").Errno);
        Assert.Equal(WasiErrno.Success, g.Open("dir/nested/", rights: WasiRights.None).Errno);
        Assert.Equal(WasiErrno.Success, g.Open(".", rights: WasiRights.None).Errno);
        Assert.Equal(WasiErrno.Success, g.Open("./", rights: WasiRights.None).Errno);
        Assert.Equal(WasiErrno.Success, g.Open("dir/..", rights: WasiRights.None).Errno);
        Assert.Equal(WasiErrno.Success, g.Open("dir//nested/./..", rights: WasiRights.FdReaddir).Errno);
    }

    [Fact]
    public void DirectoriesAreCreatedAndRemoved()
    {
        using var g = _box.Guest();
        Assert.Equal(WasiErrno.Success, g.Mkdir("dir"));
        Assert.Equal(WasiErrno.Exist, g.Mkdir("dir"));
        Assert.Equal(WasiErrno.Success, g.Mkdir("dir/nested/"));
        Assert.Equal(WasiErrno.NoEnt, g.Mkdir("missing/child"));
        Assert.Equal(WasiErrno.NotEmpty, g.Rmdir("dir"));
        Assert.Equal(WasiErrno.IsDir, g.Unlink("dir"));
        Assert.Equal(WasiErrno.IsDir, g.Unlink("dir/"));
        Assert.Equal(WasiErrno.Success, g.Rmdir("dir/nested/"));
        Assert.Equal(WasiErrno.Success, g.Rmdir("dir"));
        Assert.False(Directory.Exists(_box.In("dir")));

        File.WriteAllText(_box.In("file"), "");
        Assert.Equal(WasiErrno.NotDir, g.Rmdir("file"));
        Assert.Equal(WasiErrno.NotDir, g.Rmdir("file/"));
        Assert.Equal(WasiErrno.NotDir, g.Unlink("file/"));
        Assert.Equal(WasiErrno.Success, g.Unlink("file"));
        Assert.Equal(WasiErrno.NoEnt, g.Unlink("file"));
    }

    [Fact]
    public void Rename()
    {
        Directory.CreateDirectory(_box.In("source"));
        Directory.CreateDirectory(_box.In("full"));
        File.WriteAllText(_box.In("full/file"), "");
        File.WriteAllText(_box.In("a"), "a");
        File.WriteAllText(_box.In("b"), "b");
        using var g = _box.Guest();
        Assert.Equal(WasiErrno.Success, g.Rename("source/", "target"));
        Assert.Equal(WasiErrno.Success, g.Rename("target", "source/"));
        Assert.Equal(WasiErrno.NotEmpty, g.Rename("source", "full"));
        Assert.Equal(WasiErrno.NotDir, g.Rename("source", "full/file"));
        Assert.Equal(WasiErrno.IsDir, g.Rename("a", "source"));
        Assert.Equal(WasiErrno.Success, g.Rename("a", "b"));
        Assert.Equal("a", File.ReadAllText(_box.In("b")));
        Assert.False(File.Exists(_box.In("a")));
        Assert.Equal(WasiErrno.NoEnt, g.Rename("a", "c"));
    }

    [Fact]
    public void HardLinks()
    {
        File.WriteAllText(_box.In("file"), "data");
        Directory.CreateDirectory(_box.In("dir"));
        using var g = _box.Guest();
        Assert.Equal(WasiErrno.Success, g.Link("file", "dir/link"));
        Assert.Equal(2ul, g.PathStat("file").Stat.Nlink);
        Assert.Equal(g.PathStat("file").Stat.Ino, g.PathStat("dir/link").Stat.Ino);
        Assert.Equal(WasiErrno.Exist, g.Link("file", "dir/link"));
        Assert.Equal(WasiErrno.Exist, g.Link("file", "file"));
        Assert.Equal(WasiErrno.Exist, g.Link("file", "dir"));
        Assert.Contains(g.Link("dir", "dirlink"), new[] { WasiErrno.Perm, WasiErrno.Acces });
        Assert.Equal(WasiErrno.NoEnt, g.Link("file", "newlink/"));
        // A dangling symlink can be linked when not followed.
        Assert.Equal(WasiErrno.Success, g.Symlink("nowhere", "dangling"));
        Assert.Equal(WasiErrno.Success, g.Link("dangling", "dangling2"));
        Assert.Equal(WasiFileType.SymbolicLink, g.PathStat("dangling2").Stat.FileType);
        Assert.Equal(WasiErrno.NoEnt, g.Link("dangling", "x", follow: true));
    }

    [Fact]
    public void SymlinksAndReadlink()
    {
        File.WriteAllText(_box.In("target"), "t");
        Directory.CreateDirectory(_box.In("dir"));
        using var g = _box.Guest();
        Assert.Equal(WasiErrno.Success, g.Symlink("target", "link"));
        Assert.Equal(WasiErrno.Exist, g.Symlink("target", "link"));
        Assert.Equal(WasiErrno.Exist, g.Symlink("target", "dir"));
        Assert.Equal(WasiErrno.Exist, g.Symlink("target", "dir/"));
        Assert.Equal(WasiErrno.NoEnt, g.Symlink("target", "new/"));
        Assert.Equal(WasiErrno.NoEnt, g.Symlink("", "empty"));
        Assert.Equal((WasiErrno.Success, "target"), g.Readlink("link"));
        // A short buffer gets the start of the target.
        Assert.Equal((WasiErrno.Success, "targ"), g.Readlink("link", bufLen: 4));
        Assert.Equal(WasiErrno.Inval, g.Readlink("target").Errno);

        Assert.Equal(WasiFileType.SymbolicLink, g.PathStat("link").Stat.FileType);
        Assert.Equal(WasiFileType.RegularFile, g.PathStat("link", follow: true).Stat.FileType);
        Assert.Equal(WasiErrno.Loop, g.Open("link", follow: false).Errno);
        Assert.Equal(WasiErrno.Success, g.Open("link", follow: true).Errno);

        Assert.Equal(WasiErrno.Success, g.Symlink("dir", "dirlink"));
        Assert.Contains(g.Open("dirlink", WasiOFlags.Directory, WasiRights.None, follow: false).Errno, new[] { WasiErrno.Loop, WasiErrno.NotDir });
        Assert.Equal(WasiErrno.Success, g.Open("dirlink", WasiOFlags.Directory, WasiRights.None, follow: true).Errno);
        Assert.Equal(WasiErrno.Success, g.Open("dirlink/", WasiOFlags.None, WasiRights.None, follow: false).Errno);
        Assert.Equal(WasiErrno.NotDir, g.Open("link", WasiOFlags.Directory, WasiRights.None, follow: true).Errno);

        // Creating through a dangling link creates its target (inside).
        Assert.Equal(WasiErrno.Success, g.Symlink("made_by_link", "dangling"));
        Assert.Equal(WasiErrno.Success, g.Open("dangling", WasiOFlags.Creat, WasiRights.FdWrite, follow: true).Errno);
        Assert.True(File.Exists(_box.In("made_by_link")));
    }

    [Fact]
    public void FilestatAndSetTimes()
    {
        File.WriteAllText(_box.In("file"), "12345");
        File.CreateSymbolicLink(_box.In("link"), "file");
        using var g = _box.Guest();
        var (errno, stat) = g.PathStat("file");
        Assert.Equal(WasiErrno.Success, errno);
        Assert.Equal(5ul, stat.Size);
        Assert.Equal(WasiFileType.RegularFile, stat.FileType);
        Assert.NotEqual(0ul, stat.Dev);
        Assert.NotEqual(0ul, stat.Ino);
        Assert.Equal(WasiErrno.NotDir, g.PathStat("file/").Errno);
        Assert.Equal(WasiErrno.NoEnt, g.PathStat("missing").Errno);

        var mtim = stat.Mtim - 5_000_000_000;
        Assert.Equal(WasiErrno.Success, g.SetTimes("file", 0, (long)mtim, WasiFstFlags.Mtim));
        Assert.Equal(mtim, g.PathStat("file").Stat.Mtim);
        Assert.Equal(WasiErrno.Inval, g.SetTimes("file", 0, 0, WasiFstFlags.Mtim | WasiFstFlags.MtimNow));
        Assert.Equal(mtim, g.PathStat("file").Stat.Mtim);

        // Not following changes the link itself; following changes the file.
        var linkMtim = g.PathStat("link").Stat.Mtim - 7_000_000_000;
        Assert.Equal(WasiErrno.Success, g.SetTimes("link", 0, (long)linkMtim, WasiFstFlags.Mtim));
        Assert.Equal(linkMtim, g.PathStat("link").Stat.Mtim);
        Assert.Equal(mtim, g.PathStat("file").Stat.Mtim);
        Assert.Equal(WasiErrno.Success, g.SetTimes("link", 0, (long)(mtim + 1), WasiFstFlags.Mtim, follow: true));
        Assert.Equal(mtim + 1, g.PathStat("file").Stat.Mtim);
    }

    [Fact]
    public void PathPointersOutsideMemoryFault()
    {
        using var g = _box.Guest();
        var result = g.Alloc(4);
        Assert.Equal(WasiErrno.Fault, g.Wasi.PathOpen(g.Memory, TestGuest.PreopenFd, 0, g.Memory.Length - 2, 5, (int)WasiOFlags.Creat, -1, -1, 0, result));
        Assert.Equal(WasiErrno.Fault, g.Wasi.PathCreateDirectory(g.Memory, TestGuest.PreopenFd, -1, 2));
        var (p, len) = g.Str("file");
        Assert.Equal(WasiErrno.Fault, g.Wasi.PathOpen(g.Memory, TestGuest.PreopenFd, 0, p, len, (int)WasiOFlags.Creat, -1, -1, 0, g.Memory.Length - 3));
        // Nothing was created and no descriptor was leaked.
        Assert.Empty(Directory.EnumerateFileSystemEntries(_box.Inside));
        Assert.Equal(4, g.Wasi.OpenDescriptorCount);
    }
}
