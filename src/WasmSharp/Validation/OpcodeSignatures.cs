using System.Runtime.CompilerServices;
using WasmSharp.Model;

namespace WasmSharp.Validation;

/// <summary>What the code validator needs to know about an opcode, in arrays indexed without hashing.</summary>
internal sealed class OpcodeSignature
{
    public required Opcode Opcode { get; init; }
    public required ImmediateKind Immediates { get; init; }
    public ValType[]? Params { get; init; }
    public ValType[]? Results { get; init; }
    /// <summary>Natural access width in bytes of a memory instruction.</summary>
    public int MemoryBytes { get; init; }
    /// <summary>log2 of <see cref="MemoryBytes"/>.</summary>
    public int NaturalAlignLog2 { get; init; }
    /// <summary>Lane count of the vector shape, for lane-indexed instructions.</summary>
    public int Lanes { get; init; }
    public bool Atomic { get; init; }
    /// <summary>Typed by <see cref="Params"/> and <see cref="Results"/> alone.</summary>
    public bool Simple { get; init; }
    /// <summary>Allowed in a constant expression (global.get is further restricted to immutable globals).</summary>
    public bool Constant { get; init; }
}

internal static class OpcodeSignatures
{
    private static readonly OpcodeSignature?[] s_single = new OpcodeSignature?[256];
    // Indexed by prefix - 0xFB, then by sub-opcode.
    private static readonly OpcodeSignature?[][] s_prefixed = Build();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static OpcodeSignature Get(Opcode opcode)
    {
        var op = (int)opcode;
        var sig = op < 256 ? s_single[op] : s_prefixed[(op >> 16) - 0xFB][op & 0xFFFF];
        return sig ?? Missing(opcode);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static OpcodeSignature Missing(Opcode opcode) => throw new InvalidOperationException($"no signature for opcode {opcode}");

    private static OpcodeSignature?[][] Build()
    {
        var max = new int[4];
        foreach (var info in OpcodeTable.All)
        {
            var op = (int)info.Opcode;
            if (op >= 256) max[(op >> 16) - 0xFB] = Math.Max(max[(op >> 16) - 0xFB], (op & 0xFFFF) + 1);
        }
        var prefixed = new OpcodeSignature?[4][];
        for (var i = 0; i < 4; i++) prefixed[i] = new OpcodeSignature?[max[i]];
        foreach (var info in OpcodeTable.All)
        {
            var sig = Create(info);
            var op = (int)info.Opcode;
            if (op < 256) s_single[op] = sig;
            else prefixed[(op >> 16) - 0xFB][op & 0xFFFF] = sig;
        }
        return prefixed;
    }

    private static OpcodeSignature Create(OpcodeInfo info)
    {
        var imm = info.Immediates;
        var lanes = info.Name.StartsWith("i8x16.", StringComparison.Ordinal) ? 16
            : info.Name.StartsWith("i16x8.", StringComparison.Ordinal) ? 8
            : info.Name.StartsWith("i32x4.", StringComparison.Ordinal) || info.Name.StartsWith("f32x4.", StringComparison.Ordinal) ? 4
            : info.Name.StartsWith("i64x2.", StringComparison.Ordinal) || info.Name.StartsWith("f64x2.", StringComparison.Ordinal) ? 2
            : 0;
        return new OpcodeSignature
        {
            Opcode = info.Opcode,
            Immediates = imm,
            Params = info.Params,
            Results = info.Results,
            MemoryBytes = info.MemoryBytes,
            NaturalAlignLog2 = info.MemoryBytes > 0 ? System.Numerics.BitOperations.Log2((uint)info.MemoryBytes) : 0,
            Lanes = lanes,
            Atomic = info.Prefix == 0xFE && imm == ImmediateKind.MemArg,
            Simple = info.Params is not null && imm is not (ImmediateKind.MemArg or ImmediateKind.MemArgLane or ImmediateKind.Lane or ImmediateKind.Shuffle),
            Constant = info.Opcode is Opcode.I32Const or Opcode.I64Const or Opcode.F32Const or Opcode.F64Const or Opcode.V128Const
                or Opcode.I32Add or Opcode.I32Sub or Opcode.I32Mul or Opcode.I64Add or Opcode.I64Sub or Opcode.I64Mul
                or Opcode.RefNull or Opcode.RefFunc or Opcode.RefI31 or Opcode.GlobalGet or Opcode.End
                or Opcode.StructNew or Opcode.StructNewDefault or Opcode.ArrayNew or Opcode.ArrayNewDefault or Opcode.ArrayNewFixed
                or Opcode.AnyConvertExtern or Opcode.ExternConvertAny,
        };
    }
}
