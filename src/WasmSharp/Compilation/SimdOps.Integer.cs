using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmSharp.Model;
using V = System.Runtime.Intrinsics.Vector128<byte>;

namespace WasmSharp.Compilation;

internal static partial class SimdOps
{
    // ---- i8x16 ----

    [Op(Opcode.I8x16Abs), MethodImpl(Inline)] internal static V I8x16Abs(V a) => Vector128.Abs(a.AsSByte()).AsByte();
    [Op(Opcode.I8x16Neg), MethodImpl(Inline)] internal static V I8x16Neg(V a) => (V.Zero - a);

    [Op(Opcode.I8x16Popcnt), MethodImpl(Inline)]
    internal static V I8x16Popcnt(V a)
    {
        var table = Vector128.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
        var nibble = Vector128.Create((byte)0x0F);
        return Vector128.Shuffle(table, a & nibble) + Vector128.Shuffle(table, Vector128.ShiftRightLogical(a, 4) & nibble);
    }

    [Op(Opcode.I8x16AllTrue), MethodImpl(Inline)] internal static int I8x16AllTrue(V a) => Vector128.EqualsAny(a, V.Zero) ? 0 : 1;
    [Op(Opcode.I8x16Bitmask), MethodImpl(Inline)] internal static int I8x16Bitmask(V a) => (int)Vector128.ExtractMostSignificantBits(a);

    [Op(Opcode.I8x16NarrowI16x8S), MethodImpl(Inline)]
    internal static V I8x16NarrowI16x8S(V a, V b) => Vector128.NarrowWithSaturation(a.AsInt16(), b.AsInt16()).AsByte();

    [Op(Opcode.I8x16NarrowI16x8U), MethodImpl(Inline)]
    internal static V I8x16NarrowI16x8U(V a, V b)
    {
        var lo = Vector128.Create((short)0);
        var hi = Vector128.Create((short)255);
        return Vector128.Narrow(Vector128.Clamp(a.AsInt16(), lo, hi).AsUInt16(), Vector128.Clamp(b.AsInt16(), lo, hi).AsUInt16());
    }

    [Op(Opcode.I8x16Shl), MethodImpl(Inline)] internal static V I8x16Shl(V a, int n) => Vector128.ShiftLeft(a, n & 7);
    [Op(Opcode.I8x16ShrS), MethodImpl(Inline)] internal static V I8x16ShrS(V a, int n) => Vector128.ShiftRightArithmetic(a.AsSByte(), n & 7).AsByte();
    [Op(Opcode.I8x16ShrU), MethodImpl(Inline)] internal static V I8x16ShrU(V a, int n) => Vector128.ShiftRightLogical(a, n & 7);
    [Op(Opcode.I8x16Add), MethodImpl(Inline)] internal static V I8x16Add(V a, V b) => a + b;
    [Op(Opcode.I8x16AddSatS), MethodImpl(Inline)] internal static V I8x16AddSatS(V a, V b) => Vector128.AddSaturate(a.AsSByte(), b.AsSByte()).AsByte();
    [Op(Opcode.I8x16AddSatU), MethodImpl(Inline)] internal static V I8x16AddSatU(V a, V b) => Vector128.AddSaturate(a, b);
    [Op(Opcode.I8x16Sub), MethodImpl(Inline)] internal static V I8x16Sub(V a, V b) => a - b;
    [Op(Opcode.I8x16SubSatS), MethodImpl(Inline)] internal static V I8x16SubSatS(V a, V b) => Vector128.SubtractSaturate(a.AsSByte(), b.AsSByte()).AsByte();
    [Op(Opcode.I8x16SubSatU), MethodImpl(Inline)] internal static V I8x16SubSatU(V a, V b) => Vector128.SubtractSaturate(a, b);
    [Op(Opcode.I8x16MinS), MethodImpl(Inline)] internal static V I8x16MinS(V a, V b) => Vector128.Min(a.AsSByte(), b.AsSByte()).AsByte();
    [Op(Opcode.I8x16MinU), MethodImpl(Inline)] internal static V I8x16MinU(V a, V b) => Vector128.Min(a, b);
    [Op(Opcode.I8x16MaxS), MethodImpl(Inline)] internal static V I8x16MaxS(V a, V b) => Vector128.Max(a.AsSByte(), b.AsSByte()).AsByte();
    [Op(Opcode.I8x16MaxU), MethodImpl(Inline)] internal static V I8x16MaxU(V a, V b) => Vector128.Max(a, b);

    // (a + b + 1) / 2 without overflow.
    [Op(Opcode.I8x16AvgrU), MethodImpl(Inline)] internal static V I8x16AvgrU(V a, V b) => (a | b) - Vector128.ShiftRightLogical(a ^ b, 1);

    // ---- i16x8 ----

    [Op(Opcode.I16x8ExtaddPairwiseI8x16S), MethodImpl(Inline)]
    internal static V I16x8ExtaddPairwiseI8x16S(V a)
    {
        var w = a.AsInt16();
        return (Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(w, 8), 8) + Vector128.ShiftRightArithmetic(w, 8)).AsByte();
    }

    [Op(Opcode.I16x8ExtaddPairwiseI8x16U), MethodImpl(Inline)]
    internal static V I16x8ExtaddPairwiseI8x16U(V a)
    {
        var w = a.AsUInt16();
        return ((w & Vector128.Create((ushort)0xFF)) + Vector128.ShiftRightLogical(w, 8)).AsByte();
    }

    [Op(Opcode.I16x8Abs), MethodImpl(Inline)] internal static V I16x8Abs(V a) => Vector128.Abs(a.AsInt16()).AsByte();
    [Op(Opcode.I16x8Neg), MethodImpl(Inline)] internal static V I16x8Neg(V a) => (-a.AsInt16()).AsByte();

    [Op(Opcode.I16x8Q15mulrSatS), Op(Opcode.I16x8RelaxedQ15mulrS), MethodImpl(Inline)]
    internal static V I16x8Q15mulrSatS(V a, V b)
    {
        var (al, ah) = Vector128.Widen(a.AsInt16());
        var (bl, bh) = Vector128.Widen(b.AsInt16());
        var round = Vector128.Create(0x4000);
        var lo = Vector128.ShiftRightArithmetic(al * bl + round, 15);
        var hi = Vector128.ShiftRightArithmetic(ah * bh + round, 15);
        return Vector128.NarrowWithSaturation(lo, hi).AsByte();
    }

    [Op(Opcode.I16x8AllTrue), MethodImpl(Inline)] internal static int I16x8AllTrue(V a) => Vector128.EqualsAny(a.AsInt16(), Vector128<short>.Zero) ? 0 : 1;
    [Op(Opcode.I16x8Bitmask), MethodImpl(Inline)] internal static int I16x8Bitmask(V a) => (int)Vector128.ExtractMostSignificantBits(a.AsInt16());

    [Op(Opcode.I16x8NarrowI32x4S), MethodImpl(Inline)]
    internal static V I16x8NarrowI32x4S(V a, V b) => Vector128.NarrowWithSaturation(a.AsInt32(), b.AsInt32()).AsByte();

    [Op(Opcode.I16x8NarrowI32x4U), MethodImpl(Inline)]
    internal static V I16x8NarrowI32x4U(V a, V b)
    {
        var lo = Vector128.Create(0);
        var hi = Vector128.Create(65535);
        return Vector128.Narrow(Vector128.Clamp(a.AsInt32(), lo, hi).AsUInt32(), Vector128.Clamp(b.AsInt32(), lo, hi).AsUInt32()).AsByte();
    }

    [Op(Opcode.I16x8ExtendLowI8x16S), MethodImpl(Inline)] internal static V I16x8ExtendLowI8x16S(V a) => Vector128.WidenLower(a.AsSByte()).AsByte();
    [Op(Opcode.I16x8ExtendHighI8x16S), MethodImpl(Inline)] internal static V I16x8ExtendHighI8x16S(V a) => Vector128.WidenUpper(a.AsSByte()).AsByte();
    [Op(Opcode.I16x8ExtendLowI8x16U), MethodImpl(Inline)] internal static V I16x8ExtendLowI8x16U(V a) => Vector128.WidenLower(a).AsByte();
    [Op(Opcode.I16x8ExtendHighI8x16U), MethodImpl(Inline)] internal static V I16x8ExtendHighI8x16U(V a) => Vector128.WidenUpper(a).AsByte();
    [Op(Opcode.I16x8Shl), MethodImpl(Inline)] internal static V I16x8Shl(V a, int n) => Vector128.ShiftLeft(a.AsInt16(), n & 15).AsByte();
    [Op(Opcode.I16x8ShrS), MethodImpl(Inline)] internal static V I16x8ShrS(V a, int n) => Vector128.ShiftRightArithmetic(a.AsInt16(), n & 15).AsByte();
    [Op(Opcode.I16x8ShrU), MethodImpl(Inline)] internal static V I16x8ShrU(V a, int n) => Vector128.ShiftRightLogical(a.AsUInt16(), n & 15).AsByte();
    [Op(Opcode.I16x8Add), MethodImpl(Inline)] internal static V I16x8Add(V a, V b) => (a.AsInt16() + b.AsInt16()).AsByte();
    [Op(Opcode.I16x8AddSatS), MethodImpl(Inline)] internal static V I16x8AddSatS(V a, V b) => Vector128.AddSaturate(a.AsInt16(), b.AsInt16()).AsByte();
    [Op(Opcode.I16x8AddSatU), MethodImpl(Inline)] internal static V I16x8AddSatU(V a, V b) => Vector128.AddSaturate(a.AsUInt16(), b.AsUInt16()).AsByte();
    [Op(Opcode.I16x8Sub), MethodImpl(Inline)] internal static V I16x8Sub(V a, V b) => (a.AsInt16() - b.AsInt16()).AsByte();
    [Op(Opcode.I16x8SubSatS), MethodImpl(Inline)] internal static V I16x8SubSatS(V a, V b) => Vector128.SubtractSaturate(a.AsInt16(), b.AsInt16()).AsByte();
    [Op(Opcode.I16x8SubSatU), MethodImpl(Inline)] internal static V I16x8SubSatU(V a, V b) => Vector128.SubtractSaturate(a.AsUInt16(), b.AsUInt16()).AsByte();
    [Op(Opcode.I16x8Mul), MethodImpl(Inline)] internal static V I16x8Mul(V a, V b) => (a.AsInt16() * b.AsInt16()).AsByte();
    [Op(Opcode.I16x8MinS), MethodImpl(Inline)] internal static V I16x8MinS(V a, V b) => Vector128.Min(a.AsInt16(), b.AsInt16()).AsByte();
    [Op(Opcode.I16x8MinU), MethodImpl(Inline)] internal static V I16x8MinU(V a, V b) => Vector128.Min(a.AsUInt16(), b.AsUInt16()).AsByte();
    [Op(Opcode.I16x8MaxS), MethodImpl(Inline)] internal static V I16x8MaxS(V a, V b) => Vector128.Max(a.AsInt16(), b.AsInt16()).AsByte();
    [Op(Opcode.I16x8MaxU), MethodImpl(Inline)] internal static V I16x8MaxU(V a, V b) => Vector128.Max(a.AsUInt16(), b.AsUInt16()).AsByte();

    [Op(Opcode.I16x8AvgrU), MethodImpl(Inline)]
    internal static V I16x8AvgrU(V a, V b)
    {
        var x = a.AsUInt16();
        var y = b.AsUInt16();
        return ((x | y) - Vector128.ShiftRightLogical(x ^ y, 1)).AsByte();
    }

    [Op(Opcode.I16x8ExtmulLowI8x16S), MethodImpl(Inline)]
    internal static V I16x8ExtmulLowI8x16S(V a, V b) => (Vector128.WidenLower(a.AsSByte()) * Vector128.WidenLower(b.AsSByte())).AsByte();

    [Op(Opcode.I16x8ExtmulHighI8x16S), MethodImpl(Inline)]
    internal static V I16x8ExtmulHighI8x16S(V a, V b) => (Vector128.WidenUpper(a.AsSByte()) * Vector128.WidenUpper(b.AsSByte())).AsByte();

    [Op(Opcode.I16x8ExtmulLowI8x16U), MethodImpl(Inline)]
    internal static V I16x8ExtmulLowI8x16U(V a, V b) => (Vector128.WidenLower(a) * Vector128.WidenLower(b)).AsByte();

    [Op(Opcode.I16x8ExtmulHighI8x16U), MethodImpl(Inline)]
    internal static V I16x8ExtmulHighI8x16U(V a, V b) => (Vector128.WidenUpper(a) * Vector128.WidenUpper(b)).AsByte();

    // ---- i32x4 ----

    [Op(Opcode.I32x4ExtaddPairwiseI16x8S), MethodImpl(Inline)]
    internal static V I32x4ExtaddPairwiseI16x8S(V a)
    {
        var w = a.AsInt32();
        return (Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(w, 16), 16) + Vector128.ShiftRightArithmetic(w, 16)).AsByte();
    }

    [Op(Opcode.I32x4ExtaddPairwiseI16x8U), MethodImpl(Inline)]
    internal static V I32x4ExtaddPairwiseI16x8U(V a)
    {
        var w = a.AsUInt32();
        return ((w & Vector128.Create(0xFFFFu)) + Vector128.ShiftRightLogical(w, 16)).AsByte();
    }

    [Op(Opcode.I32x4Abs), MethodImpl(Inline)] internal static V I32x4Abs(V a) => Vector128.Abs(a.AsInt32()).AsByte();
    [Op(Opcode.I32x4Neg), MethodImpl(Inline)] internal static V I32x4Neg(V a) => (-a.AsInt32()).AsByte();
    [Op(Opcode.I32x4AllTrue), MethodImpl(Inline)] internal static int I32x4AllTrue(V a) => Vector128.EqualsAny(a.AsInt32(), Vector128<int>.Zero) ? 0 : 1;
    [Op(Opcode.I32x4Bitmask), MethodImpl(Inline)] internal static int I32x4Bitmask(V a) => (int)Vector128.ExtractMostSignificantBits(a.AsInt32());
    [Op(Opcode.I32x4ExtendLowI16x8S), MethodImpl(Inline)] internal static V I32x4ExtendLowI16x8S(V a) => Vector128.WidenLower(a.AsInt16()).AsByte();
    [Op(Opcode.I32x4ExtendHighI16x8S), MethodImpl(Inline)] internal static V I32x4ExtendHighI16x8S(V a) => Vector128.WidenUpper(a.AsInt16()).AsByte();
    [Op(Opcode.I32x4ExtendLowI16x8U), MethodImpl(Inline)] internal static V I32x4ExtendLowI16x8U(V a) => Vector128.WidenLower(a.AsUInt16()).AsByte();
    [Op(Opcode.I32x4ExtendHighI16x8U), MethodImpl(Inline)] internal static V I32x4ExtendHighI16x8U(V a) => Vector128.WidenUpper(a.AsUInt16()).AsByte();
    [Op(Opcode.I32x4Shl), MethodImpl(Inline)] internal static V I32x4Shl(V a, int n) => Vector128.ShiftLeft(a.AsInt32(), n & 31).AsByte();
    [Op(Opcode.I32x4ShrS), MethodImpl(Inline)] internal static V I32x4ShrS(V a, int n) => Vector128.ShiftRightArithmetic(a.AsInt32(), n & 31).AsByte();
    [Op(Opcode.I32x4ShrU), MethodImpl(Inline)] internal static V I32x4ShrU(V a, int n) => Vector128.ShiftRightLogical(a.AsUInt32(), n & 31).AsByte();
    [Op(Opcode.I32x4Add), MethodImpl(Inline)] internal static V I32x4Add(V a, V b) => (a.AsInt32() + b.AsInt32()).AsByte();
    [Op(Opcode.I32x4Sub), MethodImpl(Inline)] internal static V I32x4Sub(V a, V b) => (a.AsInt32() - b.AsInt32()).AsByte();
    [Op(Opcode.I32x4Mul), MethodImpl(Inline)] internal static V I32x4Mul(V a, V b) => (a.AsInt32() * b.AsInt32()).AsByte();
    [Op(Opcode.I32x4MinS), MethodImpl(Inline)] internal static V I32x4MinS(V a, V b) => Vector128.Min(a.AsInt32(), b.AsInt32()).AsByte();
    [Op(Opcode.I32x4MinU), MethodImpl(Inline)] internal static V I32x4MinU(V a, V b) => Vector128.Min(a.AsUInt32(), b.AsUInt32()).AsByte();
    [Op(Opcode.I32x4MaxS), MethodImpl(Inline)] internal static V I32x4MaxS(V a, V b) => Vector128.Max(a.AsInt32(), b.AsInt32()).AsByte();
    [Op(Opcode.I32x4MaxU), MethodImpl(Inline)] internal static V I32x4MaxU(V a, V b) => Vector128.Max(a.AsUInt32(), b.AsUInt32()).AsByte();

    [Op(Opcode.I32x4DotI16x8S), MethodImpl(Inline)]
    internal static V I32x4DotI16x8S(V a, V b)
    {
        var x = a.AsInt32();
        var y = b.AsInt32();
        var xe = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(x, 16), 16);
        var ye = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(y, 16), 16);
        return (xe * ye + Vector128.ShiftRightArithmetic(x, 16) * Vector128.ShiftRightArithmetic(y, 16)).AsByte();
    }

    [Op(Opcode.I32x4ExtmulLowI16x8S), MethodImpl(Inline)]
    internal static V I32x4ExtmulLowI16x8S(V a, V b) => (Vector128.WidenLower(a.AsInt16()) * Vector128.WidenLower(b.AsInt16())).AsByte();

    [Op(Opcode.I32x4ExtmulHighI16x8S), MethodImpl(Inline)]
    internal static V I32x4ExtmulHighI16x8S(V a, V b) => (Vector128.WidenUpper(a.AsInt16()) * Vector128.WidenUpper(b.AsInt16())).AsByte();

    [Op(Opcode.I32x4ExtmulLowI16x8U), MethodImpl(Inline)]
    internal static V I32x4ExtmulLowI16x8U(V a, V b) => (Vector128.WidenLower(a.AsUInt16()) * Vector128.WidenLower(b.AsUInt16())).AsByte();

    [Op(Opcode.I32x4ExtmulHighI16x8U), MethodImpl(Inline)]
    internal static V I32x4ExtmulHighI16x8U(V a, V b) => (Vector128.WidenUpper(a.AsUInt16()) * Vector128.WidenUpper(b.AsUInt16())).AsByte();

    // ---- i64x2 ----

    [Op(Opcode.I64x2Abs), MethodImpl(Inline)] internal static V I64x2Abs(V a) => Vector128.Abs(a.AsInt64()).AsByte();
    [Op(Opcode.I64x2Neg), MethodImpl(Inline)] internal static V I64x2Neg(V a) => (-a.AsInt64()).AsByte();
    [Op(Opcode.I64x2AllTrue), MethodImpl(Inline)] internal static int I64x2AllTrue(V a) => Vector128.EqualsAny(a.AsInt64(), Vector128<long>.Zero) ? 0 : 1;
    [Op(Opcode.I64x2Bitmask), MethodImpl(Inline)] internal static int I64x2Bitmask(V a) => (int)Vector128.ExtractMostSignificantBits(a.AsInt64());
    [Op(Opcode.I64x2ExtendLowI32x4S), MethodImpl(Inline)] internal static V I64x2ExtendLowI32x4S(V a) => Vector128.WidenLower(a.AsInt32()).AsByte();
    [Op(Opcode.I64x2ExtendHighI32x4S), MethodImpl(Inline)] internal static V I64x2ExtendHighI32x4S(V a) => Vector128.WidenUpper(a.AsInt32()).AsByte();
    [Op(Opcode.I64x2ExtendLowI32x4U), MethodImpl(Inline)] internal static V I64x2ExtendLowI32x4U(V a) => Vector128.WidenLower(a.AsUInt32()).AsByte();
    [Op(Opcode.I64x2ExtendHighI32x4U), MethodImpl(Inline)] internal static V I64x2ExtendHighI32x4U(V a) => Vector128.WidenUpper(a.AsUInt32()).AsByte();
    [Op(Opcode.I64x2Shl), MethodImpl(Inline)] internal static V I64x2Shl(V a, int n) => Vector128.ShiftLeft(a.AsInt64(), n & 63).AsByte();
    [Op(Opcode.I64x2ShrS), MethodImpl(Inline)] internal static V I64x2ShrS(V a, int n) => Vector128.ShiftRightArithmetic(a.AsInt64(), n & 63).AsByte();
    [Op(Opcode.I64x2ShrU), MethodImpl(Inline)] internal static V I64x2ShrU(V a, int n) => Vector128.ShiftRightLogical(a.AsUInt64(), n & 63).AsByte();
    [Op(Opcode.I64x2Add), MethodImpl(Inline)] internal static V I64x2Add(V a, V b) => (a.AsInt64() + b.AsInt64()).AsByte();
    [Op(Opcode.I64x2Sub), MethodImpl(Inline)] internal static V I64x2Sub(V a, V b) => (a.AsInt64() - b.AsInt64()).AsByte();
    [Op(Opcode.I64x2Mul), MethodImpl(Inline)] internal static V I64x2Mul(V a, V b) => (a.AsInt64() * b.AsInt64()).AsByte();

    [Op(Opcode.I64x2ExtmulLowI32x4S), MethodImpl(Inline)]
    internal static V I64x2ExtmulLowI32x4S(V a, V b) => (Vector128.WidenLower(a.AsInt32()) * Vector128.WidenLower(b.AsInt32())).AsByte();

    [Op(Opcode.I64x2ExtmulHighI32x4S), MethodImpl(Inline)]
    internal static V I64x2ExtmulHighI32x4S(V a, V b) => (Vector128.WidenUpper(a.AsInt32()) * Vector128.WidenUpper(b.AsInt32())).AsByte();

    [Op(Opcode.I64x2ExtmulLowI32x4U), MethodImpl(Inline)]
    internal static V I64x2ExtmulLowI32x4U(V a, V b) => (Vector128.WidenLower(a.AsUInt32()) * Vector128.WidenLower(b.AsUInt32())).AsByte();

    [Op(Opcode.I64x2ExtmulHighI32x4U), MethodImpl(Inline)]
    internal static V I64x2ExtmulHighI32x4U(V a, V b) => (Vector128.WidenUpper(a.AsUInt32()) * Vector128.WidenUpper(b.AsUInt32())).AsByte();

    // ---- Relaxed dot products (deterministic: b's lanes are read as signed, sums wrap) ----

    [Op(Opcode.I16x8RelaxedDotI8x16I7x16S), MethodImpl(Inline)]
    internal static V I16x8RelaxedDotI8x16I7x16S(V a, V b)
    {
        var x = a.AsInt16();
        var y = b.AsInt16();
        var xe = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(x, 8), 8);
        var ye = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(y, 8), 8);
        return (xe * ye + Vector128.ShiftRightArithmetic(x, 8) * Vector128.ShiftRightArithmetic(y, 8)).AsByte();
    }

    [Op(Opcode.I32x4RelaxedDotI8x16I7x16AddS), MethodImpl(Inline)]
    internal static V I32x4RelaxedDotI8x16I7x16AddS(V a, V b, V c) =>
        (I32x4ExtaddPairwiseI16x8S(I16x8RelaxedDotI8x16I7x16S(a, b)).AsInt32() + c.AsInt32()).AsByte();
}
