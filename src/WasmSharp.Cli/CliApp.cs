using System.CommandLine;
using WasmSharp.Cli.Commands;

namespace WasmSharp.Cli;

/// <summary>The <c>wasmsharp</c> command line: builds the commands, parses, runs, maps outcomes to exit codes.</summary>
public static class CliApp
{
    public const int ExitSuccess = 0;
    /// <summary>The input was rejected (malformed, invalid, unreadable) or a script had failures.</summary>
    public const int ExitRejected = 1;
    public const int ExitUsage = 2;
    /// <summary>
    /// <c>run</c>: the guest trapped. 134 (128 + SIGABRT) as Wasmtime has it, so that a script can tell a
    /// trap from a WASI program's own exit(1).
    /// </summary>
    public const int ExitTrap = 134;

    public static RootCommand CreateRootCommand(CliConsole console) =>
        new("WasmSharp: a WebAssembly toolchain and runtime for .NET.")
        {
            new Wat2WasmCommand(console),
            new Wasm2WatCommand(console),
            new ValidateCommand(console),
            new InspectCommand(console),
            new WastCommand(console),
            new RunCommand(console),
        };

    // No response files: "@name" is an ordinary argument, which a guest's arguments may well be.
    private static readonly ParserConfiguration s_parserConfiguration = new() { ResponseFileTokenReplacer = null };

    public static int Run(string[] args, CliConsole console)
    {
        try
        {
            var root = CreateRootCommand(console);
            var parseResult = root.Parse(RunCommand.SeparateGuestArguments(args), s_parserConfiguration);
            var configuration = new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                // Commands report their own errors; anything that still escapes is caught below
                // so that no stack trace reaches the user.
                EnableDefaultExceptionHandler = false,
            };
            if (parseResult.Errors.Count > 0)
            {
                foreach (var error in parseResult.Errors)
                    console.Error.WriteLine($"error: {error.Message}");
                console.Error.WriteLine("Run 'wasmsharp --help' for usage.");
                return ExitUsage;
            }
            return parseResult.Invoke(configuration);
        }
        catch (Exception e)
        {
            console.Error.WriteLine($"error: internal error ({e.GetType().Name}): {e.Message.ReplaceLineEndings(" ")}");
            return ExitRejected;
        }
        finally
        {
            console.Flush();
        }
    }
}
