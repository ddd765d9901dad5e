using System.CommandLine;

namespace WasmSharp.Cli.Commands;

/// <summary><c>wasmsharp validate FILE</c>: exit 0 when the module is valid, else one <c>error:</c> line and exit 1.</summary>
internal sealed class ValidateCommand : CliCommand
{
    private readonly Argument<string> _input = new("FILE") { Description = "A module in the binary (.wasm) or text (.wat) format ('-' reads standard input)." };
    private readonly Option<bool> _customPageSizes = ProposalOptions.CustomPageSizes();

    public ValidateCommand(CliConsole console)
        : base("validate", "Check that a module is well-formed and valid.", console)
    {
        Add(_input);
        Add(_customPageSizes);
    }

    protected override int Execute(ParseResult parseResult)
    {
        var input = InputFile.Read(parseResult.GetRequiredValue(_input), Console);
        CurrentInput = input.DisplayName;
        input.Validate(input.ReadModule(ProposalOptions.Decode(parseResult, _customPageSizes)));
        return CliApp.ExitSuccess;
    }
}
