using WasmSharp.Binary;
using WasmSharp.Model;
using static WasmSharp.Tests.Binary.ModuleBuilder;

namespace WasmSharp.Tests.Binary;

public class DecoderTests
{
    private static readonly byte[] s_voidType = [0x01, 0x60, 0x00, 0x00];

    /// <summary>A module with one function of type [] -> [] and the given body (locals and instructions).</summary>
    private static byte[] OneFunction(params byte[] body)
    {
        var code = new WasmWriter();
        code.WriteU32(1);
        code.WriteU32((uint)body.Length);
        code.WriteBytes(body);
        return Sections((1, s_voidType), (3, [0x01, 0x00]), (10, code.ToArray()));
    }

    private static string Malformed(byte[] bytes, DecodeOptions? options = null) =>
        Assert.Throws<MalformedException>(() => ModuleDecoder.Decode(bytes, options ?? DecodeOptions.Default)).Reason;

    [Fact]
    public void CustomSectionsRememberWhereTheyWere()
    {
        var c = Custom("c", [1]);
        var bytes = Sections((0, c), (1, s_voidType), (0, c), (0, c), (3, [0x01, 0x00]), (10, [0x01, 0x02, 0x00, 0x0B]), (0, c));
        var m = ModuleDecoder.Decode(bytes);
        Assert.Equal([SectionId.Custom, SectionId.Type, SectionId.Type, SectionId.Code], m.CustomSections.Select(s => s.After));
        Assert.Equal(bytes, ModuleEncoder.Encode(m));
    }

    [Fact]
    public void SectionOrder()
    {
        Assert.Equal("unexpected content after last section", Malformed(Sections((3, [0x00]), (1, [0x00]))));
        Assert.Equal("unexpected content after last section", Malformed(Sections((6, [0x00]), (6, [0x00]))));
        // The tag section sits between memory and global, the data count section between element and code.
        ModuleDecoder.Decode(Sections((5, [0x00]), (13, [0x00]), (6, [0x00])));
        ModuleDecoder.Decode(Sections((9, [0x00]), (12, [0x00]), (10, [0x00])));
        Assert.Equal("unexpected content after last section", Malformed(Sections((6, [0x00]), (13, [0x00]))));
        Assert.Equal("malformed section id", Malformed(Sections((14, [0x00]))));
    }

    [Fact]
    public void BlockStructure()
    {
        ModuleDecoder.Decode(OneFunction(0x00, 0x02, 0x40, 0x04, 0x40, 0x05, 0x0B, 0x0B, 0x0B));
        Assert.Equal("END opcode expected", Malformed(OneFunction(0x00, 0x02, 0x40, 0x05, 0x0B, 0x0B)));
        Assert.Equal("END opcode expected", Malformed(OneFunction(0x00, 0x04, 0x40, 0x05, 0x05, 0x0B, 0x0B)));
        Assert.Equal("section size mismatch", Malformed(OneFunction(0x00, 0x0B, 0x01)));
        Assert.StartsWith("unexpected end", Malformed(OneFunction(0x00, 0x02, 0x40, 0x0B)));
    }

    [Fact]
    public void LegacyExceptionHandling()
    {
        // try catch 0 catch_all end; try delegate 0; rethrow 0 inside a catch
        ModuleDecoder.Decode(OneFunction(0x00, 0x06, 0x40, 0x07, 0x00, 0x09, 0x00, 0x19, 0x0B, 0x06, 0x40, 0x18, 0x00, 0x0B));
        Assert.Equal("illegal opcode 07", Malformed(OneFunction(0x00, 0x02, 0x40, 0x07, 0x00, 0x0B, 0x0B)));
        Assert.Equal("illegal opcode 18", Malformed(OneFunction(0x00, 0x06, 0x40, 0x19, 0x18, 0x00, 0x0B)));
    }

    [Fact]
    public void DataCountIsRequiredByDataInstructions()
    {
        // array.new_data 0 0 needs the data count section like memory.init and data.drop.
        Assert.Equal("data count section required", Malformed(OneFunction(0x00, 0xFB, 0x09, 0x00, 0x00, 0x0B)));
        Assert.Equal("data count section required", Malformed(OneFunction(0x00, 0xFC, 0x09, 0x00, 0x0B)));
    }

    [Fact]
    public void TooManyLocals()
    {
        Assert.Equal("too many locals", Malformed(OneFunction(0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x01, 0x7E, 0x0B)));
        var m = ModuleDecoder.Decode(OneFunction(0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0E, 0x7F, 0x01, 0x7E, 0x0B));
        Assert.Equal(0xEFFF_FFFFUL + 1, m.Codes[0].LocalCount);
    }

    [Fact]
    public void Limits()
    {
        var m = ModuleDecoder.Decode(Sections((5, [0x02, 0x03, 0x01, 0x02, 0x04, 0x80, 0x80, 0x80, 0x80, 0x20])));
        Assert.Equal(new Limits(1, 2, Is64: false, Shared: true), m.Memories[0].Limits);
        Assert.Equal(new Limits(1UL << 33, null, Is64: true), m.Memories[1].Limits);
        Assert.Equal("malformed limits flags", Malformed(Sections((5, [0x01, 0x03, 0x01, 0x02])), DecodeOptions.Default with { Threads = false }));
        Assert.Equal("malformed limits flags", Malformed(Sections((4, [0x01, 0x70, 0x02, 0x00]))));
        Assert.Equal("invalid custom page size", Malformed(Sections((5, [0x01, 0x08, 0x00, 0x40])), DecodeOptions.Default with { CustomPageSizes = true }));
    }

    [Fact]
    public void TableInitializerFallsBackLikeTheReference()
    {
        // 0x40 0x00 (ref null func) limits, then an expression with an illegal opcode.
        Assert.Equal("malformed reference type", Malformed(Sections((4, [0x01, 0x40, 0x00, 0x70, 0x00, 0x00, 0xFF, 0x0B]))));
        var m = ModuleDecoder.Decode(Sections((4, [0x01, 0x40, 0x00, 0x70, 0x00, 0x00, 0xD0, 0x70, 0x0B])));
        Assert.NotNull(m.Tables[0].Init);
    }

    [Fact]
    public void GcTypes()
    {
        // rec { sub (struct (field (mut i8)) (field (ref null 0))); sub final 0 (array i16) }
        byte[] types = [0x01, 0x4E, 0x02, 0x50, 0x00, 0x5F, 0x02, 0x78, 0x01, 0x63, 0x00, 0x00, 0x4F, 0x01, 0x00, 0x5E, 0x77, 0x00];
        var m = ModuleDecoder.Decode(Sections((1, types)));
        var group = Assert.Single(m.RecGroups);
        Assert.True(group.IsExplicit);
        var s = Assert.IsType<StructType>(group.Types[0].Composite);
        Assert.False(group.Types[0].Final);
        Assert.Equal(new FieldType(ValType.I8, true), s.Fields[0]);
        Assert.Equal(new FieldType(ValType.Ref(HeapType.Concrete(0), true), false), s.Fields[1]);
        Assert.True(group.Types[1].Final);
        Assert.Equal([0u], group.Types[1].SuperTypes);
        Assert.Equal(ValType.I16, Assert.IsType<ArrayType>(group.Types[1].Composite).Element.StorageType);
        Assert.Equal(Sections((1, types)), ModuleEncoder.Encode(m));

        Assert.Equal("malformed definition type", Malformed(Sections((1, [0x01, 0x5D]))));
        Assert.Equal("malformed storage type", Malformed(Sections((1, [0x01, 0x5E, 0x76, 0x00]))));
        Assert.Equal("malformed mutability", Malformed(Sections((1, [0x01, 0x5E, 0x7F, 0x02]))));
    }
}
