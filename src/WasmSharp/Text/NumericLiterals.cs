using System.Globalization;
using System.Numerics;
using System.Text;

namespace WasmSharp.Text;

/// <summary>
/// Numeric literals of the WebAssembly text format: parsing and printing, following the spec's
/// reference interpreter (lexer.mll for the syntax, ixx.ml and fxx.ml <c>of_string</c> for the values).
/// </summary>
/// <remarks>
/// The parsers take the whole token text and validate its syntax themselves ('_' only between two
/// digits, lowercase <c>0x</c>, no empty digit groups), so a lexer may hand over any candidate token.
/// </remarks>
public static class NumericLiterals
{
    private const int F32MantBits = 23;
    private const int F32ExpBits = 8;
    private const int F64MantBits = 52;
    private const int F64ExpBits = 11;

    // Beyond this many significant decimal digits only "is anything non-zero left" matters for rounding:
    // a halfway point between two doubles has at most 767 significant digits.
    private const int MaxDecimalDigits = 800;

    // Exponents are clamped to this magnitude; anything further out overflows or underflows anyway and
    // the clamp keeps the exponent arithmetic from overflowing.
    private const long ExponentClamp = 100_000_000;

    // ---- Integers -------------------------------------------------------------------------------

    /// <summary>i32 literal: optional sign, decimal or <c>0x</c> hex; -2^31 .. 2^32-1, unsigned values wrap.</summary>
    public static bool TryParseI32(ReadOnlySpan<char> text, out int value)
    {
        bool ok = TryParseSigned(text, 32, out ulong bits);
        value = (int)(uint)bits;
        return ok;
    }

    /// <summary>i64 literal: -2^63 .. 2^64-1, unsigned values wrap.</summary>
    public static bool TryParseI64(ReadOnlySpan<char> text, out long value)
    {
        bool ok = TryParseSigned(text, 64, out ulong bits);
        value = (long)bits;
        return ok;
    }

    /// <summary>Unsigned 32-bit literal without sign (indices, offsets, alignments).</summary>
    public static bool TryParseU32(ReadOnlySpan<char> text, out uint value)
    {
        if (TryParseNat(text, out ulong n) && n <= uint.MaxValue)
        {
            value = (uint)n;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>Unsigned 64-bit literal without sign.</summary>
    public static bool TryParseU64(ReadOnlySpan<char> text, out ulong value)
    {
        if (TryParseNat(text, out value))
            return true;
        value = 0;
        return false;
    }

    /// <summary>i8 lane literal: -128 .. 255, as its 8-bit pattern.</summary>
    public static bool TryParseI8(ReadOnlySpan<char> text, out byte value)
    {
        bool ok = TryParseSigned(text, 8, out ulong bits);
        value = (byte)bits;
        return ok;
    }

    /// <summary>i16 lane literal: -32768 .. 65535, as its 16-bit pattern.</summary>
    public static bool TryParseI16(ReadOnlySpan<char> text, out ushort value)
    {
        bool ok = TryParseSigned(text, 16, out ulong bits);
        value = (ushort)bits;
        return ok;
    }

    // Ixx.of_string: a '-' magnitude may reach 2^(width-1), an unsigned or '+' one 2^width - 1.
    private static bool TryParseSigned(ReadOnlySpan<char> text, int width, out ulong bits)
    {
        bits = 0;
        bool negative = false;
        if (text.Length > 0 && (text[0] == '+' || text[0] == '-'))
        {
            negative = text[0] == '-';
            text = text[1..];
        }
        if (!TryParseNat(text, out ulong n))
            return false;
        ulong mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        if (negative)
        {
            if (n > 1UL << (width - 1))
                return false;
            bits = (0UL - n) & mask;
        }
        else
        {
            if (n > mask)
                return false;
            bits = n;
        }
        return true;
    }

    // nat: num | "0x" hexnum, with overflow past 2^64-1 reported as failure.
    private static bool TryParseNat(ReadOnlySpan<char> text, out ulong value)
    {
        if (text.StartsWith("0x"))
            return TryParseHexNum(text[2..], out value);
        return TryParseDecNum(text, out value);
    }

    private static bool TryParseDecNum(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        if (!IsDigitGroup(text, hex: false))
            return false;
        foreach (char c in text)
        {
            if (c == '_')
                continue;
            ulong d = (ulong)(c - '0');
            if (value > (ulong.MaxValue - d) / 10)
                return false;
            value = value * 10 + d;
        }
        return true;
    }

    private static bool TryParseHexNum(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        if (!IsDigitGroup(text, hex: true))
            return false;
        foreach (char c in text)
        {
            if (c == '_')
                continue;
            if (value >> 60 != 0)
                return false;
            value = (value << 4) | (uint)HexValue(c);
        }
        return true;
    }

    // num / hexnum of the lexer: digit ('_'? digit)*.
    private static bool IsDigitGroup(ReadOnlySpan<char> text, bool hex)
    {
        if (text.Length == 0)
            return false;
        bool previousWasDigit = false;
        foreach (char c in text)
        {
            if (c == '_')
            {
                if (!previousWasDigit)
                    return false;
                previousWasDigit = false;
            }
            else if (hex ? char.IsAsciiHexDigit(c) : char.IsAsciiDigit(c))
            {
                previousWasDigit = true;
            }
            else
            {
                return false;
            }
        }
        return previousWasDigit;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    // ---- Floats ---------------------------------------------------------------------------------

    /// <summary>
    /// f32 literal (decimal, hex, <c>inf</c>, <c>nan</c>, <c>nan:0x…</c>, optional sign) as IEEE bits,
    /// correctly rounded to nearest-even; false when malformed or when it rounds to infinity.
    /// </summary>
    public static bool TryParseF32Bits(ReadOnlySpan<char> text, out uint bits)
    {
        bool ok = TryParseFloat(text, F32MantBits, F32ExpBits, out ulong b);
        bits = (uint)b;
        return ok;
    }

    /// <summary>f64 literal as IEEE bits; see <see cref="TryParseF32Bits"/>.</summary>
    public static bool TryParseF64Bits(ReadOnlySpan<char> text, out ulong bits) =>
        TryParseFloat(text, F64MantBits, F64ExpBits, out bits);

    private static bool TryParseFloat(ReadOnlySpan<char> text, int mantBits, int expBits, out ulong bits)
    {
        bits = 0;
        ulong signBit = 1UL << (mantBits + expBits);
        ulong expMask = ((1UL << expBits) - 1) << mantBits;
        ulong mantMask = (1UL << mantBits) - 1;

        bool negative = false;
        if (text.Length > 0 && (text[0] == '+' || text[0] == '-'))
        {
            negative = text[0] == '-';
            text = text[1..];
        }

        ulong magnitude;
        if (text.SequenceEqual("inf"))
        {
            magnitude = expMask;
        }
        else if (text.SequenceEqual("nan"))
        {
            magnitude = expMask | (1UL << (mantBits - 1));
        }
        else if (text.StartsWith("nan:0x"))
        {
            if (!TryParseHexNum(text[6..], out ulong payload) || payload == 0 || payload > mantMask)
                return false;
            magnitude = expMask | payload;
        }
        else if (text.StartsWith("0x"))
        {
            if (!TryParseHexFloat(text[2..], mantBits, expBits, out magnitude))
                return false;
        }
        else
        {
            if (!TryParseDecimalFloat(text, mantBits, expBits, out magnitude))
                return false;
        }

        bits = negative ? magnitude | signBit : magnitude;
        return true;
    }

    // Splits "int ('.' frac?)? (marker sign? num)?" into its pieces and validates every digit group.
    private static bool TrySplitFloat(
        ReadOnlySpan<char> text, bool hex,
        out ReadOnlySpan<char> intPart, out ReadOnlySpan<char> fracPart, out long exponent)
    {
        intPart = default;
        fracPart = default;
        exponent = 0;

        int expAt = hex ? text.IndexOfAny('p', 'P') : text.IndexOfAny('e', 'E');
        ReadOnlySpan<char> mantissa = expAt < 0 ? text : text[..expAt];
        int dot = mantissa.IndexOf('.');
        intPart = dot < 0 ? mantissa : mantissa[..dot];
        fracPart = dot < 0 ? default : mantissa[(dot + 1)..];
        if (!IsDigitGroup(intPart, hex))
            return false;
        if (fracPart.Length > 0 && !IsDigitGroup(fracPart, hex))
            return false;

        if (expAt >= 0)
        {
            ReadOnlySpan<char> exp = text[(expAt + 1)..];
            bool negativeExp = false;
            if (exp.Length > 0 && (exp[0] == '+' || exp[0] == '-'))
            {
                negativeExp = exp[0] == '-';
                exp = exp[1..];
            }
            if (!IsDigitGroup(exp, hex: false))
                return false;
            foreach (char c in exp)
            {
                if (c != '_' && exponent < ExponentClamp)
                    exponent = exponent * 10 + (c - '0');
            }
            if (negativeExp)
                exponent = -exponent;
        }
        return true;
    }

    private static bool TryParseHexFloat(ReadOnlySpan<char> text, int mantBits, int expBits, out ulong magnitude)
    {
        magnitude = 0;
        if (!TrySplitFloat(text, hex: true, out var intPart, out var fracPart, out long exponent))
            return false;

        // Keep the first 60+ significant bits exactly; later non-zero digits only set the sticky bit.
        ulong m = 0;
        bool sticky = false;
        long e = exponent;
        foreach (char c in intPart)
        {
            if (c == '_')
                continue;
            int d = HexValue(c);
            if (m >> 60 == 0)
                m = (m << 4) | (uint)d;
            else
            {
                sticky |= d != 0;
                e += 4;
            }
        }
        foreach (char c in fracPart)
        {
            if (c == '_')
                continue;
            int d = HexValue(c);
            if (m >> 60 == 0)
            {
                m = (m << 4) | (uint)d;
                e -= 4;
            }
            else
            {
                sticky |= d != 0;
            }
        }
        return TryRound(m, sticky, e, mantBits, expBits, out magnitude);
    }

    private static bool TryParseDecimalFloat(ReadOnlySpan<char> text, int mantBits, int expBits, out ulong magnitude)
    {
        magnitude = 0;
        if (!TrySplitFloat(text, hex: false, out var intPart, out var fracPart, out long exponent))
            return false;

        if (TryParseShortDecimal(intPart, fracPart, exponent, mantBits, expBits, out bool inRange, out magnitude))
            return inRange;

        // Significant digits without leading zeros; the value is digits * 10^exponent.
        var digits = new StringBuilder();
        bool stickyDigits = false;
        foreach (char c in intPart)
            AppendDigit(c, isFraction: false);
        foreach (char c in fracPart)
            AppendDigit(c, isFraction: true);

        void AppendDigit(char c, bool isFraction)
        {
            if (c == '_')
                return;
            if (digits.Length == 0 && c == '0')
            {
                if (isFraction)
                    exponent--;
                return;
            }
            if (digits.Length < MaxDecimalDigits)
            {
                digits.Append(c);
                if (isFraction)
                    exponent--;
            }
            else
            {
                stickyDigits |= c != '0';
                if (!isFraction)
                    exponent++;
            }
        }

        if (digits.Length == 0)
            return true; // zero

        if (stickyDigits)
        {
            // A trailing 1 below all kept digits stands in for the dropped non-zero tail: it lies strictly
            // between the same two representable neighbours and never lands on a halfway point.
            digits.Append('1');
            exponent--;
        }

        // The leading digit's decimal exponent decides the hopeless cases cheaply.
        long leadingExp = exponent + digits.Length - 1;
        if (leadingExp > 400)
            return false;
        if (leadingExp < -400)
            return true; // rounds to zero, even in f64

        BigInteger d = BigInteger.Parse(digits.ToString(), NumberStyles.None, CultureInfo.InvariantCulture);
        if (exponent >= 0)
        {
            BigInteger n = d * BigInteger.Pow(10, (int)exponent);
            return TryRoundBig(n, sticky: false, 0, mantBits, expBits, out magnitude);
        }

        BigInteger den = BigInteger.Pow(10, (int)-exponent);
        // Enough quotient bits (at least 66) that rounding only needs the remainder as a sticky bit.
        long shift = Math.Max(0, 66 + (long)den.GetBitLength() - (long)d.GetBitLength());
        BigInteger q = BigInteger.DivRem(d << (int)shift, den, out BigInteger rem);
        return TryRoundBig(q, !rem.IsZero, -shift, mantBits, expBits, out magnitude);
    }

    private static readonly UInt128[] s_powersOf10 = CreatePowersOf10();

    private static UInt128[] CreatePowersOf10()
    {
        var powers = new UInt128[39];
        powers[0] = 1;
        for (int i = 1; i < powers.Length; i++)
            powers[i] = powers[i - 1] * 10;
        return powers;
    }

    // The common case, at most 19 significant digits and a modest exponent, in 128-bit arithmetic
    // instead of BigInteger. Returns false to leave the literal to the general path.
    private static bool TryParseShortDecimal(
        ReadOnlySpan<char> intPart, ReadOnlySpan<char> fracPart, long exponent,
        int mantBits, int expBits, out bool inRange, out ulong magnitude)
    {
        magnitude = 0;
        inRange = true;
        ulong d = 0;
        int significant = 0;
        long scale = exponent;
        foreach (char c in intPart)
        {
            if (c == '_')
                continue;
            if (significant > 0 || c != '0')
            {
                if (++significant > 19)
                    return false;
            }
            d = d * 10 + (ulong)(c - '0');
        }
        foreach (char c in fracPart)
        {
            if (c == '_')
                continue;
            if (significant > 0 || c != '0')
            {
                if (++significant > 19)
                    return false;
            }
            d = d * 10 + (ulong)(c - '0');
            scale--;
        }

        if (d == 0)
            return true;

        if (scale >= 0 && scale < s_powersOf10.Length && d <= UInt128.MaxValue / s_powersOf10[scale])
        {
            inRange = TryRound128((UInt128)d * s_powersOf10[scale], sticky: false, 0, mantBits, expBits, out magnitude);
            return true;
        }
        if (scale < 0 && scale >= -19)
        {
            // Shift the dividend to the top of 128 bits so the quotient keeps at least 63 significant bits.
            int shift = 64 + BitOperations.LeadingZeroCount(d);
            UInt128 dividend = (UInt128)d << shift;
            UInt128 divisor = s_powersOf10[-scale];
            UInt128 q = UInt128.DivRem(dividend, divisor).Quotient;
            bool inexact = q * divisor != dividend;
            inRange = TryRound128(q, inexact, -shift, mantBits, expBits, out magnitude);
            return true;
        }
        return false;
    }

    private static bool TryRound128(UInt128 n, bool sticky, long e, int mantBits, int expBits, out ulong magnitude)
    {
        ulong high = (ulong)(n >> 64);
        if (high != 0)
        {
            int drop = 64 - BitOperations.LeadingZeroCount(high);
            sticky |= (n & ((UInt128.One << drop) - 1)) != 0;
            n >>= drop;
            e += drop;
        }
        return TryRound((ulong)n, sticky, e, mantBits, expBits, out magnitude);
    }

    private static bool TryRoundBig(BigInteger n, bool sticky, long e, int mantBits, int expBits, out ulong magnitude)
    {
        long length = (long)n.GetBitLength();
        if (length > 64)
        {
            int drop = (int)(length - 64);
            sticky |= !(n & ((BigInteger.One << drop) - 1)).IsZero;
            n >>= drop;
            e += drop;
        }
        return TryRound((ulong)n, sticky, e, mantBits, expBits, out magnitude);
    }

    /// <summary>
    /// Rounds (m + sticky·ε) · 2^e to nearest-even at the target format, subnormals included; false when
    /// the result is infinite. <paramref name="sticky"/> means "strictly more than m, by less than one unit".
    /// </summary>
    private static bool TryRound(ulong m, bool sticky, long e, int mantBits, int expBits, out ulong magnitude)
    {
        magnitude = 0;
        if (m == 0)
            return true;

        long bias = (1L << (expBits - 1)) - 1;
        long minExp = 1 - bias;
        long topExp = e + 63 - BitOperations.LeadingZeroCount(m);
        long lsbExp = Math.Max(topExp, minExp) - mantBits;
        long shift = lsbExp - e;

        ulong q;
        if (shift <= 0)
        {
            q = m << (int)-shift; // exact: m has at most mantBits + 1 bits here
        }
        else
        {
            if (shift > 64)
            {
                q = 0; // below half of the smallest subnormal
            }
            else
            {
                q = shift == 64 ? 0 : m >> (int)shift;
                ulong rem = shift == 64 ? m : m & ((1UL << (int)shift) - 1);
                ulong half = 1UL << (int)(shift - 1);
                if (rem > half || (rem == half && (sticky || (q & 1) != 0)))
                    q++;
            }
            if (q >> (mantBits + 1) != 0)
            {
                q >>= 1;
                lsbExp++;
            }
        }

        // q < 2^(mantBits+1) with weight 2^lsbExp; the implicit bit of q carries into the exponent field.
        long biasedMinus1 = lsbExp + mantBits + bias - 1;
        if (q == 0)
            return true;
        if (q >> mantBits == 0)
        {
            magnitude = q; // subnormal (lsbExp is then minExp - mantBits, so the formula gives 0 too)
            return true;
        }
        if (biasedMinus1 + 1 >= (1L << expBits) - 1)
            return false;
        magnitude = ((ulong)biasedMinus1 << mantBits) + q;
        return true;
    }

    // ---- Printing -------------------------------------------------------------------------------

    /// <summary>
    /// Prints an f32 the way wabt does: hex float (<c>0x1.8p+1</c>, <c>-0x0p+0</c>), <c>inf</c>,
    /// <c>nan</c>, or <c>nan:0x…</c> for a non-canonical payload; parses back to the same bits.
    /// </summary>
    public static string FormatF32(uint bits) => FormatHex(bits, F32MantBits, F32ExpBits);

    /// <summary>Prints an f64; see <see cref="FormatF32"/>.</summary>
    public static string FormatF64(ulong bits) => FormatHex(bits, F64MantBits, F64ExpBits);

    private static string FormatHex(ulong bits, int mantBits, int expBits)
    {
        var sb = new StringBuilder(32);
        if ((bits >> (mantBits + expBits) & 1) != 0)
            sb.Append('-');
        long bias = (1L << (expBits - 1)) - 1;
        long biased = (long)(bits >> mantBits) & ((1L << expBits) - 1);
        ulong mant = bits & ((1UL << mantBits) - 1);

        if (biased == (1L << expBits) - 1)
        {
            if (mant == 0)
                return sb.Append("inf").ToString();
            sb.Append("nan");
            if (mant != 1UL << (mantBits - 1))
                sb.Append(":0x").Append(mant.ToString("x", CultureInfo.InvariantCulture));
            return sb.ToString();
        }
        if (biased == 0 && mant == 0)
            return sb.Append("0x0p+0").ToString();

        long exp = biased - bias;
        if (biased == 0)
        {
            // Subnormal: normalise so the leading 1 becomes the implicit one.
            int normalize = BitOperations.LeadingZeroCount(mant) - (63 - mantBits);
            mant = (mant << normalize) & ((1UL << mantBits) - 1);
            exp = 1 - bias - normalize;
        }

        sb.Append("0x1");
        if (mant != 0)
        {
            // Left-align the fraction on a nibble boundary and drop trailing zero nibbles.
            int padded = (mantBits + 3) / 4 * 4;
            ulong frac = mant << (padded - mantBits);
            int nibbles = padded / 4;
            while ((frac & 0xf) == 0)
            {
                frac >>= 4;
                nibbles--;
            }
            sb.Append('.').Append(frac.ToString("x" + nibbles.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        }
        sb.Append('p').Append(exp < 0 ? '-' : '+').Append(Math.Abs(exp).ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }
}
