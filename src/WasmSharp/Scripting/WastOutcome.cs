namespace WasmSharp.Scripting;

public enum WastOutcomeKind
{
    Passed,
    Failed,
    Skipped,
}

/// <summary>The verdict on one script command; <see cref="Reason"/> explains a failure or a skip.</summary>
public sealed record WastOutcome(WastOutcomeKind Kind, string? Reason = null)
{
    public static WastOutcome Passed { get; } = new(WastOutcomeKind.Passed);

    public static WastOutcome Fail(string reason) => new(WastOutcomeKind.Failed, reason);

    public static WastOutcome Skip(string reason) => new(WastOutcomeKind.Skipped, reason);
}

/// <summary>The outcome of one top-level command of a script, where it is and what it was.</summary>
/// <param name="CommandName">The command's keyword, e.g. <c>assert_invalid</c>; <c>script</c> when the script itself could not be read.</param>
public sealed record WastResult(SourceLocation Location, string CommandName, WastOutcome Outcome)
{
    public WastOutcomeKind Kind => Outcome.Kind;
    public string? Reason => Outcome.Reason;

    /// <summary>"line:column: command: reason", the form the CLI and the tests print.</summary>
    public override string ToString()
    {
        var where = Location.IsKnown ? $"{Location}: " : "";
        return Reason is null ? $"{where}{CommandName}: {Kind}" : $"{where}{CommandName}: {Reason}";
    }
}

/// <summary>All outcomes of one script, one per top-level command.</summary>
public sealed class WastReport(string fileName, IReadOnlyList<WastResult> results)
{
    public string FileName { get; } = fileName;
    public IReadOnlyList<WastResult> Results { get; } = results;
    public int Passed => Count(WastOutcomeKind.Passed);
    public int Failed => Count(WastOutcomeKind.Failed);
    public int Skipped => Count(WastOutcomeKind.Skipped);

    public IEnumerable<WastResult> Failures => Results.Where(r => r.Kind == WastOutcomeKind.Failed);

    /// <summary>How many commands of one keyword ended in one way, e.g. passed <c>assert_malformed</c>.</summary>
    public int Count(string commandName, WastOutcomeKind kind) =>
        Results.Count(r => r.Kind == kind && r.CommandName == commandName);

    public override string ToString() => $"{FileName}: {Passed} passed, {Failed} failed, {Skipped} skipped";

    private int Count(WastOutcomeKind kind)
    {
        var n = 0;
        foreach (var r in Results)
            if (r.Kind == kind) n++;
        return n;
    }
}
