namespace WasmSharp.Wasi.Tests;

public sealed class ClockRandomProcTests
{
    [Fact]
    public void ManualClockGivesExactTimes()
    {
        var clock = new ManualWasiClock(realtimeNanoseconds: 1_000_000_000_123, monotonicNanoseconds: 42);
        using var g = new TestGuest(new WasiConfig().WithClock(clock));
        var t = g.Alloc(8);
        Assert.Equal(WasiErrno.Success, g.Wasi.ClockTimeGet(g.Memory, (int)WasiClockId.Realtime, 0, t));
        Assert.Equal(1_000_000_000_123UL, g.U64(t));
        Assert.Equal(WasiErrno.Success, g.Wasi.ClockTimeGet(g.Memory, (int)WasiClockId.Monotonic, 1, t));
        Assert.Equal(42UL, g.U64(t));
        clock.Advance(8);
        Assert.Equal(WasiErrno.Success, g.Wasi.ClockTimeGet(g.Memory, (int)WasiClockId.Monotonic, 1, t));
        Assert.Equal(50UL, g.U64(t));
        Assert.Equal(WasiErrno.Success, g.Wasi.ClockResGet(g.Memory, (int)WasiClockId.Realtime, t));
        Assert.Equal(1UL, g.U64(t));
    }

    [Theory]
    [InlineData(WasiClockId.Realtime)]
    [InlineData(WasiClockId.Monotonic)]
    [InlineData(WasiClockId.ProcessCpuTime)]
    [InlineData(WasiClockId.ThreadCpuTime)]
    public void SystemClocksWork(WasiClockId id)
    {
        using var g = new TestGuest(new WasiConfig());
        var t = g.Alloc(8);
        Assert.Equal(WasiErrno.Success, g.Wasi.ClockResGet(g.Memory, (int)id, t));
        Assert.True(g.U64(t) > 0);
        Assert.Equal(WasiErrno.Success, g.Wasi.ClockTimeGet(g.Memory, (int)id, 0, t));
        var first = g.U64(t);
        Thread.SpinWait(100_000);
        Assert.Equal(WasiErrno.Success, g.Wasi.ClockTimeGet(g.Memory, (int)id, 0, t));
        Assert.True(g.U64(t) >= first);
        if (id == WasiClockId.Realtime)
        {
            var now = (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
            Assert.InRange(g.U64(t), now - 10_000_000_000, now + 10_000_000_000);
        }
    }

    [Fact]
    public void UnknownClocksAreInvalid()
    {
        using var g = new TestGuest(new WasiConfig());
        var t = g.Alloc(8);
        Assert.Equal(WasiErrno.Inval, g.Wasi.ClockTimeGet(g.Memory, 4, 0, t));
        Assert.Equal(WasiErrno.Inval, g.Wasi.ClockResGet(g.Memory, -1, t));
        Assert.Equal(WasiErrno.Fault, g.Wasi.ClockTimeGet(g.Memory, 0, 0, g.Memory.Length - 4));
    }

    [Fact]
    public void RandomIsCryptographicByDefaultAndReproducibleWhenSeeded()
    {
        using (var g = new TestGuest(new WasiConfig()))
        {
            var buf = g.Alloc(1024);
            Assert.Equal(WasiErrno.Success, g.Wasi.RandomGet(g.Memory, buf, 1024));
            Assert.Contains(g.Memory.AsSpan(buf, 1024).ToArray(), b => b != 0);
            Assert.Equal(WasiErrno.Success, g.Wasi.RandomGet(g.Memory, buf, 0));
            Assert.Equal(WasiErrno.Fault, g.Wasi.RandomGet(g.Memory, g.Memory.Length - 10, 11));
        }
        byte[] Draw()
        {
            using var g = new TestGuest(new WasiConfig().WithRandom(new Random(1234)));
            var buf = g.Alloc(64);
            Assert.Equal(WasiErrno.Success, g.Wasi.RandomGet(g.Memory, buf, 64));
            return g.Memory.AsSpan(buf, 64).ToArray();
        }
        Assert.Equal(Draw(), Draw());
        var custom = new WasiConfig().WithRandom(span => span.Fill(7));
        using (var g = new TestGuest(custom))
        {
            var buf = g.Alloc(4);
            g.Wasi.RandomGet(g.Memory, buf, 4);
            Assert.Equal([7, 7, 7, 7], g.Memory.AsSpan(buf, 4).ToArray());
        }
    }

    [Fact]
    public void ProcExitThrowsTheCode()
    {
        using var g = new TestGuest(new WasiConfig());
        var e = Assert.Throws<WasiExitException>(() => g.Wasi.ProcExit(33));
        Assert.Equal(33, e.ExitCode);
        Assert.True(WasiExitException.TryGetExitCode(new InvalidOperationException("wrapped", new Exception("again", e)), out var code));
        Assert.Equal(33, code);
        Assert.False(WasiExitException.TryGetExitCode(new Exception(), out _));
    }

    [Fact]
    public void RaiseYieldAndSockets()
    {
        using var g = new TestGuest(new WasiConfig());
        Assert.Equal(WasiErrno.NotSup, g.Wasi.ProcRaise(6));
        Assert.Equal(WasiErrno.Success, g.Wasi.SchedYield());
        // No socket can be granted: a descriptor that exists is not one, a missing one is bad.
        Assert.Equal(WasiErrno.NotSock, g.Wasi.SockShutdown(1, 1));
        Assert.Equal(WasiErrno.Badf, g.Wasi.SockShutdown(3, 1));
        Assert.Equal(WasiErrno.NotSock, g.Wasi.SockAccept(g.Memory, 0, 0, 100));
        Assert.Equal(WasiErrno.Badf, g.Wasi.SockAccept(g.Memory, 99, 0, 100));
        Assert.Equal(WasiErrno.NotSock, g.Wasi.SockRecv(g.Memory, 0, 0, 0, 0, 100, 104));
        Assert.Equal(WasiErrno.NotSock, g.Wasi.SockSend(g.Memory, 2, 0, 0, 0, 100));
        Assert.Equal(WasiErrno.Badf, g.Wasi.SockSend(g.Memory, -1, 0, 0, 0, 100));
    }
}
