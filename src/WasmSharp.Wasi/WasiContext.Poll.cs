using WasmSharp.Wasi.Native;

namespace WasmSharp.Wasi;

public sealed partial class WasiContext
{
    private const int SubscriptionSize = 48;
    private const int EventSize = 32;

    /// <summary>
    /// <c>poll_oneoff(in: ptr subscription, out: ptr event, nsubscriptions: size) -> size</c>. Files, directories
    /// and output streams are always ready; stdin is ready when it has input (or cannot tell); clock
    /// subscriptions (realtime or monotonic, relative or absolute) fire when their time comes. Returns as
    /// soon as something is ready, with every event ready at that moment, in subscription order.
    /// </summary>
    public WasiErrno PollOneoff(Span<byte> memory, int subscriptions, int events, int count, int resultPtr)
    {
        var n = (uint)count;
        if (n == 0) return WasiErrno.Inval;
        var inPtr = (uint)subscriptions;
        var outPtr = (uint)events;
        if (!Guest.InBounds(memory, inPtr, (ulong)n * SubscriptionSize) || !Guest.InBounds(memory, outPtr, (ulong)n * EventSize)
            || !Guest.InBounds(memory, (uint)resultPtr, 4))
        {
            return WasiErrno.Fault;
        }

        var subs = new Subscription[n];
        var monotonicNow = _clock.MonotonicNanoseconds();
        for (uint i = 0; i < n; i++)
        {
            var at = inPtr + i * SubscriptionSize;
            var s = new Subscription { Userdata = Guest.U64(memory, at), Type = (WasiEventType)memory[(int)(at + 8)] };
            switch (s.Type)
            {
                case WasiEventType.Clock:
                    {
                        var id = (WasiClockId)Guest.U32(memory, at + 16);
                        var timeout = Guest.U64(memory, at + 24);
                        var absolute = (Guest.U16(memory, at + 40) & 1) != 0;
                        ulong remaining;
                        switch (id)
                        {
                            case WasiClockId.Monotonic:
                                remaining = absolute ? (timeout > monotonicNow ? timeout - monotonicNow : 0) : timeout;
                                break;
                            case WasiClockId.Realtime:
                                var realNow = _clock.RealtimeNanoseconds();
                                remaining = absolute ? (timeout > realNow ? timeout - realNow : 0) : timeout;
                                break;
                            default:
                                return WasiErrno.Inval;
                        }
                        s.Deadline = remaining > ulong.MaxValue - monotonicNow ? ulong.MaxValue : monotonicNow + remaining;
                        break;
                    }
                case WasiEventType.FdRead:
                case WasiEventType.FdWrite:
                    s.Fd = (int)Guest.U32(memory, at + 16);
                    break;
                default:
                    return WasiErrno.Inval;
            }
            subs[i] = s;
        }

        var written = 0u;
        var stdinWaiters = new List<int>();
        for (var i = 0; i < subs.Length; i++)
        {
            ref var s = ref subs[i];
            if (s.Type == WasiEventType.Clock)
            {
                if (s.Deadline <= monotonicNow) s.Ready = true;
                continue;
            }
            var entry = Get(s.Fd);
            if (entry is null)
            {
                s.Ready = true;
                s.Error = WasiErrno.Badf;
                continue;
            }
            switch (entry)
            {
                case StdioFd stdio when s.Type == WasiEventType.FdRead:
                    if (!stdio.IsInput)
                    {
                        s.Ready = true;
                        s.Error = WasiErrno.Badf;
                    }
                    else if (stdio.Stream.Available is { } available)
                    {
                        s.Ready = true;
                        s.Bytes = available;
                        s.Hangup = available == 0;
                    }
                    else if (stdio.Stream.WaitReadable(0))
                    {
                        s.Ready = true;
                        s.Bytes = 1;
                    }
                    else
                    {
                        stdinWaiters.Add(i);
                    }
                    break;
                case StdioFd stdio:
                    s.Ready = true;
                    if (stdio.IsInput) s.Error = WasiErrno.Badf;
                    else s.Bytes = 1;
                    break;
                case HostFileFd file:
                    s.Ready = true;
                    s.Bytes = s.Type == WasiEventType.FdRead ? ReadableBytes(file.Fd) : 1;
                    break;
                default:
                    s.Ready = true;
                    s.Error = WasiErrno.Badf;
                    break;
            }
        }

        if (!subs.Any(s => s.Ready))
        {
            // Nothing is ready yet: wait for the earliest clock, watching stdin if someone asked for it.
            var earliest = subs.Where(s => s.Type == WasiEventType.Clock).Select(s => s.Deadline).DefaultIfEmpty(ulong.MaxValue).Min();
            if (stdinWaiters.Count > 0)
            {
                var stream = ((StdioFd)Get(subs[stdinWaiters[0]].Fd)!).Stream;
                var waitNs = earliest == ulong.MaxValue ? ulong.MaxValue : earliest - Math.Min(earliest, _clock.MonotonicNanoseconds());
                var waitMs = waitNs == ulong.MaxValue ? -1 : (int)Math.Min((waitNs + 999_999) / 1_000_000, int.MaxValue);
                if (stream.WaitReadable(waitMs))
                {
                    foreach (var i in stdinWaiters)
                    {
                        subs[i].Ready = true;
                        subs[i].Bytes = 1;
                    }
                }
            }
            else if (earliest != ulong.MaxValue)
            {
                var now = _clock.MonotonicNanoseconds();
                if (earliest > now) _clock.Sleep(earliest - now);
            }
            var after = _clock.MonotonicNanoseconds();
            for (var i = 0; i < subs.Length; i++)
            {
                if (subs[i].Type == WasiEventType.Clock && subs[i].Deadline <= after) subs[i].Ready = true;
            }
            // The earliest clock has fired even if the host's sleep returned a hair early.
            if (!subs.Any(s => s.Ready) && stdinWaiters.Count == 0)
            {
                for (var i = 0; i < subs.Length; i++)
                {
                    if (subs[i].Type == WasiEventType.Clock && subs[i].Deadline == earliest) subs[i].Ready = true;
                }
            }
        }

        foreach (var s in subs)
        {
            if (!s.Ready) continue;
            var at = outPtr + written * EventSize;
            memory.Slice((int)at, EventSize).Clear();
            Guest.U64(memory, at, s.Userdata);
            Guest.U16(memory, at + 8, (ushort)s.Error);
            memory[(int)at + 10] = (byte)s.Type;
            if (s.Type != WasiEventType.Clock && s.Error == WasiErrno.Success)
            {
                Guest.U64(memory, at + 16, s.Bytes);
                Guest.U16(memory, at + 24, (ushort)(s.Hangup ? 1 : 0));
            }
            written++;
        }
        Guest.U32(memory, (uint)resultPtr, written);
        return WasiErrno.Success;
    }

    private static unsafe ulong ReadableBytes(int hostFd)
    {
        Libc.Statx st;
        byte empty = 0;
        if (Libc.StatX(hostFd, &empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, &st) != 0) return 0;
        var position = Libc.LSeek(hostFd, 0, (int)WasiWhence.Cur);
        return position < 0 || (ulong)position >= st.Size ? 0 : st.Size - (ulong)position;
    }

    private struct Subscription
    {
        public ulong Userdata;
        public WasiEventType Type;
        public ulong Deadline;
        public int Fd;
        public bool Ready;
        public WasiErrno Error;
        public ulong Bytes;
        public bool Hangup;
    }
}
