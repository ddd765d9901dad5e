using System.CommandLine;
using WasmSharp.Binary;
using WasmSharp.Scripting;

namespace WasmSharp.Cli.Commands;

/// <summary>
/// <c>wasmsharp wast FILE... [--verbose]</c>: runs spec scripts. One summary line per file and one for
/// the total; exit 1 when anything failed. Everything is executed on the engine (<see cref="EngineExecutor"/>, a fresh
/// store per file); what needs a feature the engine lacks is skipped, naming the feature.
/// </summary>
internal sealed class WastCommand : CliCommand
{
    private readonly Argument<string[]> _files = new("FILE") { Description = "The .wast scripts to run.", Arity = ArgumentArity.OneOrMore };
    private readonly Option<bool> _verbose = new("--verbose", "-v") { Description = "Print every failure and every skipped command with its line:column and reason." };
    private readonly Option<bool> _customPageSizes = ProposalOptions.CustomPageSizes();

    public WastCommand(CliConsole console)
        : base("wast", "Run WebAssembly spec test scripts (.wast) and count passed, failed and skipped commands.", console)
    {
        Add(_files);
        Add(_verbose);
        Add(_customPageSizes);
    }

    protected override int Execute(ParseResult parseResult)
    {
        var verbose = parseResult.GetValue(_verbose);
        var decodeOptions = ProposalOptions.Decode(parseResult, _customPageSizes);
        int passed = 0, failed = 0, skipped = 0;
        foreach (var file in parseResult.GetRequiredValue(_files))
        {
            var report = RunOne(file, decodeOptions);
            if (verbose)
            {
                foreach (var result in report.Results)
                {
                    if (result.Kind == WastOutcomeKind.Passed) continue;
                    var where = result.Location.IsKnown ? $"{file}:{result.Location}: " : $"{file}: ";
                    Console.Out.WriteLine(result.Kind == WastOutcomeKind.Failed
                        ? $"  {where}{result.CommandName}: {result.Reason}"
                        : $"  {where}{result.CommandName}: skipped: {result.Reason}");
                }
            }
            Console.Out.WriteLine(report.ToString());
            passed += report.Passed;
            failed += report.Failed;
            skipped += report.Skipped;
        }
        Console.Out.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
        return failed == 0 ? CliApp.ExitSuccess : CliApp.ExitRejected;
    }

    /// <summary>
    /// An unreadable file counts as one failure so that its line still appears and the totals still add
    /// up; the reason goes to standard error as well, where a user looks for errors.
    /// </summary>
    private WastReport RunOne(string file, DecodeOptions decodeOptions)
    {
        string? text = null, error = null;
        if (Directory.Exists(file))
        {
            error = $"{file}: is a directory";
        }
        else
        {
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = CliRejection.ForFile(file, e).Message;
            }
        }
        if (text is null)
        {
            Console.Error.WriteLine($"error: {error}");
            return new WastReport(file, [new WastResult(SourceLocation.None, "script", WastOutcome.Fail(error ?? file))]);
        }
        return WastRunner.RunText(text, file, decodeOptions: decodeOptions);
    }
}
