using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;
using WasmSharp.Model;
using WasmSharp.Runtime;

namespace WasmSharp.Cli.Commands;

/// <summary>Wasm values as <c>run --invoke</c> reads them from the command line and prints them.</summary>
internal static class WasmValueText
{
    private const uint F32CanonicalNan = 0x7FC0_0000;
    private const ulong F64CanonicalNan = 0x7FF8_0000_0000_0000;

    /// <summary>
    /// Reads an argument of type <paramref name="type"/>: a decimal integer (negative, or up to the unsigned
    /// maximum, which wraps), a decimal float, <c>nan</c>, <c>inf</c> (signed or not), or <c>null</c> for a reference.
    /// </summary>
    /// <exception cref="FormatException">The text is not a value of that type.</exception>
    public static Value Parse(string text, ValType type)
    {
        switch (type.Code)
        {
            case ValType.I32Code:
                return Value.I32((int)(uint)ParseInteger(text, 32));
            case ValType.I64Code:
                return Value.I64((long)ParseInteger(text, 64));
            case ValType.F32Code:
                return Value.F32Bits(ParseSpecial(text) is { } special
                    ? (special.Nan ? F32CanonicalNan : BitConverter.SingleToUInt32Bits(float.PositiveInfinity)) | (special.Negative ? 0x8000_0000u : 0)
                    : BitConverter.SingleToUInt32Bits(float.Parse(CheckDecimal(text), NumberStyles.Float, CultureInfo.InvariantCulture)));
            case ValType.F64Code:
                return Value.F64Bits(ParseSpecial(text) is { } s
                    ? (s.Nan ? F64CanonicalNan : BitConverter.DoubleToUInt64Bits(double.PositiveInfinity)) | (s.Negative ? 0x8000_0000_0000_0000ul : 0)
                    : BitConverter.DoubleToUInt64Bits(double.Parse(CheckDecimal(text), NumberStyles.Float, CultureInfo.InvariantCulture)));
            default:
                if (type.IsRef && text == "null") return Value.Ref(type, null);
                throw new FormatException($"{type} arguments cannot be given on the command line{(type.IsRef ? " (only null)" : "")}");
        }
    }

    /// <summary>
    /// A result as text: integers in signed decimal, floats in the shortest form that reads back to the same
    /// value (<c>0.30000000000000004</c>), <c>nan</c> (with its payload when not canonical), <c>inf</c>, <c>-inf</c>;
    /// a v128 as 32 hex digits, most significant first; references as <c>null</c> or their kind.
    /// </summary>
    public static string Format(Value value)
    {
        var c = CultureInfo.InvariantCulture;
        switch (value.Type.Code)
        {
            case ValType.I32Code:
                return value.AsI32().ToString(c);
            case ValType.I64Code:
                return value.AsI64().ToString(c);
            case ValType.F32Code:
            {
                var bits = (uint)value.Bits;
                var f = BitConverter.UInt32BitsToSingle(bits);
                return float.IsNaN(f) ? FormatNan(bits >> 31 != 0, bits & 0x7F_FFFF, 0x40_0000) : FormatFloat(f.ToString("R", c));
            }
            case ValType.F64Code:
            {
                var bits = value.Bits;
                var d = BitConverter.UInt64BitsToDouble(bits);
                return double.IsNaN(d) ? FormatNan(bits >> 63 != 0, bits & 0xF_FFFF_FFFF_FFFF, 0x8_0000_0000_0000) : FormatFloat(d.ToString("R", c));
            }
            case ValType.V128Code:
            {
                var v = value.AsV128().AsUInt64();
                return $"0x{v.GetElement(1):x16}{v.GetElement(0):x16}";
            }
            default:
                return value.AsRef() switch
                {
                    null => "null",
                    Function => "funcref",
                    _ => "externref",
                };
        }
    }

    private static ulong ParseInteger(string text, int bits)
    {
        if (!BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            throw new FormatException($"\"{text}\" is not a decimal integer");
        var min = -(BigInteger.One << (bits - 1));
        var max = (BigInteger.One << bits) - 1;
        if (n < min || n > max) throw new FormatException($"{text} does not fit in an i{bits}");
        return (ulong)(n & ulong.MaxValue);
    }

    private static (bool Nan, bool Negative)? ParseSpecial(string text)
    {
        var negative = text.StartsWith('-');
        var body = text.Length > 0 && text[0] is '-' or '+' ? text[1..] : text;
        return body.ToLowerInvariant() switch
        {
            "nan" => (true, negative),
            "inf" or "infinity" => (false, negative),
            _ => null,
        };
    }

    /// <summary>.NET would also take thousands separators, currency and the like; an argument is a plain decimal number.</summary>
    private static string CheckDecimal(string text)
    {
        foreach (var ch in text)
        {
            if (!(char.IsAsciiDigit(ch) || ch is '-' or '+' or '.' or 'e' or 'E'))
                throw new FormatException($"\"{text}\" is not a decimal number");
        }
        return text;
    }

    private static string FormatFloat(string roundTrip) => roundTrip switch
    {
        "∞" or "Infinity" => "inf",
        "-∞" or "-Infinity" => "-inf",
        _ => roundTrip.Replace("E+", "e+", StringComparison.Ordinal).Replace("E-", "e-", StringComparison.Ordinal),
    };

    private static string FormatNan(bool negative, ulong payload, ulong canonical) =>
        (negative ? "-" : "") + (payload == canonical ? "nan" : $"nan:0x{payload:x}");
}
