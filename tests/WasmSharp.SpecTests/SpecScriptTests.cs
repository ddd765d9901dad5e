using System.Text;
using WasmSharp.Scripting;
using Xunit.Abstractions;

namespace WasmSharp.SpecTests;

/// <summary>
/// One test case per spec script, executed on the engine (<see cref="EngineExecutor"/>, a fresh store per
/// script). The Wasm 3.0 suite, custom/ and legacy/ must have no failures, except the root scripts that need
/// GC or typed function references (<see cref="SpecSuite.NeedsLaterFeatures"/>), whose failures
/// must be exactly their entries in known-failures.txt, as must a proposal script's. A skipped command is
/// never counted as passed: each must name a feature the engine lacks, and the test output lists them.
/// </summary>
public sealed class SpecScriptTests(ITestOutputHelper output)
{
    /// <summary>The features whose absence may skip a command of the root suite, custom/ or legacy/.</summary>
    private static readonly string[] s_coreSkipReasons = ["needs GC", "needs typed function references"];

    /// <summary>Proposal scripts may also need the proposals' own instructions.</summary>
    private static readonly string[] s_proposalSkipReasons = [.. s_coreSkipReasons, "needs threads", "needs wide arithmetic"];

    [Theory]
    [Trait("Suite", "core")]
    [MemberData(nameof(SpecSuite.CoreFiles), MemberType = typeof(SpecSuite))]
    public void Core(string file) => RunScript(file, allowKnownFailures: SpecSuite.NeedsLaterFeatures(file), s_coreSkipReasons);

    [Theory]
    [Trait("Suite", "legacy")]
    [MemberData(nameof(SpecSuite.LegacyFiles), MemberType = typeof(SpecSuite))]
    public void Legacy(string file) => RunScript(file, allowKnownFailures: false, s_coreSkipReasons);

    [Theory]
    [Trait("Suite", "proposals")]
    [MemberData(nameof(SpecSuite.ProposalFiles), MemberType = typeof(SpecSuite))]
    public void Proposal(string file) => RunScript(file, allowKnownFailures: true, s_proposalSkipReasons);

    [Theory(Skip = SpecSuite.CustomDescriptorsSkipReason)]
    [Trait("Suite", "proposals")]
    [MemberData(nameof(SpecSuite.UnimplementedProposalFiles), MemberType = typeof(SpecSuite))]
    public void UnimplementedProposal(string file) => RunScript(file, allowKnownFailures: true, s_proposalSkipReasons);

    /// <summary>A stale entry for a script that is not run would never be noticed by the per-script comparison.</summary>
    [Fact]
    public void KnownFailuresNameScriptsThatRun()
    {
        var run = SpecSuite.ProposalFiles().Cast<object[]>().Concat(SpecSuite.CoreFiles().Cast<object[]>())
            .Select(row => (string)row[0])
            .Where(f => f.StartsWith("proposals/", StringComparison.Ordinal) || SpecSuite.NeedsLaterFeatures(f))
            .ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(KnownFailures.All);
        Assert.All(KnownFailures.All, e => Assert.Contains(e.File, run));
        Assert.Equal(KnownFailures.All.Count, KnownFailures.All.Select(e => e.Key).Distinct().Count());
    }

    private void RunScript(string file, bool allowKnownFailures, string[] allowedSkipReasons)
    {
        var report = WastRunner.RunFile(SpecSuite.FullPath(file), file, decodeOptions: SpecSuite.DecodeOptionsFor(file));
        output.WriteLine(report.ToString());
        foreach (var group in report.Results.Where(r => r.Kind == WastOutcomeKind.Skipped).GroupBy(r => r.CommandName))
            output.WriteLine($"  skipped {group.Count()} {group.Key} (first: {group.First().Location}: {group.First().Reason})");

        Assert.True(report.Results.Count > 0, $"{file}: the script has no commands");
        // These never need an engine, so a skip would hide an unchecked assertion.
        Assert.Equal(0, report.Count("assert_malformed", WastOutcomeKind.Skipped) + report.Count("assert_invalid", WastOutcomeKind.Skipped));

        var known = allowKnownFailures ? KnownFailures.For(file).ToDictionary(e => e.Key) : [];
        var message = new StringBuilder();
        foreach (var failure in report.Failures)
        {
            var key = $"{file}:{failure.Location} {failure.CommandName}";
            if (known.Remove(key, out var entry))
                output.WriteLine($"  known failure {file}:{failure} ({entry.Reason})");
            else
                message.AppendLine(failure.Location.IsKnown ? $"  {file}:{failure}" : $"  {file}: {failure}");
        }
        foreach (var passing in known.Values)
            message.AppendLine($"  {passing.Key} is listed in known-failures.txt but did not fail: remove it from the list");
        foreach (var skip in report.Results.Where(r => r.Kind == WastOutcomeKind.Skipped))
        {
            if (!allowedSkipReasons.Any(reason => skip.Reason is { } r && (r == reason || r.StartsWith(reason + ":", StringComparison.Ordinal))))
                message.AppendLine($"  {file}:{skip.Location}: {skip.CommandName} was skipped without naming a feature the engine lacks: {skip.Reason}");
        }
        if (message.Length == 0) return;
        Assert.Fail($"{report}\n{message}");
    }
}
