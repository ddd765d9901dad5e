using WasmSharp.Binary;
using WasmSharp.Model;

namespace WasmSharp.SpecTests;

/// <summary>
/// The encoding choices a binary module can make that the text format has no way to write, and so
/// that binary → text → binary cannot keep. Everything else a binary module says must survive text.
/// </summary>
[Flags]
internal enum TextInexpressible
{
    None = 0,
    /// <summary>An LEB128 in code or a constant expression written with more bytes than needed.</summary>
    NonMinimalLebInCode = 1,
    /// <summary>A memarg that sets the memory-index flag (bit 6) to name memory 0.</summary>
    MemoryIndexFlagForMemory0 = 2,
    /// <summary>Local declarations with an empty group or neighbouring groups of one type.</summary>
    LocalGroups = 4,
    /// <summary>A data count section in a module whose code uses no data index (text only writes one when code does).</summary>
    UnusedDataCount = 8,
    /// <summary>A section with no entries (<see cref="Module.EmptySections"/>); text has no way to ask for one.</summary>
    EmptySection = 16,
}

/// <summary>
/// Rewrites exactly the <see cref="TextInexpressible"/> choices of a module to the form the text
/// parser produces: every instruction of every body and constant expression re-encoded from its
/// decoded form, local groups merged, an unused data count section and empty sections dropped. Nothing else changes, so
/// when binary → text → binary gives back the normalized module byte for byte, the only differences
/// from the original are the reported ones.
/// </summary>
internal static class TextEncodingNormalizer
{
    public static Module Normalize(Module m, out TextInexpressible found)
    {
        var reasons = TextInexpressible.None;
        var usesDataIndex = false;

        ConstExpr? Expr(ConstExpr? e) => e is null ? null : e with { Code = Code(e.Code, ref reasons, ref usesDataIndex), Offset = 0 };

        var n = new Module { Start = m.Start, Names = m.Names };
        n.RecGroups.AddRange(m.RecGroups);
        n.Imports.AddRange(m.Imports);
        n.Functions.AddRange(m.Functions);
        foreach (var t in m.Tables) n.Tables.Add(t with { Init = Expr(t.Init) });
        n.Memories.AddRange(m.Memories);
        n.Tags.AddRange(m.Tags);
        foreach (var g in m.Globals) n.Globals.Add(g with { Init = Expr(g.Init)! });
        n.Exports.AddRange(m.Exports);
        foreach (var e in m.Elements)
        {
            n.Elements.Add(e with
            {
                Offset = Expr(e.Offset),
                Expressions = e.Expressions?.Select(x => Expr(x)!).ToArray(),
            });
        }
        foreach (var body in m.Codes)
        {
            var locals = MergeLocals(body.Locals);
            if (!locals.AsSpan().SequenceEqual(body.Locals)) reasons |= TextInexpressible.LocalGroups;
            n.Codes.Add(new FunctionBody(locals, Code(body.Code, ref reasons, ref usesDataIndex)));
        }
        foreach (var d in m.Data) n.Data.Add(d with { Offset = Expr(d.Offset) });
        n.CustomSections.AddRange(m.CustomSections);

        n.DataCount = m.DataCount;
        if (m.DataCount is not null && !usesDataIndex)
        {
            n.DataCount = null;
            reasons |= TextInexpressible.UnusedDataCount;
        }
        if (m.EmptySections.Count > 0) reasons |= TextInexpressible.EmptySection;
        found = reasons;
        return n;
    }

    /// <summary>Drops empty groups and merges neighbours of one type, as the parser builds them.</summary>
    private static LocalGroup[] MergeLocals(LocalGroup[] groups)
    {
        var result = new List<LocalGroup>();
        foreach (var g in groups)
        {
            if (g.Count == 0) continue;
            if (result.Count > 0 && result[^1].Type == g.Type)
                result[^1] = new LocalGroup(result[^1].Count + g.Count, g.Type);
            else
                result.Add(g);
        }
        return [.. result];
    }

    /// <summary>
    /// Re-encodes each instruction. A changed instruction must be explained: its encoding is longer
    /// than the minimal one (non-minimal LEBs), or it names memory 0 through the memarg flag, which
    /// costs exactly one byte (the index 0) when nothing else is padded. Anything else throws.
    /// </summary>
    private static byte[] Code(ReadOnlyMemory<byte> code, ref TextInexpressible reasons, ref bool usesDataIndex)
    {
        var span = code.Span;
        var writer = new WasmWriter(span.Length);
        var one = new WasmWriter(16);
        var reader = new InstructionReader(span, 0);
        var start = 0;
        while (reader.TryRead(out var ins))
        {
            var end = reader.Position;
            var raw = span[start..end];
            one.Clear();
            InstructionEncoder.Write(one, ins);
            var minimal = one.WrittenSpan;
            if (!raw.SequenceEqual(minimal))
            {
                var flag = HasMemoryIndexFlagForMemory0(raw, ins);
                var extra = raw.Length - minimal.Length - (flag ? 1 : 0);
                // The decoded values are equal, so a same-length or shorter encoding cannot be explained.
                if (extra < 0 || (extra == 0 && !flag))
                    throw new InvalidOperationException($"{ins} at {start}: {Convert.ToHexString(raw)} re-encodes as {Convert.ToHexString(minimal)}, " +
                        "which is not only a matter of LEB widths or the memory-index flag");
                if (flag) reasons |= TextInexpressible.MemoryIndexFlagForMemory0;
                if (extra > 0) reasons |= TextInexpressible.NonMinimalLebInCode;
            }
            writer.WriteBytes(minimal);
            usesDataIndex |= ins.Info.Immediates is ImmediateKind.MemoryInit or ImmediateKind.Data or ImmediateKind.TypeData;
            start = end;
        }
        return writer.ToArray();
    }

    /// <summary>Whether a memarg instruction's raw bytes set the memory-index flag while naming memory 0.</summary>
    private static bool HasMemoryIndexFlagForMemory0(ReadOnlySpan<byte> raw, in Instruction ins)
    {
        if (ins.Info.Immediates is not (ImmediateKind.MemArg or ImmediateKind.MemArgLane) || ins.MemArg.MemoryIndex != 0) return false;
        var r = new WasmReader(raw);
        r.ReadByte();
        if (ins.Info.Prefix != 0) r.ReadU32();
        return (r.ReadU32() & 0x40) != 0;
    }
}
