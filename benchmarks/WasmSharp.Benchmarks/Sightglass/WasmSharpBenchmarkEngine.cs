using WasmSharp.Runtime;
using WasmSharp.Wasi;
using WsModule = WasmSharp.Runtime.Module;

namespace WasmSharp.Benchmarks.Sightglass;

/// <summary>WasmSharp: the Runtime API plus the WASI host of WasmSharp.Wasi.</summary>
public sealed class WasmSharpBenchmarkEngine : IBenchmarkEngine
{
    private readonly Engine _engine = new();

    public string Name => "WasmSharp";

    public ICompiledBenchmark Compile(byte[] wasm) => new Compiled(_engine, WsModule.FromBytes(_engine, wasm));

    public void Dispose()
    {
    }

    private sealed class Compiled(Engine engine, WsModule module) : ICompiledBenchmark
    {
        public IBenchmarkRun Prepare(BenchmarkRunSetup setup) => new PreparedRun(engine, module, setup);

        public void Dispose()
        {
        }
    }

    private sealed class PreparedRun : IBenchmarkRun
    {
        private readonly WsModule _module;
        private readonly Store _store;
        private readonly Linker _linker;
        private readonly FileStream _stdout;
        private readonly FileStream _stderr;
        private Instance? _instance;

        public PreparedRun(Engine engine, WsModule module, BenchmarkRunSetup setup)
        {
            _module = module;
            _stdout = File.Create(setup.StdoutPath);
            _stderr = File.Create(setup.StderrPath);
            _store = new Store(engine);
            // The WASI configuration names this run's files and folder, so each run needs its own linker.
            var wasi = new WasiConfig()
                .WithArgs(setup.Args)
                .PreopenDirectory(setup.WorkDirectory, ".")
                .WithStdout(WasiStdio.FromStream(_stdout))
                .WithStderr(WasiStdio.FromStream(_stderr));
            _linker = new Linker(engine).DefineWasi(wasi);
            var clock = setup.Clock;
            _linker.DefineFunction("bench", "start", clock.Start);
            _linker.DefineFunction("bench", "end", clock.End);
        }

        public void Instantiate() => _instance = _linker.Instantiate(_store, _module);

        public int Run() => (_instance ?? throw new InvalidOperationException("Instantiate first.")).RunWasiCommand();

        public void Dispose()
        {
            _store.Dispose();
            _stdout.Dispose();
            _stderr.Dispose();
        }
    }
}
