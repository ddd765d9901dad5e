using System.Diagnostics;
using WasmSharp.Wasi.Native;

namespace WasmSharp.Wasi;

/// <summary>
/// The time source of a WASI guest: <c>clock_time_get</c>, <c>clock_res_get</c> and the waits of
/// <c>poll_oneoff</c>. Derive from it (or use <see cref="ManualWasiClock"/>) for deterministic tests.
/// </summary>
public abstract class WasiClock
{
    /// <summary>The host's clocks: wall time, a monotonic stopwatch, and process and thread CPU time.</summary>
    public static WasiClock System { get; } = new SystemWasiClock();

    /// <summary>Nanoseconds since the Unix epoch.</summary>
    public abstract ulong RealtimeNanoseconds();

    /// <summary>Nanoseconds since an arbitrary fixed point; never decreases.</summary>
    public abstract ulong MonotonicNanoseconds();

    /// <summary>CPU time used by the process, in nanoseconds. By default the monotonic clock.</summary>
    public virtual ulong ProcessCpuTimeNanoseconds() => MonotonicNanoseconds();

    /// <summary>CPU time used by the calling thread, in nanoseconds. By default the process CPU time.</summary>
    public virtual ulong ThreadCpuTimeNanoseconds() => ProcessCpuTimeNanoseconds();

    /// <summary>The resolution of <paramref name="id"/> in nanoseconds.</summary>
    public virtual ulong ResolutionNanoseconds(WasiClockId id) => 1;

    /// <summary>Blocks the guest for <paramref name="nanoseconds"/> (a <c>poll_oneoff</c> timeout).</summary>
    public virtual void Sleep(ulong nanoseconds)
    {
        if (nanoseconds == 0)
        {
            Thread.Yield();
            return;
        }
        var ticks = nanoseconds / 100;
        Thread.Sleep(TimeSpan.FromTicks((long)Math.Min(ticks, (ulong)TimeSpan.FromDays(1).Ticks)));
    }

    /// <summary>The current time of <paramref name="id"/>, or null for an unknown clock.</summary>
    internal ulong? Now(WasiClockId id) => id switch
    {
        WasiClockId.Realtime => RealtimeNanoseconds(),
        WasiClockId.Monotonic => MonotonicNanoseconds(),
        WasiClockId.ProcessCpuTime => ProcessCpuTimeNanoseconds(),
        WasiClockId.ThreadCpuTime => ThreadCpuTimeNanoseconds(),
        _ => null,
    };
}

/// <summary>A clock that only moves when told to: <see cref="Sleep"/> advances it instead of blocking.</summary>
public sealed class ManualWasiClock : WasiClock
{
    private ulong _realtime;
    private ulong _monotonic;

    public ManualWasiClock(ulong realtimeNanoseconds = 1_700_000_000_000_000_000, ulong monotonicNanoseconds = 0)
    {
        _realtime = realtimeNanoseconds;
        _monotonic = monotonicNanoseconds;
    }

    public override ulong RealtimeNanoseconds() => _realtime;

    public override ulong MonotonicNanoseconds() => _monotonic;

    public override ulong ResolutionNanoseconds(WasiClockId id) => 1;

    /// <summary>Moves every clock forward by <paramref name="nanoseconds"/>.</summary>
    public void Advance(ulong nanoseconds)
    {
        _realtime += nanoseconds;
        _monotonic += nanoseconds;
    }

    public override void Sleep(ulong nanoseconds) => Advance(nanoseconds);
}

internal sealed unsafe class SystemWasiClock : WasiClock
{
    private static readonly long s_start = Stopwatch.GetTimestamp();

    public override ulong RealtimeNanoseconds()
    {
        var ticks = DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;
        return (ulong)ticks * 100;
    }

    public override ulong MonotonicNanoseconds()
    {
        var elapsed = Stopwatch.GetTimestamp() - s_start;
        return (ulong)(elapsed * (1_000_000_000.0 / Stopwatch.Frequency));
    }

    /// <summary>
    /// Sleeps most of the time and spins the last millisecond: Thread.Sleep counts whole milliseconds, and a
    /// guest's short sleeps (usleep(100)) should neither return at once nor take a millisecond.
    /// </summary>
    public override void Sleep(ulong nanoseconds)
    {
        var target = MonotonicNanoseconds() + nanoseconds;
        if (nanoseconds >= 2_000_000) Thread.Sleep(TimeSpan.FromTicks((long)Math.Min((nanoseconds - 1_000_000) / 100, (ulong)TimeSpan.FromDays(1).Ticks)));
        var spinner = new SpinWait();
        while (MonotonicNanoseconds() < target) spinner.SpinOnce(sleep1Threshold: -1);
    }

    public override ulong ProcessCpuTimeNanoseconds()
    {
        if (Libc.IsSupported && TryClock(Libc.CLOCK_PROCESS_CPUTIME_ID, out var ns)) return ns;
        return (ulong)Environment.CpuUsage.TotalTime.Ticks * 100;
    }

    public override ulong ThreadCpuTimeNanoseconds()
    {
        if (Libc.IsSupported && TryClock(Libc.CLOCK_THREAD_CPUTIME_ID, out var ns)) return ns;
        return ProcessCpuTimeNanoseconds();
    }

    public override ulong ResolutionNanoseconds(WasiClockId id)
    {
        switch (id)
        {
            case WasiClockId.Realtime:
                return 100;
            case WasiClockId.Monotonic:
                return Math.Max(1, (ulong)(1_000_000_000 / Stopwatch.Frequency));
            default:
                if (Libc.IsSupported)
                {
                    Libc.Timespec ts;
                    var clock = id == WasiClockId.ProcessCpuTime ? Libc.CLOCK_PROCESS_CPUTIME_ID : Libc.CLOCK_THREAD_CPUTIME_ID;
                    if (Libc.ClockGetRes(clock, &ts) == 0) return Math.Max(1, (ulong)(ts.Seconds * 1_000_000_000 + ts.Nanoseconds));
                }
                return 100;
        }
    }

    private static bool TryClock(int clock, out ulong nanoseconds)
    {
        Libc.Timespec ts;
        if (Libc.ClockGetTime(clock, &ts) != 0)
        {
            nanoseconds = 0;
            return false;
        }
        nanoseconds = (ulong)(ts.Seconds * 1_000_000_000 + ts.Nanoseconds);
        return true;
    }
}
