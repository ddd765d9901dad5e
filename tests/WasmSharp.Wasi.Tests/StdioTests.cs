using System.Text;

namespace WasmSharp.Wasi.Tests;

public sealed class StdioTests
{
    [Fact]
    public void WritesGoToTheOutputBuffers()
    {
        var stdout = new WasiOutputBuffer();
        var stderr = new WasiOutputBuffer();
        using var g = new TestGuest(new WasiConfig().WithStdout(stdout).WithStderr(stderr));
        Assert.Equal((WasiErrno.Success, 11u), g.Write(1, "hello "u8.ToArray(), [], "world"u8.ToArray()));
        Assert.Equal((WasiErrno.Success, 3u), g.Write(2, "err"));
        Assert.Equal("hello world", stdout.GetString());
        Assert.Equal("err", stderr.GetString());
        Assert.Equal(WasiErrno.Badf, g.Write(0, "to stdin").Errno);
        Assert.Equal(WasiErrno.Badf, g.Write(-31337, "x").Errno);
        Assert.Equal(WasiErrno.Badf, g.Write(3, "x").Errno);
    }

    [Fact]
    public void ReadsFillTheFirstBufferAndThenSeeEndOfFile()
    {
        using var g = new TestGuest(new WasiConfig().WithStdin(WasiStdio.FromString("abcdef")));
        var (iovs, buffers) = g.Iovecs(0, 4, 10);
        var n = g.Alloc(4);
        Assert.Equal(WasiErrno.Success, g.Wasi.FdRead(g.Memory, 0, iovs, 3, n));
        Assert.Equal(4u, g.U32(n));
        Assert.Equal("abcd", Encoding.UTF8.GetString(g.Memory, buffers[1], 4));
        Assert.Equal("ef", Encoding.UTF8.GetString(g.Read(0, 100).Data));
        Assert.Empty(g.Read(0, 100).Data);
        Assert.Equal(WasiErrno.Badf, g.Read(1, 10).Errno);
    }

    [Fact]
    public void LargeStdinIsReadCompletely()
    {
        var data = new byte[3 * 1024 * 1024 + 17];
        new Random(5).NextBytes(data);
        using var g = new TestGuest(new WasiConfig().WithStdin(WasiStdio.FromStream(new MemoryStream(data))), memorySize: 8 << 20);
        var received = new MemoryStream();
        var (iovs, buffers) = g.Iovecs(65536);
        var n = g.Alloc(4);
        while (true)
        {
            Assert.Equal(WasiErrno.Success, g.Wasi.FdRead(g.Memory, 0, iovs, 1, n));
            if (g.U32(n) == 0) break;
            received.Write(g.Memory, buffers[0], (int)g.U32(n));
        }
        Assert.Equal(data, received.ToArray());
    }

    [Fact]
    public void NullStdioReadsNothingAndSwallowsWrites()
    {
        using var g = new TestGuest(new WasiConfig());
        var (errno, data) = g.Read(0, 10);
        Assert.Equal(WasiErrno.Success, errno);
        Assert.Empty(data);
        Assert.Equal((WasiErrno.Success, 5u), g.Write(1, "hello"));
    }

    [Fact]
    public void StreamsAreWrittenAndFlushed()
    {
        var stream = new MemoryStream();
        using var g = new TestGuest(new WasiConfig().WithStdout(WasiStdio.FromStream(stream)));
        g.Write(1, "data");
        Assert.Equal("data", Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void StdioDescriptorsLookLikeWasmtimes()
    {
        using var g = new TestGuest(new WasiConfig().WithStdout(new WasiOutputBuffer()));
        var (errno, stat) = g.FdStat(0);
        Assert.Equal(WasiErrno.Success, errno);
        Assert.Equal(WasiFileType.Unknown, stat.FileType);
        Assert.True(stat.Base.HasFlag(WasiRights.FdRead));
        Assert.False(stat.Base.HasFlag(WasiRights.FdWrite));
        // Not seekable, so isatty-style checks and lseek agree that stdio is a stream.
        Assert.Equal(WasiRights.None, g.FdStat(1).Stat.Base & (WasiRights.FdSeek | WasiRights.FdTell));
        Assert.Equal(WasiErrno.Spipe, g.Seek(1, 0, WasiWhence.Cur).Errno);
        Assert.Equal(WasiErrno.Spipe, g.Wasi.FdTell(g.Memory, 0, g.Alloc(8)));
        var (iovs, _) = g.Iovecs(4);
        Assert.Equal(WasiErrno.Spipe, g.Wasi.FdPwrite(g.Memory, 1, iovs, 1, 0, g.Alloc(4)));
        Assert.Equal(WasiErrno.Spipe, g.Wasi.FdPread(g.Memory, 0, iovs, 1, 0, g.Alloc(4)));
        Assert.Equal(WasiErrno.Badf, g.Wasi.FdPrestatGet(g.Memory, 1, g.Alloc(8)));
    }

    [Fact]
    public void StdioCanBeRenumberedAndClosed()
    {
        var stdout = new WasiOutputBuffer();
        using var g = new TestGuest(new WasiConfig().WithStdout(stdout));
        Assert.Equal(WasiErrno.Success, g.Wasi.FdRenumber(1, 2));
        g.Write(2, "moved");
        Assert.Equal("moved", stdout.GetString());
        Assert.Equal(WasiErrno.Badf, g.Write(1, "gone").Errno);
        Assert.Equal(WasiErrno.Success, g.Wasi.FdClose(2));
        Assert.Equal(WasiErrno.Badf, g.Wasi.FdClose(2));
    }

    [Fact]
    public void IovecsOutsideMemoryFault()
    {
        var stdout = new WasiOutputBuffer();
        using var g = new TestGuest(new WasiConfig().WithStdout(stdout), memorySize: 4096);
        var iovs = g.Alloc(16);
        g.SetU32(iovs, 100);
        g.SetU32(iovs + 4, 10);
        g.SetU32(iovs + 8, 4090);
        g.SetU32(iovs + 12, 10);
        Assert.Equal(WasiErrno.Fault, g.Wasi.FdWrite(g.Memory, 1, iovs, 2, g.Alloc(4)));
        Assert.Equal(WasiErrno.Fault, g.Wasi.FdWrite(g.Memory, 1, 4092, 1, g.Alloc(4)));
        Assert.Equal(WasiErrno.Fault, g.Wasi.FdWrite(g.Memory, 1, iovs, 1, 4094));
        // A fault is detected before anything is written.
        Assert.Equal(0, stdout.Length);
    }
}
