namespace WasmSharp.Benchmarks.Sightglass;

/// <summary>
/// Wasmtime (Cranelift) through its .NET binding, with its default configuration, as <c>wasmtime run</c>
/// would use it.
/// </summary>
public sealed class WasmtimeBenchmarkEngine : IBenchmarkEngine
{
    private readonly Wasmtime.Engine _engine = new(new Wasmtime.Config());
    private readonly Wasmtime.Linker _linker;

    // The linker is shared by every run, so its bench hooks reach the current run's clock through here.
    private BenchClock? _clock;

    public WasmtimeBenchmarkEngine()
    {
        _linker = new Wasmtime.Linker(_engine);
        _linker.DefineWasi();
        _linker.DefineFunction("bench", "start", () => _clock?.Start());
        _linker.DefineFunction("bench", "end", () => _clock?.End());
    }

    public string Name => "Wasmtime";

    public ICompiledBenchmark Compile(byte[] wasm) => new Compiled(this, Wasmtime.Module.FromBytes(_engine, "benchmark", wasm));

    public void Dispose()
    {
        _linker.Dispose();
        _engine.Dispose();
    }

    private sealed class Compiled(WasmtimeBenchmarkEngine owner, Wasmtime.Module module) : ICompiledBenchmark
    {
        public IBenchmarkRun Prepare(BenchmarkRunSetup setup) => new PreparedRun(owner, module, setup);

        public void Dispose() => module.Dispose();
    }

    private sealed class PreparedRun : IBenchmarkRun
    {
        private readonly WasmtimeBenchmarkEngine _owner;
        private readonly Wasmtime.Module _module;
        private readonly Wasmtime.Store _store;
        private Wasmtime.Instance? _instance;

        public PreparedRun(WasmtimeBenchmarkEngine owner, Wasmtime.Module module, BenchmarkRunSetup setup)
        {
            _owner = owner;
            _module = module;
            _store = new Wasmtime.Store(owner._engine);
            // Stdin is left unset: Wasmtime then gives the guest an empty one.
            _store.SetWasiConfiguration(new Wasmtime.WasiConfiguration()
                .WithArgs(setup.Args)
                .WithPreopenedDirectory(setup.WorkDirectory, ".", true)
                .WithStandardOutput(setup.StdoutPath)
                .WithStandardError(setup.StderrPath));
            owner._clock = setup.Clock;
        }

        public void Instantiate() => _instance = _owner._linker.Instantiate(_store, _module);

        public int Run()
        {
            var start = (_instance ?? throw new InvalidOperationException("Instantiate first.")).GetAction("_start")
                ?? throw new InvalidOperationException("The module exports no _start function.");
            try
            {
                start();
                return 0;
            }
            catch (Wasmtime.WasmtimeException e) when (e.ExitCode is { } code)
            {
                return code;
            }
        }

        public void Dispose() => _store.Dispose();
    }
}
