namespace WasmSharp.SpecTests;

/// <summary>
/// The checked-in list of assertions WasmSharp is known to fail (known-failures.txt, next to the test
/// assembly): one line <c>FILE:LINE:COLUMN COMMAND REASON</c> each, for proposal scripts and for the root
/// scripts that need features the engine does not have yet (<see cref="SpecSuite.NeedsLaterFeatures"/>).
/// </summary>
public static class KnownFailures
{
    public sealed record Entry(string File, string Location, string Command, string Reason)
    {
        /// <summary>What identifies a failure: where it is and which command it is.</summary>
        public string Key => $"{File}:{Location} {Command}";
    }

    private static readonly Lazy<IReadOnlyList<Entry>> s_entries = new(Load);

    public static IReadOnlyList<Entry> All => s_entries.Value;

    public static IEnumerable<Entry> For(string file) => All.Where(e => e.File == file);

    public static string ListPath => Path.Combine(AppContext.BaseDirectory, "known-failures.txt");

    private static IReadOnlyList<Entry> Load()
    {
        var entries = new List<Entry>();
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(ListPath))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            var where = parts[0].Split(':');
            if (parts.Length < 3 || where.Length != 3 || !int.TryParse(where[1], out _) || !int.TryParse(where[2], out _))
                throw new FormatException($"known-failures.txt:{lineNumber}: expected FILE:LINE:COLUMN COMMAND REASON, got \"{line}\"");
            // The Wasm 3.0 suite and the legacy scripts must pass outright, except where a script needs a
            // feature the engine lacks; only proposals may disagree with 3.0.
            if (!where[0].StartsWith("proposals/", StringComparison.Ordinal) && !SpecSuite.NeedsLaterFeatures(where[0]))
                throw new FormatException(
                    $"known-failures.txt:{lineNumber}: only proposals/ scripts and root scripts that need GC or typed function references may have known failures, not {where[0]}");
            entries.Add(new Entry(where[0], $"{where[1]}:{where[2]}", parts[1], parts[2]));
        }
        return entries;
    }
}
