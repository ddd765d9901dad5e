namespace WasmSharp.Wasi.Tests;

public sealed class PollTests
{
    private static void Clock(TestGuest g, int sub, ulong userdata, WasiClockId id, ulong timeout, bool absolute = false)
    {
        g.Memory.AsSpan(sub, 48).Clear();
        g.SetU64(sub, userdata);
        g.Memory[sub + 8] = (byte)WasiEventType.Clock;
        g.SetU32(sub + 16, (uint)id);
        g.SetU64(sub + 24, timeout);
        g.Memory[sub + 40] = absolute ? (byte)1 : (byte)0;
    }

    private static void FdSub(TestGuest g, int sub, ulong userdata, WasiEventType type, int fd)
    {
        g.Memory.AsSpan(sub, 48).Clear();
        g.SetU64(sub, userdata);
        g.Memory[sub + 8] = (byte)type;
        g.SetU32(sub + 16, (uint)fd);
    }

    private static List<(ulong Userdata, WasiErrno Error, WasiEventType Type, ulong Bytes)> Poll(TestGuest g, int subs, int count)
    {
        var events = g.Alloc(32 * count);
        var n = g.Alloc(4);
        Assert.Equal(WasiErrno.Success, g.Wasi.PollOneoff(g.Memory, subs, events, count, n));
        return [.. Enumerable.Range(0, (int)g.U32(n)).Select(i => events + 32 * i)
            .Select(e => (g.U64(e), (WasiErrno)g.U16(e + 8), (WasiEventType)g.Memory[e + 10], g.U64(e + 16)))];
    }

    [Fact]
    public void RelativeClockSleepsOnTheConfiguredClock()
    {
        var clock = new ManualWasiClock(monotonicNanoseconds: 1000);
        using var g = new TestGuest(new WasiConfig().WithClock(clock));
        var subs = g.Alloc(96);
        Clock(g, subs, 7, WasiClockId.Monotonic, 5_000_000_000);
        Clock(g, subs + 48, 8, WasiClockId.Monotonic, 9_000_000_000);
        var events = Poll(g, subs, 2);
        Assert.Equal([(7ul, WasiErrno.Success, WasiEventType.Clock, 0ul)], events);
        Assert.Equal(5_000_001_000ul, clock.MonotonicNanoseconds());
    }

    [Fact]
    public void AbsoluteClockInThePastFiresAtOnce()
    {
        var clock = new ManualWasiClock(realtimeNanoseconds: 2_000_000_000_000, monotonicNanoseconds: 500);
        using var g = new TestGuest(new WasiConfig().WithClock(clock));
        var subs = g.Alloc(96);
        Clock(g, subs, 1, WasiClockId.Realtime, 1_000_000_000_000, absolute: true);
        Clock(g, subs + 48, 2, WasiClockId.Monotonic, 100, absolute: true);
        Assert.Equal([1ul, 2ul], Poll(g, subs, 2).Select(e => e.Userdata));
        Assert.Equal(500ul, clock.MonotonicNanoseconds());
    }

    [Fact]
    public void ReadyDescriptorsWinOverClocks()
    {
        var clock = new ManualWasiClock();
        using var g = new TestGuest(new WasiConfig().WithClock(clock).WithStdin(WasiStdio.FromString("abc")));
        var subs = g.Alloc(48 * 5);
        Clock(g, subs, 1, WasiClockId.Monotonic, 1_000_000_000);
        FdSub(g, subs + 48, 2, WasiEventType.FdRead, 0);
        FdSub(g, subs + 96, 3, WasiEventType.FdWrite, 1);
        FdSub(g, subs + 144, 4, WasiEventType.FdWrite, 2);
        FdSub(g, subs + 192, 5, WasiEventType.FdRead, 99);
        var events = Poll(g, subs, 5);
        Assert.Equal(
            [(2ul, WasiErrno.Success, WasiEventType.FdRead, 3ul), (3ul, WasiErrno.Success, WasiEventType.FdWrite, 1ul),
             (4ul, WasiErrno.Success, WasiEventType.FdWrite, 1ul), (5ul, WasiErrno.Badf, WasiEventType.FdRead, 0ul)],
            events);
        Assert.Equal(0ul, clock.MonotonicNanoseconds());
    }

    [Fact]
    public void FilesAreAlwaysReady()
    {
        using var box = new Sandbox();
        File.WriteAllText(box.In("file"), "0123456789");
        using var g = box.Guest();
        var fd = g.OpenOk("file", rights: WasiRights.FdRead | WasiRights.FdSeek);
        g.Seek(fd, 4, WasiWhence.Set);
        var subs = g.Alloc(96);
        FdSub(g, subs, 1, WasiEventType.FdRead, fd);
        FdSub(g, subs + 48, 2, WasiEventType.FdWrite, fd);
        var events = Poll(g, subs, 2);
        Assert.Equal((1ul, WasiErrno.Success, WasiEventType.FdRead, 6ul), events[0]);
        Assert.Equal(2ul, events[1].Userdata);
    }

    [Fact]
    public void RealSleepWaitsAboutTheTimeout()
    {
        using var g = new TestGuest(new WasiConfig());
        var subs = g.Alloc(48);
        Clock(g, subs, 1, WasiClockId.Monotonic, 30_000_000);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Single(Poll(g, subs, 1));
        Assert.InRange(watch.ElapsedMilliseconds, 25, 5000);
    }

    [Fact]
    public void BadSubscriptions()
    {
        using var g = new TestGuest(new WasiConfig(), memorySize: 4096);
        var subs = g.Alloc(48);
        var events = g.Alloc(32);
        var n = g.Alloc(4);
        Assert.Equal(WasiErrno.Inval, g.Wasi.PollOneoff(g.Memory, subs, events, 0, n));
        Clock(g, subs, 1, WasiClockId.ProcessCpuTime, 10);
        Assert.Equal(WasiErrno.Inval, g.Wasi.PollOneoff(g.Memory, subs, events, 1, n));
        g.Memory[subs + 8] = 9;
        Assert.Equal(WasiErrno.Inval, g.Wasi.PollOneoff(g.Memory, subs, events, 1, n));
        Assert.Equal(WasiErrno.Fault, g.Wasi.PollOneoff(g.Memory, 4080, events, 1, n));
        Assert.Equal(WasiErrno.Fault, g.Wasi.PollOneoff(g.Memory, subs, 4090, 1, n));
    }
}
