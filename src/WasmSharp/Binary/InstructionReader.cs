using WasmSharp.Model;

namespace WasmSharp.Binary;

/// <summary>
/// Decodes instructions one at a time from a function body or constant expression
/// (<see cref="FunctionBody.Code"/>, <see cref="ConstExpr.Code"/>). It checks the encoding of each
/// instruction but not the block structure; <see cref="ModuleDecoder"/> has already checked that.
/// Only br_table, typed select and try_table allocate (their variable-length immediates).
/// </summary>
public ref struct InstructionReader
{
    private WasmReader _r;

    /// <param name="code">The instruction bytes.</param>
    /// <param name="baseOffset">Absolute offset of <paramref name="code"/>[0], used for error locations and <see cref="Instruction.Offset"/>.</param>
    public InstructionReader(ReadOnlySpan<byte> code, int baseOffset)
    {
        _r = new WasmReader(code, baseOffset);
    }

    /// <summary>Absolute offset of the next byte.</summary>
    public readonly int Offset => _r.Offset;

    /// <summary>Position of the next byte relative to the start of the code.</summary>
    public readonly int Position => _r.Position;

    public readonly bool IsAtEnd => _r.IsAtEnd;

    /// <summary>Decodes the next instruction; false at the end of the code.</summary>
    public bool TryRead(out Instruction instruction)
    {
        instruction = default;
        if (_r.IsAtEnd) return false;
        instruction.Offset = _r.Offset;
        var b = _r.ReadByte();
        byte kind;
        if (OpcodeLookup.IsPrefix(b))
        {
            var sub = _r.ReadU32();
            kind = OpcodeLookup.Prefixed(b, sub);
            if (kind == OpcodeLookup.Illegal) WasmReader.Fail(OpcodeLookup.IllegalMessage(b, sub), instruction.Offset);
            instruction.Opcode = (Opcode)((b << 16) | (int)sub);
        }
        else
        {
            kind = OpcodeLookup.Single(b);
            if (kind == OpcodeLookup.Illegal) WasmReader.Fail(OpcodeLookup.IllegalMessage(b), instruction.Offset);
            instruction.Opcode = (Opcode)b;
            // Most instructions have no immediates or one small index; skip the general path for them.
            if (kind == (byte)ImmediateKind.None) return true;
            if (kind is (byte)ImmediateKind.Local or (byte)ImmediateKind.Global or (byte)ImmediateKind.Label or (byte)ImmediateKind.Func)
            {
                instruction.Index = _r.ReadU32();
                return true;
            }
        }
        ReadImmediates(ref _r, (ImmediateKind)kind, ref instruction);
        return true;
    }

    private static void ReadImmediates(ref WasmReader r, ImmediateKind kind, ref Instruction ins)
    {
        switch (kind)
        {
            case ImmediateKind.None:
                break;
            case ImmediateKind.BlockType:
                ins.BlockType = r.ReadBlockType();
                break;
            case ImmediateKind.TryTable:
            {
                ins.BlockType = r.ReadBlockType();
                var n = r.ReadLength();
                var catches = n == 0 ? [] : new Catch[n];
                for (var i = 0; i < n; i++) catches[i] = ReadCatch(ref r);
                ins.Catches = catches;
                break;
            }
            case ImmediateKind.Label:
            case ImmediateKind.Func:
            case ImmediateKind.Type:
            case ImmediateKind.Tag:
            case ImmediateKind.Local:
            case ImmediateKind.Global:
            case ImmediateKind.Table:
            case ImmediateKind.Memory:
            case ImmediateKind.Data:
            case ImmediateKind.Elem:
                ins.Index = r.ReadU32();
                break;
            case ImmediateKind.BrTable:
            {
                var n = r.ReadLength();
                var labels = new uint[n + 1];
                for (var i = 0; i <= n; i++) labels[i] = r.ReadU32();
                ins.Labels = labels;
                break;
            }
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
                ins.Index = r.ReadU32();
                ins.Index2 = r.ReadU32();
                break;
            case ImmediateKind.MemArg:
                ins.MemArg = ReadMemArg(ref r);
                break;
            case ImmediateKind.MemArgLane:
                ins.MemArg = ReadMemArg(ref r);
                ins.Lane = r.ReadByte();
                break;
            case ImmediateKind.Lane:
                ins.Lane = r.ReadByte();
                break;
            case ImmediateKind.I32:
                ins.Value = (ulong)(long)r.ReadS32();
                break;
            case ImmediateKind.I64:
                ins.Value = (ulong)r.ReadS64();
                break;
            case ImmediateKind.F32:
                ins.Value = r.ReadF32Bits();
                break;
            case ImmediateKind.F64:
                ins.Value = r.ReadF64Bits();
                break;
            case ImmediateKind.V128:
            case ImmediateKind.Shuffle:
                ins.Value = r.ReadFixedU64();
                ins.ValueHigh = r.ReadFixedU64();
                break;
            case ImmediateKind.SelectT:
            {
                var n = r.ReadLength();
                var types = n == 0 ? [] : new ValType[n];
                for (var i = 0; i < n; i++) types[i] = r.ReadValType();
                ins.Types = types;
                break;
            }
            case ImmediateKind.HeapType:
            {
                var heap = r.ReadHeapType();
                var nullable = ins.Opcode is Opcode.RefNull or Opcode.RefTestNull or Opcode.RefCastNull;
                ins.Type = ValType.Ref(heap, nullable);
                break;
            }
            case ImmediateKind.AtomicFence:
                r.Expect(0x00, "zero byte expected");
                break;
            case ImmediateKind.BrOnCast:
            {
                var flagsPos = r.Offset;
                var flags = r.ReadByte();
                if ((flags & 0xFC) != 0) WasmReader.Fail("malformed br_on_cast flags", flagsPos);
                ins.Index = r.ReadU32();
                ins.Type = ValType.Ref(r.ReadHeapType(), (flags & 1) != 0);
                ins.Type2 = ValType.Ref(r.ReadHeapType(), (flags & 2) != 0);
                break;
            }
            default:
                throw new InvalidOperationException($"Unhandled immediate kind {kind}.");
        }
    }

    internal static MemArg ReadMemArg(ref WasmReader r)
    {
        var p = r.Offset;
        var flags = r.ReadU32();
        if (flags >= 0x80) WasmReader.Fail("malformed memop flags", p);
        var memory = (flags & 0x40) != 0 ? r.ReadU32() : 0;
        var offset = r.ReadU64();
        return new MemArg(flags & 0x3F, memory, offset);
    }

    internal static Catch ReadCatch(ref WasmReader r)
    {
        var p = r.Offset;
        var k = r.ReadByte();
        switch (k)
        {
            case 0x00:
            case 0x01:
            {
                var tag = r.ReadU32();
                var label = r.ReadU32();
                return new Catch((CatchKind)k, tag, label);
            }
            case 0x02:
            case 0x03:
                return new Catch((CatchKind)k, 0, r.ReadU32());
            default:
                WasmReader.Fail("malformed catch clause", p);
                return default;
        }
    }
}
