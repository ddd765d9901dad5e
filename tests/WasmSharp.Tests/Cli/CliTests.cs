using WasmSharp.Cli;

namespace WasmSharp.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private const string AddWat = """
        (module
          (type $binop (func (param i32 i32) (result i32)))
          (import "env" "log" (func $log (param i32)))
          (memory 1)
          (func $add (export "add") (type $binop)
            local.get 0
            local.get 1
            i32.add)
          (export "memory" (memory 0)))
        """;

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Version_PrintsTheVersion()
    {
        var run = CliHarness.Run("--version");
        Assert.Equal(CliApp.ExitSuccess, run.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", run.Stdout);
    }

    [Fact]
    public void Help_ListsEveryCommand()
    {
        var run = CliHarness.Run("--help");
        Assert.Equal(CliApp.ExitSuccess, run.ExitCode);
        foreach (var command in new[] { "wat2wasm", "wasm2wat", "validate", "inspect", "wast" })
            Assert.Contains(command, run.Stdout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("frobnicate")]
    [InlineData("wat2wasm")]
    [InlineData("wat2wasm a.wat --no-such-option")]
    [InlineData("validate a.wasm b.wasm")]
    public void UsageErrors_ExitWith2(string commandLine)
    {
        var run = CliHarness.Run(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(CliApp.ExitUsage, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr);
    }

    [Fact]
    public void Wat2Wasm_WritesTheBinaryToTheOutputFile()
    {
        var wat = _cli.Write("add.wat", AddWat);
        var wasm = _cli.PathOf("add.wasm");

        var run = CliHarness.Run("wat2wasm", wat, "-o", wasm);

        Assert.Equal(CliApp.ExitSuccess, run.ExitCode);
        Assert.Empty(run.StdoutBytes);
        Assert.Equal("", run.Stderr);
        Assert.True(File.ReadAllBytes(wasm).AsSpan().StartsWith("\0asm\u0001\0\0\0"u8));
    }

    [Fact]
    public void Wat2Wasm_WithoutOutput_WritesTheBinaryToStdout()
    {
        var run = CliHarness.Run("wat2wasm", _cli.Write("add.wat", AddWat));
        Assert.Equal(CliApp.ExitSuccess, run.ExitCode);
        Assert.True(run.StdoutBytes.AsSpan().StartsWith("\0asm"u8));
    }

    [Fact]
    public void Wasm2Wat_ThenWat2Wasm_GivesTheSameBinary()
    {
        var first = CliHarness.Run("wat2wasm", _cli.Write("add.wat", AddWat)).StdoutBytes;
        var wasm = _cli.Write("add.wasm", first);

        var printed = CliHarness.Run("wasm2wat", wasm);
        Assert.Equal(CliApp.ExitSuccess, printed.ExitCode);
        Assert.Contains("i32.add", printed.Stdout);
        Assert.Contains("\"add\"", printed.Stdout);

        var second = CliHarness.RunWithInput(printed.StdoutBytes, "wat2wasm", "-");
        Assert.Equal(CliApp.ExitSuccess, second.ExitCode);
        Assert.Equal(first, second.StdoutBytes);
    }

    [Fact]
    public void Wasm2Wat_PrintsTheParamNamesOfImportedFunctions()
    {
        const string wat = """(module (import "env" "log" (func $log (param $value i32) (param $level i32))))""";
        var wasm = CliHarness.Run("wat2wasm", "--debug-names", _cli.Write("imports.wat", wat)).StdoutBytes;

        var printed = CliHarness.Run("wasm2wat", _cli.Write("imports.wasm", wasm));

        Assert.Equal(CliApp.ExitSuccess, printed.ExitCode);
        Assert.Contains("""(import "env" "log" (func $log (type 0) (param $value i32) (param $level i32)))""", printed.Stdout);
    }

    [Fact]
    public void Wasm2Wat_ReadsStdinAndWritesTheOutputFile()
    {
        var wasm = CliHarness.Run("wat2wasm", _cli.Write("add.wat", AddWat)).StdoutBytes;
        var wat = _cli.PathOf("out.wat");

        var run = CliHarness.RunWithInput(wasm, "wasm2wat", "-", "-o", wat);

        Assert.Equal(CliApp.ExitSuccess, run.ExitCode);
        Assert.Contains("(module", File.ReadAllText(wat));
    }

    [Fact]
    public void Validate_AcceptsValidTextAndBinary()
    {
        var wat = _cli.Write("add.wat", AddWat);
        var wasm = _cli.Write("add.wasm", CliHarness.Run("wat2wasm", wat).StdoutBytes);

        foreach (var file in new[] { wat, wasm })
        {
            var run = CliHarness.Run("validate", file);
            Assert.Equal(CliApp.ExitSuccess, run.ExitCode);
            Assert.Equal("", run.Stderr);
        }
    }

    [Fact]
    public void Validate_InvalidModule_PrintsOneErrorLineWithTheReason()
    {
        var wat = _cli.Write("bad.wat", "(module (func (result i32) (i64.const 1)))");

        var run = CliHarness.Run("validate", wat);

        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        // Text has no byte offsets; the error is located in the module's binary encoding instead.
        Assert.Matches($@"^error: {System.Text.RegularExpressions.Regex.Escape(wat)}: offset 0x[0-9a-f]+ of its binary encoding: .*type mismatch", line);
    }

    [Fact]
    public void Validate_InvalidBinary_NamesTheOffset()
    {
        var wat = _cli.Write("bad.wat", "(module (func (result i32) (i64.const 1)))");
        var wasm = _cli.Write("bad.wasm", CliHarness.Run("wat2wasm", wat, "--no-check").StdoutBytes);

        var run = CliHarness.Run("validate", wasm);

        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.Matches(@"^error: .*bad\.wasm: offset 0x[0-9a-f]+: .*type mismatch", line);
    }

    [Fact]
    public void Validate_TruncatedBinary_IsMalformed()
    {
        var wasm = _cli.Write("short.wasm", "\0asm\u0001\0\0"u8.ToArray());

        var run = CliHarness.Run("validate", wasm);

        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.Contains("unexpected end", line);
        Assert.Contains("offset 0x", line);
    }

    [Fact]
    public void Validate_MalformedText_NamesLineAndColumn()
    {
        var wat = _cli.Write("bad.wat", "(module\n  (func (i32.frobnicate)))");

        var run = CliHarness.Run("validate", wat);

        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.Matches($@"^error: {System.Text.RegularExpressions.Regex.Escape(wat)}:2:\d+: ", line);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("wasm2wat")]
    [InlineData("wat2wasm")]
    [InlineData("inspect")]
    public void MissingFile_IsAClearErrorWithoutAStackTrace(string command)
    {
        var missing = _cli.PathOf("missing.wasm");

        var run = CliHarness.Run(command, missing);

        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        Assert.Equal($"error: {missing}: no such file or directory", Assert.Single(run.StderrLines));
    }

    [Fact]
    public void ADirectoryIsNotAModule()
    {
        var run = CliHarness.Run("validate", _cli.Directory);
        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        Assert.Equal($"error: {_cli.Directory}: is a directory", Assert.Single(run.StderrLines));
    }

    [Fact]
    public void Wat2Wasm_UnwritableOutput_IsAClearError()
    {
        var wat = _cli.Write("add.wat", AddWat);
        var output = Path.Combine(_cli.PathOf("no-such-dir"), "out.wasm");

        var run = CliHarness.Run("wat2wasm", wat, "-o", output);

        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        Assert.Equal($"error: {output}: no such file or directory", Assert.Single(run.StderrLines));
    }

    [Fact]
    public void Inspect_ListsSectionsImportsExportsAndCounts()
    {
        var wasm = _cli.Write("add.wasm", CliHarness.Run("wat2wasm", _cli.Write("add.wat", AddWat)).StdoutBytes);

        var run = CliHarness.Run("inspect", wasm);

        Assert.Equal(CliApp.ExitSuccess, run.ExitCode);
        var text = run.Stdout;
        // $binop, then the import's inline (param i32) type, which the text format appends.
        Assert.Matches(@"Type start=0x0000000a end=0x[0-9a-f]{8} \(size=0x[0-9a-f]{8}\) count: 2", text);
        Assert.Matches(@"Import start=.* count: 1", text);
        Assert.Contains(" - func[0] sig=1", text);
        Assert.Contains("<- env.log", text);
        Assert.Contains(" - func[1] sig=0", text);
        Assert.Contains("-> \"add\"", text);
        Assert.Contains(" - memory[0] -> \"memory\"", text);
        Assert.Matches(@"functions: 2 \(1 imported\)", text);
        Assert.Matches(@"memories:\s+1", text);
    }

    [Fact]
    public void Inspect_MalformedBinary_IsRejected()
    {
        var run = CliHarness.Run("inspect", _cli.Write("junk.wasm", "\0asm\u0002\0\0\0"u8.ToArray()));
        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        Assert.StartsWith("error: ", Assert.Single(run.StderrLines));
    }
}
