using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmSharp.Model;
using V = System.Runtime.Intrinsics.Vector128<byte>;

namespace WasmSharp.Compilation;

internal static partial class SimdOps
{
    /// <summary>Where a lane of <paramref name="input"/> is NaN, the result lane is that NaN quieted (Wasm requires an arithmetic NaN).</summary>
    [MethodImpl(Inline)]
    private static Vector128<float> QuietNaNs(Vector128<float> input, Vector128<float> result) =>
        Vector128.ConditionalSelect(Vector128.Equals(input, input), result, input + input);

    [MethodImpl(Inline)]
    private static Vector128<double> QuietNaNs(Vector128<double> input, Vector128<double> result) =>
        Vector128.ConditionalSelect(Vector128.Equals(input, input), result, input + input);

    // ---- f32x4 ----

    [Op(Opcode.F32x4Ceil), MethodImpl(Inline)] internal static V F32x4Ceil(V a) => QuietNaNs(a.AsSingle(), Vector128.Ceiling(a.AsSingle())).AsByte();
    [Op(Opcode.F32x4Floor), MethodImpl(Inline)] internal static V F32x4Floor(V a) => QuietNaNs(a.AsSingle(), Vector128.Floor(a.AsSingle())).AsByte();
    [Op(Opcode.F32x4Trunc), MethodImpl(Inline)] internal static V F32x4Trunc(V a) => QuietNaNs(a.AsSingle(), Vector128.Truncate(a.AsSingle())).AsByte();
    [Op(Opcode.F32x4Nearest), MethodImpl(Inline)] internal static V F32x4Nearest(V a) => QuietNaNs(a.AsSingle(), Vector128.Round(a.AsSingle())).AsByte();
    [Op(Opcode.F32x4Abs), MethodImpl(Inline)] internal static V F32x4Abs(V a) => (a.AsUInt32() & Vector128.Create(0x7FFF_FFFFu)).AsByte();
    [Op(Opcode.F32x4Neg), MethodImpl(Inline)] internal static V F32x4Neg(V a) => (a.AsUInt32() ^ Vector128.Create(0x8000_0000u)).AsByte();
    [Op(Opcode.F32x4Sqrt), MethodImpl(Inline)] internal static V F32x4Sqrt(V a) => QuietNaNs(a.AsSingle(), Vector128.Sqrt(a.AsSingle())).AsByte();
    [Op(Opcode.F32x4Add), MethodImpl(Inline)] internal static V F32x4Add(V a, V b) => (a.AsSingle() + b.AsSingle()).AsByte();
    [Op(Opcode.F32x4Sub), MethodImpl(Inline)] internal static V F32x4Sub(V a, V b) => (a.AsSingle() - b.AsSingle()).AsByte();
    [Op(Opcode.F32x4Mul), MethodImpl(Inline)] internal static V F32x4Mul(V a, V b) => (a.AsSingle() * b.AsSingle()).AsByte();
    [Op(Opcode.F32x4Div), MethodImpl(Inline)] internal static V F32x4Div(V a, V b) => (a.AsSingle() / b.AsSingle()).AsByte();

    [Op(Opcode.F32x4Min), Op(Opcode.F32x4RelaxedMin), MethodImpl(Inline)]
    internal static V F32x4Min(V a, V b)
    {
        var x = a.AsSingle();
        var y = b.AsSingle();
        var equalOrNaN = Vector128.ConditionalSelect(Vector128.Equals(x, y), (a | b).AsSingle(), x + y);
        return Vector128.ConditionalSelect(Vector128.LessThan(x, y), x, Vector128.ConditionalSelect(Vector128.LessThan(y, x), y, equalOrNaN)).AsByte();
    }

    [Op(Opcode.F32x4Max), Op(Opcode.F32x4RelaxedMax), MethodImpl(Inline)]
    internal static V F32x4Max(V a, V b)
    {
        var x = a.AsSingle();
        var y = b.AsSingle();
        var equalOrNaN = Vector128.ConditionalSelect(Vector128.Equals(x, y), (a & b).AsSingle(), x + y);
        return Vector128.ConditionalSelect(Vector128.GreaterThan(x, y), x, Vector128.ConditionalSelect(Vector128.GreaterThan(y, x), y, equalOrNaN)).AsByte();
    }

    [Op(Opcode.F32x4Pmin), MethodImpl(Inline)]
    internal static V F32x4Pmin(V a, V b) => Vector128.ConditionalSelect(Vector128.LessThan(b.AsSingle(), a.AsSingle()).AsByte(), b, a);

    [Op(Opcode.F32x4Pmax), MethodImpl(Inline)]
    internal static V F32x4Pmax(V a, V b) => Vector128.ConditionalSelect(Vector128.LessThan(a.AsSingle(), b.AsSingle()).AsByte(), b, a);

    // ---- f64x2 ----

    [Op(Opcode.F64x2Ceil), MethodImpl(Inline)] internal static V F64x2Ceil(V a) => QuietNaNs(a.AsDouble(), Vector128.Ceiling(a.AsDouble())).AsByte();
    [Op(Opcode.F64x2Floor), MethodImpl(Inline)] internal static V F64x2Floor(V a) => QuietNaNs(a.AsDouble(), Vector128.Floor(a.AsDouble())).AsByte();
    [Op(Opcode.F64x2Trunc), MethodImpl(Inline)] internal static V F64x2Trunc(V a) => QuietNaNs(a.AsDouble(), Vector128.Truncate(a.AsDouble())).AsByte();
    [Op(Opcode.F64x2Nearest), MethodImpl(Inline)] internal static V F64x2Nearest(V a) => QuietNaNs(a.AsDouble(), Vector128.Round(a.AsDouble())).AsByte();
    [Op(Opcode.F64x2Abs), MethodImpl(Inline)] internal static V F64x2Abs(V a) => (a.AsUInt64() & Vector128.Create(0x7FFF_FFFF_FFFF_FFFFul)).AsByte();
    [Op(Opcode.F64x2Neg), MethodImpl(Inline)] internal static V F64x2Neg(V a) => (a.AsUInt64() ^ Vector128.Create(0x8000_0000_0000_0000ul)).AsByte();
    [Op(Opcode.F64x2Sqrt), MethodImpl(Inline)] internal static V F64x2Sqrt(V a) => QuietNaNs(a.AsDouble(), Vector128.Sqrt(a.AsDouble())).AsByte();
    [Op(Opcode.F64x2Add), MethodImpl(Inline)] internal static V F64x2Add(V a, V b) => (a.AsDouble() + b.AsDouble()).AsByte();
    [Op(Opcode.F64x2Sub), MethodImpl(Inline)] internal static V F64x2Sub(V a, V b) => (a.AsDouble() - b.AsDouble()).AsByte();
    [Op(Opcode.F64x2Mul), MethodImpl(Inline)] internal static V F64x2Mul(V a, V b) => (a.AsDouble() * b.AsDouble()).AsByte();
    [Op(Opcode.F64x2Div), MethodImpl(Inline)] internal static V F64x2Div(V a, V b) => (a.AsDouble() / b.AsDouble()).AsByte();

    [Op(Opcode.F64x2Min), Op(Opcode.F64x2RelaxedMin), MethodImpl(Inline)]
    internal static V F64x2Min(V a, V b)
    {
        var x = a.AsDouble();
        var y = b.AsDouble();
        var equalOrNaN = Vector128.ConditionalSelect(Vector128.Equals(x, y), (a | b).AsDouble(), x + y);
        return Vector128.ConditionalSelect(Vector128.LessThan(x, y), x, Vector128.ConditionalSelect(Vector128.LessThan(y, x), y, equalOrNaN)).AsByte();
    }

    [Op(Opcode.F64x2Max), Op(Opcode.F64x2RelaxedMax), MethodImpl(Inline)]
    internal static V F64x2Max(V a, V b)
    {
        var x = a.AsDouble();
        var y = b.AsDouble();
        var equalOrNaN = Vector128.ConditionalSelect(Vector128.Equals(x, y), (a & b).AsDouble(), x + y);
        return Vector128.ConditionalSelect(Vector128.GreaterThan(x, y), x, Vector128.ConditionalSelect(Vector128.GreaterThan(y, x), y, equalOrNaN)).AsByte();
    }

    [Op(Opcode.F64x2Pmin), MethodImpl(Inline)]
    internal static V F64x2Pmin(V a, V b) => Vector128.ConditionalSelect(Vector128.LessThan(b.AsDouble(), a.AsDouble()).AsByte(), b, a);

    [Op(Opcode.F64x2Pmax), MethodImpl(Inline)]
    internal static V F64x2Pmax(V a, V b) => Vector128.ConditionalSelect(Vector128.LessThan(a.AsDouble(), b.AsDouble()).AsByte(), b, a);

    // ---- Relaxed fused multiply-add (deterministic: always fused, one rounding) ----

    [Op(Opcode.F32x4RelaxedMadd), MethodImpl(Inline)]
    internal static V F32x4RelaxedMadd(V a, V b, V c) => Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).AsByte();

    [Op(Opcode.F32x4RelaxedNmadd), MethodImpl(Inline)]
    internal static V F32x4RelaxedNmadd(V a, V b, V c) => Vector128.FusedMultiplyAdd(-a.AsSingle(), b.AsSingle(), c.AsSingle()).AsByte();

    [Op(Opcode.F64x2RelaxedMadd), MethodImpl(Inline)]
    internal static V F64x2RelaxedMadd(V a, V b, V c) => Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).AsByte();

    [Op(Opcode.F64x2RelaxedNmadd), MethodImpl(Inline)]
    internal static V F64x2RelaxedNmadd(V a, V b, V c) => Vector128.FusedMultiplyAdd(-a.AsDouble(), b.AsDouble(), c.AsDouble()).AsByte();

    // ---- Conversions ----

    [Op(Opcode.I32x4TruncSatF32x4S), Op(Opcode.I32x4RelaxedTruncF32x4S), MethodImpl(Inline)]
    internal static V I32x4TruncSatF32x4S(V a)
    {
        var x = a.AsSingle();
        // Clamp into range first so the platform conversion never sees an out-of-range lane; NaN lanes become 0.
        var clamped = Vector128.Min(Vector128.Max(x, Vector128.Create(-2147483648f)), Vector128.Create(2147483520f));
        var converted = Vector128.ConvertToInt32(clamped);
        converted = Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(x, Vector128.Create(2147483648f)).AsInt32(), Vector128.Create(int.MaxValue), converted);
        return (converted & Vector128.Equals(x, x).AsInt32()).AsByte();
    }

    [Op(Opcode.I32x4TruncSatF32x4U), Op(Opcode.I32x4RelaxedTruncF32x4U), MethodImpl(Inline)]
    internal static V I32x4TruncSatF32x4U(V a)
    {
        var x = a.AsSingle();
        var twoPow31 = Vector128.Create(2147483648f);
        // Max(x, 0) is 0 for negative lanes; NaN lanes are masked out at the end.
        var clamped = Vector128.Min(Vector128.Max(x, Vector128<float>.Zero), Vector128.Create(4294967040f));
        var high = Vector128.GreaterThanOrEqual(clamped, twoPow31);
        var adjusted = Vector128.ConditionalSelect(high, clamped - twoPow31, clamped);
        var converted = Vector128.ConvertToInt32(adjusted).AsUInt32() | (high.AsUInt32() & Vector128.Create(0x8000_0000u));
        converted |= Vector128.GreaterThanOrEqual(x, Vector128.Create(4294967296f)).AsUInt32();
        return (converted & Vector128.Equals(x, x).AsUInt32()).AsByte();
    }

    // Both halves convert exactly; the one addition rounds once.
    [Op(Opcode.F32x4ConvertI32x4S), MethodImpl(Inline)]
    internal static V F32x4ConvertI32x4S(V a) => Vector128.ConvertToSingle(a.AsInt32()).AsByte();

    [Op(Opcode.F32x4ConvertI32x4U), MethodImpl(Inline)]
    internal static V F32x4ConvertI32x4U(V a)
    {
        var u = a.AsUInt32();
        var high = Vector128.ConvertToSingle(Vector128.ShiftRightLogical(u, 16).AsInt32()) * Vector128.Create(65536f);
        var low = Vector128.ConvertToSingle((u & Vector128.Create(0xFFFFu)).AsInt32());
        return (high + low).AsByte();
    }

    [Op(Opcode.I32x4TruncSatF64x2SZero), Op(Opcode.I32x4RelaxedTruncF64x2SZero), MethodImpl(Inline)]
    internal static V I32x4TruncSatF64x2SZero(V a)
    {
        var x = a.AsDouble();
        return Vector128.Create(NumericOps.I32TruncSatF64S(x.GetElement(0)), NumericOps.I32TruncSatF64S(x.GetElement(1)), 0, 0).AsByte();
    }

    [Op(Opcode.I32x4TruncSatF64x2UZero), Op(Opcode.I32x4RelaxedTruncF64x2UZero), MethodImpl(Inline)]
    internal static V I32x4TruncSatF64x2UZero(V a)
    {
        var x = a.AsDouble();
        return Vector128.Create(NumericOps.I32TruncSatF64U(x.GetElement(0)), NumericOps.I32TruncSatF64U(x.GetElement(1)), 0, 0).AsByte();
    }

    [Op(Opcode.F64x2ConvertLowI32x4S), MethodImpl(Inline)]
    internal static V F64x2ConvertLowI32x4S(V a) => Vector128.ConvertToDouble(Vector128.WidenLower(a.AsInt32())).AsByte();

    [Op(Opcode.F64x2ConvertLowI32x4U), MethodImpl(Inline)]
    internal static V F64x2ConvertLowI32x4U(V a)
    {
        var x = a.AsUInt32();
        return Vector128.Create((double)x.GetElement(0), x.GetElement(1)).AsByte();
    }

    [Op(Opcode.F32x4DemoteF64x2Zero), MethodImpl(Inline)]
    internal static V F32x4DemoteF64x2Zero(V a)
    {
        var x = a.AsDouble();
        return Vector128.Create(NumericOps.F32DemoteF64(x.GetElement(0)), NumericOps.F32DemoteF64(x.GetElement(1)), 0f, 0f).AsByte();
    }

    [Op(Opcode.F64x2PromoteLowF32x4), MethodImpl(Inline)]
    internal static V F64x2PromoteLowF32x4(V a)
    {
        var x = a.AsSingle();
        return Vector128.Create(NumericOps.F64PromoteF32(x.GetElement(0)), NumericOps.F64PromoteF32(x.GetElement(1))).AsByte();
    }
}
