using WasmSharp.Model;

namespace WasmSharp.Binary;

/// <summary>Writes the binary encoding of an <see cref="Instruction"/> (the inverse of <see cref="InstructionReader"/>).</summary>
public static class InstructionEncoder
{
    public static void Write(WasmWriter writer, in Instruction instruction)
    {
        var op = (int)instruction.Opcode;
        var prefix = op >> 16;
        if (prefix != 0)
        {
            writer.WriteByte((byte)prefix);
            writer.WriteU32((uint)(op & 0xFFFF));
        }
        else
        {
            writer.WriteByte((byte)op);
        }
        WriteImmediates(writer, instruction);
    }

    /// <summary>Writes just the opcode of an instruction without immediates (e.g. <c>end</c>).</summary>
    public static void WriteOpcode(WasmWriter writer, Opcode opcode)
    {
        var op = (int)opcode;
        var prefix = op >> 16;
        if (prefix != 0)
        {
            writer.WriteByte((byte)prefix);
            writer.WriteU32((uint)(op & 0xFFFF));
        }
        else
        {
            writer.WriteByte((byte)op);
        }
    }

    private static void WriteImmediates(WasmWriter w, in Instruction ins)
    {
        var op = (int)ins.Opcode;
        var prefix = op >> 16;
        var k = prefix == 0 ? OpcodeLookup.Single((byte)op) : OpcodeLookup.Prefixed((byte)prefix, (uint)(op & 0xFFFF));
        if (k == OpcodeLookup.Illegal || (uint)op > 0xFFFFFF || (prefix == 0 && op > 0xFF))
            throw new ArgumentException($"Unknown opcode 0x{op:X}.", nameof(ins));
        switch ((ImmediateKind)k)
        {
            case ImmediateKind.None:
                break;
            case ImmediateKind.BlockType:
                w.WriteBlockType(ins.BlockType);
                break;
            case ImmediateKind.TryTable:
            {
                w.WriteBlockType(ins.BlockType);
                var catches = ins.Catches ?? [];
                w.WriteU32((uint)catches.Length);
                foreach (var c in catches)
                {
                    w.WriteByte((byte)c.Kind);
                    if (c.Kind is CatchKind.Catch or CatchKind.CatchRef) w.WriteU32(c.Tag);
                    w.WriteU32(c.Label);
                }
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
                w.WriteU32(ins.Index);
                break;
            case ImmediateKind.BrTable:
            {
                var labels = ins.Labels;
                if (labels is null || labels.Length == 0)
                    throw new ArgumentException("br_table needs at least a default label.", nameof(ins));
                w.WriteU32((uint)(labels.Length - 1));
                foreach (var l in labels) w.WriteU32(l);
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
                w.WriteU32(ins.Index);
                w.WriteU32(ins.Index2);
                break;
            case ImmediateKind.MemArg:
                WriteMemArg(w, ins.MemArg);
                break;
            case ImmediateKind.MemArgLane:
                WriteMemArg(w, ins.MemArg);
                w.WriteByte(ins.Lane);
                break;
            case ImmediateKind.Lane:
                w.WriteByte(ins.Lane);
                break;
            case ImmediateKind.I32:
                w.WriteS32((int)ins.Value);
                break;
            case ImmediateKind.I64:
                w.WriteS64((long)ins.Value);
                break;
            case ImmediateKind.F32:
                w.WriteF32Bits((uint)ins.Value);
                break;
            case ImmediateKind.F64:
                w.WriteF64Bits(ins.Value);
                break;
            case ImmediateKind.V128:
            case ImmediateKind.Shuffle:
                w.WriteF64Bits(ins.Value);
                w.WriteF64Bits(ins.ValueHigh);
                break;
            case ImmediateKind.SelectT:
            {
                var types = ins.Types ?? [];
                w.WriteU32((uint)types.Length);
                foreach (var t in types) w.WriteValType(t);
                break;
            }
            case ImmediateKind.HeapType:
                w.WriteHeapType(ins.Type.Heap);
                break;
            case ImmediateKind.AtomicFence:
                w.WriteByte(0x00);
                break;
            case ImmediateKind.BrOnCast:
            {
                var flags = (ins.Type.IsNullable ? 1 : 0) | (ins.Type2.IsNullable ? 2 : 0);
                w.WriteByte((byte)flags);
                w.WriteU32(ins.Index);
                w.WriteHeapType(ins.Type.Heap);
                w.WriteHeapType(ins.Type2.Heap);
                break;
            }
            default:
                throw new InvalidOperationException($"Unhandled immediate kind for {ins.Opcode}.");
        }
    }

    /// <summary>Writes a memarg; the memory index is written (with flag bit 6) only when it is not 0.</summary>
    public static void WriteMemArg(WasmWriter w, MemArg memArg)
    {
        if (memArg.MemoryIndex != 0)
        {
            w.WriteU32(memArg.AlignLog2 | 0x40);
            w.WriteU32(memArg.MemoryIndex);
        }
        else
        {
            w.WriteU32(memArg.AlignLog2);
        }
        w.WriteU64(memArg.Offset);
    }
}
