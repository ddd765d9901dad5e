using System.Text;
using WasmSharp.Scripting;
using Xunit.Abstractions;

namespace WasmSharp.SpecTests;

/// <summary>
/// One test case per spec script: every command that can be checked without an engine (modules,
/// assert_malformed, assert_invalid, definitions, registrations) must pass; commands that need
/// execution are skipped by the runner and reported in the test output, not counted as passed.
/// </summary>
public sealed class SpecScriptTests(ITestOutputHelper output)
{
    [Theory]
    [Trait("Suite", "core")]
    [MemberData(nameof(SpecSuite.CoreFiles), MemberType = typeof(SpecSuite))]
    public void Core(string file) => RunScript(file);

    [Theory]
    [Trait("Suite", "legacy")]
    [MemberData(nameof(SpecSuite.LegacyFiles), MemberType = typeof(SpecSuite))]
    public void Legacy(string file) => RunScript(file);

    [Theory]
    [Trait("Suite", "proposals")]
    [MemberData(nameof(SpecSuite.ProposalFiles), MemberType = typeof(SpecSuite))]
    public void Proposal(string file) => RunScript(file);

    private void RunScript(string file)
    {
        var report = WastRunner.RunFile(SpecSuite.FullPath(file), file, decodeOptions: SpecSuite.DecodeOptionsFor(file));
        output.WriteLine(report.ToString());
        foreach (var group in report.Results.Where(r => r.Kind == WastOutcomeKind.Skipped).GroupBy(r => r.CommandName))
            output.WriteLine($"  skipped {group.Count()} {group.Key} ({group.First().Reason})");

        Assert.True(report.Results.Count > 0, $"{file}: the script has no commands");
        // These never need an engine, so a skip would hide an unchecked assertion.
        Assert.Equal(0, report.Count("assert_malformed", WastOutcomeKind.Skipped) + report.Count("assert_invalid", WastOutcomeKind.Skipped));
        if (report.Failed == 0) return;

        var message = new StringBuilder();
        message.AppendLine(report.ToString());
        foreach (var failure in report.Failures)
            message.AppendLine(failure.Location.IsKnown ? $"  {file}:{failure}" : $"  {file}: {failure}");
        Assert.Fail(message.ToString());
    }
}
