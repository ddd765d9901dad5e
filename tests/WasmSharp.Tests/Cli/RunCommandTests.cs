using WasmSharp.Cli;

namespace WasmSharp.Tests.Cli;

public sealed class RunCommandTests : IDisposable
{
    private const string MathWat = """
        (module $math
          (func (export "add") (param f64 f64) (result f64) (f64.add (local.get 0) (local.get 1)))
          (func (export "add32") (param f32 f32) (result f32) (f32.add (local.get 0) (local.get 1)))
          (func (export "addi") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
          (func (export "wide") (param i64) (result i64 i32 f64) (local.get 0) (i32.wrap_i64 (local.get 0)) (f64.convert_i64_s (local.get 0)))
          (func (export "id64") (param f64) (result f64) (local.get 0))
          (func (export "nothing"))
          (func $div (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
          (func $outer (export "outer") (param i32) (result i32) (call $div (local.get 0) (i32.const 0)))
          (func $down (export "down") (param i64) (result i64)
            (i64.add (i64.const 1) (call $down (i64.add (local.get 0) (i64.const 1))))))
        """;

    // A WASI command that writes its argv, then its environment, one entry a line, to stdout, writes
    // "bye" to stderr and exits with 40 + argc.
    private const string EchoWat = """
        (module
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 64) "bye\n")
          ;; Writes len bytes at ptr to fd, NULs turned into newlines.
          (func $write (param $fd i32) (param $ptr i32) (param $len i32) (local $i i32)
            (block $done (loop $next
              (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
              (if (i32.eqz (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
                (then (i32.store8 (i32.add (local.get $ptr) (local.get $i)) (i32.const 10))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next)))
            (i32.store (i32.const 16) (local.get $ptr))
            (i32.store (i32.const 20) (local.get $len))
            (drop (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 24))))
          (func (export "_start") (local $argc i32)
            (drop (call $args_sizes (i32.const 0) (i32.const 4)))
            (local.set $argc (i32.load (i32.const 0)))
            (drop (call $args_get (i32.const 1024) (i32.const 4096)))
            (call $write (i32.const 1) (i32.const 4096) (i32.load (i32.const 4)))
            (drop (call $env_sizes (i32.const 0) (i32.const 4)))
            (drop (call $env_get (i32.const 1024) (i32.const 8192)))
            (call $write (i32.const 1) (i32.const 8192) (i32.load (i32.const 4)))
            (call $write (i32.const 2) (i32.const 64) (i32.const 4))
            (call $proc_exit (i32.add (i32.const 40) (local.get $argc)))))
        """;

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Invoke_PrintsFloatsInTheShortestRoundTripForm()
    {
        var math = _cli.Write("math.wat", MathWat);

        Assert.Equal(["0.30000000000000004"], Ok("run", "--invoke", "add", math, "0.1", "0.2"));
        Assert.Equal(["0.3"], Ok("run", "--invoke", "add32", math, "0.1", "0.2"));
        Assert.Equal(["1e+300"], Ok("run", "--invoke", "id64", math, "1e300"));
        Assert.Equal(["-0"], Ok("run", "--invoke", "id64", math, "-0"));
    }

    [Fact]
    public void Tiered_RunsTheSameCodeWithTheTieredJit()
    {
        var math = _cli.Write("math.wat", MathWat);

        Assert.Equal(["-9223372036854775808", "0", "-9.223372036854776e+18"], Ok("run", "--tiered", "--invoke", "wide", math, "9223372036854775808"));
        Assert.Equal(["7"], Ok("run", "--invoke", "addi", "--tiered", math, "3", "4"));
    }

    [Fact]
    public void Invoke_ParsesArgumentsToTheParameterTypes()
    {
        var math = _cli.Write("math.wat", MathWat);

        Assert.Equal(["1"], Ok("run", "--invoke", "addi", math, "4294967295", "2"));
        Assert.Equal(["-3"], Ok("run", "--invoke", "addi", math, "-1", "-2"));
        Assert.Equal(["-9223372036854775808", "0", "-9.223372036854776e+18"], Ok("run", "--invoke", "wide", math, "9223372036854775808"));
        Assert.Equal(["inf"], Ok("run", "--invoke", "add", math, "inf", "1"));
        Assert.Equal(["-inf"], Ok("run", "--invoke", "add", math, "-inf", "1"));
        Assert.Equal(["nan"], Ok("run", "--invoke", "add", math, "nan", "1"));
        Assert.Empty(Ok("run", "--invoke", "nothing", math));
    }

    [Fact]
    public void Invoke_RunsBinaryModules()
    {
        var wasm = _cli.Write("math.wasm", CliHarness.Run("wat2wasm", _cli.Write("math.wat", MathWat)).StdoutBytes);

        Assert.Equal(["5"], Ok("run", "--invoke", "addi", wasm, "2", "3"));
    }

    [Theory]
    [InlineData("addi", new[] { "1" })]
    [InlineData("addi", new[] { "1", "2", "3" })]
    [InlineData("addi", new[] { "1", "x" })]
    [InlineData("addi", new[] { "1", "4294967296" })]
    [InlineData("add", new[] { "1", "1,5" })]
    public void Invoke_BadArgumentsAreUsageErrors(string function, string[] args)
    {
        var math = _cli.Write("math.wat", MathWat);

        var run = CliHarness.Run(["run", "--invoke", function, math, .. args]);

        Assert.Equal(CliApp.ExitUsage, run.ExitCode);
        Assert.StartsWith("error: ", Assert.Single(run.StderrLines));
        Assert.Empty(run.StdoutBytes);
    }

    [Fact]
    public void Invoke_AMissingExportIsAnError()
    {
        var run = CliHarness.Run("run", "--invoke", "nope", _cli.Write("math.wat", MathWat));

        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        Assert.Contains("no function \"nope\"", Assert.Single(run.StderrLines));
    }

    [Fact]
    public void ATrapPrintsTheReasonAndTheWasmBacktrace()
    {
        var run = CliHarness.Run("run", "--invoke", "outer", _cli.Write("math.wat", MathWat), "7");

        Assert.Equal(CliApp.ExitTrap, run.ExitCode);
        Assert.Empty(run.StdoutBytes);
        Assert.Equal(
            ["error: wasm trap: integer divide by zero", "wasm backtrace:", "  0: math!div (function 6)", "  1: math!outer (function 7)"],
            run.StderrLines);
    }

    [Fact]
    public void DeepRecursionTrapsAndTheProcessCarriesOn()
    {
        var math = _cli.Write("math.wat", MathWat);

        var run = CliHarness.Run("run", "--invoke", "down", math, "0");

        Assert.Equal(CliApp.ExitTrap, run.ExitCode);
        Assert.Equal("error: wasm trap: call stack exhausted", run.StderrLines[0]);
        // Thousands of frames of one function fold into one line.
        Assert.Matches(@"^  0-\d{4,}: math!down \(function 8\) \(\d{4,} times\)$", run.StderrLines[2]);
        Assert.Equal(["3"], Ok("run", "--invoke", "addi", math, "1", "2"));
    }

    [Fact]
    public void ALinkErrorNamesTheImport()
    {
        var module = _cli.Write("needs.wat", """(module (import "env" "missing" (func)))""");

        var run = CliHarness.Run("run", module);

        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        Assert.Equal($"error: {module}: unknown import: \"env\" \"missing\" (func)", Assert.Single(run.StderrLines));
    }

    [Fact]
    public void AnInvalidModuleIsRejectedLikeValidateDoes()
    {
        var run = CliHarness.Run("run", _cli.Write("bad.wat", "(module (func (result i32)))"));

        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        Assert.Contains("type mismatch", Assert.Single(run.StderrLines));
    }

    [Fact]
    public void ATrapInTheStartFunctionIsATrap()
    {
        var run = CliHarness.Run("run", "--invoke", "f", _cli.Write("start.wat", """
            (module (func $boom unreachable) (start $boom) (func (export "f")))
            """));

        Assert.Equal(CliApp.ExitTrap, run.ExitCode);
        Assert.Equal("error: wasm trap: unreachable", run.StderrLines[0]);
    }

    [Fact]
    public void Wasi_ArgumentsEnvironmentStdioAndTheExitCode()
    {
        var echo = _cli.Write("echo.wat", EchoWat);

        var run = CliHarness.Run("run", "--env", "A=1", "--env", "B=two words", echo, "x", "--help", "@file", "--");

        Assert.Equal(40 + 5, run.ExitCode);
        Assert.Equal([echo, "x", "--help", "@file", "--", "A=1", "B=two words"], run.StdoutLines);
        Assert.Equal(["bye"], run.StderrLines);
    }

    [Fact]
    public void Wasi_WithInvokeTheArgumentsGoToTheFunction()
    {
        var echo = _cli.Write("echo.wat", EchoWat);

        var run = CliHarness.Run("run", "--invoke", "_start", echo);

        Assert.Equal(40 + 1, run.ExitCode);
        Assert.Equal([echo], run.StdoutLines);
    }

    [Fact]
    public void Wasi_DirectoriesAndStdin()
    {
        var wc = Path.Combine(RepositoryRoot(), "examples", "wasi", "wc.wasm");
        var data = Directory.CreateDirectory(_cli.PathOf("data")).FullName;
        File.WriteAllText(Path.Combine(data, "poem.txt"), "one two\nthree\n");

        var files = CliHarness.Run("run", "--dir", $"{data}::d", wc, "d/poem.txt");
        var stdin = CliHarness.RunWithInput("a b c\n"u8.ToArray(), "run", wc);
        var outside = CliHarness.Run("run", "--dir", $"{data}::d", wc, "d/../../secret");

        Assert.Equal(CliApp.ExitSuccess, files.ExitCode);
        Assert.Equal(["      2       3      14 d/poem.txt"], files.StdoutLines);
        Assert.Equal(["      1       3       6 -"], stdin.StdoutLines);
        Assert.Equal(1, outside.ExitCode);
        Assert.Contains("d/../../secret", outside.Stderr);
    }

    [Fact]
    public void Preload_MakesAModulesExportsImportable()
    {
        var lib = _cli.Write("lib.wat", """(module (func (export "twice") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))""");
        var main = _cli.Write("main.wat", """
            (module (import "lib" "twice" (func $twice (param i32) (result i32)))
              (func (export "quad") (param i32) (result i32) (call $twice (call $twice (local.get 0)))))
            """);

        Assert.Equal(["20"], Ok("run", "--preload", $"lib={lib}", "--invoke", "quad", main, "5"));
        Assert.Equal(CliApp.ExitUsage, CliHarness.Run("run", "--preload", lib, "--invoke", "quad", main, "5").ExitCode);
    }

    [Fact]
    public void AModuleWithoutStartNeedsInvoke()
    {
        var run = CliHarness.Run("run", _cli.Write("math.wat", MathWat));

        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        Assert.Contains("--invoke", Assert.Single(run.StderrLines));
    }

    private static string[] Ok(params string[] args)
    {
        var run = CliHarness.Run(args);
        Assert.True(run.ExitCode == CliApp.ExitSuccess, $"exit {run.ExitCode}: {run.Stderr}");
        Assert.Equal("", run.Stderr);
        return run.StdoutLines;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WasmSharp.slnx"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"WasmSharp.slnx not found above {AppContext.BaseDirectory}");
    }
}
