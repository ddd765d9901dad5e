namespace WasmSharp.Benchmarks.Sightglass;

/// <summary>
/// One benchmark module of a sightglass-style suite: <see cref="WasmPath"/> in <see cref="Directory"/>,
/// with the expected outputs that apply to it (null when the folder has none).
/// </summary>
public sealed record SightglassBenchmark(
    string Name,
    string Directory,
    string WasmPath,
    string? ExpectedStdoutPath,
    string? ExpectedStderrPath);

/// <summary>
/// Finds the benchmarks of a folder laid out like sightglass's <c>benchmarks/</c>: one folder per
/// benchmark, each with one or more <c>*.wasm</c>, their inputs, and <c>NAME.stdout.expected</c> /
/// <c>NAME.stderr.expected</c> (or <c>default.*.expected</c> for every module of the folder).
/// </summary>
public static class SightglassSuite
{
    /// <summary>Folders that cannot run here (see benchmarks/sightglass/README.md), with why.</summary>
    public static IReadOnlyDictionary<string, string> Excluded { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["hex-simd"] = "no input files upstream",
        ["rust-protobuf"] = "no input files upstream",
        ["image-classification"] = "needs wasi-nn",
        ["splay"] = "needs Wasm GC",
    };

    public static IReadOnlyList<SightglassBenchmark> Discover(string suiteDirectory)
    {
        if (!System.IO.Directory.Exists(suiteDirectory)) throw new DirectoryNotFoundException($"No suite folder '{suiteDirectory}'.");
        var result = new List<SightglassBenchmark>();
        foreach (var dir in System.IO.Directory.GetDirectories(suiteDirectory).Order(StringComparer.Ordinal))
        {
            var folder = Path.GetFileName(dir);
            if (Excluded.ContainsKey(folder)) continue;
            foreach (var wasm in System.IO.Directory.GetFiles(dir, "*.wasm").Order(StringComparer.Ordinal))
            {
                var stem = Path.GetFileNameWithoutExtension(wasm);
                var name = stem == "benchmark" ? folder : $"{folder}/{stem}";
                result.Add(new SightglassBenchmark(name, dir, wasm, Expected(dir, stem, "stdout"), Expected(dir, stem, "stderr")));
            }
        }
        return result;
    }

    /// <summary>Whether a benchmark's name contains any of the filters (all match when there are none).</summary>
    public static bool Matches(SightglassBenchmark benchmark, IReadOnlyList<string> filters) =>
        filters.Count == 0 || filters.Any(f => benchmark.Name.Contains(f, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Copies what a run may read into <paramref name="target"/>: everything but the modules and the
    /// expected outputs (the libsodium folder holds 80 modules that no run reads).
    /// </summary>
    public static void CopyInputs(SightglassBenchmark benchmark, string target)
    {
        System.IO.Directory.CreateDirectory(target);
        foreach (var file in System.IO.Directory.GetFiles(benchmark.Directory, "*", SearchOption.AllDirectories))
        {
            if (file.EndsWith(".wasm", StringComparison.Ordinal) || file.EndsWith(".expected", StringComparison.Ordinal)) continue;
            var relative = Path.GetRelativePath(benchmark.Directory, file);
            var destination = Path.Combine(target, relative);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }

    /// <summary>
    /// The text compared with the expected output: line endings unified, trailing blanks of each line
    /// and blank lines at the end dropped.
    /// </summary>
    public static string Normalize(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd(' ', '\t')).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return string.Join('\n', lines);
    }

    /// <summary>The text with every number replaced by '#', for outputs that print timings.</summary>
    public static string MaskNumbers(string text) => s_number.Replace(text, "#");

    private static readonly System.Text.RegularExpressions.Regex s_number = new(@"[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", System.Text.RegularExpressions.RegexOptions.Compiled);

    /// <summary>Where two outputs first differ, quoted briefly, for the report.</summary>
    public static string DescribeDifference(string expected, string actual)
    {
        var i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i]) i++;
        var line = expected.AsSpan(0, i).Count('\n') + 1;
        return $"line {line}: expected {Quote(expected, i)}, got {Quote(actual, i)}";
    }

    private static string Quote(string text, int at)
    {
        if (at >= text.Length) return "end of output";
        var end = text.IndexOf('\n', at);
        var snippet = text[at..(end < 0 ? text.Length : end)];
        if (snippet.Length > 40) snippet = snippet[..40] + "...";
        return $"\"{snippet}\"";
    }

    private static string? Expected(string dir, string stem, string stream)
    {
        foreach (var prefix in new[] { stem, "default" })
        {
            var path = Path.Combine(dir, $"{prefix}.{stream}.expected");
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
