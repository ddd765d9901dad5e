using System.Text;
using WasmSharp.Scripting;
using Xunit.Abstractions;

namespace WasmSharp.SpecTests;

/// <summary>
/// One test case per spec script: every command that can be checked without an engine (modules,
/// assert_malformed, assert_invalid, definitions, registrations) must pass; commands that need
/// execution are skipped by the runner and reported in the test output, not counted as passed.
/// The Wasm 3.0 suite, custom/ and legacy/ must have no failures at all; a proposal script's failures
/// must be exactly its entries in known-failures.txt.
/// </summary>
public sealed class SpecScriptTests(ITestOutputHelper output)
{
    [Theory]
    [Trait("Suite", "core")]
    [MemberData(nameof(SpecSuite.CoreFiles), MemberType = typeof(SpecSuite))]
    public void Core(string file) => RunScript(file, allowKnownFailures: false);

    [Theory]
    [Trait("Suite", "legacy")]
    [MemberData(nameof(SpecSuite.LegacyFiles), MemberType = typeof(SpecSuite))]
    public void Legacy(string file) => RunScript(file, allowKnownFailures: false);

    [Theory]
    [Trait("Suite", "proposals")]
    [MemberData(nameof(SpecSuite.ProposalFiles), MemberType = typeof(SpecSuite))]
    public void Proposal(string file) => RunScript(file, allowKnownFailures: true);

    [Theory(Skip = SpecSuite.CustomDescriptorsSkipReason)]
    [Trait("Suite", "proposals")]
    [MemberData(nameof(SpecSuite.UnimplementedProposalFiles), MemberType = typeof(SpecSuite))]
    public void UnimplementedProposal(string file) => RunScript(file, allowKnownFailures: true);

    /// <summary>A stale entry for a script that is not run would never be noticed by the per-script comparison.</summary>
    [Fact]
    [Trait("Suite", "proposals")]
    public void KnownFailuresNameScriptsThatRun()
    {
        var run = SpecSuite.ProposalFiles().Cast<object[]>().Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(KnownFailures.All);
        Assert.All(KnownFailures.All, e => Assert.Contains(e.File, run));
        Assert.Equal(KnownFailures.All.Count, KnownFailures.All.Select(e => e.Key).Distinct().Count());
    }

    private void RunScript(string file, bool allowKnownFailures)
    {
        var report = WastRunner.RunFile(SpecSuite.FullPath(file), file, decodeOptions: SpecSuite.DecodeOptionsFor(file));
        output.WriteLine(report.ToString());
        foreach (var group in report.Results.Where(r => r.Kind == WastOutcomeKind.Skipped).GroupBy(r => r.CommandName))
            output.WriteLine($"  skipped {group.Count()} {group.Key} ({group.First().Reason})");

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
        if (message.Length == 0) return;
        Assert.Fail($"{report}\n{message}");
    }
}
