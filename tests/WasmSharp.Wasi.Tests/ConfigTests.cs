namespace WasmSharp.Wasi.Tests;

public sealed class ConfigTests
{
    [Fact]
    public void ConfigurationIsImmutable()
    {
        var empty = new WasiConfig();
        var withArgs = empty.WithArgs("a", "b");
        var withEnv = withArgs.WithEnvironment("K", "V");
        Assert.Empty(empty.Args);
        Assert.Equal(["a", "b"], withArgs.Args.ToArray());
        Assert.Empty(withArgs.Environment);
        Assert.Single(withEnv.Environment);
        Assert.Same(WasiStdio.Null, empty.Stdout);
        var inherited = empty.InheritStdio();
        Assert.Same(WasiStdio.Inherit, inherited.Stdout);
        Assert.Same(WasiStdio.Null, empty.Stdout);
        var preopened = empty.PreopenDirectory("/tmp", "/data", readOnly: true);
        Assert.Equal([new WasiPreopen("/tmp", "/data", true)], preopened.Preopens.ToArray());
        Assert.Empty(empty.Preopens);
    }

    [Fact]
    public void DefaultsGrantNothing()
    {
        var config = new WasiConfig();
        Assert.Empty(config.Args);
        Assert.Empty(config.Environment);
        Assert.False(config.InheritsEnvironment);
        Assert.Empty(config.Preopens);
        Assert.Same(WasiStdio.Null, config.Stdin);
        Assert.Same(WasiStdio.Null, config.Stderr);
    }

    [Fact]
    public void InvalidValuesAreRejected()
    {
        var config = new WasiConfig();
        Assert.Throws<ArgumentException>(() => config.WithEnvironment("A=B", "x"));
        Assert.Throws<ArgumentException>(() => config.WithEnvironment("", "x"));
        Assert.Throws<ArgumentException>(() => config.WithEnvironment("A", "x\0"));
        Assert.Throws<ArgumentException>(() => config.WithArgs("a\0b"));
        Assert.Throws<ArgumentException>(() => config.PreopenDirectory("", "x"));
    }

    [Fact]
    public void PreopensAreNumberedFromThreeInOrder()
    {
        using var box = new Sandbox();
        Directory.CreateDirectory(box.In("a"));
        var config = new WasiConfig().PreopenDirectory(box.In("a"), "/first").PreopenDirectory(box.Inside, "second");
        using var g = new TestGuest(config);
        var prestat = g.Alloc(8);
        var name = g.Alloc(16);
        Assert.Equal(WasiErrno.Success, g.Wasi.FdPrestatGet(g.Memory, 3, prestat));
        Assert.Equal(6u, g.U32(prestat + 4));
        Assert.Equal(WasiErrno.Success, g.Wasi.FdPrestatDirName(g.Memory, 3, name, 16));
        Assert.Equal("/first", System.Text.Encoding.UTF8.GetString(g.Memory, name, 6));
        Assert.Equal(WasiErrno.Success, g.Wasi.FdPrestatGet(g.Memory, 4, prestat));
        Assert.Equal(6u, g.U32(prestat + 4));
        Assert.Equal(WasiErrno.Badf, g.Wasi.FdPrestatGet(g.Memory, 5, prestat));
        var stat = g.FdStat(3).Stat;
        Assert.Equal(WasiRightsSets.DirectoryBase, stat.Base);
        Assert.Equal(WasiRightsSets.DirectoryInheriting, stat.Inheriting);
    }
}
