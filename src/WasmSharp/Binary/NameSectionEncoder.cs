using WasmSharp.Model;

namespace WasmSharp.Binary;

/// <summary>Writes the content of a "name" custom section (without the section header and name).</summary>
public static class NameSectionEncoder
{
    public static byte[] Encode(NameSection names)
    {
        var w = new WasmWriter();
        Write(w, names);
        return w.ToArray();
    }

    public static void Write(WasmWriter w, NameSection names)
    {
        if (names.ModuleName is { } moduleName)
        {
            w.WriteByte(NameSectionDecoder.ModuleId);
            var token = w.BeginSized();
            w.WriteName(moduleName);
            w.EndSized(token);
        }
        WriteMap(w, NameSectionDecoder.FunctionId, names.Functions);
        WriteIndirect(w, NameSectionDecoder.LocalId, names.Locals);
        WriteIndirect(w, NameSectionDecoder.LabelId, names.Labels);
        WriteMap(w, NameSectionDecoder.TypeId, names.Types);
        WriteMap(w, NameSectionDecoder.TableId, names.Tables);
        WriteMap(w, NameSectionDecoder.MemoryId, names.Memories);
        WriteMap(w, NameSectionDecoder.GlobalId, names.Globals);
        WriteMap(w, NameSectionDecoder.ElemId, names.ElementSegments);
        WriteMap(w, NameSectionDecoder.DataId, names.DataSegments);
        WriteIndirect(w, NameSectionDecoder.FieldId, names.Fields);
        WriteMap(w, NameSectionDecoder.TagId, names.Tags);
    }

    private static void WriteMap(WasmWriter w, byte id, Dictionary<uint, string> map)
    {
        if (map.Count == 0) return;
        w.WriteByte(id);
        var token = w.BeginSized();
        WriteNameMap(w, map);
        w.EndSized(token);
    }

    private static void WriteIndirect(WasmWriter w, byte id, Dictionary<uint, Dictionary<uint, string>> map)
    {
        if (map.Count == 0) return;
        w.WriteByte(id);
        var token = w.BeginSized();
        w.WriteU32((uint)map.Count);
        foreach (var key in Sorted(map.Keys))
        {
            w.WriteU32(key);
            WriteNameMap(w, map[key]);
        }
        w.EndSized(token);
    }

    // Name maps must list indices in increasing order.
    private static void WriteNameMap(WasmWriter w, Dictionary<uint, string> map)
    {
        w.WriteU32((uint)map.Count);
        foreach (var key in Sorted(map.Keys))
        {
            w.WriteU32(key);
            w.WriteName(map[key]);
        }
    }

    private static uint[] Sorted(IEnumerable<uint> keys)
    {
        var a = keys.ToArray();
        Array.Sort(a);
        return a;
    }
}
