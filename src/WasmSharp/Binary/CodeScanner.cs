using WasmSharp.Model;

namespace WasmSharp.Binary;

/// <summary>
/// The decoder's structural pass over an expression (function body or constant expression): checks
/// every instruction's encoding and the nesting of blocks up to the final <c>end</c>, without
/// building anything. Mirrors the reference interpreter, which decodes past the declared body size
/// and only then compares sizes, so a body missing its <c>end</c> yields the same errors as there.
/// </summary>
internal static class CodeScanner
{
    private const byte FramePlain = 0;
    private const byte FrameIf = 1;
    private const byte FrameTry = 2;
    private const byte FrameTryCatch = 3;

    /// <summary>
    /// Reads from <paramref name="r"/> up to and including the <c>end</c> that closes the expression.
    /// Sets <paramref name="usesDataIndex"/> when an instruction refers to a data segment
    /// (those need the data count section).
    /// </summary>
    public static void Scan(ref WasmReader r, ref bool usesDataIndex)
    {
        Span<byte> frames = stackalloc byte[64];
        var depth = 1;
        frames[0] = FramePlain;
        var data = r.Data;
        var p = r.Position;
        while (true)
        {
            // Fast path for the common shapes: no immediates, or one one-byte LEB index.
            if ((uint)p < (uint)data.Length)
            {
                var action = s_action[data[p]];
                if (action == ActionNone)
                {
                    p++;
                    continue;
                }
                if (action == ActionIndex && (uint)(p + 1) < (uint)data.Length && data[p + 1] < 0x80)
                {
                    p += 2;
                    continue;
                }
            }

            r.Position = p;
            var opPos = r.Offset;
            var b = r.ReadByte();
            ImmediateKind kind;
            if (b < 0xFB)
            {
                var k = OpcodeLookup.Single(b);
                if (k == OpcodeLookup.Illegal) WasmReader.Fail(OpcodeLookup.IllegalMessage(b), opPos);
                kind = (ImmediateKind)k;
                switch (b)
                {
                    case 0x02: // block
                    case 0x03: // loop
                    case 0x04: // if
                    case 0x06: // try (legacy)
                    case 0x1F: // try_table
                        r.ReadBlockType();
                        if (b == 0x1F)
                        {
                            var n = r.ReadLength();
                            for (var i = 0; i < n; i++) InstructionReader.ReadCatch(ref r);
                        }
                        if (depth == frames.Length) frames = GrowFrames(frames);
                        frames[depth++] = b switch
                        {
                            0x04 => FrameIf,
                            0x06 => FrameTry,
                            _ => FramePlain,
                        };
                        p = r.Position;
                        continue;
                    case 0x05: // else
                        if (frames[depth - 1] != FrameIf) WasmReader.Fail("END opcode expected", opPos);
                        frames[depth - 1] = FramePlain;
                        p = r.Position;
                        continue;
                    case 0x07: // catch (legacy)
                    case 0x19: // catch_all (legacy)
                        if (frames[depth - 1] is not (FrameTry or FrameTryCatch)) WasmReader.Fail(OpcodeLookup.IllegalMessage(b), opPos);
                        frames[depth - 1] = FrameTryCatch;
                        if (b == 0x07) r.ReadU32();
                        p = r.Position;
                        continue;
                    case 0x18: // delegate (legacy) closes a try without catches
                        if (frames[depth - 1] != FrameTry) WasmReader.Fail(OpcodeLookup.IllegalMessage(b), opPos);
                        r.ReadU32();
                        depth--;
                        p = r.Position;
                        continue;
                    case 0x0B: // end
                        if (--depth == 0) return;
                        p = r.Position;
                        continue;
                }
                if (kind != ImmediateKind.None) SkipImmediates(ref r, kind, (Opcode)b);
            }
            else
            {
                if (b == 0xFF) WasmReader.Fail(OpcodeLookup.IllegalMessage(b), opPos);
                var sub = r.ReadU32();
                var k = OpcodeLookup.Prefixed(b, sub);
                if (k == OpcodeLookup.Illegal) WasmReader.Fail(OpcodeLookup.IllegalMessage(b, sub), opPos);
                var op = (Opcode)((b << 16) | (int)sub);
                if (op is Opcode.MemoryInit or Opcode.DataDrop or Opcode.ArrayNewData or Opcode.ArrayInitData)
                    usesDataIndex = true;
                kind = (ImmediateKind)k;
                if (kind != ImmediateKind.None) SkipImmediates(ref r, kind, op);
            }
            p = r.Position;
        }
    }

    private const byte ActionNone = 0;
    private const byte ActionIndex = 1;
    private const byte ActionSlow = 2;

    /// <summary>What the fast path may do with each opcode byte.</summary>
    private static readonly byte[] s_action = BuildActions();

    private static byte[] BuildActions()
    {
        var actions = new byte[256];
        for (var b = 0; b < 256; b++)
        {
            var k = OpcodeLookup.Single((byte)b);
            actions[b] = k switch
            {
                (byte)ImmediateKind.None => ActionNone,
                (byte)ImmediateKind.Label or (byte)ImmediateKind.Func or (byte)ImmediateKind.Local or (byte)ImmediateKind.Global
                    or (byte)ImmediateKind.I32 or (byte)ImmediateKind.I64 or (byte)ImmediateKind.Table => ActionIndex,
                _ => ActionSlow,
            };
        }
        // Structural opcodes without immediates still need the frame stack.
        foreach (var b in (ReadOnlySpan<byte>)[0x05, 0x0B, 0x07, 0x19, 0x18, 0x06]) actions[b] = ActionSlow;
        return actions;
    }

    private static Span<byte> GrowFrames(Span<byte> frames)
    {
        var bigger = new byte[frames.Length * 2];
        frames.CopyTo(bigger);
        return bigger;
    }

    private static void SkipImmediates(ref WasmReader r, ImmediateKind kind, Opcode op)
    {
        switch (kind)
        {
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
                r.ReadU32();
                break;
            case ImmediateKind.I32:
                r.ReadS32();
                break;
            case ImmediateKind.I64:
                r.ReadS64();
                break;
            case ImmediateKind.F32:
                r.Skip(4);
                break;
            case ImmediateKind.F64:
                r.Skip(8);
                break;
            case ImmediateKind.V128:
            case ImmediateKind.Shuffle:
                r.Skip(16);
                break;
            case ImmediateKind.MemArg:
                InstructionReader.ReadMemArg(ref r);
                break;
            case ImmediateKind.MemArgLane:
                InstructionReader.ReadMemArg(ref r);
                r.ReadByte();
                break;
            case ImmediateKind.Lane:
                r.ReadByte();
                break;
            case ImmediateKind.BrTable:
            {
                var n = r.ReadLength();
                for (var i = 0; i <= n; i++) r.ReadU32();
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
                r.ReadU32();
                r.ReadU32();
                break;
            case ImmediateKind.SelectT:
            {
                var n = r.ReadLength();
                for (var i = 0; i < n; i++) r.ReadValType();
                break;
            }
            case ImmediateKind.HeapType:
                r.ReadHeapType();
                break;
            case ImmediateKind.AtomicFence:
                r.Expect(0x00, "zero byte expected");
                break;
            case ImmediateKind.BrOnCast:
            {
                var flagsPos = r.Offset;
                var flags = r.ReadByte();
                if ((flags & 0xFC) != 0) WasmReader.Fail("malformed br_on_cast flags", flagsPos);
                r.ReadU32();
                r.ReadHeapType();
                r.ReadHeapType();
                break;
            }
            case ImmediateKind.BlockType:
            case ImmediateKind.TryTable:
            case ImmediateKind.None:
            default:
                throw new InvalidOperationException($"Unexpected immediate kind {kind} for {op}.");
        }
    }
}
