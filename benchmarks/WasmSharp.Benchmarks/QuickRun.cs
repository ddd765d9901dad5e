using System.Diagnostics;
using System.Globalization;

namespace WasmSharp.Benchmarks;

/// <summary>
/// A fast per-folder table (Stopwatch, no BenchmarkDotNet) for a first look, and a check that both
/// engines agree on which modules are valid. Numbers are rougher than the BenchmarkDotNet run.
/// </summary>
public static class QuickRun
{
    private static readonly TimeSpan s_minimumTime = TimeSpan.FromMilliseconds(400);

    public static int Run()
    {
        using var wasmtime = Engines.CreateWasmtime();
        using var wasmtimeOneThread = Engines.CreateWasmtime(parallel: false);
        var all = SightglassCorpus.Load(SightglassCorpus.All);
        var disagreements = CheckAgreement(all, wasmtime);

        // Warm both up (JIT, tiering) before timing anything.
        Measure(all, m => Engines.WasmSharpDecodeValidate(m.Bytes));
        Measure(all, m => Engines.WasmtimeValidate(wasmtime, m.Bytes));
        Measure(all, m => Engines.WasmtimeValidate(wasmtimeOneThread, m.Bytes));

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"{"corpus",-22} {"modules",7} {"MB",8} {"WasmSharp MB/s",15} {"Wasmtime MB/s",14} {"1 thread",9} {"ratio",6}");
        foreach (var corpus in SightglassCorpus.Folders().Append(SightglassCorpus.All))
        {
            var modules = corpus == SightglassCorpus.All ? all : all.Where(m => m.Folder == corpus).ToList();
            var valid = modules.Where(m => !disagreements.ContainsKey(m)).ToList();
            var megabytes = valid.Sum(m => (long)m.Bytes.Length) / 1e6;
            var ours = megabytes / Measure(valid, m => Engines.WasmSharpDecodeValidate(m.Bytes)).TotalSeconds;
            var theirs = megabytes / Measure(valid, m => Engines.WasmtimeValidate(wasmtime, m.Bytes)).TotalSeconds;
            var theirsOneThread = megabytes / Measure(valid, m => Engines.WasmtimeValidate(wasmtimeOneThread, m.Bytes)).TotalSeconds;
            Console.WriteLine(string.Format(inv, "{0,-22} {1,7} {2,8:F2} {3,15:F1} {4,14:F1} {5,9:F1} {6,6:F2}",
                corpus, valid.Count, megabytes, ours, theirs, theirsOneThread, theirs / ours));
        }
        Console.WriteLine("1 thread = Wasmtime without parallel validation; ratio = WasmSharp time / Wasmtime time (above 1: WasmSharp is slower).");

        foreach (var (module, message) in disagreements)
            Console.WriteLine($"left out {module.Folder}/{module.Name}: {message}");
        return disagreements.Count == 0 ? 0 : 1;
    }

    /// <summary>Modules that either engine rejects, with both verdicts; they are left out of the timing.</summary>
    private static Dictionary<CorpusModule, string> CheckAgreement(IReadOnlyList<CorpusModule> modules, Wasmtime.Engine wasmtime)
    {
        var result = new Dictionary<CorpusModule, string>();
        foreach (var module in modules)
        {
            string? ours = null;
            try
            {
                Engines.WasmSharpDecodeValidate(module.Bytes);
            }
            catch (WasmException e)
            {
                ours = e.Message;
            }
            var theirs = Engines.WasmtimeValidate(wasmtime, module.Bytes);
            if (ours is not null || theirs is not null)
                result[module] = $"WasmSharp: {ours ?? "valid"}; Wasmtime: {theirs?.ReplaceLineEndings(" ") ?? "valid"}";
        }
        return result;
    }

    /// <summary>Mean time of one pass over the modules, repeating passes until enough time has gone by.</summary>
    private static TimeSpan Measure(IReadOnlyList<CorpusModule> modules, Action<CorpusModule> work)
    {
        if (modules.Count == 0) return TimeSpan.MaxValue;
        var passes = 0;
        var watch = Stopwatch.StartNew();
        do
        {
            foreach (var m in modules) work(m);
            passes++;
        }
        while (watch.Elapsed < s_minimumTime);
        return watch.Elapsed / passes;
    }
}
