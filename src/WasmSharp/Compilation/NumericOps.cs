using System.Numerics;
using System.Runtime.CompilerServices;
using WasmSharp.Model;

namespace WasmSharp.Compilation;

/// <summary>
/// Scalar instructions whose Wasm semantics differ from the plain CIL opcode: trapping division and
/// conversions, IEEE min/max with Wasm's NaN and signed-zero rules, correctly rounded unsigned
/// conversions, and sign operations that work on bits so NaN payloads survive.
/// </summary>
internal static class NumericOps
{
    private const MethodImplOptions Inline = MethodImplOptions.AggressiveInlining;

    // ---- Integer division ----

    [Op(Opcode.I32DivS), MethodImpl(Inline)]
    internal static int I32DivS(int a, int b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        if (b == -1 && a == int.MinValue) Traps.IntegerOverflow();
        return a / b;
    }

    [Op(Opcode.I32DivU), MethodImpl(Inline)]
    internal static int I32DivU(int a, int b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        return (int)((uint)a / (uint)b);
    }

    [Op(Opcode.I32RemS), MethodImpl(Inline)]
    internal static int I32RemS(int a, int b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        // INT_MIN % -1 overflows the hardware divide; Wasm defines it as 0.
        return b == -1 ? 0 : a % b;
    }

    [Op(Opcode.I32RemU), MethodImpl(Inline)]
    internal static int I32RemU(int a, int b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        return (int)((uint)a % (uint)b);
    }

    [Op(Opcode.I64DivS), MethodImpl(Inline)]
    internal static long I64DivS(long a, long b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        if (b == -1 && a == long.MinValue) Traps.IntegerOverflow();
        return a / b;
    }

    [Op(Opcode.I64DivU), MethodImpl(Inline)]
    internal static long I64DivU(long a, long b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        return (long)((ulong)a / (ulong)b);
    }

    [Op(Opcode.I64RemS), MethodImpl(Inline)]
    internal static long I64RemS(long a, long b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        return b == -1 ? 0 : a % b;
    }

    [Op(Opcode.I64RemU), MethodImpl(Inline)]
    internal static long I64RemU(long a, long b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        return (long)((ulong)a % (ulong)b);
    }

    // ---- Bit counting and rotation ----

    [Op(Opcode.I32Clz), MethodImpl(Inline)]
    internal static int I32Clz(int a) => BitOperations.LeadingZeroCount((uint)a);

    [Op(Opcode.I32Ctz), MethodImpl(Inline)]
    internal static int I32Ctz(int a) => BitOperations.TrailingZeroCount(a);

    [Op(Opcode.I32Popcnt), MethodImpl(Inline)]
    internal static int I32Popcnt(int a) => BitOperations.PopCount((uint)a);

    [Op(Opcode.I32Rotl), MethodImpl(Inline)]
    internal static int I32Rotl(int a, int b) => (int)BitOperations.RotateLeft((uint)a, b);

    [Op(Opcode.I32Rotr), MethodImpl(Inline)]
    internal static int I32Rotr(int a, int b) => (int)BitOperations.RotateRight((uint)a, b);

    [Op(Opcode.I64Clz), MethodImpl(Inline)]
    internal static long I64Clz(long a) => BitOperations.LeadingZeroCount((ulong)a);

    [Op(Opcode.I64Ctz), MethodImpl(Inline)]
    internal static long I64Ctz(long a) => BitOperations.TrailingZeroCount(a);

    [Op(Opcode.I64Popcnt), MethodImpl(Inline)]
    internal static long I64Popcnt(long a) => BitOperations.PopCount((ulong)a);

    [Op(Opcode.I64Rotl), MethodImpl(Inline)]
    internal static long I64Rotl(long a, long b) => (long)BitOperations.RotateLeft((ulong)a, (int)b);

    [Op(Opcode.I64Rotr), MethodImpl(Inline)]
    internal static long I64Rotr(long a, long b) => (long)BitOperations.RotateRight((ulong)a, (int)b);

    // ---- f32 ----

    [Op(Opcode.F32Abs), MethodImpl(Inline)]
    internal static float F32Abs(float a) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) & 0x7FFF_FFFF);

    [Op(Opcode.F32Neg), MethodImpl(Inline)]
    internal static float F32Neg(float a) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) ^ int.MinValue);

    [Op(Opcode.F32Copysign), MethodImpl(Inline)]
    internal static float F32Copysign(float a, float b) =>
        BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(a) & 0x7FFF_FFFF) | (BitConverter.SingleToInt32Bits(b) & int.MinValue));

    // A NaN operand must come out as a quiet NaN; adding it to itself quiets it and keeps the payload.
    [Op(Opcode.F32Ceil), MethodImpl(Inline)]
    internal static float F32Ceil(float a) => float.IsNaN(a) ? a + a : MathF.Ceiling(a);

    [Op(Opcode.F32Floor), MethodImpl(Inline)]
    internal static float F32Floor(float a) => float.IsNaN(a) ? a + a : MathF.Floor(a);

    [Op(Opcode.F32Trunc), MethodImpl(Inline)]
    internal static float F32Trunc(float a) => float.IsNaN(a) ? a + a : MathF.Truncate(a);

    [Op(Opcode.F32Nearest), MethodImpl(Inline)]
    internal static float F32Nearest(float a) => float.IsNaN(a) ? a + a : MathF.Round(a, MidpointRounding.ToEven);

    [Op(Opcode.F32Sqrt), MethodImpl(Inline)]
    internal static float F32Sqrt(float a) => MathF.Sqrt(a);

    [Op(Opcode.F32Min), MethodImpl(Inline)]
    internal static float F32Min(float a, float b)
    {
        if (a < b) return a;
        if (b < a) return b;
        // Equal (min of -0 and +0 is -0: or the sign bits) or unordered (a NaN: propagate it, quieted).
        return a == b ? BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) | BitConverter.SingleToInt32Bits(b)) : a + b;
    }

    [Op(Opcode.F32Max), MethodImpl(Inline)]
    internal static float F32Max(float a, float b)
    {
        if (a > b) return a;
        if (b > a) return b;
        return a == b ? BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) & BitConverter.SingleToInt32Bits(b)) : a + b;
    }

    // ---- f64 ----

    [Op(Opcode.F64Abs), MethodImpl(Inline)]
    internal static double F64Abs(double a) => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) & long.MaxValue);

    [Op(Opcode.F64Neg), MethodImpl(Inline)]
    internal static double F64Neg(double a) => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) ^ long.MinValue);

    [Op(Opcode.F64Copysign), MethodImpl(Inline)]
    internal static double F64Copysign(double a, double b) =>
        BitConverter.Int64BitsToDouble((BitConverter.DoubleToInt64Bits(a) & long.MaxValue) | (BitConverter.DoubleToInt64Bits(b) & long.MinValue));

    [Op(Opcode.F64Ceil), MethodImpl(Inline)]
    internal static double F64Ceil(double a) => double.IsNaN(a) ? a + a : Math.Ceiling(a);

    [Op(Opcode.F64Floor), MethodImpl(Inline)]
    internal static double F64Floor(double a) => double.IsNaN(a) ? a + a : Math.Floor(a);

    [Op(Opcode.F64Trunc), MethodImpl(Inline)]
    internal static double F64Trunc(double a) => double.IsNaN(a) ? a + a : Math.Truncate(a);

    [Op(Opcode.F64Nearest), MethodImpl(Inline)]
    internal static double F64Nearest(double a) => double.IsNaN(a) ? a + a : Math.Round(a, MidpointRounding.ToEven);

    [Op(Opcode.F64Sqrt), MethodImpl(Inline)]
    internal static double F64Sqrt(double a) => Math.Sqrt(a);

    [Op(Opcode.F64Min), MethodImpl(Inline)]
    internal static double F64Min(double a, double b)
    {
        if (a < b) return a;
        if (b < a) return b;
        return a == b ? BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) | BitConverter.DoubleToInt64Bits(b)) : a + b;
    }

    [Op(Opcode.F64Max), MethodImpl(Inline)]
    internal static double F64Max(double a, double b)
    {
        if (a > b) return a;
        if (b > a) return b;
        return a == b ? BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) & BitConverter.DoubleToInt64Bits(b)) : a + b;
    }

    // ---- Float to integer, trapping ----

    private const float TwoPow31F = 2147483648f;
    private const float TwoPow32F = 4294967296f;
    private const float TwoPow63F = 9223372036854775808f;
    private const float TwoPow64F = 18446744073709551616f;
    private const double TwoPow31 = 2147483648.0;
    private const double TwoPow32 = 4294967296.0;
    private const double TwoPow63 = 9223372036854775808.0;
    private const double TwoPow64 = 18446744073709551616.0;

    [Op(Opcode.I32TruncF32S), MethodImpl(Inline)]
    internal static int I32TruncF32S(float x)
    {
        if (!(x >= -TwoPow31F && x < TwoPow31F)) BadConversion(float.IsNaN(x));
        return (int)x;
    }

    [Op(Opcode.I32TruncF32U), MethodImpl(Inline)]
    internal static int I32TruncF32U(float x)
    {
        if (!(x > -1f && x < TwoPow32F)) BadConversion(float.IsNaN(x));
        return (int)(uint)(long)x;
    }

    [Op(Opcode.I32TruncF64S), MethodImpl(Inline)]
    internal static int I32TruncF64S(double x)
    {
        if (!(x > -TwoPow31 - 1 && x < TwoPow31)) BadConversion(double.IsNaN(x));
        return (int)x;
    }

    [Op(Opcode.I32TruncF64U), MethodImpl(Inline)]
    internal static int I32TruncF64U(double x)
    {
        if (!(x > -1.0 && x < TwoPow32)) BadConversion(double.IsNaN(x));
        return (int)(uint)(long)x;
    }

    [Op(Opcode.I64TruncF32S), MethodImpl(Inline)]
    internal static long I64TruncF32S(float x)
    {
        if (!(x >= -TwoPow63F && x < TwoPow63F)) BadConversion(float.IsNaN(x));
        return (long)x;
    }

    [Op(Opcode.I64TruncF32U), MethodImpl(Inline)]
    internal static long I64TruncF32U(float x)
    {
        if (!(x > -1f && x < TwoPow64F)) BadConversion(float.IsNaN(x));
        return x >= TwoPow63F ? (long)(x - TwoPow63F) ^ long.MinValue : (long)x;
    }

    [Op(Opcode.I64TruncF64S), MethodImpl(Inline)]
    internal static long I64TruncF64S(double x)
    {
        if (!(x >= -TwoPow63 && x < TwoPow63)) BadConversion(double.IsNaN(x));
        return (long)x;
    }

    [Op(Opcode.I64TruncF64U), MethodImpl(Inline)]
    internal static long I64TruncF64U(double x)
    {
        if (!(x > -1.0 && x < TwoPow64)) BadConversion(double.IsNaN(x));
        return x >= TwoPow63 ? (long)(x - TwoPow63) ^ long.MinValue : (long)x;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BadConversion(bool nan)
    {
        if (nan) Traps.InvalidConversion();
        Traps.IntegerOverflow();
    }

    // ---- Float to integer, saturating ----

    [Op(Opcode.I32TruncSatF32S), MethodImpl(Inline)]
    internal static int I32TruncSatF32S(float x) =>
        float.IsNaN(x) ? 0 : x >= TwoPow31F ? int.MaxValue : x <= -TwoPow31F ? int.MinValue : (int)x;

    [Op(Opcode.I32TruncSatF32U), MethodImpl(Inline)]
    internal static int I32TruncSatF32U(float x) =>
        !(x > 0f) ? 0 : x >= TwoPow32F ? -1 : (int)(uint)(long)x;

    [Op(Opcode.I32TruncSatF64S), MethodImpl(Inline)]
    internal static int I32TruncSatF64S(double x) =>
        double.IsNaN(x) ? 0 : x >= TwoPow31 ? int.MaxValue : x <= -TwoPow31 ? int.MinValue : (int)x;

    [Op(Opcode.I32TruncSatF64U), MethodImpl(Inline)]
    internal static int I32TruncSatF64U(double x) =>
        !(x > 0.0) ? 0 : x >= TwoPow32 ? -1 : (int)(uint)(long)x;

    [Op(Opcode.I64TruncSatF32S), MethodImpl(Inline)]
    internal static long I64TruncSatF32S(float x) =>
        float.IsNaN(x) ? 0 : x >= TwoPow63F ? long.MaxValue : x <= -TwoPow63F ? long.MinValue : (long)x;

    [Op(Opcode.I64TruncSatF32U), MethodImpl(Inline)]
    internal static long I64TruncSatF32U(float x) =>
        !(x > 0f) ? 0 : x >= TwoPow64F ? -1 : x >= TwoPow63F ? (long)(x - TwoPow63F) ^ long.MinValue : (long)x;

    [Op(Opcode.I64TruncSatF64S), MethodImpl(Inline)]
    internal static long I64TruncSatF64S(double x) =>
        double.IsNaN(x) ? 0 : x >= TwoPow63 ? long.MaxValue : x <= -TwoPow63 ? long.MinValue : (long)x;

    [Op(Opcode.I64TruncSatF64U), MethodImpl(Inline)]
    internal static long I64TruncSatF64U(double x) =>
        !(x > 0.0) ? 0 : x >= TwoPow64 ? -1 : x >= TwoPow63 ? (long)(x - TwoPow63) ^ long.MinValue : (long)x;

    // ---- Integer to float ----

    [Op(Opcode.F32ConvertI32U), MethodImpl(Inline)]
    internal static float F32ConvertI32U(int x) => (long)(uint)x;

    [Op(Opcode.F32ConvertI64S), MethodImpl(Inline)]
    internal static float F32ConvertI64S(long x) => x;

    // Halving with a sticky low bit keeps the one correct rounding for values above 2^63.
    [Op(Opcode.F32ConvertI64U), MethodImpl(Inline)]
    internal static float F32ConvertI64U(long x)
    {
        if (x >= 0) return x;
        var u = (ulong)x;
        return (float)(long)((u >> 1) | (u & 1)) * 2f;
    }

    [Op(Opcode.F64ConvertI32U), MethodImpl(Inline)]
    internal static double F64ConvertI32U(int x) => (uint)x;

    [Op(Opcode.F64ConvertI64U), MethodImpl(Inline)]
    internal static double F64ConvertI64U(long x)
    {
        if (x >= 0) return x;
        var u = (ulong)x;
        return (double)(long)((u >> 1) | (u & 1)) * 2.0;
    }

    // The JIT folds demote(promote(x)) to x, which would let a signalling NaN through unquieted.
    [Op(Opcode.F32DemoteF64), MethodImpl(Inline)]
    internal static float F32DemoteF64(double x)
    {
        var f = (float)x;
        return float.IsNaN(f) ? f + f : f;
    }

    [Op(Opcode.F64PromoteF32), MethodImpl(Inline)]
    internal static double F64PromoteF32(float x)
    {
        var d = (double)x;
        return double.IsNaN(d) ? d + d : d;
    }

    // ---- Constants the JIT must not see as constants (see FunctionCompiler.EmitF32Const) ----

#pragma warning disable CA2211 // Mutable on purpose: the JIT may not fold them.
    internal static float F32Zero = 0f;
    internal static float F32NegZero = -0f;
    internal static float F32One = 1f;
    internal static float F32NegOne = -1f;
    internal static double F64Zero = 0.0;
    internal static double F64NegZero = -0.0;
    internal static double F64One = 1.0;
    internal static double F64NegOne = -1.0;

    /// <summary>
    /// Rotation counts 0..63, read at run time instead of written as constants. .NET 10's JIT believes a rotate
    /// by a constant non-zero count sets the zero flag (it does not: x64 ROL/ROR leave ZF alone) and drops the
    /// compare of a following "is it zero" branch or select, which then reads a stale flag (dotnet/runtime#129288,
    /// fixed in .NET 11 by #129348). A count the JIT cannot fold keeps the compare; the load is off the rotated
    /// value's dependency chain. Found by differential fuzzing against binaryen's interpreter.
    /// </summary>
    internal static int[] RotateCounts = [.. Enumerable.Range(0, 64)];
#pragma warning restore CA2211

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static float OpaqueF32(int bits) => BitConverter.Int32BitsToSingle(bits);

    // ---- Reinterpretation ----

    [Op(Opcode.I32ReinterpretF32), MethodImpl(Inline)]
    internal static int I32ReinterpretF32(float x) => BitConverter.SingleToInt32Bits(x);

    [Op(Opcode.I64ReinterpretF64), MethodImpl(Inline)]
    internal static long I64ReinterpretF64(double x) => BitConverter.DoubleToInt64Bits(x);

    [Op(Opcode.F32ReinterpretI32), MethodImpl(Inline)]
    internal static float F32ReinterpretI32(int x) => BitConverter.Int32BitsToSingle(x);

    [Op(Opcode.F64ReinterpretI64), MethodImpl(Inline)]
    internal static double F64ReinterpretI64(long x) => BitConverter.Int64BitsToDouble(x);
}
