using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using WasmSharp.Text;

namespace WasmSharp.Tests.Text;

public class NumericLiteralsTests
{
    // ---- Integers -------------------------------------------------------------------------------

    [Theory]
    [InlineData("0", 0)]
    [InlineData("+0", 0)]
    [InlineData("-0", 0)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("-2147483648", int.MinValue)]
    [InlineData("4294967295", -1)]
    [InlineData("+4294967295", -1)]
    [InlineData("0xffffffff", -1)]
    [InlineData("0xFFFF_ffff", -1)]
    [InlineData("-0x80000000", int.MinValue)]
    [InlineData("0x8000_0000", int.MinValue)]
    [InlineData("1_000_000", 1000000)]
    [InlineData("0_1", 1)]
    [InlineData("0x0_0_1", 1)]
    [InlineData("-1", -1)]
    [InlineData("00000000000000000000000000000000000042", 42)]
    public void I32_Valid(string text, int expected)
    {
        Assert.True(NumericLiterals.TryParseI32(text, out int value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("+")]
    [InlineData("-")]
    [InlineData("0x")]
    [InlineData("1x")]
    [InlineData("0xg")]
    [InlineData("0X10")]
    [InlineData("4294967296")]
    [InlineData("0x100000000")]
    [InlineData("-2147483649")]
    [InlineData("-0x80000001")]
    [InlineData("99999999999999999999999")]
    [InlineData("_100")]
    [InlineData("+_100")]
    [InlineData("-_100")]
    [InlineData("99_")]
    [InlineData("1__000")]
    [InlineData("_0x100")]
    [InlineData("0_x100")]
    [InlineData("0x_100")]
    [InlineData("0x00_")]
    [InlineData("0xff__ffff")]
    [InlineData("--1")]
    [InlineData("+-1")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("٣")]
    public void I32_Invalid(string text) => Assert.False(NumericLiterals.TryParseI32(text, out _));

    [Theory]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("18446744073709551615", -1L)]
    [InlineData("0xffff_ffff_ffff_ffff", -1L)]
    [InlineData("-0x8000000000000000", long.MinValue)]
    [InlineData("0x7fffffffffffffff", long.MaxValue)]
    [InlineData("4294967296", 4294967296L)]
    public void I64_Valid(string text, long expected)
    {
        Assert.True(NumericLiterals.TryParseI64(text, out long value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("18446744073709551616")]
    [InlineData("0x10000000000000000")]
    [InlineData("-9223372036854775809")]
    [InlineData("-0x8000000000000001")]
    [InlineData("184467440737095516150")]
    [InlineData("0x1_0000_0000_0000_0000")]
    [InlineData("1__0")]
    public void I64_Invalid(string text) => Assert.False(NumericLiterals.TryParseI64(text, out _));

    [Fact]
    public void U32_And_U64_RejectSignsAndOverflow()
    {
        Assert.True(NumericLiterals.TryParseU32("4294967295", out uint u32));
        Assert.Equal(uint.MaxValue, u32);
        Assert.True(NumericLiterals.TryParseU32("0x1_0", out u32));
        Assert.Equal(16u, u32);
        Assert.False(NumericLiterals.TryParseU32("4294967296", out _));
        Assert.False(NumericLiterals.TryParseU32("+1", out _));
        Assert.False(NumericLiterals.TryParseU32("-0", out _));
        Assert.False(NumericLiterals.TryParseU32("", out _));

        Assert.True(NumericLiterals.TryParseU64("18446744073709551615", out ulong u64));
        Assert.Equal(ulong.MaxValue, u64);
        Assert.True(NumericLiterals.TryParseU64("0xffffffffffffffff", out u64));
        Assert.Equal(ulong.MaxValue, u64);
        Assert.False(NumericLiterals.TryParseU64("18446744073709551616", out _));
        Assert.False(NumericLiterals.TryParseU64("0x10000000000000000", out _));
        Assert.False(NumericLiterals.TryParseU64("+1", out _));
        Assert.False(NumericLiterals.TryParseU64("1_", out _));
    }

    [Theory]
    [InlineData("255", 255)]
    [InlineData("+255", 255)]
    [InlineData("0xff", 255)]
    [InlineData("-128", 128)]
    [InlineData("-0x80", 128)]
    [InlineData("-1", 255)]
    [InlineData("127", 127)]
    [InlineData("0", 0)]
    public void I8_Valid(string text, int expected)
    {
        Assert.True(NumericLiterals.TryParseI8(text, out byte value));
        Assert.Equal((byte)expected, value);
    }

    [Theory]
    [InlineData("256")]
    [InlineData("0x100")]
    [InlineData("-129")]
    [InlineData("-0x81")]
    [InlineData("-0x101")]
    public void I8_Invalid(string text) => Assert.False(NumericLiterals.TryParseI8(text, out _));

    [Fact]
    public void I16_Bounds()
    {
        Assert.True(NumericLiterals.TryParseI16("65535", out ushort v));
        Assert.Equal(ushort.MaxValue, v);
        Assert.True(NumericLiterals.TryParseI16("-32768", out v));
        Assert.Equal((ushort)0x8000, v);
        Assert.True(NumericLiterals.TryParseI16("-0x1", out v));
        Assert.Equal(ushort.MaxValue, v);
        Assert.False(NumericLiterals.TryParseI16("65536", out _));
        Assert.False(NumericLiterals.TryParseI16("0x10000", out _));
        Assert.False(NumericLiterals.TryParseI16("-32769", out _));
        Assert.False(NumericLiterals.TryParseI16("-0x8001", out _));
    }

    // ---- Floats: syntax ------------------------------------------------------------------------

    [Theory]
    [InlineData("1", 0x3f800000u)]
    [InlineData("1.", 0x3f800000u)]
    [InlineData("1.e0", 0x3f800000u)]
    [InlineData("1E0", 0x3f800000u)]
    [InlineData("+1.5", 0x3fc00000u)]
    [InlineData("-2", 0xc0000000u)]
    [InlineData("0x1", 0x3f800000u)]
    [InlineData("0x1.", 0x3f800000u)]
    [InlineData("0x1.p0", 0x3f800000u)]
    [InlineData("0x1P+0", 0x3f800000u)]
    [InlineData("0x1.8p1", 0x40400000u)]
    [InlineData("0x1.8p+1", 0x40400000u)]
    [InlineData("0x0.8p1", 0x3f800000u)]
    [InlineData("0x10p-4", 0x3f800000u)]
    [InlineData("0xA.Bp0", 0x412b0000u)]
    [InlineData("1_0.0_0e0_1", 0x42c80000u)]
    [InlineData("0x1_0.0_0p0_1", 0x42000000u)]
    [InlineData("0", 0u)]
    [InlineData("-0", 0x80000000u)]
    [InlineData("-0.0e-0", 0x80000000u)]
    [InlineData("-0x0p+0", 0x80000000u)]
    [InlineData("0x0.000p1000000000000000000000", 0u)]
    [InlineData("0e999999999999999999999999999999", 0u)]
    [InlineData("1e-999999999999999999999999999999", 0u)]
    [InlineData("-0x1p-999999999999999999999999999", 0x80000000u)]
    [InlineData("inf", 0x7f800000u)]
    [InlineData("+inf", 0x7f800000u)]
    [InlineData("-inf", 0xff800000u)]
    [InlineData("nan", 0x7fc00000u)]
    [InlineData("+nan", 0x7fc00000u)]
    [InlineData("-nan", 0xffc00000u)]
    [InlineData("nan:0x1", 0x7f800001u)]
    [InlineData("-nan:0x7f_ffff", 0xffffffffu)]
    [InlineData("nan:0x00000000000000000000001", 0x7f800001u)]
    [InlineData("nan:0x400000", 0x7fc00000u)]
    public void F32_Valid(string text, uint expected)
    {
        Assert.True(NumericLiterals.TryParseF32Bits(text, out uint bits), text);
        Assert.Equal(expected, bits);
    }

    [Theory]
    [InlineData("")]
    [InlineData("+")]
    [InlineData(".0")]
    [InlineData(".0e0")]
    [InlineData("0e")]
    [InlineData("0e+")]
    [InlineData("0.0e")]
    [InlineData("0.0e-")]
    [InlineData("0x")]
    [InlineData("1x")]
    [InlineData("0xg")]
    [InlineData("0x.")]
    [InlineData("0x.8")]
    [InlineData("0x0.g")]
    [InlineData("0x0p")]
    [InlineData("0x0p+")]
    [InlineData("0x0p-")]
    [InlineData("0x0.0p")]
    [InlineData("0x0pA")]
    [InlineData("0X1p0")]
    [InlineData("1p3")]
    [InlineData("1.0.0")]
    [InlineData("1e1e1")]
    [InlineData("1e1.0")]
    [InlineData("0x1p1p1")]
    [InlineData("0x1p0x1")]
    [InlineData("_1.0")]
    [InlineData("1_.0")]
    [InlineData("1._0")]
    [InlineData("1.0_")]
    [InlineData("1_e1")]
    [InlineData("1e_1")]
    [InlineData("1e+_1")]
    [InlineData("1e_+1")]
    [InlineData("1e1_")]
    [InlineData("0x_1.0")]
    [InlineData("0x1_.0")]
    [InlineData("0x1._0")]
    [InlineData("0x1_p1")]
    [InlineData("0x1p_1")]
    [InlineData("++1")]
    [InlineData("Inf")]
    [InlineData("infinity")]
    [InlineData("NaN")]
    [InlineData("nan:")]
    [InlineData("nan:1")]
    [InlineData("nan:0x")]
    [InlineData("nan:0x0")]
    [InlineData("nan:0x0_0")]
    [InlineData("nan:0x80_0000")]
    [InlineData("nan:0x1_")]
    [InlineData("nan:0x1p0")]
    [InlineData("nan:0X1")]
    [InlineData("nan:0x10000000000000000")]
    [InlineData("1 ")]
    [InlineData(" 1")]
    [InlineData("1,5")]
    [InlineData("1e39")]
    [InlineData("-1e39")]
    [InlineData("0x1p128")]
    [InlineData("-0x1p128")]
    [InlineData("0x1.ffffffp127")]
    [InlineData("0x1.ffffff00000000000000000000000000000000000001p127")]
    [InlineData("1e999999999999999999999999999999")]
    [InlineData("340282356779733661637539395458142568448")]
    public void F32_Invalid(string text) => Assert.False(NumericLiterals.TryParseF32Bits(text, out _), text);

    [Theory]
    [InlineData("nan:0x1", 0x7ff0000000000001UL)]
    [InlineData("nan:0xf_ffff_ffff_ffff", 0x7fffffffffffffffUL)]
    [InlineData("-nan", 0xfff8000000000000UL)]
    [InlineData("inf", 0x7ff0000000000000UL)]
    [InlineData("-0", 0x8000000000000000UL)]
    [InlineData("0x1p-1074", 1UL)]
    [InlineData("0x1p-1075", 0UL)]
    [InlineData("0x1.0000000000001p-1075", 1UL)]
    [InlineData("0x1.8p-1074", 2UL)]
    [InlineData("0x1.fffffffffffffp1023", 0x7fefffffffffffffUL)]
    [InlineData("0x1.fffffffffffff7ffffffp1023", 0x7fefffffffffffffUL)]
    [InlineData("0x1p-1022", 0x0010000000000000UL)]
    [InlineData("0x0.fffffffffffffp-1022", 0x000fffffffffffffUL)]
    [InlineData("0x0.fffffffffffff8p-1022", 0x0010000000000000UL)]
    [InlineData("0x0.fffffffffffff7ffffp-1022", 0x000fffffffffffffUL)]
    [InlineData("4.9406564584124654e-324", 1UL)]
    [InlineData("2.4703282292062327e-324", 0UL)] // just below half the smallest subnormal
    [InlineData("2.4703282292062328e-324", 1UL)]
    [InlineData("1.7976931348623157e308", 0x7fefffffffffffffUL)]
    [InlineData("179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368", 0x7fefffffffffffffUL)]
    [InlineData("0.1", 0x3fb999999999999aUL)]
    [InlineData("1e23", 0x44b52d02c7e14af6UL)]
    [InlineData("9007199254740993", 0x4340000000000000UL)] // 2^53+1: tie, to even
    [InlineData("9007199254740995", 0x4340000000000002UL)] // 2^53+3: tie, to even (up)
    [InlineData("9007199254740993.0000000000000000000000000000000000001", 0x4340000000000001UL)]
    [InlineData("0x1.00000000000008p0", 0x3ff0000000000000UL)] // tie, to even (down)
    [InlineData("0x1.00000000000018p0", 0x3ff0000000000002UL)] // tie, to even (up)
    [InlineData("0x1.000000000000080000000000000000000000001p0", 0x3ff0000000000001UL)]
    public void F64_Valid(string text, ulong expected)
    {
        Assert.True(NumericLiterals.TryParseF64Bits(text, out ulong bits), text);
        Assert.Equal(expected, bits);
    }

    [Theory]
    [InlineData("1e309")]
    [InlineData("-1e309")]
    [InlineData("0x1p1024")]
    [InlineData("0x1.fffffffffffff8p1023")]
    [InlineData("0x1.fffffffffffff80000000000000000000000000000000001p1023")]
    [InlineData("269653970229347356221791135597556535197105851288767494898376215204735891170042808140884337949150317257310688430271573696351481990334196274152701320055306275479074865864826923114368235135583993416113802762682700913456874855354834422248712838998185022412196739306217084753107265771378949821875606039276187287552")]
    [InlineData("nan:0x10_0000_0000_0000")]
    [InlineData("nan:0x0")]
    [InlineData("1__0")]
    public void F64_Invalid(string text) => Assert.False(NumericLiterals.TryParseF64Bits(text, out _), text);

    [Theory]
    [InlineData("0x1p-149", 1u)]
    [InlineData("0x1p-150", 0u)] // exactly half the smallest subnormal: tie to even, i.e. zero
    [InlineData("0x1.000002p-150", 1u)]
    [InlineData("0x1.8p-149", 2u)] // 1.5 ulp: tie, to even
    [InlineData("0x1.4p-148", 2u)] // 2.5 ulp: tie, to even
    [InlineData("0x1.cp-148", 4u)] // 3.5 ulp: tie, to even
    [InlineData("0x1.fffffcp-127", 0x007fffffu)]
    [InlineData("0x1.fffffep-127", 0x00800000u)] // rounds up out of the subnormals
    [InlineData("0x1p-126", 0x00800000u)]
    [InlineData("0x1.fffffep127", 0x7f7fffffu)]
    [InlineData("0x1.fffffe7p127", 0x7f7fffffu)]
    [InlineData("0x1.fffffefffffff8000000p127", 0x7f7fffffu)]
    [InlineData("0x1.fffffefffffffffffffp127", 0x7f7fffffu)]
    [InlineData("0x1.fffffefffffffffffffffffffffffffffffffffffffffp127", 0x7f7fffffu)]
    [InlineData("0x1e1p0", 0x43f08000u)]
    [InlineData("0x1.000001p0", 0x3f800000u)] // tie, to even (down)
    [InlineData("0x1.000003p0", 0x3f800002u)] // tie, to even (up)
    [InlineData("0x1.00000100000000000000000000000000001p0", 0x3f800001u)]
    [InlineData("0x1.00000100000000001p-50", 0x26800001u)]
    [InlineData("1.401298464324817e-45", 1u)]
    [InlineData("7.006492321624085e-46", 0u)] // just below half of 2^-149
    [InlineData("7.006492321624086e-46", 1u)]
    [InlineData("3.4028234663852886e38", 0x7f7fffffu)]
    [InlineData("340282356779733623858607532500980858880", 0x7f7fffffu)]
    [InlineData("16777217", 0x4b800000u)] // 2^24+1: tie, to even
    [InlineData("16777219", 0x4b800002u)]
    [InlineData("16777217.000000000000000000000000000000000000000000000000000000000000000000001", 0x4b800001u)]
    [InlineData("0.1", 0x3dcccccdu)]
    public void F32_Rounding(string text, uint expected)
    {
        Assert.True(NumericLiterals.TryParseF32Bits(text, out uint bits), text);
        Assert.Equal(expected, bits);
    }

    [Fact]
    public void F32_Decimal_NoDoubleRounding()
    {
        // 1 + 2^-24 + 2^-56 rounds to the f32 tie 1 + 2^-24 in f64; going through f64 would then give 1.
        string text = ExactDecimal((BigInteger.One << 56) + (BigInteger.One << 32) + 1, -56);
        Assert.True(NumericLiterals.TryParseF32Bits(text, out uint bits));
        Assert.Equal(0x3f800001u, bits);
        Assert.True(NumericLiterals.TryParseF32Bits(ExactDecimal((BigInteger.One << 56) + (BigInteger.One << 32), -56), out bits));
        Assert.Equal(0x3f800000u, bits);
        Assert.True(NumericLiterals.TryParseF32Bits(ExactDecimal((BigInteger.One << 56) + (BigInteger.One << 32) - 1, -56), out bits));
        Assert.Equal(0x3f800000u, bits);
    }

    [Fact]
    public void VeryLongDecimal_RoundsCorrectly()
    {
        // Exactly halfway between 1 and the next double, then a non-zero digit 5000 places later.
        string half = "1." + "00000000000000011102230246251565404236316680908203125";
        Assert.True(NumericLiterals.TryParseF64Bits(half, out ulong bits));
        Assert.Equal(0x3ff0000000000000UL, bits);
        Assert.True(NumericLiterals.TryParseF64Bits(half + new string('0', 5000) + "1", out bits));
        Assert.Equal(0x3ff0000000000001UL, bits);
        Assert.True(NumericLiterals.TryParseF64Bits(half + new string('0', 5000) + "e0", out bits));
        Assert.Equal(0x3ff0000000000000UL, bits);
        Assert.True(NumericLiterals.TryParseF64Bits(new string('9', 300) + "." + new string('9', 3000), out bits));
        Assert.Equal(BitConverter.DoubleToUInt64Bits(1e300), bits);
        Assert.True(NumericLiterals.TryParseF64Bits("0." + new string('0', 3000) + "1e3001", out bits));
        Assert.Equal(BitConverter.DoubleToUInt64Bits(1.0), bits);
        Assert.True(NumericLiterals.TryParseF32Bits("1" + new string('0', 3000) + "e-3000", out uint f));
        Assert.Equal(0x3f800000u, f);
    }

    // ---- Printing --------------------------------------------------------------------------------

    [Theory]
    [InlineData(0x00000000u, "0x0p+0")]
    [InlineData(0x80000000u, "-0x0p+0")]
    [InlineData(0x3f800000u, "0x1p+0")]
    [InlineData(0x40400000u, "0x1.8p+1")]
    [InlineData(0x3dcccccdu, "0x1.99999ap-4")]
    [InlineData(0x00000001u, "0x1p-149")]
    [InlineData(0x007fffffu, "0x1.fffffcp-127")]
    [InlineData(0x00800000u, "0x1p-126")]
    [InlineData(0x7f7fffffu, "0x1.fffffep+127")]
    [InlineData(0x7f800000u, "inf")]
    [InlineData(0xff800000u, "-inf")]
    [InlineData(0x7fc00000u, "nan")]
    [InlineData(0xffc00000u, "-nan")]
    [InlineData(0x7fa00000u, "nan:0x200000")]
    [InlineData(0xff800001u, "-nan:0x1")]
    public void FormatF32_LikeWabt(uint bits, string expected) => Assert.Equal(expected, NumericLiterals.FormatF32(bits));

    [Theory]
    [InlineData(0x0000000000000000UL, "0x0p+0")]
    [InlineData(0x8000000000000000UL, "-0x0p+0")]
    [InlineData(0x3ff8000000000000UL, "0x1.8p+0")]
    [InlineData(0x3fb999999999999aUL, "0x1.999999999999ap-4")]
    [InlineData(0x0000000000000001UL, "0x1p-1074")]
    [InlineData(0x000fffffffffffffUL, "0x1.ffffffffffffep-1023")]
    [InlineData(0x7fefffffffffffffUL, "0x1.fffffffffffffp+1023")]
    [InlineData(0x7ff0000000000000UL, "inf")]
    [InlineData(0x7ff8000000000000UL, "nan")]
    [InlineData(0xfff8000000000000UL, "-nan")]
    [InlineData(0x7ff0000000000001UL, "nan:0x1")]
    [InlineData(0x7ff4000000000000UL, "nan:0x4000000000000")]
    public void FormatF64_LikeWabt(ulong bits, string expected) => Assert.Equal(expected, NumericLiterals.FormatF64(bits));

    [Fact]
    public void Format_ThenParse_RoundTrips_RandomBits()
    {
        var random = new Random(20240607);
        Span<byte> buffer = stackalloc byte[8];
        for (int i = 0; i < 200_000; i++)
        {
            random.NextBytes(buffer);
            ulong raw = BitConverter.ToUInt64(buffer);
            // Skew some samples to the interesting exponents: zero/subnormal and inf/nan.
            ulong b64 = (i % 4) switch
            {
                1 => raw & 0x800fffffffffffffUL,
                2 => raw | 0x7ff0000000000000UL,
                3 => raw >> random.Next(64),
                _ => raw,
            };
            uint b32 = (i % 4) switch
            {
                1 => (uint)raw & 0x807fffffu,
                2 => (uint)raw | 0x7f800000u,
                3 => (uint)raw >> random.Next(32),
                _ => (uint)raw,
            };

            string s64 = NumericLiterals.FormatF64(b64);
            Assert.True(NumericLiterals.TryParseF64Bits(s64, out ulong back64), s64);
            Assert.Equal(b64, back64);

            string s32 = NumericLiterals.FormatF32(b32);
            Assert.True(NumericLiterals.TryParseF32Bits(s32, out uint back32), s32);
            Assert.Equal(b32, back32);

            // The shortest round-trip decimal of .NET must come back too (finite values only).
            double d = BitConverter.UInt64BitsToDouble(b64);
            if (double.IsFinite(d))
            {
                string r = d.ToString("R", CultureInfo.InvariantCulture);
                Assert.True(NumericLiterals.TryParseF64Bits(r, out back64), r);
                Assert.Equal(b64, back64);
            }
            float f = BitConverter.UInt32BitsToSingle(b32);
            if (float.IsFinite(f))
            {
                string r = f.ToString("R", CultureInfo.InvariantCulture);
                Assert.True(NumericLiterals.TryParseF32Bits(r, out back32), r);
                Assert.Equal(b32, back32);
            }
        }
    }

    // ---- Cross-checks against .NET's own correctly rounded parsers -------------------------------

    [Fact]
    public void RandomDecimal_AgreesWithDotNet()
    {
        var random = new Random(12345);
        var sb = new StringBuilder();
        for (int i = 0; i < 30_000; i++)
        {
            sb.Clear();
            int intDigits = random.Next(1, 30);
            for (int k = 0; k < intDigits; k++)
                sb.Append((char)('0' + random.Next(10)));
            if (random.Next(2) == 0)
            {
                sb.Append('.');
                int fracDigits = random.Next(0, i % 10 == 0 ? 900 : 30);
                for (int k = 0; k < fracDigits; k++)
                    sb.Append((char)('0' + random.Next(10)));
            }
            // Half the exponents stay small enough for the 128-bit fast path.
            sb.Append('e').Append(i % 2 == 0 ? random.Next(-360, 330) : random.Next(-50, 45));
            string s = sb.ToString();

            double d = double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
            bool ok64 = NumericLiterals.TryParseF64Bits(s, out ulong b64);
            Assert.Equal(double.IsFinite(d), ok64);
            if (ok64)
                Assert.Equal(BitConverter.DoubleToUInt64Bits(d), b64);

            float f = float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
            bool ok32 = NumericLiterals.TryParseF32Bits(s, out uint b32);
            Assert.Equal(float.IsFinite(f), ok32);
            if (ok32)
                Assert.Equal(BitConverter.SingleToUInt32Bits(f), b32);
        }
    }

    [Fact]
    public void RandomHex_AgreesWithExactDecimalExpansion()
    {
        // A hex literal's value has a finite decimal expansion; .NET rounds that expansion correctly,
        // which makes an independent reference for the hex path, ties and subnormals included.
        var random = new Random(777);
        for (int i = 0; i < 20_000; i++)
        {
            bool f32 = i % 2 == 0;
            int bitsOfMantissa = random.Next(1, f32 ? 40 : 72);
            BigInteger m = BigInteger.One << (bitsOfMantissa - 1);
            for (int k = 0; k < bitsOfMantissa - 1; k++)
                if (random.Next(2) == 0)
                    m |= BigInteger.One << k;
            if (random.Next(3) == 0)
            {
                // Exactly one bit more than the target precision, lowest bit set: a tie, unless subnormal.
                int precision = f32 ? 24 : 53;
                m = ((m & ((BigInteger.One << precision) - 1)) | (BigInteger.One << (precision - 1))) << 1 | 1;
            }
            int exp = f32 ? random.Next(-190, 140) : random.Next(-1140, 1040);

            string hex = "0x" + m.ToString("x", CultureInfo.InvariantCulture).TrimStart('0') + "p" + exp.ToString(CultureInfo.InvariantCulture);
            string dec = ExactDecimal(m, exp);
            if (f32)
            {
                float reference = float.Parse(dec, NumberStyles.Float, CultureInfo.InvariantCulture);
                bool ok = NumericLiterals.TryParseF32Bits(hex, out uint bits);
                Assert.Equal(float.IsFinite(reference), ok);
                if (ok)
                    Assert.Equal(BitConverter.SingleToUInt32Bits(reference), bits);
            }
            else
            {
                double reference = double.Parse(dec, NumberStyles.Float, CultureInfo.InvariantCulture);
                bool ok = NumericLiterals.TryParseF64Bits(hex, out ulong bits);
                Assert.Equal(double.IsFinite(reference), ok);
                if (ok)
                    Assert.Equal(BitConverter.DoubleToUInt64Bits(reference), bits);
            }
        }
    }

    private static string ExactDecimal(BigInteger m, int exp2)
    {
        if (exp2 >= 0)
            return (m << exp2).ToString(CultureInfo.InvariantCulture);
        // m / 2^k == m * 5^k / 10^k
        BigInteger scaled = m * BigInteger.Pow(5, -exp2);
        return scaled.ToString(CultureInfo.InvariantCulture) + "e" + exp2.ToString(CultureInfo.InvariantCulture);
    }

    // ---- The vendored spec suite as data ----------------------------------------------------------

    private static readonly Regex s_constPair = new(
        """\(module \(func \(export "f"\) \(result (f32|f64)\) \((?:f32|f64)\.const ([^\s()]+)\)\)\)\s*\(assert_return \(invoke "f"\) \((?:f32|f64)\.const ([^\s()]+)\)\)""");

    [Fact]
    public void ConstWast_RoundingPairs()
    {
        string text = File.ReadAllText(SpecFile("const.wast"));
        int count = 0;
        foreach (Match match in s_constPair.Matches(text))
        {
            string literal = match.Groups[2].Value, expected = match.Groups[3].Value;
            Assert.Equal(ParseFloat(match.Groups[1].Value, expected), ParseFloat(match.Groups[1].Value, literal));
            count++;
        }
        Assert.True(count >= 300, $"only {count} pairs found");
    }

    private static readonly Regex s_literalFunc = new(
        """\(func \(export "([^"]+)"\) \(result (?:i32|i64|f32|f64)\) (?:\(i(?:32|64)\.reinterpret_f(?:32|64) )?\((f32|f64)\.const ([^\s()]+)\)""");
    private static readonly Regex s_literalAssert = new(
        """\(assert_return \(invoke "([^"]+)"\) \((i32|i64|f32|f64)\.const ([^\s()]+)\)\)""");

    [Fact]
    public void FloatLiteralsWast_Values()
    {
        string text = File.ReadAllText(SpecFile("float_literals.wast"));
        var funcs = s_literalFunc.Matches(text).ToDictionary(m => m.Groups[1].Value, m => (Type: m.Groups[2].Value, Literal: m.Groups[3].Value));
        int count = 0;
        foreach (Match match in s_literalAssert.Matches(text))
        {
            if (!funcs.TryGetValue(match.Groups[1].Value, out var func))
                continue;
            string type = match.Groups[2].Value, expected = match.Groups[3].Value;
            ulong expectedBits = type switch
            {
                "i32" => NumericLiterals.TryParseI32(expected, out int i) ? (uint)i : throw new InvalidDataException(expected),
                "i64" => NumericLiterals.TryParseI64(expected, out long l) ? (ulong)l : throw new InvalidDataException(expected),
                _ => ParseFloat(type, expected),
            };
            Assert.Equal(expectedBits, ParseFloat(func.Type, func.Literal));
            count++;
        }
        Assert.True(count > 80, $"only {count} assertions found");
    }

    private static readonly Regex s_quotedConst = new("""\((i32|i64|f32|f64)\.const ([^\s()]+)\)""");
    private static readonly Regex s_quotedVector = new("""\(v128\.const (i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)((?:\s+[^\s()]+)+)\s*\)""");

    [Theory]
    [InlineData("const.wast")]
    [InlineData("float_literals.wast")]
    [InlineData("int_literals.wast")]
    [InlineData("simd_const.wast")]
    public void SpecMalformedLiterals_AreRejected(string file)
    {
        string[] lines = File.ReadAllLines(SpecFile(file));
        int count = 0;
        for (int i = 0; i + 1 < lines.Length; i++)
        {
            if (!lines[i].TrimStart().StartsWith("(assert_malformed", StringComparison.Ordinal))
                continue;
            string quoted = lines[i + 1];
            if (!quoted.Contains("(module quote", StringComparison.Ordinal) || !quoted.TrimEnd().EndsWith(")\")", StringComparison.Ordinal))
                continue;
            foreach (Match m in s_quotedConst.Matches(quoted))
            {
                Assert.False(TryParse(m.Groups[1].Value, m.Groups[2].Value), quoted);
                count++;
            }
            foreach (Match m in s_quotedVector.Matches(quoted))
            {
                string[] lanes = m.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (lanes.Length != LaneCount(m.Groups[1].Value))
                    continue; // a lane-count error, not a literal one
                Assert.False(lanes.All(lane => TryParseLane(m.Groups[1].Value, lane)), quoted);
                count++;
            }
        }
        Assert.True(count > 10, $"only {count} malformed literals found");
    }

    private static readonly Regex s_string = new("""
        "(?:[^"\\]|\\.)*"
        """);

    [Fact]
    public void SpecSuite_AllLiteralsOutsideQuotesParse()
    {
        int count = 0;
        foreach (string path in Directory.EnumerateFiles(Path.GetDirectoryName(SpecFile("const.wast"))!, "*.wast"))
        {
            foreach (string rawLine in File.ReadLines(path))
            {
                // Quoted modules hold the malformed literals; strings never span lines in the suite.
                string line = s_string.Replace(rawLine, "\"\"");
                int comment = line.IndexOf(";;", StringComparison.Ordinal);
                if (comment >= 0)
                    line = line[..comment];
                foreach (Match m in s_quotedConst.Matches(line))
                {
                    string literal = m.Groups[2].Value;
                    if (literal.StartsWith("nan:canonical", StringComparison.Ordinal) || literal.StartsWith("nan:arithmetic", StringComparison.Ordinal))
                        continue;
                    Assert.True(TryParse(m.Groups[1].Value, literal), $"{Path.GetFileName(path)}: {line}");
                    count++;
                }
                foreach (Match m in s_quotedVector.Matches(line))
                {
                    foreach (string lane in m.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (lane.StartsWith("nan:canonical", StringComparison.Ordinal) || lane.StartsWith("nan:arithmetic", StringComparison.Ordinal))
                            continue;
                        Assert.True(TryParseLane(m.Groups[1].Value, lane), $"{Path.GetFileName(path)}: {line}");
                        count++;
                    }
                }
            }
        }
        Assert.True(count > 10_000, $"only {count} literals found");
    }

    private static bool TryParse(string type, string literal) => type switch
    {
        "i32" => NumericLiterals.TryParseI32(literal, out _),
        "i64" => NumericLiterals.TryParseI64(literal, out _),
        "f32" => NumericLiterals.TryParseF32Bits(literal, out _),
        _ => NumericLiterals.TryParseF64Bits(literal, out _),
    };

    private static bool TryParseLane(string shape, string literal) => shape switch
    {
        "i8x16" => NumericLiterals.TryParseI8(literal, out _),
        "i16x8" => NumericLiterals.TryParseI16(literal, out _),
        "i32x4" => NumericLiterals.TryParseI32(literal, out _),
        "i64x2" => NumericLiterals.TryParseI64(literal, out _),
        "f32x4" => NumericLiterals.TryParseF32Bits(literal, out _),
        _ => NumericLiterals.TryParseF64Bits(literal, out _),
    };

    private static int LaneCount(string shape) => 128 / int.Parse(shape.AsSpan(1, shape.IndexOf('x') - 1), CultureInfo.InvariantCulture);

    private static ulong ParseFloat(string type, string literal)
    {
        if (type == "f32")
            return NumericLiterals.TryParseF32Bits(literal, out uint b32) ? b32 : throw new InvalidDataException(literal);
        return NumericLiterals.TryParseF64Bits(literal, out ulong b64) ? b64 : throw new InvalidDataException(literal);
    }

    private static string SpecFile(string name, [CallerFilePath] string sourceFile = "")
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tests", "testsuite", "spec", name);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        throw new FileNotFoundException("vendored spec test suite not found", name);
    }
}
