using System.Text;
using WasmSharp.Model;

namespace WasmSharp.Cli.Commands;

/// <summary>Where a section lies in a binary: the header's offset and the contents' range.</summary>
internal readonly record struct SectionInfo(SectionId Id, int HeaderOffset, int ContentStart, int ContentSize, string? CustomName, ulong? Count)
{
    public int ContentEnd => ContentStart + ContentSize;
}

/// <summary>
/// Lists the sections of a binary module with their offsets, which the Model does not keep.
/// Only used on bytes that <c>ModuleDecoder</c> has accepted, so it reports damage rather than explaining it.
/// </summary>
internal static class SectionScanner
{
    public static List<SectionInfo> Scan(ReadOnlySpan<byte> bytes)
    {
        var sections = new List<SectionInfo>();
        var pos = 8;
        while (pos < bytes.Length)
        {
            var header = pos;
            var id = (SectionId)bytes[pos++];
            var size = checked((int)ReadU32(bytes, ref pos));
            var start = pos;
            if (size > bytes.Length - start) throw new MalformedException("section size mismatch", SourceLocation.AtOffset(header));
            var content = bytes.Slice(start, size);
            string? name = null;
            ulong? count = null;
            var p = 0;
            switch (id)
            {
                case SectionId.Custom:
                    var length = checked((int)ReadU32(content, ref p));
                    name = Encoding.UTF8.GetString(content.Slice(p, length));
                    break;
                case SectionId.Start or SectionId.DataCount:
                    count = ReadU32(content, ref p);
                    break;
                default:
                    if (size > 0) count = ReadU32(content, ref p);
                    break;
            }
            sections.Add(new SectionInfo(id, header, start, size, name, count));
            pos = start + size;
        }
        return sections;
    }

    private static uint ReadU32(ReadOnlySpan<byte> bytes, ref int pos)
    {
        uint result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (pos >= bytes.Length) throw new MalformedException("unexpected end", SourceLocation.AtOffset(pos));
            var b = bytes[pos++];
            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new MalformedException("integer representation too long", SourceLocation.AtOffset(pos));
    }
}
