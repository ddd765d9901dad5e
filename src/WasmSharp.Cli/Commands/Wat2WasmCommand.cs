using System.CommandLine;
using WasmSharp.Binary;
using WasmSharp.Text;

namespace WasmSharp.Cli.Commands;

/// <summary><c>wasmsharp wat2wasm IN.wat [-o OUT.wasm]</c>: text to binary, validated unless --no-check.</summary>
internal sealed class Wat2WasmCommand : CliCommand
{
    private readonly Argument<string> _input = new("IN.wat") { Description = "The text module to convert ('-' reads standard input)." };
    private readonly Option<string?> _output = new("--output", "-o") { Description = "Where to write the binary (default: standard output).", HelpName = "OUT.wasm" };
    private readonly Option<bool> _noCheck = new("--no-check") { Description = "Do not validate the module." };
    private readonly Option<bool> _debugNames = new("--debug-names") { Description = "Write a \"name\" section with the module's identifiers." };

    public Wat2WasmCommand(CliConsole console)
        : base("wat2wasm", "Convert a module from the text format (.wat) to the binary format (.wasm).", console)
    {
        Add(_input);
        Add(_output);
        Add(_noCheck);
        Add(_debugNames);
    }

    protected override int Execute(ParseResult parseResult)
    {
        var input = InputFile.Read(parseResult.GetRequiredValue(_input), Console);
        CurrentInput = input.DisplayName;
        var module = WatParser.ParseModule(input.Text);
        if (!parseResult.GetValue(_noCheck)) input.Validate(module);
        WriteBinary(parseResult.GetValue(_output), ModuleEncoder.Encode(module, emitNames: parseResult.GetValue(_debugNames)));
        return CliApp.ExitSuccess;
    }
}
