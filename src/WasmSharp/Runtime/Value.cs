using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmSharp.Model;

namespace WasmSharp.Runtime;

/// <summary>
/// A Wasm value with its type: what the untyped <see cref="Function.Invoke(ReadOnlySpan{Value})"/>,
/// globals and tables speak. Numbers are kept as bits, so NaN payloads survive; references are objects
/// (<see cref="Function"/> for funcref, any object for externref, null for a null reference).
/// </summary>
public readonly struct Value : IEquatable<Value>
{
    private readonly Vector128<byte> _bits;
    private readonly object? _ref;

    private Value(ValType type, Vector128<byte> bits, object? reference)
    {
        Type = type;
        _bits = bits;
        _ref = reference;
    }

    public ValType Type { get; }

    public static Value I32(int value) => new(ValType.I32, Vector128.CreateScalar(value).AsByte(), null);

    public static Value I64(long value) => new(ValType.I64, Vector128.CreateScalar(value).AsByte(), null);

    public static Value F32(float value) => new(ValType.F32, Vector128.CreateScalar(BitConverter.SingleToInt32Bits(value)).AsByte(), null);

    /// <summary>An f32 from its bit pattern (any NaN payload is kept).</summary>
    public static Value F32Bits(uint bits) => new(ValType.F32, Vector128.CreateScalar(bits).AsByte(), null);

    public static Value F64(double value) => new(ValType.F64, Vector128.CreateScalar(BitConverter.DoubleToInt64Bits(value)).AsByte(), null);

    /// <summary>An f64 from its bit pattern (any NaN payload is kept).</summary>
    public static Value F64Bits(ulong bits) => new(ValType.F64, Vector128.CreateScalar(bits).AsByte(), null);

    public static Value V128(Vector128<byte> value) => new(ValType.V128, value, null);

    /// <summary>A v128 from its low and high 64 bits (little-endian lane order).</summary>
    public static Value V128(ulong low, ulong high) => new(ValType.V128, Vector128.Create(low, high).AsByte(), null);

    public static Value FuncRef(Function? function) => new(ValType.FuncRef, default, function);

    public static Value ExternRef(object? value) => new(ValType.ExternRef, default, value);

    /// <summary>A reference of the given reference type (null for a null reference).</summary>
    public static Value Ref(ValType type, object? value)
    {
        if (!type.IsRef) throw new ArgumentException($"{type} is not a reference type.", nameof(type));
        return new(type, default, value);
    }

    /// <summary>The default value of a type: zero, or null for nullable references.</summary>
    public static Value Default(ValType type) => new(type, default, null);

    public static implicit operator Value(int value) => I32(value);

    public static implicit operator Value(long value) => I64(value);

    public static implicit operator Value(float value) => F32(value);

    public static implicit operator Value(double value) => F64(value);

    public static implicit operator Value(Vector128<byte> value) => V128(value);

    public int AsI32() => Check(ValType.I32Code).RawI32;

    public long AsI64() => Check(ValType.I64Code).RawI64;

    public float AsF32() => Check(ValType.F32Code).RawF32;

    public double AsF64() => Check(ValType.F64Code).RawF64;

    public Vector128<byte> AsV128() => Check(ValType.V128Code)._bits;

    /// <summary>The reference held by a reference-typed value (null for a null reference).</summary>
    public object? AsRef()
    {
        if (!Type.IsRef) throw new InvalidOperationException($"The value is a {Type}, not a reference.");
        return _ref;
    }

    public Function? AsFunction() => AsRef() as Function;

    public bool IsNullRef => Type.IsRef && _ref is null;

    /// <summary>The low 64 bits of the value: the bit pattern of any number.</summary>
    public ulong Bits => _bits.AsUInt64().ToScalar();

    internal int RawI32
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _bits.AsInt32().ToScalar();
    }

    internal long RawI64
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _bits.AsInt64().ToScalar();
    }

    internal float RawF32
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _bits.AsSingle().ToScalar();
    }

    internal double RawF64
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _bits.AsDouble().ToScalar();
    }

    internal Vector128<byte> RawV128
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _bits;
    }

    internal object? RawRef
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _ref;
    }

    private Value Check(byte code)
    {
        if (Type.Code != code) throw new InvalidOperationException($"The value is a {Type}, not a {new ValType(code, default)}.");
        return this;
    }

    /// <summary>Bit-exact equality for numbers and vectors, reference equality for references.</summary>
    public bool Equals(Value other) =>
        Type == other.Type && (Type.IsRef ? ReferenceEquals(_ref, other._ref) : _bits.Equals(other._bits));

    public override bool Equals(object? obj) => obj is Value v && Equals(v);

    public override int GetHashCode() => HashCode.Combine(Type, _bits, _ref is null ? 0 : RuntimeHelpers.GetHashCode(_ref));

    public static bool operator ==(Value left, Value right) => left.Equals(right);

    public static bool operator !=(Value left, Value right) => !left.Equals(right);

    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        return Type.Code switch
        {
            ValType.I32Code => "i32:" + RawI32.ToString(c),
            ValType.I64Code => "i64:" + RawI64.ToString(c),
            ValType.F32Code => "f32:" + RawF32.ToString("R", c),
            ValType.F64Code => "f64:" + RawF64.ToString("R", c),
            ValType.V128Code => $"v128:0x{_bits.AsUInt64().GetElement(1):x16}{_bits.AsUInt64().GetElement(0):x16}",
            _ => _ref is null ? $"{Type}:null" : $"{Type}:{_ref}",
        };
    }

    // Used by emitted code: a constructor call per type keeps stubs free of branches.
    internal static Value FromRaw(ValType type, Vector128<byte> bits, object? reference) => new(type, bits, reference);
}
