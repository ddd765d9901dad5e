using System.Text;
using WasmSharp.Runtime;

namespace WasmSharp.Wasi.Tests;

/// <summary>
/// The official wasi-testsuite preview1 tests (72), each run in-process on a fresh copy of its fixture
/// folders and checked against its JSON spec: exit code, and stdout / stderr where the spec gives them.
/// </summary>
public sealed class WasiTestSuiteTests
{
    public static TheoryData<string> Tests()
    {
        var data = new TheoryData<string>();
        foreach (var t in WasiTestSuite.All()) data.Add(t.ToString());
        return data;
    }

    [Fact]
    public void TheSuiteHasAllItsTests() => Assert.Equal(72, WasiTestSuite.All().Count());

    [Theory]
    [MemberData(nameof(Tests))]
    public void Runs(string id)
    {
        var test = WasiTestSuite.Get(id);
        var spec = WasiTestSpec.Load(test);
        var work = Directory.CreateTempSubdirectory("wasmsharp-wasi-suite-");
        try
        {
            var result = Run(test, spec, work.FullName);
            Assert.True(spec.ExitCode == result.ExitCode,
                $"exit code {result.ExitCode}, expected {spec.ExitCode}\n{result.Trap}\nstdout:\n{result.Stdout}\nstderr:\n{result.Stderr}");
            if (spec.Stdout is not null) Assert.Equal(spec.Stdout, result.Stdout);
            if (spec.Stderr is not null) Assert.Equal(spec.Stderr, result.Stderr);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    internal sealed record RunResult(int ExitCode, string Stdout, string Stderr, string? Trap);

    internal static RunResult Run(WasiTestCase test, WasiTestSpec spec, string workDir)
    {
        var stdout = new WasiOutputBuffer();
        var stderr = new WasiOutputBuffer();
        var config = new WasiConfig()
            .WithArgs([test.Name + ".wasm", .. spec.Args])
            .WithEnvironment(spec.Env)
            .WithStdin(WasiStdio.FromBytes(Array.Empty<byte>()))
            .WithStdout(stdout)
            .WithStderr(stderr);
        foreach (var dir in spec.Dirs)
        {
            var copy = Path.Combine(workDir, dir);
            WasiTestSuite.CopyFixture(Path.Combine(test.Directory, dir), copy);
            config = config.PreopenDirectory(copy, dir);
        }
        var engine = new Engine();
        var module = Module.FromFile(engine, test.ModulePath);
        using var wasi = new WasiContext(config);
        var linker = new Linker(engine).DefineWasi(wasi);
        using var store = new Store(engine);
        int exitCode;
        string? trap = null;
        try
        {
            exitCode = linker.Instantiate(store, module).RunWasiCommand();
        }
        catch (TrapException e)
        {
            // Wasmtime exits with 128 + SIGABRT for a trap; any non-zero code is a failure to the suite.
            exitCode = 134;
            trap = e.ToString();
        }
        return new RunResult(exitCode, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()), trap);
    }
}
