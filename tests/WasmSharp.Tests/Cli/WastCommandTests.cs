using WasmSharp.Cli;

namespace WasmSharp.Tests.Cli;

public sealed class WastCommandTests : IDisposable
{
    // One of each kind of command the runner handles itself, plus one the engine runs.
    private const string GoodScript = """
        (module $m (func (export "f") (result i32) (i32.const 1)))
        (register "m" $m)
        (assert_return (invoke "f") (i32.const 1))
        (assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
        (assert_malformed (module binary "\00asm\01\00\00") "unexpected end")
        (assert_malformed (module quote "(func (i32.const 0x) drop)") "unknown operator")
        """;

    // The module is valid, so assert_invalid must fail; the line and column point at that assertion.
    private const string BadScript = """
        (module (func))

          (assert_invalid (module (func)) "type mismatch")
        """;

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void CountsEveryCommandOnceAndExecutes()
    {
        var good = _cli.Write("good.wast", GoodScript);

        var run = CliHarness.Run("wast", good);

        Assert.Equal(CliApp.ExitSuccess, run.ExitCode);
        Assert.Equal([$"{good}: 6 passed, 0 failed, 0 skipped", "6 passed, 0 failed, 0 skipped"], run.StdoutLines);
    }

    [Fact]
    public void AFailureExitsWith1AndVerboseNamesLineAndColumn()
    {
        var good = _cli.Write("good.wast", GoodScript);
        var bad = _cli.Write("bad.wast", BadScript);

        var quiet = CliHarness.Run("wast", good, bad);
        var verbose = CliHarness.Run("wast", bad, "--verbose");

        Assert.Equal(CliApp.ExitRejected, quiet.ExitCode);
        Assert.Equal(
            [$"{good}: 6 passed, 0 failed, 0 skipped", $"{bad}: 1 passed, 1 failed, 0 skipped", "7 passed, 1 failed, 0 skipped"],
            quiet.StdoutLines);

        Assert.Equal(CliApp.ExitRejected, verbose.ExitCode);
        var failure = Assert.Single(verbose.StdoutLines, l => l.StartsWith("  ", StringComparison.Ordinal));
        Assert.StartsWith($"  {bad}:3:3: assert_invalid: ", failure);
        Assert.Contains("type mismatch", failure);
    }

    [Fact]
    public void ExecutionFailuresAndSkipsAreReportedWithTheirReasons()
    {
        var script = _cli.Write("exec.wast", """
            (module
              (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
              (func (export "gc") (result i32) (struct.new_default 0) drop (i32.const 1))
              (type (struct)))
            (assert_return (invoke "div" (i32.const 7) (i32.const 2)) (i32.const 3))
            (assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
            (assert_return (invoke "div" (i32.const 8) (i32.const 2)) (i32.const 5))
            (assert_return (invoke "gc") (i32.const 1))
            """);

        var run = CliHarness.Run("wast", script, "--verbose");

        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        Assert.Equal(
            [
                $"  {script}:7:1: assert_return: result 0: expected i32:0x5, got i32:4",
                $"  {script}:8:1: assert_return: skipped: needs GC: instruction struct.new_default is not supported yet",
                $"{script}: 3 passed, 1 failed, 1 skipped",
                "3 passed, 1 failed, 1 skipped",
            ],
            run.StdoutLines);
    }

    [Fact]
    public void CustomPageSizesOptionAcceptsTheProposalsLimits()
    {
        // A memory with limits flag 0x08 and a page size of 2^0 bytes: malformed in Wasm 3.0.
        var script = _cli.Write("pages.wast", """(module binary "\00asm\01\00\00\00" "\05\04\01\08\00\00")""");

        var strict = CliHarness.Run("wast", script);
        var proposal = CliHarness.Run("wast", "--custom-page-sizes", script);

        Assert.Equal(CliApp.ExitRejected, strict.ExitCode);
        Assert.Equal($"{script}: 0 passed, 1 failed, 0 skipped", strict.StdoutLines[0]);
        Assert.Equal(CliApp.ExitSuccess, proposal.ExitCode);
        Assert.Equal($"{script}: 1 passed, 0 failed, 0 skipped", proposal.StdoutLines[0]);
    }

    [Fact]
    public void FileNamesArePrintedAsGiven()
    {
        _cli.Write("good.wast", GoodScript);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, _cli.PathOf("good.wast"));

        var run = CliHarness.Run("wast", relative);

        Assert.StartsWith($"{relative}: ", run.StdoutLines[0]);
    }

    [Fact]
    public void AMissingFileCountsAsOneFailure()
    {
        var missing = _cli.PathOf("missing.wast");

        var run = CliHarness.Run("wast", missing);

        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        Assert.Equal([$"{missing}: 0 passed, 1 failed, 0 skipped", "0 passed, 1 failed, 0 skipped"], run.StdoutLines);
        Assert.Equal($"error: {missing}: no such file or directory", Assert.Single(run.StderrLines));
    }

    [Fact]
    public void AScriptThatDoesNotParseCountsAsOneFailure()
    {
        var broken = _cli.Write("broken.wast", "(module (func)\n(assert_return");

        var run = CliHarness.Run("wast", broken, "--verbose");

        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        Assert.Contains($"{broken}: 0 passed, 1 failed, 0 skipped", run.StdoutLines);
        Assert.DoesNotContain("   at ", run.Stdout + run.Stderr);
    }

    [Fact]
    public void NoFilesIsAUsageError()
    {
        Assert.Equal(CliApp.ExitUsage, CliHarness.Run("wast").ExitCode);
    }
}
