using WasmSharp.Binary;
using WasmSharp.Model;
using static WasmSharp.Tests.Binary.ModuleBuilder;

namespace WasmSharp.Tests.Binary;

public class NameSectionTests
{
    private static NameSection FullNames()
    {
        var n = new NameSection { ModuleName = "mod" };
        n.Functions[0] = "f0";
        n.Functions[2] = "f2";
        n.Locals[0] = new() { [0] = "x", [1] = "y" };
        n.Labels[2] = new() { [0] = "outer" };
        n.Types[0] = "t";
        n.Tables[0] = "tab";
        n.Memories[0] = "mem";
        n.Globals[1] = "g";
        n.ElementSegments[0] = "e";
        n.DataSegments[0] = "d";
        n.Fields[3] = new() { [0] = "fx", [1] = "fy" };
        n.Tags[0] = "exn";
        return n;
    }

    private static void AssertSame(NameSection expected, NameSection actual)
    {
        Assert.Equal(expected.ModuleName, actual.ModuleName);
        Assert.Equal(expected.Functions, actual.Functions);
        Assert.Equal(expected.Types, actual.Types);
        Assert.Equal(expected.Tables, actual.Tables);
        Assert.Equal(expected.Memories, actual.Memories);
        Assert.Equal(expected.Globals, actual.Globals);
        Assert.Equal(expected.ElementSegments, actual.ElementSegments);
        Assert.Equal(expected.DataSegments, actual.DataSegments);
        Assert.Equal(expected.Tags, actual.Tags);
        foreach (var (a, b) in new[] { (expected.Locals, actual.Locals), (expected.Labels, actual.Labels), (expected.Fields, actual.Fields) })
        {
            Assert.Equal(a.Keys.Order(), b.Keys.Order());
            foreach (var k in a.Keys) Assert.Equal(a[k], b[k]);
        }
    }

    [Fact]
    public void AllSubsectionsRoundTrip()
    {
        var names = FullNames();
        var content = NameSectionEncoder.Encode(names);
        AssertSame(names, NameSectionDecoder.Decode(content));
    }

    [Fact]
    public void NameSectionInModuleIsParsedAndKeptRaw()
    {
        var content = NameSectionEncoder.Encode(FullNames());
        var bytes = Sections((0, Custom("name", content)));
        var m = ModuleDecoder.Decode(bytes);
        Assert.NotNull(m.Names);
        AssertSame(FullNames(), m.Names);
        var custom = Assert.Single(m.CustomSections);
        Assert.Equal("name", custom.Name);
        Assert.Equal(content, custom.Content.ToArray());
        Assert.Equal(bytes, ModuleEncoder.Encode(m));
    }

    [Fact]
    public void UnknownSubsectionsAreSkipped()
    {
        var w = new WasmWriter();
        w.WriteByte(0x42);
        w.WriteU32(2);
        w.WriteBytes([1, 2]);
        w.WriteBytes(NameSectionEncoder.Encode(new NameSection { ModuleName = "m" }));
        Assert.Equal("m", NameSectionDecoder.Decode(w.ToArray()).ModuleName);
    }

    [Theory]
    [InlineData(new byte[] { 0x01 })]                         // truncated subsection header
    [InlineData(new byte[] { 0x01, 0x05, 0x01, 0x00 })]       // size past the end
    [InlineData(new byte[] { 0x00, 0x03, 0x02, 0xC0, 0x80 })] // malformed UTF-8
    [InlineData(new byte[] { 0x00, 0x03, 0x01, 0x61, 0x00 })] // subsection longer than its content
    public void MalformedNameSectionIsIgnored(byte[] content)
    {
        Assert.Throws<MalformedException>(() => NameSectionDecoder.Decode(content));
        var m = ModuleDecoder.Decode(Sections((0, Custom("name", content))));
        Assert.Null(m.Names);
        Assert.Single(m.CustomSections);
    }

    [Fact]
    public void EncoderCanGenerateNameSection()
    {
        var m = new Module { Names = FullNames() };
        var bytes = ModuleEncoder.Encode(m, emitNames: true);
        var back = ModuleDecoder.Decode(bytes);
        Assert.NotNull(back.Names);
        AssertSame(FullNames(), back.Names);
        Assert.Equal(Header, ModuleEncoder.Encode(m));
    }
}
