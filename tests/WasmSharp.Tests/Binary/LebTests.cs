using WasmSharp.Binary;
using WasmSharp.Model;

namespace WasmSharp.Tests.Binary;

public class LebTests
{
    private static byte[] B(params int[] bytes) => [.. bytes.Select(b => (byte)b)];

    private static string Fails(byte[] bytes, Func<byte[], object> read)
    {
        var e = Assert.Throws<MalformedException>(() => read(bytes));
        return e.Reason;
    }

    private static object U32(byte[] b) { var r = new WasmReader(b); return r.ReadU32(); }
    private static object U64(byte[] b) { var r = new WasmReader(b); return r.ReadU64(); }
    private static object S32(byte[] b) { var r = new WasmReader(b); return r.ReadS32(); }
    private static object S33(byte[] b) { var r = new WasmReader(b); return r.ReadS33(); }
    private static object S64(byte[] b) { var r = new WasmReader(b); return r.ReadS64(); }

    [Fact]
    public void U32Values()
    {
        Assert.Equal(0u, U32(B(0x00)));
        Assert.Equal(127u, U32(B(0x7F)));
        Assert.Equal(128u, U32(B(0x80, 0x01)));
        Assert.Equal(uint.MaxValue, U32(B(0xFF, 0xFF, 0xFF, 0xFF, 0x0F)));
        // Overlong but within five bytes is allowed.
        Assert.Equal(0u, U32(B(0x80, 0x80, 0x80, 0x80, 0x00)));
        Assert.Equal(5u, U32(B(0x85, 0x80, 0x00)));
    }

    [Fact]
    public void U32Errors()
    {
        Assert.Equal("integer too large", Fails(B(0xFF, 0xFF, 0xFF, 0xFF, 0x1F), U32));
        Assert.Equal("integer too large", Fails(B(0x80, 0x80, 0x80, 0x80, 0x10), U32));
        Assert.Equal("integer representation too long", Fails(B(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), U32));
        Assert.Equal("integer representation too long", Fails(B(0xFF, 0xFF, 0xFF, 0xFF, 0x8F, 0x00), U32));
        Assert.StartsWith("unexpected end", Fails(B(0x80), U32));
        Assert.StartsWith("unexpected end", Fails(B(), U32));
        Assert.StartsWith("unexpected end", Fails(B(0xFF, 0xFF, 0xFF, 0xFF), U32));
    }

    [Fact]
    public void U64Values()
    {
        Assert.Equal(ulong.MaxValue, U64(B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01)));
        Assert.Equal(0x1_0000_0000ul, U64(B(0x80, 0x80, 0x80, 0x80, 0x10)));
        Assert.Equal("integer too large", Fails(B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02), U64));
        Assert.Equal("integer representation too long", Fails(B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), U64));
    }

    [Fact]
    public void S32Values()
    {
        Assert.Equal(0, S32(B(0x00)));
        Assert.Equal(-1, S32(B(0x7F)));
        Assert.Equal(63, S32(B(0x3F)));
        Assert.Equal(-64, S32(B(0x40)));
        Assert.Equal(64, S32(B(0xC0, 0x00)));
        Assert.Equal(int.MaxValue, S32(B(0xFF, 0xFF, 0xFF, 0xFF, 0x07)));
        Assert.Equal(int.MinValue, S32(B(0x80, 0x80, 0x80, 0x80, 0x78)));
        Assert.Equal(-1, S32(B(0xFF, 0xFF, 0xFF, 0xFF, 0x7F)));
        Assert.Equal(0, S32(B(0x80, 0x80, 0x80, 0x80, 0x00)));
    }

    [Fact]
    public void S32Errors()
    {
        // The unused bits of the fifth byte must all equal the sign bit.
        Assert.Equal("integer too large", Fails(B(0xFF, 0xFF, 0xFF, 0xFF, 0x0F), S32));
        Assert.Equal("integer too large", Fails(B(0x80, 0x80, 0x80, 0x80, 0x70), S32));
        Assert.Equal("integer too large", Fails(B(0xFF, 0xFF, 0xFF, 0xFF, 0x4F), S32));
        Assert.Equal("integer representation too long", Fails(B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F), S32));
        Assert.StartsWith("unexpected end", Fails(B(0xFF), S32));
    }

    [Fact]
    public void S33AndS64Values()
    {
        Assert.Equal((long)uint.MaxValue, S33(B(0xFF, 0xFF, 0xFF, 0xFF, 0x0F)));
        Assert.Equal(-(1L << 32), S33(B(0x80, 0x80, 0x80, 0x80, 0x70)));
        Assert.Equal("integer too large", Fails(B(0xFF, 0xFF, 0xFF, 0xFF, 0x1F), S33));
        Assert.Equal(long.MinValue, S64(B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F)));
        Assert.Equal(long.MaxValue, S64(B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00)));
        Assert.Equal("integer too large", Fails(B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), S64));
        Assert.Equal("integer too large", Fails(B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7E), S64));
        Assert.Equal("integer representation too long", Fails(B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F), S64));
    }

    [Fact]
    public void ErrorsCarryAbsoluteOffsets()
    {
        var e = Assert.Throws<MalformedException>(() =>
        {
            var r = new WasmReader(B(0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F), baseOffset: 100);
            r.ReadByte();
            r.ReadU32();
        });
        Assert.Equal(105, e.Location.Offset);
    }

    [Fact]
    public void WriterProducesMinimalLebsThatReadBack()
    {
        var rng = new Random(1234);
        var u32s = new List<uint> { 0, 1, 63, 64, 127, 128, 16383, 16384, uint.MaxValue, int.MaxValue };
        var s64s = new List<long> { 0, -1, 63, 64, -64, -65, long.MinValue, long.MaxValue, int.MinValue, int.MaxValue };
        for (var i = 0; i < 2000; i++)
        {
            u32s.Add((uint)rng.NextInt64(0, 1L << 32) >> rng.Next(32));
            s64s.Add(rng.NextInt64(long.MinValue, long.MaxValue) >> rng.Next(64));
        }
        foreach (var v in u32s)
        {
            var w = new WasmWriter();
            w.WriteU32(v);
            Assert.Equal(MinimalUnsignedLength(v), w.Length);
            var r = new WasmReader(w.WrittenSpan);
            Assert.Equal(v, r.ReadU32());
            Assert.True(r.IsAtEnd);
        }
        foreach (var v in s64s)
        {
            var w = new WasmWriter();
            w.WriteS64(v);
            w.WriteS32((int)v);
            w.WriteS33((long)(int)v);
            var r = new WasmReader(w.WrittenSpan);
            Assert.Equal(v, r.ReadS64());
            Assert.Equal((int)v, r.ReadS32());
            Assert.Equal((long)(int)v, r.ReadS33());
            Assert.True(r.IsAtEnd);
        }
    }

    private static int MinimalUnsignedLength(ulong v)
    {
        var n = 1;
        while (v >= 0x80)
        {
            v >>= 7;
            n++;
        }
        return n;
    }

    [Fact]
    public void FloatBitsAreLittleEndian()
    {
        var w = new WasmWriter();
        w.WriteF32Bits(0x7FC00001);
        w.WriteF64Bits(0xFFF0_0000_0000_0001);
        Assert.Equal(B(0x01, 0x00, 0xC0, 0x7F, 0x01, 0, 0, 0, 0, 0, 0xF0, 0xFF), w.ToArray());
        var r = new WasmReader(w.WrittenSpan);
        Assert.Equal(0x7FC00001u, r.ReadF32Bits());
        Assert.Equal(0xFFF0_0000_0000_0001ul, r.ReadF64Bits());
    }

    [Fact]
    public void Names()
    {
        var w = new WasmWriter();
        w.WriteName("héllo ⌣");
        var r = new WasmReader(w.WrittenSpan);
        Assert.Equal("héllo ⌣", r.ReadName());

        Assert.Equal("malformed UTF-8 encoding", Fails(B(0x02, 0xC0, 0x80), b => new WasmReader(b).ReadName()));
        Assert.Equal("malformed UTF-8 encoding", Fails(B(0x03, 0xED, 0xA0, 0x80), b => new WasmReader(b).ReadName()));
        Assert.Equal("length out of bounds", Fails(B(0x05, 0x61), b => new WasmReader(b).ReadName()));
    }

    [Fact]
    public void SizedRegionsKeepMinimalLengths()
    {
        var w = new WasmWriter();
        w.WriteByte(0xAA);
        var t = w.BeginSized();
        w.WriteBytes(new byte[200]);
        w.EndSized(t);
        var t2 = w.BeginSized();
        w.WriteByte(7);
        w.EndSized(t2);
        var bytes = w.ToArray();
        Assert.Equal(1 + 2 + 200 + 1 + 1, bytes.Length);
        Assert.Equal(B(0xAA, 0xC8, 0x01), bytes[..3]);
        Assert.Equal(B(0x01, 0x07), bytes[^2..]);
    }

    [Fact]
    public void TypesReadAndWrite()
    {
        ValType[] types =
        [
            ValType.I32, ValType.I64, ValType.F32, ValType.F64, ValType.V128, ValType.FuncRef, ValType.ExternRef,
            ValType.Ref(HeapType.Any, false), ValType.Ref(HeapType.Concrete(5), true), ValType.Ref(HeapType.Concrete(300), false),
            ValType.Ref(HeapType.Exn, true), ValType.Ref(HeapType.NoExn, false),
        ];
        var w = new WasmWriter();
        foreach (var t in types) w.WriteValType(t);
        w.WriteValType(ValType.I8);
        w.WriteBlockType(BlockType.Empty);
        w.WriteBlockType(BlockType.FromValue(ValType.F64));
        w.WriteBlockType(BlockType.FromTypeIndex(1000));
        var r = new WasmReader(w.WrittenSpan);
        foreach (var t in types) Assert.Equal(t, r.ReadValType());
        Assert.Equal(ValType.I8, r.ReadStorageType());
        Assert.Equal(BlockType.Empty, r.ReadBlockType());
        Assert.Equal(BlockType.FromValue(ValType.F64), r.ReadBlockType());
        Assert.Equal(BlockType.FromTypeIndex(1000), r.ReadBlockType());
        Assert.True(r.IsAtEnd);

        Assert.Equal("malformed reference type", Fails(B(0x00), b => new WasmReader(b).ReadValType()));
        Assert.Equal("malformed storage type", Fails(B(0x00), b => new WasmReader(b).ReadStorageType()));
        Assert.Equal("malformed heap type", Fails(B(0x40), b => new WasmReader(b).ReadHeapType()));
        Assert.Equal("integer representation too long", Fails(B(0xFF, 0x7F), b => new WasmReader(b).ReadHeapType()));
    }
}
