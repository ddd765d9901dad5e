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

    // Scripts that need GC, typed function references or exception handling, which the engine does not run yet.
    private static readonly HashSet<string> s_needsLaterFeatures =
    [
        "array", "binary-gc", "br_on_cast", "br_on_cast_fail", "br_on_non_null", "br_on_null", "call_ref", "extern", "i31",
        "local_init", "ref_as_non_null", "ref_cast", "ref_eq", "ref_test", "return_call_ref", "struct", "tag", "throw",
        "throw_ref", "try_table", "type-canon", "type-equivalence", "type-rec", "type-subtyping",
    ];

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(s_root, "*.wast").OrderBy(f => f, StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(f);
            if (s_needsLaterFeatures.Contains(name) || name.StartsWith("array_", StringComparison.Ordinal)) continue;
            data.Add(Path.GetFileName(f));
        }
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
