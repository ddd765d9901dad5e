using WasmSharp.Model;

namespace WasmSharp.Binary;

/// <summary>
/// Parses the content of the "name" custom section (the extended name section: module, function,
/// local, label, type, table, memory, global, elem, data, field and tag names).
/// </summary>
public static class NameSectionDecoder
{
    public const byte ModuleId = 0, FunctionId = 1, LocalId = 2, LabelId = 3, TypeId = 4, TableId = 5,
        MemoryId = 6, GlobalId = 7, ElemId = 8, DataId = 9, FieldId = 10, TagId = 11;

    /// <summary>
    /// Parses the section content; null when it is malformed, because a broken name section is
    /// only debugging information and must not make the module malformed.
    /// </summary>
    public static NameSection? TryDecode(ReadOnlySpan<byte> content, int baseOffset = 0)
    {
        try
        {
            return Decode(content, baseOffset);
        }
        catch (MalformedException)
        {
            return null;
        }
    }

    /// <summary>Parses the section content, throwing <see cref="MalformedException"/> when it is malformed.</summary>
    public static NameSection Decode(ReadOnlySpan<byte> content, int baseOffset = 0)
    {
        var names = new NameSection();
        var r = new WasmReader(content, baseOffset);
        while (!r.IsAtEnd)
        {
            var id = r.ReadByte();
            var size = r.ReadLength();
            var sub = new WasmReader(r.ReadBytes(size), r.Offset - size);
            switch (id)
            {
                case ModuleId: names.ModuleName = sub.ReadName(); break;
                case FunctionId: ReadNameMap(ref sub, names.Functions); break;
                case LocalId: ReadIndirectNameMap(ref sub, names.Locals); break;
                case LabelId: ReadIndirectNameMap(ref sub, names.Labels); break;
                case TypeId: ReadNameMap(ref sub, names.Types); break;
                case TableId: ReadNameMap(ref sub, names.Tables); break;
                case MemoryId: ReadNameMap(ref sub, names.Memories); break;
                case GlobalId: ReadNameMap(ref sub, names.Globals); break;
                case ElemId: ReadNameMap(ref sub, names.ElementSegments); break;
                case DataId: ReadNameMap(ref sub, names.DataSegments); break;
                case FieldId: ReadIndirectNameMap(ref sub, names.Fields); break;
                case TagId: ReadNameMap(ref sub, names.Tags); break;
                default: continue; // unknown subsections are skipped
            }
            if (!sub.IsAtEnd) WasmReader.Fail("section size mismatch", sub.Offset);
        }
        return names;
    }

    private static void ReadNameMap(ref WasmReader r, Dictionary<uint, string> map)
    {
        var n = r.ReadLength();
        for (var i = 0; i < n; i++)
        {
            var index = r.ReadU32();
            map[index] = r.ReadName();
        }
    }

    private static void ReadIndirectNameMap(ref WasmReader r, Dictionary<uint, Dictionary<uint, string>> map)
    {
        var n = r.ReadLength();
        for (var i = 0; i < n; i++)
        {
            var index = r.ReadU32();
            if (!map.TryGetValue(index, out var inner))
            {
                inner = [];
                map[index] = inner;
            }
            ReadNameMap(ref r, inner);
        }
    }
}
