using BenchmarkDotNet.Attributes;

namespace WasmSharp.Benchmarks;

/// <summary>
/// Decode + validate throughput over the sightglass modules, WasmSharp beside Wasmtime's
/// <c>Module.Validate</c> on the same bytes. One operation processes every module of the corpus once;
/// the MB/s column divides the corpus size by the mean time.
/// </summary>
[Config(typeof(ThroughputConfig))]
[MemoryDiagnoser]
public class DecodeValidateBenchmarks
{
    private byte[][] _modules = [];
    private Wasmtime.Engine? _wasmtime;
    private Wasmtime.Engine? _wasmtimeOneThread;

    /// <summary>
    /// "all" by default; set WASMSHARP_BENCH_CORPORA to a comma-separated list of corpora
    /// (sightglass folder names) to measure them one by one.
    /// </summary>
    [ParamsSource(nameof(Corpora))]
    public string Corpus { get; set; } = SightglassCorpus.All;

    public static IEnumerable<string> Corpora()
    {
        var list = Environment.GetEnvironmentVariable("WASMSHARP_BENCH_CORPORA");
        return string.IsNullOrWhiteSpace(list)
            ? [SightglassCorpus.All]
            : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    [GlobalSetup]
    public void Setup()
    {
        _modules = SightglassCorpus.Load(Corpus).Select(m => m.Bytes).ToArray();
        _wasmtime = Engines.CreateWasmtime();
        _wasmtimeOneThread = Engines.CreateWasmtime(parallel: false);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _wasmtime?.Dispose();
        _wasmtimeOneThread?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int Wasmtime()
    {
        var rejected = 0;
        foreach (var bytes in _modules)
            if (Engines.WasmtimeValidate(_wasmtime!, bytes) is not null) rejected++;
        return rejected;
    }

    [Benchmark]
    public int WasmtimeOneThread()
    {
        var rejected = 0;
        foreach (var bytes in _modules)
            if (Engines.WasmtimeValidate(_wasmtimeOneThread!, bytes) is not null) rejected++;
        return rejected;
    }

    [Benchmark]
    public int WasmSharp()
    {
        foreach (var bytes in _modules)
            Engines.WasmSharpDecodeValidate(bytes);
        return _modules.Length;
    }
}
