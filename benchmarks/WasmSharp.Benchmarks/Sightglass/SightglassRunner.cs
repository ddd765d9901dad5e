using System.Diagnostics;

namespace WasmSharp.Benchmarks.Sightglass;

/// <summary>How many times to compile and run, and when to stop early.</summary>
/// <param name="CompileRuns">Compilations per engine; the median is reported.</param>
/// <param name="Warmup">Runs per engine before measuring (the first one includes WasmSharp's JIT).</param>
/// <param name="Iterations">Measured runs per engine at most.</param>
/// <param name="MinIterations">Measured runs per engine at least, whatever the budget.</param>
/// <param name="Budget">Once the runs of a benchmark have taken this long, stop after <see cref="MinIterations"/>.</param>
public sealed record RunPlan(int CompileRuns, int Warmup, int Iterations, int MinIterations, TimeSpan Budget)
{
    public static RunPlan Full { get; } = new(3, 3, 10, 5, TimeSpan.FromSeconds(60));

    public static RunPlan Quick { get; } = new(1, 1, 3, 1, TimeSpan.FromSeconds(3));
}

/// <summary>An engine taking part, or why it cannot (then every benchmark reports it unavailable).</summary>
public sealed record EngineSlot(string Name, IBenchmarkEngine? Engine, string? Unavailable);

/// <summary>What one engine did on one benchmark.</summary>
public sealed class EngineResult(string engine)
{
    public string Engine { get; } = engine;

    /// <summary>Why this engine has no (further) timings: "compile: ...", "instantiate: ...", "trap: ...".</summary>
    public string? Error { get; set; }

    public List<double> CompileMs { get; } = [];

    public List<double> InstantiateMs { get; } = [];

    public List<double> ExecutionMs { get; } = [];

    /// <summary>The first run's execution time: for WasmSharp it includes JIT-compiling what runs.</summary>
    public double? FirstRunMs { get; set; }

    /// <summary>Normalized output of the first completed run.</summary>
    public string? Stdout { get; set; }

    public string? Stderr { get; set; }

    /// <summary>A later run printed something else than the first one.</summary>
    public bool OutputVaried { get; set; }

    /// <summary>The first non-zero exit code, if any.</summary>
    public int? FailedExitCode { get; set; }

    public bool SawBenchEnd { get; set; } = true;

    public bool OutputOk { get; set; }

    /// <summary>Why the output is not right.</summary>
    public string? OutputNote { get; set; }

    public int Runs { get; set; }
}

/// <summary>Both engines' results on one benchmark.</summary>
public sealed record BenchmarkResult(SightglassBenchmark Benchmark, IReadOnlyList<EngineResult> Engines)
{
    /// <summary>How the output was checked when the folder has no expected output.</summary>
    public string? CheckNote { get; init; }

    public bool OutputOk => Engines.All(e => e.OutputOk);

    /// <summary>Median execution time of the first engine over the second's (WasmSharp / Wasmtime).</summary>
    public double? Ratio => Engines.Count == 2 && Engines[0].ExecutionMs.Count > 0 && Engines[1].ExecutionMs.Count > 0
        ? Stats.Median(Engines[0].ExecutionMs) / Stats.Median(Engines[1].ExecutionMs)
        : null;
}

/// <summary>
/// Runs each benchmark under every engine in one process, interleaved (A B A B ...), each run in a
/// fresh copy of the benchmark's folder, timing bench.start to bench.end.
/// </summary>
public sealed class SightglassRunner(IReadOnlyList<EngineSlot> engines, RunPlan plan)
{
    private static readonly string[] s_streamNames = ["stdout", "stderr"];

    private readonly string _scratch = Path.Combine(Path.GetTempPath(), $"wasmsharp-sightglass-{Environment.ProcessId}");

    /// <summary>Reports what is running now, for the progress display.</summary>
    public Action<string>? Status { get; init; }

    public BenchmarkResult Run(SightglassBenchmark benchmark)
    {
        var wasm = File.ReadAllBytes(benchmark.WasmPath);
        var results = engines.Select(e => new EngineResult(e.Name)).ToArray();
        var compiled = new ICompiledBenchmark?[engines.Count];
        try
        {
            for (var i = 0; i < engines.Count; i++)
            {
                if (engines[i].Engine is null) results[i].Error = $"unavailable: {engines[i].Unavailable}";
            }
            for (var c = 0; c < plan.CompileRuns; c++)
            {
                for (var i = 0; i < engines.Count; i++)
                {
                    if (results[i].Error is not null) continue;
                    Status?.Invoke($"{benchmark.Name}: compiling with {results[i].Engine}");
                    compiled[i]?.Dispose();
                    compiled[i] = null;
                    Settle();
                    var start = Stopwatch.GetTimestamp();
                    try
                    {
                        compiled[i] = engines[i].Engine!.Compile(wasm);
                    }
                    catch (Exception e)
                    {
                        results[i].Error = $"unavailable: compile: {Describe(e)}";
                        continue;
                    }
                    results[i].CompileMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }

            var clock = new BenchClock();
            var began = Stopwatch.GetTimestamp();
            for (var round = 0; ; round++)
            {
                for (var i = 0; i < engines.Count; i++)
                {
                    if (results[i].Error is not null) continue;
                    var phase = round < plan.Warmup ? $"warm-up {round + 1}/{plan.Warmup}" : $"run {round - plan.Warmup + 1}";
                    Status?.Invoke($"{benchmark.Name}: {results[i].Engine}, {phase}");
                    RunOnce(benchmark, compiled[i]!, results[i], clock, round);
                }
                var measured = round + 1 - plan.Warmup;
                if (results.All(r => r.Error is not null)) break;
                if (measured >= plan.Iterations) break;
                if (measured >= plan.MinIterations && Stopwatch.GetElapsedTime(began) >= plan.Budget) break;
            }
        }
        finally
        {
            foreach (var c in compiled) c?.Dispose();
        }
        CheckOutputs(benchmark, results, out var note);
        return new BenchmarkResult(benchmark, results) { CheckNote = note };
    }

    /// <summary>
    /// Compiles one module with each engine, untimed, so that the first benchmark's compile time does
    /// not include JIT-compiling WasmSharp's own decoder, validator and emitter.
    /// </summary>
    public void WarmUpCompilers(SightglassBenchmark benchmark)
    {
        var wasm = File.ReadAllBytes(benchmark.WasmPath);
        foreach (var slot in engines)
        {
            if (slot.Engine is null) continue;
            Status?.Invoke($"warming up {slot.Name}'s compiler");
            try
            {
                slot.Engine.Compile(wasm).Dispose();
            }
            catch (Exception)
            {
                // The benchmark itself reports this.
            }
        }
    }

    /// <summary>Removes the scratch folder of all runs.</summary>
    public void CleanUp()
    {
        try
        {
            if (Directory.Exists(_scratch)) Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
            // A leftover scratch folder in the temp directory is harmless.
        }
    }

    private void RunOnce(SightglassBenchmark benchmark, ICompiledBenchmark compiled, EngineResult result, BenchClock clock, int round)
    {
        var runDir = Path.Combine(_scratch, $"{result.Engine}-{round}");
        if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);
        var work = Path.Combine(runDir, "work");
        SightglassSuite.CopyInputs(benchmark, work);
        var setup = new BenchmarkRunSetup(work, Path.Combine(runDir, "stdout"), Path.Combine(runDir, "stderr"), [Path.GetFileName(benchmark.WasmPath)], clock);
        clock.Reset();
        Settle();

        long instantiateStart = 0, instantiateEnd = 0, callStart = 0, callEnd = 0;
        int exitCode;
        var stage = "prepare";
        IBenchmarkRun? run = null;
        try
        {
            run = compiled.Prepare(setup);
            stage = "instantiate";
            instantiateStart = Stopwatch.GetTimestamp();
            run.Instantiate();
            instantiateEnd = Stopwatch.GetTimestamp();
            stage = "trap";
            callStart = Stopwatch.GetTimestamp();
            exitCode = run.Run();
            callEnd = Stopwatch.GetTimestamp();
        }
        catch (Exception e)
        {
            result.Error = stage == "trap" ? $"trap: {Describe(e)}" : $"unavailable: {stage}: {Describe(e)}";
            run?.Dispose();
            run = null;
            var stderr = TryRead(setup.StderrPath);
            if (stderr.Length > 0) result.Error += $" (stderr: {Tail(stderr)})";
            return;
        }
        finally
        {
            run?.Dispose();
        }

        result.Runs++;
        var execution = clock.Finish(callStart, callEnd).TotalMilliseconds;
        if (clock.Ends == 0) result.SawBenchEnd = false;
        if (exitCode != 0) result.FailedExitCode ??= exitCode;
        var stdout = SightglassSuite.Normalize(TryRead(setup.StdoutPath));
        var stderrText = SightglassSuite.Normalize(TryRead(setup.StderrPath));
        if (result.Stdout is null)
        {
            result.Stdout = stdout;
            result.Stderr = stderrText;
            result.FirstRunMs = execution;
        }
        else if (!SameOutput(benchmark.ExpectedStdoutPath, stdout, result.Stdout) || !SameOutput(benchmark.ExpectedStderrPath, stderrText, result.Stderr!))
        {
            result.OutputVaried = true;
        }
        if (round >= plan.Warmup)
        {
            result.InstantiateMs.Add(Stopwatch.GetElapsedTime(instantiateStart, instantiateEnd).TotalMilliseconds);
            result.ExecutionMs.Add(execution);
        }
        try
        {
            Directory.Delete(runDir, recursive: true);
        }
        catch (IOException)
        {
            // Cleaned up with the whole scratch folder at the end.
        }
    }

    /// <summary>
    /// Compares each engine's output with the expected files. Where a folder has none (hashset,
    /// richards), the engines are compared with each other instead, numbers masked, since such
    /// programs may print their own timings ("That took 0.74 seconds.").
    /// </summary>
    private static void CheckOutputs(SightglassBenchmark benchmark, EngineResult[] results, out string? note)
    {
        var expected = new[] { benchmark.ExpectedStdoutPath, benchmark.ExpectedStderrPath }
            .Select(p => p is null ? null : SightglassSuite.Normalize(File.ReadAllText(p)))
            .ToArray();
        note = expected.Any(e => e is null) && results.Any(r => r.Stdout is not null)
            ? $"no .expected file for {string.Join(" and ", s_streamNames.Where((_, i) => expected[i] is null))}: " +
              (results.Count(r => r.Stdout is not null) >= 2 ? "engines compared with each other, numbers masked" : "unchecked")
            : null;
        foreach (var r in results)
        {
            if (r.Stdout is null)
            {
                r.OutputNote = "no run completed";
                continue;
            }
            var reference = results.FirstOrDefault(x => x != r && x.Stdout is not null);
            var problems = new List<string>();
            if (r.Error is not null) problems.Add("a later run failed");
            if (r.FailedExitCode is { } code) problems.Add($"exit code {code}");
            if (r.OutputVaried) problems.Add("output differed between runs");
            var actual = new[] { r.Stdout, r.Stderr! };
            for (var s = 0; s < 2; s++)
            {
                if (expected[s] is { } exact)
                {
                    if (exact != actual[s]) problems.Add($"{s_streamNames[s]} differs from expected: {SightglassSuite.DescribeDifference(exact, actual[s])}");
                }
                else if (reference is not null)
                {
                    var theirs = SightglassSuite.MaskNumbers(s == 0 ? reference.Stdout! : reference.Stderr!);
                    var ours = SightglassSuite.MaskNumbers(actual[s]);
                    if (theirs != ours) problems.Add($"{s_streamNames[s]} differs from {reference.Engine}'s: {SightglassSuite.DescribeDifference(theirs, ours)}");
                }
            }
            r.OutputOk = problems.Count == 0;
            if (!r.OutputOk) r.OutputNote = string.Join("; ", problems);
        }
    }

    /// <summary>Whether two runs printed the same; numbers may differ where there is no expected file to hold them to.</summary>
    private static bool SameOutput(string? expectedPath, string a, string b) =>
        expectedPath is not null ? a == b : SightglassSuite.MaskNumbers(a) == SightglassSuite.MaskNumbers(b);

    /// <summary>Leaves garbage of earlier runs out of the next timing.</summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static string TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : "";
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static string Tail(string text)
    {
        var t = text.Trim().ReplaceLineEndings(" ");
        return t.Length <= 200 ? t : "..." + t[^200..];
    }

    /// <summary>The exception's type and first line, enough to tell a trap from a missing feature.</summary>
    internal static string Describe(Exception e)
    {
        if (e is System.Reflection.TargetInvocationException { InnerException: { } unwrapped }) e = unwrapped;
        var text = $"{e.GetType().Name}: {FirstLine(e.Message)}";
        // A host function's failure (a WASI call not implemented yet, say) arrives wrapped in a trap.
        if (e.InnerException is { } inner) text += $" <- {inner.GetType().Name}: {FirstLine(inner.Message)}";
        return text;
    }

    /// <summary>The gist of a message: its first line, or for Wasmtime's (a backtrace first) what follows "Caused by:".</summary>
    private static string FirstLine(string message)
    {
        var lines = message.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var cause = lines.IndexOf("Caused by:");
        var line = cause >= 0 && cause + 1 < lines.Count ? string.Join(" ", lines.Skip(cause + 1)) : lines.FirstOrDefault() ?? "";
        return line.Length <= 300 ? line : line[..300] + "...";
    }
}

public static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Half the range (max - min) / 2: with a handful of runs, the honest width of the spread.</summary>
    public static double HalfRange(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : (values.Max() - values.Min()) / 2;

    /// <summary>The geometric mean; NaN for no values.</summary>
    public static double GeometricMean(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? double.NaN : Math.Exp(list.Average(Math.Log));
    }
}
