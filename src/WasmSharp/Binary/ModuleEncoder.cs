using WasmSharp.Model;

namespace WasmSharp.Binary;

/// <summary>
/// Writes a <see cref="Module"/> in the binary format. Function bodies and constant expressions are
/// copied as stored, and the recorded encoding variants (segment flags, explicit <c>sub</c> and
/// <c>rec</c>) are honoured, so decoding then encoding a canonical binary gives the same bytes.
/// A section with no entries is written only when <see cref="Module.EmptySections"/> records it.
/// </summary>
public static class ModuleEncoder
{
    private static readonly SectionId[] s_order =
    [
        SectionId.Type, SectionId.Import, SectionId.Function, SectionId.Table, SectionId.Memory, SectionId.Tag,
        SectionId.Global, SectionId.Export, SectionId.Start, SectionId.Element, SectionId.DataCount, SectionId.Code,
        SectionId.Data,
    ];

    public static byte[] Encode(Module module) => Encode(module, emitNames: false);

    /// <param name="module">The module to encode.</param>
    /// <param name="emitNames">
    /// When true and the module has <see cref="Module.Names"/> but no raw "name" custom section,
    /// a "name" section is generated from <see cref="Module.Names"/> and written last.
    /// </param>
    public static byte[] Encode(Module module, bool emitNames)
    {
        var w = new WasmWriter(4096);
        w.WriteF32Bits(ModuleDecoder.Magic);
        w.WriteF32Bits(ModuleDecoder.Version);

        WriteCustomSections(w, module, SectionId.Custom);
        foreach (var id in s_order)
        {
            WriteSection(w, module, id);
            WriteCustomSections(w, module, id);
        }

        if (emitNames && module.Names is { } names && !module.CustomSections.Exists(c => c.Name == "name"))
        {
            w.WriteByte((byte)SectionId.Custom);
            var token = w.BeginSized();
            w.WriteName("name");
            NameSectionEncoder.Write(w, names);
            w.EndSized(token);
        }
        return w.ToArray();
    }

    private static void WriteCustomSections(WasmWriter w, Module module, SectionId after)
    {
        foreach (var custom in module.CustomSections)
        {
            if (custom.After != after) continue;
            w.WriteByte((byte)SectionId.Custom);
            var token = w.BeginSized();
            w.WriteName(custom.Name);
            w.WriteBytes(custom.Content.Span);
            w.EndSized(token);
        }
    }

    private static void WriteSection(WasmWriter w, Module m, SectionId id)
    {
        var present = id switch
        {
            SectionId.Type => m.RecGroups.Count > 0,
            SectionId.Import => m.Imports.Count > 0,
            SectionId.Function => m.Functions.Count > 0,
            SectionId.Table => m.Tables.Count > 0,
            SectionId.Memory => m.Memories.Count > 0,
            SectionId.Tag => m.Tags.Count > 0,
            SectionId.Global => m.Globals.Count > 0,
            SectionId.Export => m.Exports.Count > 0,
            SectionId.Start => m.Start.HasValue,
            SectionId.Element => m.Elements.Count > 0,
            SectionId.DataCount => m.DataCount.HasValue,
            SectionId.Code => m.Codes.Count > 0,
            SectionId.Data => m.Data.Count > 0,
            _ => false,
        } || m.EmptySections.Contains(id);
        if (!present) return;

        w.WriteByte((byte)id);
        var token = w.BeginSized();
        switch (id)
        {
            case SectionId.Type:
                w.WriteU32((uint)m.RecGroups.Count);
                foreach (var g in m.RecGroups) WriteRecGroup(w, g);
                break;
            case SectionId.Import:
                w.WriteU32((uint)m.Imports.Count);
                foreach (var import in m.Imports) WriteImport(w, import);
                break;
            case SectionId.Function:
                w.WriteU32((uint)m.Functions.Count);
                foreach (var f in m.Functions) w.WriteU32(f);
                break;
            case SectionId.Table:
                w.WriteU32((uint)m.Tables.Count);
                foreach (var t in m.Tables)
                {
                    if (t.Init is { } init)
                    {
                        w.WriteByte(0x40);
                        w.WriteByte(0x00);
                        WriteTableType(w, t.Type);
                        w.WriteBytes(init.Code.Span);
                    }
                    else
                    {
                        WriteTableType(w, t.Type);
                    }
                }
                break;
            case SectionId.Memory:
                w.WriteU32((uint)m.Memories.Count);
                foreach (var mem in m.Memories) WriteMemoryType(w, mem);
                break;
            case SectionId.Tag:
                w.WriteU32((uint)m.Tags.Count);
                foreach (var tag in m.Tags) WriteTagType(w, tag);
                break;
            case SectionId.Global:
                w.WriteU32((uint)m.Globals.Count);
                foreach (var g in m.Globals)
                {
                    WriteGlobalType(w, g.Type);
                    w.WriteBytes(g.Init.Code.Span);
                }
                break;
            case SectionId.Export:
                w.WriteU32((uint)m.Exports.Count);
                foreach (var e in m.Exports)
                {
                    w.WriteName(e.Name);
                    w.WriteByte((byte)e.Kind);
                    w.WriteU32(e.Index);
                }
                break;
            case SectionId.Start:
                w.WriteU32(m.Start!.Value);
                break;
            case SectionId.Element:
                w.WriteU32((uint)m.Elements.Count);
                foreach (var e in m.Elements) WriteElementSegment(w, e);
                break;
            case SectionId.DataCount:
                w.WriteU32(m.DataCount!.Value);
                break;
            case SectionId.Code:
                w.WriteU32((uint)m.Codes.Count);
                foreach (var body in m.Codes) WriteFunctionBody(w, body);
                break;
            case SectionId.Data:
                w.WriteU32((uint)m.Data.Count);
                foreach (var d in m.Data) WriteDataSegment(w, d);
                break;
        }
        w.EndSized(token);
    }

    // ---- types ----

    private static void WriteRecGroup(WasmWriter w, RecGroup g)
    {
        if (g.IsExplicit || g.Types.Length != 1)
        {
            w.WriteByte(0x4E);
            w.WriteU32((uint)g.Types.Length);
        }
        foreach (var t in g.Types) WriteSubType(w, t);
    }

    private static void WriteSubType(WasmWriter w, SubType t)
    {
        if (t.HasExplicitSub || !t.Final || t.SuperTypes.Length > 0)
        {
            w.WriteByte(t.Final ? (byte)0x4F : (byte)0x50);
            w.WriteU32((uint)t.SuperTypes.Length);
            foreach (var s in t.SuperTypes) w.WriteU32(s);
        }
        WriteCompositeType(w, t.Composite);
    }

    public static void WriteCompositeType(WasmWriter w, CompositeType c)
    {
        switch (c)
        {
            case FuncType f:
                w.WriteByte(0x60);
                w.WriteU32((uint)f.Params.Length);
                foreach (var p in f.Params) w.WriteValType(p);
                w.WriteU32((uint)f.Results.Length);
                foreach (var r in f.Results) w.WriteValType(r);
                break;
            case StructType s:
                w.WriteByte(0x5F);
                w.WriteU32((uint)s.Fields.Length);
                foreach (var field in s.Fields) WriteFieldType(w, field);
                break;
            case ArrayType a:
                w.WriteByte(0x5E);
                WriteFieldType(w, a.Element);
                break;
            default:
                throw new ArgumentException($"Unknown composite type {c}.", nameof(c));
        }
    }

    private static void WriteFieldType(WasmWriter w, FieldType f)
    {
        w.WriteValType(f.StorageType);
        w.WriteByte(f.Mutable ? (byte)1 : (byte)0);
    }

    private static void WriteLimits(WasmWriter w, Limits limits, int pageSizeLog2 = 16)
    {
        var flags = (limits.Max.HasValue ? 0x01 : 0) | (limits.Shared ? 0x02 : 0) | (limits.Is64 ? 0x04 : 0)
            | (pageSizeLog2 != 16 ? 0x08 : 0);
        w.WriteByte((byte)flags);
        w.WriteU64(limits.Min);
        if (limits.Max is { } max) w.WriteU64(max);
        if (pageSizeLog2 != 16) w.WriteU32((uint)pageSizeLog2);
    }

    public static void WriteTableType(WasmWriter w, TableType t)
    {
        w.WriteValType(t.ElementType);
        WriteLimits(w, t.Limits);
    }

    public static void WriteMemoryType(WasmWriter w, MemoryType m) => WriteLimits(w, m.Limits, m.PageSizeLog2);

    public static void WriteGlobalType(WasmWriter w, GlobalType g)
    {
        w.WriteValType(g.Type);
        w.WriteByte(g.Mutable ? (byte)1 : (byte)0);
    }

    private static void WriteTagType(WasmWriter w, TagType t)
    {
        w.WriteByte(0x00);
        w.WriteU32(t.TypeIndex);
    }

    private static void WriteImport(WasmWriter w, Import import)
    {
        w.WriteName(import.ModuleName);
        w.WriteName(import.Name);
        var d = import.Descriptor;
        w.WriteByte((byte)d.Kind);
        switch (d.Kind)
        {
            case ExternalKind.Func: w.WriteU32(d.FuncTypeIndex); break;
            case ExternalKind.Table: WriteTableType(w, d.Table ?? throw new ArgumentException("Table import without a type.")); break;
            case ExternalKind.Memory: WriteMemoryType(w, d.Memory ?? throw new ArgumentException("Memory import without a type.")); break;
            case ExternalKind.Global: WriteGlobalType(w, d.Global); break;
            case ExternalKind.Tag: WriteTagType(w, d.Tag); break;
        }
    }

    // ---- segments and code ----

    /// <summary>
    /// The encoding variant to write: the recorded <see cref="ElementSegment.Flags"/> when it fits the
    /// segment, otherwise the simplest one that does (segments built from text carry no flags).
    /// </summary>
    internal static byte ElementFlags(ElementSegment e)
    {
        var exprs = e.Expressions is not null ? 4 : 0;
        var implicitType = exprs != 0 ? e.Type == ValType.FuncRef : e.Type.IsRef && e.Type.Heap == HeapType.Func;
        var f = e.Flags;
        var fits = f <= 7 && (f & 4) == exprs && e.Mode switch
        {
            SegmentMode.Active => (f & 1) == 0 && ((f & 2) != 0 || (e.TableIndex == 0 && implicitType)),
            SegmentMode.Passive => (f & 3) == 1,
            _ => (f & 3) == 3,
        };
        if (fits) return f;
        return (byte)(exprs | e.Mode switch
        {
            SegmentMode.Active => e.TableIndex == 0 && implicitType ? 0 : 2,
            SegmentMode.Passive => 1,
            _ => 3,
        });
    }

    private static void WriteElementSegment(WasmWriter w, ElementSegment e)
    {
        var flags = ElementFlags(e);
        w.WriteU32(flags);
        if (e.Mode == SegmentMode.Active)
        {
            if ((flags & 2) != 0) w.WriteU32(e.TableIndex);
            var offset = e.Offset ?? throw new ArgumentException("Active element segment without an offset.", nameof(e));
            w.WriteBytes(offset.Code.Span);
        }
        if ((flags & 3) != 0)
        {
            if ((flags & 4) != 0) w.WriteValType(e.Type);
            else w.WriteByte(0x00);
        }
        if (e.Expressions is { } exprs)
        {
            w.WriteU32((uint)exprs.Length);
            foreach (var x in exprs) w.WriteBytes(x.Code.Span);
        }
        else
        {
            var funcs = e.FunctionIndices ?? [];
            w.WriteU32((uint)funcs.Length);
            foreach (var f in funcs) w.WriteU32(f);
        }
    }

    private static void WriteDataSegment(WasmWriter w, DataSegment d)
    {
        if (d.Mode == SegmentMode.Passive)
        {
            w.WriteU32(1);
        }
        else
        {
            var explicitMemory = d.Flags == 2 || d.MemoryIndex != 0;
            w.WriteU32(explicitMemory ? 2u : 0u);
            if (explicitMemory) w.WriteU32(d.MemoryIndex);
            var offset = d.Offset ?? throw new ArgumentException("Active data segment without an offset.", nameof(d));
            w.WriteBytes(offset.Code.Span);
        }
        w.WriteU32((uint)d.Bytes.Length);
        w.WriteBytes(d.Bytes.Span);
    }

    private static void WriteFunctionBody(WasmWriter w, FunctionBody body)
    {
        var token = w.BeginSized();
        w.WriteU32((uint)body.Locals.Length);
        foreach (var g in body.Locals)
        {
            w.WriteU32(g.Count);
            w.WriteValType(g.Type);
        }
        w.WriteBytes(body.Code.Span);
        w.EndSized(token);
    }
}
