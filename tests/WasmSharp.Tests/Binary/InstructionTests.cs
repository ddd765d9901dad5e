using WasmSharp.Binary;
using WasmSharp.Model;

namespace WasmSharp.Tests.Binary;

public class InstructionTests
{
    /// <summary>An instruction of every opcode with non-trivial immediates of its kind.</summary>
    private static Instruction Sample(OpcodeInfo info, int seed)
    {
        var ins = new Instruction { Opcode = info.Opcode };
        var big = seed % 2 == 0;
        switch (info.Immediates)
        {
            case ImmediateKind.BlockType:
                ins.BlockType = seed % 3 == 0 ? BlockType.Empty : big ? BlockType.FromTypeIndex(70000) : BlockType.FromValue(ValType.Ref(HeapType.Concrete(3), true));
                break;
            case ImmediateKind.TryTable:
                ins.BlockType = BlockType.FromValue(ValType.I32);
                ins.Catches = [new Catch(CatchKind.Catch, 1, 2), new Catch(CatchKind.CatchRef, 300, 0), new Catch(CatchKind.CatchAll, 0, 5), new Catch(CatchKind.CatchAllRef, 0, 129)];
                break;
            case ImmediateKind.BrTable:
                ins.Labels = [0, 1, 200, 3];
                break;
            case ImmediateKind.CallIndirect:
            case ImmediateKind.MemoryInit:
            case ImmediateKind.MemoryCopy:
            case ImmediateKind.TableInit:
            case ImmediateKind.TableCopy:
            case ImmediateKind.TypeField:
            case ImmediateKind.TypeType:
            case ImmediateKind.TypeData:
            case ImmediateKind.TypeElem:
            case ImmediateKind.TypeCount:
                ins.Index = big ? 123456u : 1;
                ins.Index2 = big ? 2u : 99999;
                break;
            case ImmediateKind.MemArg:
            case ImmediateKind.MemArgLane:
                ins.MemArg = new MemArg((uint)(seed % 4), big ? 3u : 0, big ? 0xFFFF_FFFF_FFFFul : 16);
                if (info.Immediates == ImmediateKind.MemArgLane) ins.Lane = 7;
                break;
            case ImmediateKind.Lane:
                ins.Lane = 15;
                break;
            case ImmediateKind.I32:
                ins.Value = (ulong)(long)(big ? int.MinValue : 42);
                break;
            case ImmediateKind.I64:
                ins.Value = (ulong)(big ? long.MinValue : -42);
                break;
            case ImmediateKind.F32:
                ins.Value = 0x7FA0_0001;
                break;
            case ImmediateKind.F64:
                ins.Value = 0xFFF8_0000_0000_0001;
                break;
            case ImmediateKind.V128:
            case ImmediateKind.Shuffle:
                ins.Value = 0x0706050403020100;
                ins.ValueHigh = 0x0F0E0D0C0B0A0908;
                break;
            case ImmediateKind.SelectT:
                ins.Types = [ValType.Ref(HeapType.Concrete(2), false)];
                break;
            case ImmediateKind.HeapType:
            {
                var nullable = info.Opcode is Opcode.RefNull or Opcode.RefTestNull or Opcode.RefCastNull;
                ins.Type = ValType.Ref(big ? HeapType.Concrete(100000) : HeapType.Struct, nullable);
                break;
            }
            case ImmediateKind.BrOnCast:
                ins.Index = 4;
                ins.Type = ValType.Ref(HeapType.Any, true);
                ins.Type2 = ValType.Ref(HeapType.Concrete(8), big);
                break;
            case ImmediateKind.None:
            case ImmediateKind.AtomicFence:
                break;
            default:
                ins.Index = big ? uint.MaxValue : 3;
                break;
        }
        return ins;
    }

    [Fact]
    public void EveryOpcodeRoundTrips()
    {
        var w = new WasmWriter();
        var expected = new List<Instruction>();
        var seed = 0;
        foreach (var info in OpcodeTable.All)
        {
            for (var k = 0; k < 2; k++)
            {
                var ins = Sample(info, seed++);
                expected.Add(ins);
                InstructionEncoder.Write(w, ins);
            }
        }
        var bytes = w.ToArray();
        var reader = new InstructionReader(bytes, 1000);
        var i = 0;
        while (reader.TryRead(out var actual))
        {
            var e = expected[i++];
            Assert.Equal(e.Opcode, actual.Opcode);
            Assert.True(actual.Offset >= 1000);
            Assert.Equal(e.BlockType, actual.BlockType);
            Assert.Equal(e.Index, actual.Index);
            Assert.Equal(e.Index2, actual.Index2);
            Assert.Equal(e.MemArg, actual.MemArg);
            Assert.Equal(e.Lane, actual.Lane);
            Assert.Equal(e.Value, actual.Value);
            Assert.Equal(e.ValueHigh, actual.ValueHigh);
            Assert.Equal(e.Type, actual.Type);
            Assert.Equal(e.Type2, actual.Type2);
            Assert.Equal(e.Labels, actual.Labels);
            Assert.Equal(e.Types, actual.Types);
            Assert.Equal(e.Catches, actual.Catches);
        }
        Assert.Equal(expected.Count, i);
        Assert.Equal(1000 + bytes.Length, reader.Offset);
    }

    private static string ReadFails(params byte[] code)
    {
        var e = Assert.Throws<MalformedException>(() =>
        {
            var r = new InstructionReader(code, 0);
            while (r.TryRead(out _)) { }
        });
        return e.Reason;
    }

    [Fact]
    public void Errors()
    {
        Assert.Equal("illegal opcode ff", ReadFails(0xFF));
        Assert.Equal("illegal opcode 27", ReadFails(0x27));
        Assert.Equal("illegal opcode fc 7f", ReadFails(0xFC, 0x7F));
        Assert.Equal("malformed memop flags", ReadFails(0x28, 0x80, 0x01, 0x00));
        Assert.Equal("malformed br_on_cast flags", ReadFails(0xFB, 0x18, 0x04, 0x00, 0x6E, 0x6E));
        Assert.Equal("malformed catch clause", ReadFails(0x1F, 0x40, 0x01, 0x04));
        Assert.StartsWith("unexpected end", ReadFails(0x41));
        Assert.Equal("zero byte expected", ReadFails(0xFE, 0x03, 0x01));
    }

    [Fact]
    public void PrefixedSubOpcodesAreLebs()
    {
        // i32.trunc_sat_f32_s with a two-byte sub-opcode, call_indirect with a five-byte table index (as LLVM writes).
        byte[] code = [0xFC, 0x80, 0x00, 0x11, 0x00, 0x80, 0x80, 0x80, 0x80, 0x00, 0xFD, 0x8C, 0x02];
        var r = new InstructionReader(code, 0);
        Assert.True(r.TryRead(out var a));
        Assert.Equal(Opcode.I32TruncSatF32S, a.Opcode);
        Assert.True(r.TryRead(out var b));
        Assert.Equal(Opcode.CallIndirect, b.Opcode);
        Assert.Equal(0u, b.Index2);
        Assert.Equal(3, b.Offset);
        Assert.True(r.TryRead(out var c));
        Assert.Equal((Opcode)0xFD010C, c.Opcode);
        Assert.False(r.TryRead(out _));
    }

    [Fact]
    public void MemArgWithMemoryIndexAndLargeOffset()
    {
        byte[] code = [0x28, 0x42, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
        var r = new InstructionReader(code, 0);
        Assert.True(r.TryRead(out var ins));
        Assert.Equal(new MemArg(2, 5, ulong.MaxValue), ins.MemArg);
    }
}
