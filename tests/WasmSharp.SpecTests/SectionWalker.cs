using WasmSharp.Binary;

namespace WasmSharp.SpecTests;

/// <summary>
/// Names the padding a binary module spends bytes on that a re-encoding leaves out: padded section
/// sizes and vector counts, else LEB128s inside the entries. Only for the test report; whether the re-encoding is
/// the same module is <see cref="ModuleComparer"/>'s job.
/// </summary>
internal static class SectionWalker
{
    public static string Describe(byte[] module)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var r = new WasmReader(module);
        r.Skip(8);
        while (!r.IsAtEnd)
        {
            var id = r.ReadByte();
            var sizeStart = r.Position;
            var size = r.ReadU32();
            if (r.Position - sizeStart > LebLength(size)) found.Add("a padded section size");
            var body = new WasmReader(r.ReadBytes((int)size));
            // Sections that are a vector start with its count; the custom, start and data count sections are not vectors.
            if (id is not (0 or 8 or 12) && !body.IsAtEnd)
            {
                var countStart = body.Position;
                var count = body.ReadU32();
                if (body.Position - countStart > LebLength(count)) found.Add("a padded vector count");
            }
        }
        return found.Count == 0 ? "padding inside a section's entries (non-minimal LEB128s)" : string.Join(", ", found);
    }

    private static int LebLength(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }
}
