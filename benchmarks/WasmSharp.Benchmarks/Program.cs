using BenchmarkDotNet.Running;
using WasmSharp.Benchmarks;

// "decode" runs the decode + validate benchmark; "quick" prints a rough per-folder table in seconds;
// anything else goes to BenchmarkDotNet's switcher (--list flat, --filter *, ...).
switch (args)
{
    case ["quick", ..]:
        return QuickRun.Run();
    case ["decode", .. var rest]:
        BenchmarkRunner.Run<DecodeValidateBenchmarks>(args: rest);
        return 0;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(DecodeValidateBenchmarks).Assembly).Run(args);
        return 0;
}
