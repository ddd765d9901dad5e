namespace WasmSharp.Benchmarks;

/// <summary>One module of the vendored sightglass suite.</summary>
public sealed record CorpusModule(string Folder, string Name, byte[] Bytes);

/// <summary>
/// The modules in benchmarks/sightglass, found by walking up from the running assembly (BenchmarkDotNet
/// runs each benchmark from a generated project under bin/, still inside the repository).
/// A corpus is "all" or the name of one sightglass folder.
/// </summary>
public static class SightglassCorpus
{
    public const string All = "all";

    private static readonly Lazy<string> s_root = new(FindRoot);

    public static string Root => s_root.Value;

    public static IReadOnlyList<string> Folders() =>
        Directory.GetDirectories(Root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    public static IReadOnlyList<CorpusModule> Load(string corpus)
    {
        var folders = corpus == All ? Folders() : [corpus];
        var modules = new List<CorpusModule>();
        foreach (var folder in folders)
        {
            foreach (var path in Directory.GetFiles(Path.Combine(Root, folder), "*.wasm").Order(StringComparer.Ordinal))
                modules.Add(new CorpusModule(folder, Path.GetFileName(path), File.ReadAllBytes(path)));
        }
        if (modules.Count == 0) throw new ArgumentException($"no .wasm files for corpus '{corpus}' in {Root}", nameof(corpus));
        return modules;
    }

    public static long TotalBytes(string corpus) => Load(corpus).Sum(m => (long)m.Bytes.Length);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "benchmarks", "sightglass");
            if (File.Exists(Path.Combine(candidate, "LICENSE"))) return candidate;
        }
        throw new DirectoryNotFoundException($"benchmarks/sightglass not found above {AppContext.BaseDirectory}");
    }
}
