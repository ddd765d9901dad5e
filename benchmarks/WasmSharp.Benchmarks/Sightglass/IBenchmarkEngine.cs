using System.Diagnostics;

namespace WasmSharp.Benchmarks.Sightglass;

/// <summary>
/// An engine under test. Everything engine-specific lives behind this interface (one implementation
/// per engine), so that the runner times and checks both the same way. Implementations may throw any
/// exception from any member; the runner reports it against the benchmark and carries on.
/// </summary>
public interface IBenchmarkEngine : IDisposable
{
    /// <summary>The name shown in the table and accepted by <c>--engine</c>.</summary>
    string Name { get; }

    /// <summary>Decodes, validates and compiles a module (the runner times this call).</summary>
    ICompiledBenchmark Compile(byte[] wasm);
}

/// <summary>A compiled module, instantiated afresh for every run.</summary>
public interface ICompiledBenchmark : IDisposable
{
    /// <summary>
    /// Creates a store with WASI configured as <paramref name="setup"/> says, and <c>bench.start</c> /
    /// <c>bench.end</c> calling <see cref="BenchmarkRunSetup.Clock"/>. Not timed.
    /// </summary>
    IBenchmarkRun Prepare(BenchmarkRunSetup setup);
}

/// <summary>One run: instantiate, then call <c>_start</c>; disposing it closes the output files.</summary>
public interface IBenchmarkRun : IDisposable
{
    /// <summary>Links and instantiates the module in the run's store (the runner times this call).</summary>
    void Instantiate();

    /// <summary>Calls <c>_start</c>; returns the exit code (0 when it returns, else what <c>proc_exit</c> got).</summary>
    /// <exception cref="Exception">The guest trapped.</exception>
    int Run();
}

/// <summary>How one run is set up: WASI sees <see cref="WorkDirectory"/> as <c>.</c>; stdin is empty.</summary>
public sealed record BenchmarkRunSetup(
    string WorkDirectory,
    string StdoutPath,
    string StderrPath,
    IReadOnlyList<string> Args,
    BenchClock Clock);

/// <summary>
/// The timestamps behind <c>bench.start</c> and <c>bench.end</c>. Several start/end pairs add up; a
/// start without an end (some libsodium modules never call <c>bench.end</c>) runs until <c>_start</c>
/// returns, see <see cref="Finish"/>.
/// </summary>
public sealed class BenchClock
{
    private long _openedAt = -1;
    private long _total;

    public int Starts { get; private set; }

    public int Ends { get; private set; }

    public void Reset()
    {
        _openedAt = -1;
        _total = 0;
        Starts = 0;
        Ends = 0;
    }

    /// <summary>The host function behind <c>bench.start</c>.</summary>
    public void Start()
    {
        _openedAt = Stopwatch.GetTimestamp();
        Starts++;
    }

    /// <summary>The host function behind <c>bench.end</c>.</summary>
    public void End()
    {
        var now = Stopwatch.GetTimestamp();
        if (_openedAt >= 0) _total += now - _openedAt;
        _openedAt = -1;
        Ends++;
    }

    /// <summary>
    /// The measured time once <c>_start</c> has run from <paramref name="callStart"/> to
    /// <paramref name="callEnd"/>: the bench.start/bench.end regions, else what the missing calls leave open.
    /// </summary>
    public TimeSpan Finish(long callStart, long callEnd)
    {
        var total = _total;
        if (Starts == 0 && Ends == 0) total = callEnd - callStart;
        else if (_openedAt >= 0) total += callEnd - _openedAt;
        return Stopwatch.GetElapsedTime(0, total);
    }
}
