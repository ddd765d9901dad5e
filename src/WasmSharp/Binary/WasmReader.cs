using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using WasmSharp.Model;

namespace WasmSharp.Binary;

/// <summary>
/// A forward reader over WebAssembly binary data. Errors are <see cref="MalformedException"/>s whose
/// reason is the spec test suite's wording and whose location is an absolute byte offset
/// (<see cref="BaseOffset"/> plus the position in the span).
/// </summary>
/// <remarks>
/// LEB128 decoding follows the reference interpreter exactly: a value may use at most
/// ceil(N/7) bytes ("integer representation too long") and the unused bits of the last byte must be
/// zero (unsigned) or copies of the sign bit (signed) ("integer too large").
/// </remarks>
public ref struct WasmReader
{
    internal const string UnexpectedEnd = "unexpected end of section or function";
    internal const string TooLong = "integer representation too long";
    internal const string TooLarge = "integer too large";

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _baseOffset;
    private int _pos;

    public WasmReader(ReadOnlySpan<byte> data, int baseOffset = 0)
    {
        _data = data;
        _baseOffset = baseOffset;
        _pos = 0;
    }

    /// <summary>Position of the next byte relative to the start of the span.</summary>
    public int Position
    {
        readonly get => _pos;
        set
        {
            if ((uint)value > (uint)_data.Length) throw new ArgumentOutOfRangeException(nameof(value));
            _pos = value;
        }
    }

    /// <summary>Absolute offset of the next byte.</summary>
    public readonly int Offset => _baseOffset + _pos;

    public readonly int BaseOffset => _baseOffset;
    public readonly int Length => _data.Length;
    public readonly int Remaining => _data.Length - _pos;
    public readonly bool IsAtEnd => _pos >= _data.Length;
    public readonly ReadOnlySpan<byte> Data => _data;

    /// <summary>Throws a <see cref="MalformedException"/> at the given absolute offset.</summary>
    [DoesNotReturn]
    public static void Fail(string reason, int offset) => throw new MalformedException(reason, SourceLocation.AtOffset(offset));

    [DoesNotReturn]
    private readonly void FailAtPos(string reason, int pos) => Fail(reason, _baseOffset + pos);

    // ---- bytes ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadByte()
    {
        var p = _pos;
        if ((uint)p >= (uint)_data.Length) FailAtPos(UnexpectedEnd, _data.Length);
        _pos = p + 1;
        return _data[p];
    }

    /// <summary>The next byte, or -1 at the end.</summary>
    public readonly int PeekByte() => _pos < _data.Length ? _data[_pos] : -1;

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > _data.Length - _pos) FailAtPos(UnexpectedEnd, _data.Length);
        var s = _data.Slice(_pos, count);
        _pos += count;
        return s;
    }

    public void Skip(int count)
    {
        if (count < 0 || count > _data.Length - _pos) FailAtPos(UnexpectedEnd, _data.Length);
        _pos += count;
    }

    /// <summary>Reads the byte <paramref name="expected"/> or fails with <paramref name="reason"/>.</summary>
    public void Expect(byte expected, string reason)
    {
        var p = _pos;
        if (ReadByte() != expected) FailAtPos(reason, p);
    }

    public uint ReadFixedU32()
    {
        var s = ReadBytes(4);
        return BinaryPrimitives.ReadUInt32LittleEndian(s);
    }

    public ulong ReadFixedU64()
    {
        var s = ReadBytes(8);
        return BinaryPrimitives.ReadUInt64LittleEndian(s);
    }

    public uint ReadF32Bits() => ReadFixedU32();
    public ulong ReadF64Bits() => ReadFixedU64();

    // ---- LEB128 ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadU32()
    {
        var p = _pos;
        if ((uint)p < (uint)_data.Length)
        {
            var b = _data[p];
            if (b < 0x80)
            {
                _pos = p + 1;
                return b;
            }
        }
        return (uint)ReadUnsignedSlow(32);
    }

    public ulong ReadU64()
    {
        var p = _pos;
        if ((uint)p < (uint)_data.Length)
        {
            var b = _data[p];
            if (b < 0x80)
            {
                _pos = p + 1;
                return b;
            }
        }
        return ReadUnsignedSlow(64);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadS32()
    {
        var p = _pos;
        if ((uint)p < (uint)_data.Length)
        {
            var b = _data[p];
            if (b < 0x80)
            {
                _pos = p + 1;
                return (sbyte)(b << 1) >> 1;
            }
        }
        return (int)ReadSignedSlow(32);
    }

    /// <summary>A signed 33-bit integer (block types and heap types use it to extend type indices to u32).</summary>
    public long ReadS33() => ReadSignedSlow(33);

    public long ReadS64()
    {
        var p = _pos;
        if ((uint)p < (uint)_data.Length)
        {
            var b = _data[p];
            if (b < 0x80)
            {
                _pos = p + 1;
                return (sbyte)(b << 1) >> 1;
            }
        }
        return ReadSignedSlow(64);
    }

    /// <summary>An unsigned LEB128 of at most <paramref name="bits"/> bits.</summary>
    public ulong ReadUnsigned(int bits) => ReadUnsignedSlow(bits);

    /// <summary>A signed LEB128 of at most <paramref name="bits"/> bits, sign-extended to 64 bits.</summary>
    public long ReadSigned(int bits) => ReadSignedSlow(bits);

    private ulong ReadUnsignedSlow(int bits)
    {
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            var left = bits - shift;
            if (left <= 0) FailAtPos(TooLong, _pos);
            var p = _pos;
            var b = ReadByte();
            if (left < 7 && (b & 0x7F) >= (1 << left)) FailAtPos(TooLarge, p);
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
            shift += 7;
        }
    }

    private long ReadSignedSlow(int bits)
    {
        long result = 0;
        var shift = 0;
        while (true)
        {
            var left = bits - shift;
            if (left <= 0) FailAtPos(TooLong, _pos);
            var p = _pos;
            var b = ReadByte();
            if (left < 7)
            {
                var mask = (-1 << (left - 1)) & 0x7F;
                var m = b & mask;
                if (m != 0 && m != mask) FailAtPos(TooLarge, p);
            }
            result |= (long)(b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                if (shift < 64 && (b & 0x40) != 0) result |= -1L << shift;
                return result;
            }
        }
    }

    /// <summary>
    /// Decodes a signed LEB128 without throwing; false when it is malformed or truncated.
    /// Used where the reference decoder backtracks (heap types and block types).
    /// </summary>
    private readonly bool TryPeekSigned(int bits, out long value, out int length)
    {
        long result = 0;
        var shift = 0;
        var p = _pos;
        value = 0;
        length = 0;
        while (true)
        {
            var left = bits - shift;
            if (left <= 0 || p >= _data.Length) return false;
            var b = _data[p++];
            if (left < 7)
            {
                var mask = (-1 << (left - 1)) & 0x7F;
                var m = b & mask;
                if (m != 0 && m != mask) return false;
            }
            result |= (long)(b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                if (shift < 64 && (b & 0x40) != 0) result |= -1L << shift;
                value = result;
                length = p - _pos;
                return true;
            }
        }
    }

    /// <summary>
    /// A u32 length or count that must not exceed the bytes left ("length out of bounds"), which
    /// bounds what a caller allocates for it by the input size.
    /// </summary>
    public int ReadLength()
    {
        var p = _pos;
        var n = ReadU32();
        // The reference decoder measures what is left from the start of the length itself.
        if (n > (uint)(_data.Length - p)) FailAtPos("length out of bounds", p);
        return (int)n;
    }

    /// <summary>A length-prefixed UTF-8 name.</summary>
    public string ReadName()
    {
        var p = _pos;
        var n = ReadLength();
        var bytes = ReadBytes(n);
        if (!Utf8.IsValid(bytes)) FailAtPos("malformed UTF-8 encoding", p);
        return Encoding.UTF8.GetString(bytes);
    }

    // ---- types ----

    /// <summary>Reads a value type (number, vector or reference type).</summary>
    public ValType ReadValType()
    {
        var p = _pos;
        var b = ReadByte();
        switch (b)
        {
            case ValType.I32Code: return ValType.I32;
            case ValType.I64Code: return ValType.I64;
            case ValType.F32Code: return ValType.F32;
            case ValType.F64Code: return ValType.F64;
            case ValType.V128Code: return ValType.V128;
            case ValType.RefCode: return ValType.Ref(ReadHeapType(), nullable: false);
            case ValType.RefNullCode: return ValType.Ref(ReadHeapType(), nullable: true);
            case >= 0x69 and <= 0x74: return ValType.Ref(new HeapType(b - 0x80), nullable: true);
        }
        // The reference decoder tries number, vector, then reference types and reports the last failure.
        FailBadTypeByte(b, p, "malformed reference type");
        return default;
    }

    /// <summary>Reads a storage type: a value type or a packed type (i8, i16).</summary>
    public ValType ReadStorageType()
    {
        var b = PeekByte();
        if (b == ValType.I8Code)
        {
            _pos++;
            return ValType.I8;
        }
        if (b == ValType.I16Code)
        {
            _pos++;
            return ValType.I16;
        }
        if (b < 0) return ReadValType();
        var p = _pos;
        if (IsValTypeByte((byte)b))
        {
            try
            {
                return ReadValType();
            }
            catch (MalformedException)
            {
                // The reference decoder backtracks to a packed type here, so any failure reads as this one.
                FailAtPos("malformed storage type", p);
            }
        }
        _pos++;
        FailBadTypeByte((byte)b, p, "malformed storage type");
        return default;
    }

    /// <summary>Reads a reference type (the abstract shorthands or 0x63/0x64 with a heap type).</summary>
    public ValType ReadRefType()
    {
        var p = _pos;
        var b = ReadByte();
        switch (b)
        {
            case ValType.RefCode: return ValType.Ref(ReadHeapType(), nullable: false);
            case ValType.RefNullCode: return ValType.Ref(ReadHeapType(), nullable: true);
            case >= 0x69 and <= 0x74: return ValType.Ref(new HeapType(b - 0x80), nullable: true);
        }
        FailBadTypeByte(b, p, "malformed reference type");
        return default;
    }

    /// <summary>Reads a heap type: an abstract heap type byte or a non-negative s33 type index.</summary>
    public HeapType ReadHeapType()
    {
        var p = _pos;
        if (p >= _data.Length) FailAtPos(UnexpectedEnd, _data.Length);
        var b = _data[p];
        if (b < 0x80)
        {
            _pos = p + 1;
            if ((b & 0x40) == 0) return new HeapType(b);
            if (b is >= 0x69 and <= 0x74) return new HeapType(b - 0x80);
            FailAtPos("malformed heap type", p);
        }
        if (TryPeekSigned(33, out var v, out var len) && v is >= 0 and <= int.MaxValue)
        {
            _pos = p + len;
            return new HeapType((int)v);
        }
        // The reference decoder falls back to a one-byte abstract type, which cannot continue.
        FailAtPos(TooLong, p + 1);
        return default;
    }

    /// <summary>Reads a block type: 0x40 (empty), a value type, or a non-negative s33 type index.</summary>
    public BlockType ReadBlockType()
    {
        var p = _pos;
        if (p >= _data.Length) FailAtPos(UnexpectedEnd, _data.Length);
        var b = _data[p];
        if (b < 0x80)
        {
            if (b == 0x40)
            {
                _pos = p + 1;
                return BlockType.Empty;
            }
            if ((b & 0x40) == 0)
            {
                _pos = p + 1;
                return BlockType.FromTypeIndex(b);
            }
            return BlockType.FromValue(ReadValType());
        }
        if (TryPeekSigned(33, out var v, out var len) && v is >= 0 and <= int.MaxValue)
        {
            _pos = p + len;
            return BlockType.FromTypeIndex((uint)v);
        }
        FailAtPos(TooLong, p + 1);
        return default;
    }

    internal static bool IsValTypeByte(byte b) =>
        b is ValType.I32Code or ValType.I64Code or ValType.F32Code or ValType.F64Code or ValType.V128Code
            or ValType.RefCode or ValType.RefNullCode or (>= 0x69 and <= 0x74);

    [DoesNotReturn]
    private readonly void FailBadTypeByte(byte b, int p, string reason)
    {
        // A type is a one-byte s7 in the reference decoder, so a continuation bit means an overlong integer.
        if ((b & 0x80) != 0) FailAtPos(TooLong, p + 1);
        FailAtPos(reason, p);
    }
}
