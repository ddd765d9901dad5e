using BenchmarkDotNet.Running;
using WasmSharp.Benchmarks;
using WasmSharp.Benchmarks.Calls;
using WasmSharp.Benchmarks.Sightglass;

// "sightglass" compares execution times with Wasmtime; "calls" measures call overhead both ways;
// "decode" runs the decode + validate benchmark; "quick" prints a rough per-folder decode table in seconds;
// anything else goes to BenchmarkDotNet's switcher (--list flat, --filter *, ...).
switch (args)
{
    case ["sightglass", .. var rest]:
        return SightglassCommand.Run(rest);
    case ["calls", .. var rest]:
        BenchmarkRunner.Run<CallOverheadBenchmarks>(args: rest);
        return 0;
    case ["quick", ..]:
        return QuickRun.Run();
    case ["decode", .. var rest]:
        BenchmarkRunner.Run<DecodeValidateBenchmarks>(args: rest);
        return 0;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(DecodeValidateBenchmarks).Assembly).Run(args);
        return 0;
}
