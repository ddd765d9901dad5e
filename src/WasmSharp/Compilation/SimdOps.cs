using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmSharp.Model;
using V = System.Runtime.Intrinsics.Vector128<byte>;

namespace WasmSharp.Compilation;

/// <summary>
/// SIMD instructions over <c>Vector128&lt;byte&gt;</c>, reinterpreted per lane shape. Cross-platform
/// <see cref="Vector128"/> operations give hardware acceleration where present and exact software
/// fallbacks elsewhere; where the .NET operation's edge cases differ from Wasm's (NaN handling in
/// min/max, saturating conversions, rounding of unsigned conversions) the helper spells out Wasm's rules.
/// Lane indices arrive as a trailing constant argument, so after inlining the JIT sees a constant.
/// </summary>
internal static partial class SimdOps
{
    private const MethodImplOptions Inline = MethodImplOptions.AggressiveInlining;

    // ---- Splat, extract, replace ----

    [Op(Opcode.I8x16Splat), MethodImpl(Inline)] internal static V I8x16Splat(int x) => Vector128.Create((byte)x);
    [Op(Opcode.I16x8Splat), MethodImpl(Inline)] internal static V I16x8Splat(int x) => Vector128.Create((short)x).AsByte();
    [Op(Opcode.I32x4Splat), MethodImpl(Inline)] internal static V I32x4Splat(int x) => Vector128.Create(x).AsByte();
    [Op(Opcode.I64x2Splat), MethodImpl(Inline)] internal static V I64x2Splat(long x) => Vector128.Create(x).AsByte();
    [Op(Opcode.F32x4Splat), MethodImpl(Inline)] internal static V F32x4Splat(float x) => Vector128.Create(x).AsByte();
    [Op(Opcode.F64x2Splat), MethodImpl(Inline)] internal static V F64x2Splat(double x) => Vector128.Create(x).AsByte();

    [Op(Opcode.I8x16ExtractLaneS), MethodImpl(Inline)] internal static int I8x16ExtractLaneS(V v, int lane) => v.AsSByte().GetElement(lane);
    [Op(Opcode.I8x16ExtractLaneU), MethodImpl(Inline)] internal static int I8x16ExtractLaneU(V v, int lane) => v.GetElement(lane);
    [Op(Opcode.I16x8ExtractLaneS), MethodImpl(Inline)] internal static int I16x8ExtractLaneS(V v, int lane) => v.AsInt16().GetElement(lane);
    [Op(Opcode.I16x8ExtractLaneU), MethodImpl(Inline)] internal static int I16x8ExtractLaneU(V v, int lane) => v.AsUInt16().GetElement(lane);
    [Op(Opcode.I32x4ExtractLane), MethodImpl(Inline)] internal static int I32x4ExtractLane(V v, int lane) => v.AsInt32().GetElement(lane);
    [Op(Opcode.I64x2ExtractLane), MethodImpl(Inline)] internal static long I64x2ExtractLane(V v, int lane) => v.AsInt64().GetElement(lane);
    [Op(Opcode.F32x4ExtractLane), MethodImpl(Inline)] internal static float F32x4ExtractLane(V v, int lane) => v.AsSingle().GetElement(lane);
    [Op(Opcode.F64x2ExtractLane), MethodImpl(Inline)] internal static double F64x2ExtractLane(V v, int lane) => v.AsDouble().GetElement(lane);

    [Op(Opcode.I8x16ReplaceLane), MethodImpl(Inline)] internal static V I8x16ReplaceLane(V v, int x, int lane) => v.WithElement(lane, (byte)x);
    [Op(Opcode.I16x8ReplaceLane), MethodImpl(Inline)] internal static V I16x8ReplaceLane(V v, int x, int lane) => v.AsInt16().WithElement(lane, (short)x).AsByte();
    [Op(Opcode.I32x4ReplaceLane), MethodImpl(Inline)] internal static V I32x4ReplaceLane(V v, int x, int lane) => v.AsInt32().WithElement(lane, x).AsByte();
    [Op(Opcode.I64x2ReplaceLane), MethodImpl(Inline)] internal static V I64x2ReplaceLane(V v, long x, int lane) => v.AsInt64().WithElement(lane, x).AsByte();
    [Op(Opcode.F32x4ReplaceLane), MethodImpl(Inline)] internal static V F32x4ReplaceLane(V v, float x, int lane) => v.AsSingle().WithElement(lane, x).AsByte();
    [Op(Opcode.F64x2ReplaceLane), MethodImpl(Inline)] internal static V F64x2ReplaceLane(V v, double x, int lane) => v.AsDouble().WithElement(lane, x).AsByte();

    // ---- Shuffles ----

    /// <summary>Lanes 0..15 pick from <paramref name="a"/>, 16..31 from <paramref name="b"/>; out-of-range shuffle indices give 0.</summary>
    [Op(Opcode.I8x16Shuffle), MethodImpl(Inline)]
    internal static V I8x16Shuffle(V a, V b, long low, long high)
    {
        var indices = Vector128.Create(low, high).AsByte();
        return Vector128.Shuffle(a, indices) | Vector128.Shuffle(b, indices - Vector128.Create((byte)16));
    }

    [Op(Opcode.I8x16Swizzle), Op(Opcode.I8x16RelaxedSwizzle), MethodImpl(Inline)]
    internal static V I8x16Swizzle(V a, V s) => Vector128.Shuffle(a, s);

    // ---- Bitwise ----

    [Op(Opcode.V128Not), MethodImpl(Inline)] internal static V Not(V a) => ~a;
    [Op(Opcode.V128And), MethodImpl(Inline)] internal static V And(V a, V b) => a & b;
    [Op(Opcode.V128Andnot), MethodImpl(Inline)] internal static V AndNot(V a, V b) => Vector128.AndNot(a, b);
    [Op(Opcode.V128Or), MethodImpl(Inline)] internal static V Or(V a, V b) => a | b;
    [Op(Opcode.V128Xor), MethodImpl(Inline)] internal static V Xor(V a, V b) => a ^ b;

    [Op(Opcode.V128Bitselect), Op(Opcode.I8x16RelaxedLaneselect), Op(Opcode.I16x8RelaxedLaneselect),
     Op(Opcode.I32x4RelaxedLaneselect), Op(Opcode.I64x2RelaxedLaneselect), MethodImpl(Inline)]
    internal static V Bitselect(V a, V b, V c) => Vector128.ConditionalSelect(c, a, b);

    [Op(Opcode.V128AnyTrue), MethodImpl(Inline)] internal static int AnyTrue(V a) => a != V.Zero ? 1 : 0;

    // ---- Comparisons: all-ones lanes for true ----

    [Op(Opcode.I8x16Eq), MethodImpl(Inline)] internal static V I8x16Eq(V a, V b) => Vector128.Equals(a, b);
    [Op(Opcode.I8x16Ne), MethodImpl(Inline)] internal static V I8x16Ne(V a, V b) => ~Vector128.Equals(a, b);
    [Op(Opcode.I8x16LtS), MethodImpl(Inline)] internal static V I8x16LtS(V a, V b) => Vector128.LessThan(a.AsSByte(), b.AsSByte()).AsByte();
    [Op(Opcode.I8x16LtU), MethodImpl(Inline)] internal static V I8x16LtU(V a, V b) => Vector128.LessThan(a, b);
    [Op(Opcode.I8x16GtS), MethodImpl(Inline)] internal static V I8x16GtS(V a, V b) => Vector128.GreaterThan(a.AsSByte(), b.AsSByte()).AsByte();
    [Op(Opcode.I8x16GtU), MethodImpl(Inline)] internal static V I8x16GtU(V a, V b) => Vector128.GreaterThan(a, b);
    [Op(Opcode.I8x16LeS), MethodImpl(Inline)] internal static V I8x16LeS(V a, V b) => Vector128.LessThanOrEqual(a.AsSByte(), b.AsSByte()).AsByte();
    [Op(Opcode.I8x16LeU), MethodImpl(Inline)] internal static V I8x16LeU(V a, V b) => Vector128.LessThanOrEqual(a, b);
    [Op(Opcode.I8x16GeS), MethodImpl(Inline)] internal static V I8x16GeS(V a, V b) => Vector128.GreaterThanOrEqual(a.AsSByte(), b.AsSByte()).AsByte();
    [Op(Opcode.I8x16GeU), MethodImpl(Inline)] internal static V I8x16GeU(V a, V b) => Vector128.GreaterThanOrEqual(a, b);

    [Op(Opcode.I16x8Eq), MethodImpl(Inline)] internal static V I16x8Eq(V a, V b) => Vector128.Equals(a.AsInt16(), b.AsInt16()).AsByte();
    [Op(Opcode.I16x8Ne), MethodImpl(Inline)] internal static V I16x8Ne(V a, V b) => (~Vector128.Equals(a.AsInt16(), b.AsInt16())).AsByte();
    [Op(Opcode.I16x8LtS), MethodImpl(Inline)] internal static V I16x8LtS(V a, V b) => Vector128.LessThan(a.AsInt16(), b.AsInt16()).AsByte();
    [Op(Opcode.I16x8LtU), MethodImpl(Inline)] internal static V I16x8LtU(V a, V b) => Vector128.LessThan(a.AsUInt16(), b.AsUInt16()).AsByte();
    [Op(Opcode.I16x8GtS), MethodImpl(Inline)] internal static V I16x8GtS(V a, V b) => Vector128.GreaterThan(a.AsInt16(), b.AsInt16()).AsByte();
    [Op(Opcode.I16x8GtU), MethodImpl(Inline)] internal static V I16x8GtU(V a, V b) => Vector128.GreaterThan(a.AsUInt16(), b.AsUInt16()).AsByte();
    [Op(Opcode.I16x8LeS), MethodImpl(Inline)] internal static V I16x8LeS(V a, V b) => Vector128.LessThanOrEqual(a.AsInt16(), b.AsInt16()).AsByte();
    [Op(Opcode.I16x8LeU), MethodImpl(Inline)] internal static V I16x8LeU(V a, V b) => Vector128.LessThanOrEqual(a.AsUInt16(), b.AsUInt16()).AsByte();
    [Op(Opcode.I16x8GeS), MethodImpl(Inline)] internal static V I16x8GeS(V a, V b) => Vector128.GreaterThanOrEqual(a.AsInt16(), b.AsInt16()).AsByte();
    [Op(Opcode.I16x8GeU), MethodImpl(Inline)] internal static V I16x8GeU(V a, V b) => Vector128.GreaterThanOrEqual(a.AsUInt16(), b.AsUInt16()).AsByte();

    [Op(Opcode.I32x4Eq), MethodImpl(Inline)] internal static V I32x4Eq(V a, V b) => Vector128.Equals(a.AsInt32(), b.AsInt32()).AsByte();
    [Op(Opcode.I32x4Ne), MethodImpl(Inline)] internal static V I32x4Ne(V a, V b) => (~Vector128.Equals(a.AsInt32(), b.AsInt32())).AsByte();
    [Op(Opcode.I32x4LtS), MethodImpl(Inline)] internal static V I32x4LtS(V a, V b) => Vector128.LessThan(a.AsInt32(), b.AsInt32()).AsByte();
    [Op(Opcode.I32x4LtU), MethodImpl(Inline)] internal static V I32x4LtU(V a, V b) => Vector128.LessThan(a.AsUInt32(), b.AsUInt32()).AsByte();
    [Op(Opcode.I32x4GtS), MethodImpl(Inline)] internal static V I32x4GtS(V a, V b) => Vector128.GreaterThan(a.AsInt32(), b.AsInt32()).AsByte();
    [Op(Opcode.I32x4GtU), MethodImpl(Inline)] internal static V I32x4GtU(V a, V b) => Vector128.GreaterThan(a.AsUInt32(), b.AsUInt32()).AsByte();
    [Op(Opcode.I32x4LeS), MethodImpl(Inline)] internal static V I32x4LeS(V a, V b) => Vector128.LessThanOrEqual(a.AsInt32(), b.AsInt32()).AsByte();
    [Op(Opcode.I32x4LeU), MethodImpl(Inline)] internal static V I32x4LeU(V a, V b) => Vector128.LessThanOrEqual(a.AsUInt32(), b.AsUInt32()).AsByte();
    [Op(Opcode.I32x4GeS), MethodImpl(Inline)] internal static V I32x4GeS(V a, V b) => Vector128.GreaterThanOrEqual(a.AsInt32(), b.AsInt32()).AsByte();
    [Op(Opcode.I32x4GeU), MethodImpl(Inline)] internal static V I32x4GeU(V a, V b) => Vector128.GreaterThanOrEqual(a.AsUInt32(), b.AsUInt32()).AsByte();

    [Op(Opcode.I64x2Eq), MethodImpl(Inline)] internal static V I64x2Eq(V a, V b) => Vector128.Equals(a.AsInt64(), b.AsInt64()).AsByte();
    [Op(Opcode.I64x2Ne), MethodImpl(Inline)] internal static V I64x2Ne(V a, V b) => (~Vector128.Equals(a.AsInt64(), b.AsInt64())).AsByte();
    [Op(Opcode.I64x2LtS), MethodImpl(Inline)] internal static V I64x2LtS(V a, V b) => Vector128.LessThan(a.AsInt64(), b.AsInt64()).AsByte();
    [Op(Opcode.I64x2GtS), MethodImpl(Inline)] internal static V I64x2GtS(V a, V b) => Vector128.GreaterThan(a.AsInt64(), b.AsInt64()).AsByte();
    [Op(Opcode.I64x2LeS), MethodImpl(Inline)] internal static V I64x2LeS(V a, V b) => Vector128.LessThanOrEqual(a.AsInt64(), b.AsInt64()).AsByte();
    [Op(Opcode.I64x2GeS), MethodImpl(Inline)] internal static V I64x2GeS(V a, V b) => Vector128.GreaterThanOrEqual(a.AsInt64(), b.AsInt64()).AsByte();

    [Op(Opcode.F32x4Eq), MethodImpl(Inline)] internal static V F32x4Eq(V a, V b) => Vector128.Equals(a.AsSingle(), b.AsSingle()).AsByte();
    [Op(Opcode.F32x4Ne), MethodImpl(Inline)] internal static V F32x4Ne(V a, V b) => (~Vector128.Equals(a.AsSingle(), b.AsSingle())).AsByte();
    [Op(Opcode.F32x4Lt), MethodImpl(Inline)] internal static V F32x4Lt(V a, V b) => Vector128.LessThan(a.AsSingle(), b.AsSingle()).AsByte();
    [Op(Opcode.F32x4Gt), MethodImpl(Inline)] internal static V F32x4Gt(V a, V b) => Vector128.GreaterThan(a.AsSingle(), b.AsSingle()).AsByte();
    [Op(Opcode.F32x4Le), MethodImpl(Inline)] internal static V F32x4Le(V a, V b) => Vector128.LessThanOrEqual(a.AsSingle(), b.AsSingle()).AsByte();
    [Op(Opcode.F32x4Ge), MethodImpl(Inline)] internal static V F32x4Ge(V a, V b) => Vector128.GreaterThanOrEqual(a.AsSingle(), b.AsSingle()).AsByte();

    [Op(Opcode.F64x2Eq), MethodImpl(Inline)] internal static V F64x2Eq(V a, V b) => Vector128.Equals(a.AsDouble(), b.AsDouble()).AsByte();
    [Op(Opcode.F64x2Ne), MethodImpl(Inline)] internal static V F64x2Ne(V a, V b) => (~Vector128.Equals(a.AsDouble(), b.AsDouble())).AsByte();
    [Op(Opcode.F64x2Lt), MethodImpl(Inline)] internal static V F64x2Lt(V a, V b) => Vector128.LessThan(a.AsDouble(), b.AsDouble()).AsByte();
    [Op(Opcode.F64x2Gt), MethodImpl(Inline)] internal static V F64x2Gt(V a, V b) => Vector128.GreaterThan(a.AsDouble(), b.AsDouble()).AsByte();
    [Op(Opcode.F64x2Le), MethodImpl(Inline)] internal static V F64x2Le(V a, V b) => Vector128.LessThanOrEqual(a.AsDouble(), b.AsDouble()).AsByte();
    [Op(Opcode.F64x2Ge), MethodImpl(Inline)] internal static V F64x2Ge(V a, V b) => Vector128.GreaterThanOrEqual(a.AsDouble(), b.AsDouble()).AsByte();
}
