using WasmSharp.Binary;

namespace WasmSharp.SpecTests;

/// <summary>
/// Finds the vendored spec suite (tests/testsuite/spec) by walking up from the test assembly, so the
/// tests read the repository's copy in place instead of copying 13 MB of scripts into every build.
/// </summary>
public static class SpecSuite
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    public static string Root => s_root.Value;

    /// <summary>The root scripts (the Wasm 3.0 suite) and custom/, as paths relative to <see cref="Root"/>.</summary>
    public static TheoryData<string> CoreFiles() => Files("", "custom");

    /// <summary>
    /// Root scripts that need GC (structs, arrays, i31, casts), which the engine does
    /// not run yet (the names without ".wast"; <c>array*</c> and <c>br_on_cast*</c> by prefix). Their
    /// assertions that need those features are skipped; any other failure in them must be listed in
    /// known-failures.txt. Everywhere else in the root suite nothing may fail.
    /// </summary>
    private static readonly HashSet<string> s_laterFeatureScripts = new(StringComparer.Ordinal)
    {
        "extern", "i31", "ref_cast", "ref_eq", "ref_test", "struct", "type-subtyping",
    };

    private static readonly string[] s_laterFeaturePrefixes = ["array", "br_on_cast"];

    /// <summary>Whether <paramref name="relative"/> is a root script that needs GC or typed function references.</summary>
    public static bool NeedsLaterFeatures(string relative)
    {
        if (relative.Contains('/')) return false;
        var name = Path.GetFileNameWithoutExtension(relative);
        return s_laterFeatureScripts.Contains(name) || s_laterFeaturePrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));
    }

    /// <summary>legacy/: the old exception-handling instructions.</summary>
    public static TheoryData<string> LegacyFiles() => Files("legacy");

    /// <summary>
    /// Proposal folders that nothing in WasmSharp implements yet; their scripts are skipped as a whole
    /// (with <see cref="CustomDescriptorsSkipReason"/>) rather than run against a list of hundreds of failures.
    /// </summary>
    public static readonly string[] UnimplementedProposals = ["proposals/custom-descriptors"];

    public const string CustomDescriptorsSkipReason =
        "proposals/custom-descriptors is not implemented (exact reference types, descriptor and describes clauses, " +
        "ref.get_desc, ref.cast_desc_eq, br_on_cast_desc_eq, struct.new_desc): nothing in the decoder, parser or validator knows it";

    /// <summary>proposals/*: threads, wide-arithmetic, custom-page-sizes, without the <see cref="UnimplementedProposals"/>.</summary>
    public static TheoryData<string> ProposalFiles() => Files(ProposalFolders().Except(UnimplementedProposals).ToArray());

    public static TheoryData<string> UnimplementedProposalFiles() => Files(ProposalFolders().Intersect(UnimplementedProposals).ToArray());

    private static string[] ProposalFolders() =>
        Directory.GetDirectories(Path.Combine(Root, "proposals"))
            .Select(d => Path.GetRelativePath(Root, d).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();

    public static string FullPath(string relative) => Path.Combine(Root, relative);

    /// <summary>Binary extensions a script's folder needs beyond Wasm 3.0 (custom page sizes change the limits flags).</summary>
    public static DecodeOptions DecodeOptionsFor(string relative) =>
        relative.StartsWith("proposals/custom-page-sizes/", StringComparison.Ordinal)
            ? new DecodeOptions { CustomPageSizes = true }
            : DecodeOptions.Default;

    /// <summary>Slash-separated relative names, so test names are the same on every OS.</summary>
    private static TheoryData<string> Files(params string[] folders)
    {
        var data = new TheoryData<string>();
        foreach (var folder in folders)
        {
            foreach (var path in Directory.GetFiles(Path.Combine(Root, folder), "*.wast").Order(StringComparer.Ordinal))
                data.Add(Path.GetRelativePath(Root, path).Replace('\\', '/'));
        }
        return data;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "testsuite", "spec");
            if (File.Exists(Path.Combine(candidate, "LICENSE"))) return candidate;
        }
        throw new DirectoryNotFoundException($"tests/testsuite/spec not found above {AppContext.BaseDirectory}");
    }
}
