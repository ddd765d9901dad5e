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
        foreach (var command in new[] { "wat2wasm", "wasm2wat", "validate", "inspect", "wast", "run" })
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
    public void Inspect_PrintsWhatWasmObjdumpPrints()
    {
        const string wat = """
            (module
              (import "env" "log" (func (param i32)))
              (table 4 funcref)
              (memory 1)
              (global (mut i32) (i32.const 1024))
              (global i64 (i64.const -5))
              (func (export "run") (local i32 i64) (call 0 (i32.const 1)))
              (func)
              (elem (i32.const 1) func 1 2)
              (data (i32.const 16) "hi"))
            """;
        var wasm = _cli.Write("t.wasm", CliHarness.Run("wat2wasm", _cli.Write("t.wat", wat)).StdoutBytes);

        var text = CliHarness.Run("inspect", wasm).Stdout.ReplaceLineEndings("\n");

        // `wasm-objdump -h -x` (wabt 1.0) on the same bytes, without the hex dump of the data segment.
        const string objdump = """
            Sections:

                 Type start=0x0000000a end=0x00000012 (size=0x00000008) count: 2
               Import start=0x00000014 end=0x0000001f (size=0x0000000b) count: 1
             Function start=0x00000021 end=0x00000024 (size=0x00000003) count: 2
                Table start=0x00000026 end=0x0000002a (size=0x00000004) count: 1
               Memory start=0x0000002c end=0x0000002f (size=0x00000003) count: 1
               Global start=0x00000031 end=0x0000003d (size=0x0000000c) count: 2
               Export start=0x0000003f end=0x00000046 (size=0x00000007) count: 1
                 Elem start=0x00000048 end=0x00000050 (size=0x00000008) count: 1
                 Code start=0x00000052 end=0x00000061 (size=0x0000000f) count: 2
                 Data start=0x00000063 end=0x0000006b (size=0x00000008) count: 1

            Section Details:

            Type[2]:
             - type[0] (i32) -> nil
             - type[1] () -> nil
            Import[1]:
             - func[0] sig=0 <env.log> <- env.log
            Function[2]:
             - func[1] sig=1 <run>
             - func[2] sig=1
            Table[1]:
             - table[0] type=funcref initial=4
            Memory[1]:
             - memory[0] pages: initial=1
            Global[2]:
             - global[0] i32 mutable=1 - init i32=1024
             - global[1] i64 mutable=0 - init i64=-5
            Export[1]:
             - func[1] <run> -> "run"
            Elem[1]:
             - segment[0] flags=0 table=0 count=2 - init i32=1
              - elem[1] = func[1] <run>
              - elem[2] = func[2]
            Code[2]:
             - func[1] size=10 <run>
             - func[2] size=2
            Data[1]:
             - segment[0] memory=0 size=2 - init i32=16

            """;
        Assert.StartsWith($"\n{wasm}:\tfile format wasm 0x1\n\n", text);
        Assert.Contains("\n" + objdump.ReplaceLineEndings("\n") + "\nSummary:\n", text);
    }

    [Fact]
    public void CustomPageSizes_IsAnOptionOfEveryCommandThatDecodes()
    {
        var wasm = _cli.Write("small-pages.wasm", CliHarness.Run("wat2wasm", _cli.Write("small-pages.wat", "(module (memory 1 2 (pagesize 1)))")).StdoutBytes);

        // Wasm 3.0 has no limits flag 0x08, so without the option the binary is malformed.
        var strict = CliHarness.Run("validate", wasm);
        Assert.Equal(CliApp.ExitRejected, strict.ExitCode);
        Assert.Contains("malformed limits flags", strict.Stderr);

        Assert.Equal(CliApp.ExitSuccess, CliHarness.Run("validate", "--custom-page-sizes", wasm).ExitCode);
        Assert.Contains("(memory (;0;) 1 2 (pagesize 1))", CliHarness.Run("wasm2wat", "--custom-page-sizes", wasm).Stdout);
        Assert.Contains(" - memory[0] pages: initial=1 max=2 pagesize=1", CliHarness.Run("inspect", "--custom-page-sizes", wasm).Stdout);
    }

    [Fact]
    public void Inspect_MalformedBinary_IsRejected()
    {
        var run = CliHarness.Run("inspect", _cli.Write("junk.wasm", "\0asm\u0002\0\0\0"u8.ToArray()));
        Assert.Equal(CliApp.ExitRejected, run.ExitCode);
        Assert.StartsWith("error: ", Assert.Single(run.StderrLines));
    }
}
