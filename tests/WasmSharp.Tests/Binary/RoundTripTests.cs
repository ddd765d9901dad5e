using WasmSharp.Binary;
using WasmSharp.Model;
using static WasmSharp.Tests.Binary.ModuleBuilder;

namespace WasmSharp.Tests.Binary;

public class RoundTripTests
{
    private static ConstExpr Expr(params Instruction[] instructions) => new(Code(instructions));

    /// <summary>A module that uses every section and every encoding variant.</summary>
    internal static Module Everything()
    {
        var m = new Module();
        var i32 = ValType.I32;
        m.RecGroups.Add(new RecGroup([SubType.Plain(new FuncType([i32, ValType.I64], [ValType.F32]))]));
        m.RecGroups.Add(new RecGroup([SubType.Plain(FuncType.Empty)]));
        m.RecGroups.Add(new RecGroup(
        [
            new SubType(new StructType([new FieldType(ValType.I8, true), new FieldType(ValType.I16, false), new FieldType(ValType.Ref(HeapType.Concrete(3), true), true)]), false, [], HasExplicitSub: true),
            new SubType(new ArrayType(new FieldType(ValType.F64, true)), true, [], HasExplicitSub: true),
            new SubType(new StructType([]), true, [2], HasExplicitSub: true),
        ], IsExplicit: true));
        m.RecGroups.Add(new RecGroup([SubType.Plain(new FuncType([ValType.V128, ValType.ExternRef], []))], IsExplicit: true));

        m.Imports.Add(new Import("env", "f", ImportDescriptor.ForFunc(0)));
        m.Imports.Add(new Import("env", "t", ImportDescriptor.ForTable(new TableType(ValType.FuncRef, new Limits(1, 10, Is64: true)))));
        m.Imports.Add(new Import("env", "m", ImportDescriptor.ForMemory(new MemoryType(new Limits(1, 2, Shared: true)))));
        m.Imports.Add(new Import("env", "g", ImportDescriptor.ForGlobal(new GlobalType(ValType.Ref(HeapType.Concrete(2), false), false))));
        m.Imports.Add(new Import("env", "ü", ImportDescriptor.ForTag(new TagType(1))));

        m.Functions.Add(1);
        m.Functions.Add(0);
        m.Tables.Add(new Table(new TableType(ValType.ExternRef, new Limits(0, null))));
        m.Tables.Add(new Table(new TableType(ValType.Ref(HeapType.Func, false), new Limits(3, 3)), Expr(Op(Opcode.RefFunc, 2))));
        m.Memories.Add(new MemoryType(new Limits(0, 65536)));
        m.Memories.Add(new MemoryType(new Limits(1, null, Is64: true)));
        m.Tags.Add(new TagType(1));
        m.Globals.Add(new Global(new GlobalType(i32, true), Expr(I32Const(-5))));
        m.Globals.Add(new Global(new GlobalType(ValType.FuncRef, false), Expr(new Instruction { Opcode = Opcode.RefNull, Type = ValType.FuncRef })));
        m.Exports.Add(new Export("f", ExternalKind.Func, 2));
        m.Exports.Add(new Export("t", ExternalKind.Table, 1));
        m.Exports.Add(new Export("m", ExternalKind.Memory, 0));
        m.Exports.Add(new Export("g", ExternalKind.Global, 1));
        m.Exports.Add(new Export("tag", ExternalKind.Tag, 0));
        m.Start = 1;

        var offset = Expr(I32Const(0));
        var funcRefNonNull = ValType.Ref(HeapType.Func, false);
        var refFunc = Expr(Op(Opcode.RefFunc, 1));
        m.Elements.Add(new ElementSegment(SegmentMode.Active, funcRefNonNull) { Offset = offset, FunctionIndices = [1, 2], Flags = 0 });
        m.Elements.Add(new ElementSegment(SegmentMode.Passive, funcRefNonNull) { FunctionIndices = [2], Flags = 1 });
        m.Elements.Add(new ElementSegment(SegmentMode.Active, funcRefNonNull) { TableIndex = 2, Offset = offset, FunctionIndices = [1], Flags = 2 });
        m.Elements.Add(new ElementSegment(SegmentMode.Declarative, funcRefNonNull) { FunctionIndices = [1, 2], Flags = 3 });
        m.Elements.Add(new ElementSegment(SegmentMode.Active, ValType.FuncRef) { Offset = offset, Expressions = [refFunc], Flags = 4 });
        m.Elements.Add(new ElementSegment(SegmentMode.Passive, ValType.FuncRef) { Expressions = [refFunc, Expr(new Instruction { Opcode = Opcode.RefNull, Type = ValType.FuncRef })], Flags = 5 });
        m.Elements.Add(new ElementSegment(SegmentMode.Active, ValType.ExternRef) { TableIndex = 1, Offset = offset, Expressions = [], Flags = 6 });
        m.Elements.Add(new ElementSegment(SegmentMode.Declarative, funcRefNonNull) { Expressions = [refFunc], Flags = 7 });
        m.DataCount = 3;

        m.Codes.Add(new FunctionBody([], Code()));
        m.Codes.Add(new FunctionBody([new LocalGroup(2, i32), new LocalGroup(1, ValType.Ref(HeapType.Concrete(3), true))],
            Code(I32Const(0), Op(Opcode.DataDrop, 1), Op(Opcode.Drop))));

        m.Data.Add(new DataSegment(SegmentMode.Active, new byte[] { 1, 2, 3 }) { Offset = offset, Flags = 0 });
        m.Data.Add(new DataSegment(SegmentMode.Passive, new byte[] { 4 }) { Flags = 1 });
        m.Data.Add(new DataSegment(SegmentMode.Active, Array.Empty<byte>()) { MemoryIndex = 1, Offset = Expr(new Instruction { Opcode = Opcode.I64Const, Value = 8 }), Flags = 2 });

        m.CustomSections.Add(new CustomSection("first", new byte[] { 9 }, SectionId.Custom));
        m.CustomSections.Add(new CustomSection("after-type", new byte[] { 8, 7 }, SectionId.Type));
        m.CustomSections.Add(new CustomSection("after-tag", Array.Empty<byte>(), SectionId.Tag));
        m.CustomSections.Add(new CustomSection("after-datacount", new byte[] { 1 }, SectionId.DataCount));
        m.CustomSections.Add(new CustomSection("last", new byte[] { 2 }, SectionId.Data));
        return m;
    }

    [Fact]
    public void EncodeDecodeEncodeIsStable()
    {
        var m = Everything();
        var bytes = ModuleEncoder.Encode(m);
        var back = ModuleDecoder.Decode(bytes);
        Assert.Equal(bytes, ModuleEncoder.Encode(back));

        Assert.Equal(m.RecGroups.Count, back.RecGroups.Count);
        Assert.Equal(m.GetTypes(), back.GetTypes(), new SubTypeComparer());
        Assert.Equal(m.Imports.Select(i => (i.ModuleName, i.Name, i.Kind)), back.Imports.Select(i => (i.ModuleName, i.Name, i.Kind)));
        Assert.Equal(m.Imports[1].Descriptor.Table, back.Imports[1].Descriptor.Table);
        Assert.Equal(m.Imports[2].Descriptor.Memory, back.Imports[2].Descriptor.Memory);
        Assert.Equal(m.Imports[3].Descriptor.Global, back.Imports[3].Descriptor.Global);
        Assert.Equal(m.Imports[4].Descriptor.Tag, back.Imports[4].Descriptor.Tag);
        Assert.Equal(m.Functions, back.Functions);
        Assert.Equal(m.Tables.Select(t => t.Type), back.Tables.Select(t => t.Type));
        Assert.NotNull(back.Tables[1].Init);
        Assert.Equal(m.Memories, back.Memories);
        Assert.Equal(m.Tags, back.Tags);
        Assert.Equal(m.Globals.Select(g => g.Type), back.Globals.Select(g => g.Type));
        Assert.Equal(m.Exports, back.Exports);
        Assert.Equal(m.Start, back.Start);
        Assert.Equal(m.DataCount, back.DataCount);
        for (var i = 0; i < m.Elements.Count; i++)
        {
            var (a, b) = (m.Elements[i], back.Elements[i]);
            Assert.Equal((a.Mode, a.Type, a.TableIndex, a.Flags, a.Count), (b.Mode, b.Type, b.TableIndex, b.Flags, b.Count));
            Assert.Equal(a.FunctionIndices, b.FunctionIndices);
        }
        for (var i = 0; i < m.Data.Count; i++)
        {
            var (a, b) = (m.Data[i], back.Data[i]);
            Assert.Equal((a.Mode, a.MemoryIndex, a.Flags), (b.Mode, b.MemoryIndex, b.Flags));
            Assert.Equal(a.Bytes.ToArray(), b.Bytes.ToArray());
        }
        Assert.Equal(m.Codes[1].Locals, back.Codes[1].Locals);
        Assert.Equal(m.Codes[1].Code.ToArray(), back.Codes[1].Code.ToArray());
        Assert.Equal(m.CustomSections.Select(c => (c.Name, c.After)), back.CustomSections.Select(c => (c.Name, c.After)));
    }

    [Fact]
    public void OffsetsPointIntoTheBinary()
    {
        var bytes = ModuleEncoder.Encode(Everything());
        var m = ModuleDecoder.Decode(bytes);
        foreach (var body in m.Codes)
            Assert.Equal(body.Code.ToArray(), bytes.AsSpan(body.Offset, body.Code.Length).ToArray());
        foreach (var g in m.Globals)
            Assert.Equal(g.Init.Code.ToArray(), bytes.AsSpan(g.Init.Offset, g.Init.Code.Length).ToArray());
        var reader = new InstructionReader(m.Codes[1].Code.Span, m.Codes[1].Offset);
        Assert.True(reader.TryRead(out var first));
        Assert.Equal(Opcode.I32Const, first.Opcode);
        Assert.Equal(m.Codes[1].Offset, first.Offset);
    }

    [Fact]
    public void CustomPageSizesNeedTheOption()
    {
        var m = new Module();
        m.Memories.Add(new MemoryType(new Limits(1, null), PageSizeLog2: 0));
        var bytes = ModuleEncoder.Encode(m);
        Assert.Equal("malformed limits flags", Assert.Throws<MalformedException>(() => ModuleDecoder.Decode(bytes)).Reason);
        var back = ModuleDecoder.Decode(bytes, DecodeOptions.Default with { CustomPageSizes = true });
        Assert.Equal(0, back.Memories[0].PageSizeLog2);
        Assert.Equal(bytes, ModuleEncoder.Encode(back));
    }

    [Fact]
    public void SegmentsFromTextGetCanonicalFlags()
    {
        var m = new Module();
        var offset = Expr(I32Const(1));
        m.Elements.Add(new ElementSegment(SegmentMode.Active, ValType.FuncRef) { TableIndex = 3, Offset = offset, FunctionIndices = [0] });
        m.Elements.Add(new ElementSegment(SegmentMode.Declarative, ValType.FuncRef) { Expressions = [Expr(Op(Opcode.RefFunc, 0))] });
        m.Elements.Add(new ElementSegment(SegmentMode.Active, ValType.ExternRef) { Offset = offset, Expressions = [] });
        m.Data.Add(new DataSegment(SegmentMode.Active, new byte[] { 1 }) { MemoryIndex = 2, Offset = offset });
        m.Data.Add(new DataSegment(SegmentMode.Passive, new byte[] { 1 }));
        var back = ModuleDecoder.Decode(ModuleEncoder.Encode(m));
        Assert.Equal([2, 7, 6], back.Elements.Select(e => (int)e.Flags));
        Assert.Equal(3u, back.Elements[0].TableIndex);
        Assert.Equal(ValType.ExternRef, back.Elements[2].Type);
        Assert.Equal([2, 1], back.Data.Select(d => (int)d.Flags));
        Assert.Equal(2u, back.Data[0].MemoryIndex);
    }

    public static TheoryData<string> CorpusFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in BinaryTestPaths.CorpusFiles) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void RealModulesRoundTripByteForByte(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(BinaryTestPaths.Corpus, file));
        var m = ModuleDecoder.Decode(bytes);
        Assert.NotEmpty(m.Codes);
        Assert.Equal(bytes, ModuleEncoder.Encode(m));

        // Every instruction decodes, and re-encoding it gives the stored bytes (all corpus bodies use minimal LEBs
        // except call_indirect's table index, which LLVM pads, so compare instruction counts there).
        long count = 0;
        foreach (var body in m.Codes)
        {
            var reader = new InstructionReader(body.Code.Span, body.Offset);
            Instruction last = default;
            while (reader.TryRead(out var ins))
            {
                count++;
                last = ins;
            }
            Assert.Equal(Opcode.End, last.Opcode);
            Assert.Equal(body.Offset + body.Code.Length, reader.Offset);
        }
        Assert.True(count > 0);
    }
}

internal sealed class SubTypeComparer : IEqualityComparer<SubType>
{
    public bool Equals(SubType? x, SubType? y) =>
        x is not null && y is not null && x.Final == y.Final && x.HasExplicitSub == y.HasExplicitSub
        && x.SuperTypes.AsSpan().SequenceEqual(y.SuperTypes) && x.Composite == y.Composite;

    public int GetHashCode(SubType obj) => obj.Composite.GetHashCode();
}
