namespace WasmSharp.Tests.Binary;

/// <summary>Locates the vendored test data from the test assembly's folder.</summary>
internal static class BinaryTestPaths
{
    private static readonly Lazy<string> s_testsuite = new(() =>
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("WASMSHARP_TESTSUITE");
        if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "testsuite");
            if (Directory.Exists(candidate)) return candidate;
            dir = dir.Parent;
        }
        throw new DirectoryNotFoundException("tests/testsuite not found above " + AppContext.BaseDirectory);
    });

    public static string Spec => Path.Combine(s_testsuite.Value, "spec");
    public static string Corpus => Path.Combine(s_testsuite.Value, "wasm-corpus");

    public static IEnumerable<string> CorpusFiles => Directory.EnumerateFiles(Corpus, "*.wasm").Order(StringComparer.Ordinal);
}
