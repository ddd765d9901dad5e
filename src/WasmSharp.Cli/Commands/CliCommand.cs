using System.CommandLine;

namespace WasmSharp.Cli.Commands;

/// <summary>
/// Base of the subcommands: runs the command's body and turns every error into one <c>error: ...</c>
/// line on standard error and an exit code, so that the user never sees a stack trace.
/// </summary>
internal abstract class CliCommand : Command
{
    protected CliCommand(string name, string description, CliConsole console)
        : base(name, description)
    {
        Console = console;
        SetAction(parseResult => Guard(() => Execute(parseResult)));
    }

    protected CliConsole Console { get; }

    /// <summary>The name of the input being processed, for error messages.</summary>
    protected string? CurrentInput { get; set; }

    protected abstract int Execute(ParseResult parseResult);

    protected void WriteText(string? outputPath, string text)
    {
        if (outputPath is null)
        {
            Console.Out.Write(text);
            return;
        }
        try
        {
            File.WriteAllText(outputPath, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliRejection.ForFile(outputPath, e);
        }
    }

    protected void WriteBinary(string? outputPath, byte[] bytes)
    {
        if (outputPath is null)
        {
            Console.WriteBinary(bytes);
            return;
        }
        try
        {
            File.WriteAllBytes(outputPath, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliRejection.ForFile(outputPath, e);
        }
    }

    /// <summary>"FILE:line:col: reason" for text positions, "FILE: offset 0x..: reason" for binary ones.</summary>
    public static string Describe(string? file, WasmException e)
    {
        var reason = e.Reason.ReplaceLineEndings(" ");
        var location = e.Location;
        if (file is null) return location.IsKnown ? $"{location}: {reason}" : reason;
        if (location.IsText) return $"{file}:{location}: {reason}";
        return location.IsKnown ? $"{file}: {location}: {reason}" : $"{file}: {reason}";
    }

    private int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (WasmException e)
        {
            Console.Error.WriteLine($"error: {Describe(CurrentInput, e)}");
            return CliApp.ExitRejected;
        }
        catch (CliRejection e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return CliApp.ExitRejected;
        }
        catch (CliUsageError e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return CliApp.ExitUsage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {(CurrentInput is null ? "" : CurrentInput + ": ")}{e.Message.ReplaceLineEndings(" ")}");
            return CliApp.ExitRejected;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: internal error ({e.GetType().Name}){(CurrentInput is null ? "" : " on " + CurrentInput)}: {e.Message.ReplaceLineEndings(" ")}");
            return CliApp.ExitRejected;
        }
    }
}
