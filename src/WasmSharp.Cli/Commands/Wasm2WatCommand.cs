using System.CommandLine;
using WasmSharp.Binary;
using WasmSharp.Text;

namespace WasmSharp.Cli.Commands;

/// <summary><c>wasmsharp wasm2wat IN.wasm [-o OUT.wat]</c>: binary to text, validated unless --no-check.</summary>
internal sealed class Wasm2WatCommand : CliCommand
{
    private readonly Argument<string> _input = new("IN.wasm") { Description = "The binary module to print ('-' reads standard input)." };
    private readonly Option<string?> _output = new("--output", "-o") { Description = "Where to write the text (default: standard output).", HelpName = "OUT.wat" };
    private readonly Option<bool> _noCheck = new("--no-check") { Description = "Do not validate the module." };
    private readonly Option<bool> _customSections = new("--custom-sections") { Description = "Print custom sections as (@custom ...) annotations." };
    private readonly Option<bool> _customPageSizes = ProposalOptions.CustomPageSizes();

    public Wasm2WatCommand(CliConsole console)
        : base("wasm2wat", "Print a binary module (.wasm) in the text format (.wat).", console)
    {
        Add(_input);
        Add(_output);
        Add(_noCheck);
        Add(_customSections);
        Add(_customPageSizes);
    }

    protected override int Execute(ParseResult parseResult)
    {
        var input = InputFile.Read(parseResult.GetRequiredValue(_input), Console);
        CurrentInput = input.DisplayName;
        var decodeOptions = ProposalOptions.Decode(parseResult, _customPageSizes);
        var module = ModuleDecoder.Decode(input.Bytes, decodeOptions);
        if (!parseResult.GetValue(_noCheck)) input.Validate(module);
        var options = new WatPrinterOptions { EmitCustomSections = parseResult.GetValue(_customSections) };
        WriteText(parseResult.GetValue(_output), WatPrinter.Print(module, options));
        return CliApp.ExitSuccess;
    }
}
