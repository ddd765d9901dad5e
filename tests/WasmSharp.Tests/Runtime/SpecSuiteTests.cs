using WasmSharp.Scripting;
using Xunit.Abstractions;

namespace WasmSharp.Tests.Runtime;

/// <summary>Runs the vendored spec scripts on the runtime, one test per file.</summary>
public class SpecSuiteTests(ITestOutputHelper output)
{
    private static readonly string s_root = FindRoot();

    private static string FindRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !Directory.Exists(Path.Combine(dir, "tests", "testsuite", "spec"))) dir = Path.GetDirectoryName(dir);
        return Path.Combine(dir ?? ".", "tests", "testsuite", "spec");
    }

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(s_root, "*.wast").OrderBy(f => f, StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Runs(string file)
    {
        var report = WastRunner.RunFile(Path.Combine(s_root, file), file, new SpecExecutor());
        foreach (var r in report.Results)
            if (r.Kind != WastOutcomeKind.Passed) output.WriteLine(r.ToString());
        output.WriteLine(report.ToString());
        Assert.Empty(report.Failures);
    }
}
