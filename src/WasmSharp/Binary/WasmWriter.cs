using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using WasmSharp.Model;

namespace WasmSharp.Binary;

/// <summary>
/// A growable buffer that writes the WebAssembly binary encoding. Integers are written as minimal LEB128.
/// </summary>
public sealed class WasmWriter
{
    private byte[] _buffer;
    private int _length;

    public WasmWriter(int capacity = 256)
    {
        _buffer = new byte[Math.Max(capacity, 16)];
    }

    /// <summary>Number of bytes written.</summary>
    public int Length => _length;

    /// <summary>The bytes written so far (valid until the next write).</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    /// <summary>Forgets everything written, keeping the buffer.</summary>
    public void Clear() => _length = 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Ensure(int extra)
    {
        if (_buffer.Length - _length < extra) Grow(extra);
    }

    private void Grow(int extra)
    {
        var needed = (long)_length + extra;
        var size = Math.Max(needed, (long)_buffer.Length * 2);
        if (size > Array.MaxLength) size = Math.Max(needed, Array.MaxLength);
        Array.Resize(ref _buffer, checked((int)size));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void WriteU32(uint value) => WriteU64(value);

    public void WriteU64(ulong value)
    {
        Ensure(10);
        var buf = _buffer;
        var i = _length;
        while (value >= 0x80)
        {
            buf[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buf[i++] = (byte)value;
        _length = i;
    }

    public void WriteS32(int value) => WriteS64(value);

    /// <summary>A signed 33-bit value (block type indices).</summary>
    public void WriteS33(long value) => WriteS64(value);

    public void WriteS64(long value)
    {
        Ensure(10);
        var buf = _buffer;
        var i = _length;
        while (true)
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            if ((value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0))
            {
                buf[i++] = b;
                break;
            }
            buf[i++] = (byte)(b | 0x80);
        }
        _length = i;
    }

    public void WriteF32Bits(uint bits)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), bits);
        _length += 4;
    }

    public void WriteF64Bits(ulong bits)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_length), bits);
        _length += 8;
    }

    /// <summary>A length-prefixed UTF-8 name.</summary>
    public void WriteName(string name)
    {
        var count = Encoding.UTF8.GetByteCount(name);
        WriteU32((uint)count);
        Ensure(count);
        Encoding.UTF8.GetBytes(name, _buffer.AsSpan(_length));
        _length += count;
    }

    /// <summary>Writes a value or storage type; nullable abstract reference types use their one-byte shorthand.</summary>
    public void WriteValType(ValType type)
    {
        if (type.Code == ValType.RefNullCode && type.Heap.IsAbstract)
        {
            WriteByte(type.Heap.AbstractByte);
            return;
        }
        WriteByte(type.Code);
        if (type.IsRef) WriteHeapType(type.Heap);
    }

    public void WriteHeapType(HeapType heap)
    {
        if (heap.IsAbstract) WriteByte(heap.AbstractByte);
        else WriteS33(heap.Code);
    }

    public void WriteBlockType(BlockType blockType)
    {
        switch (blockType.Kind)
        {
            case BlockTypeKind.Empty:
                WriteByte(0x40);
                break;
            case BlockTypeKind.Value:
                WriteValType(blockType.ValueType);
                break;
            default:
                WriteS33(blockType.TypeIndex);
                break;
        }
    }

    /// <summary>
    /// Starts a length-prefixed region (a section, a function body, a name subsection):
    /// reserves room for the length and returns a token for <see cref="EndSized"/>.
    /// </summary>
    public int BeginSized()
    {
        // Five bytes are reserved, then the content is moved down if the length needs fewer,
        // so the output keeps minimal LEBs.
        Ensure(5);
        var start = _length;
        _length += 5;
        return start;
    }

    /// <summary>Writes the length of the region begun by <see cref="BeginSized"/> in front of its content.</summary>
    public void EndSized(int token)
    {
        var contentStart = token + 5;
        var size = _length - contentStart;
        Span<byte> leb = stackalloc byte[5];
        var n = 0;
        var v = (uint)size;
        while (v >= 0x80)
        {
            leb[n++] = (byte)(v | 0x80);
            v >>= 7;
        }
        leb[n++] = (byte)v;
        if (n < 5) _buffer.AsSpan(contentStart, size).CopyTo(_buffer.AsSpan(token + n));
        leb[..n].CopyTo(_buffer.AsSpan(token));
        _length = token + n + size;
    }

    /// <summary>Writes a length-prefixed region whose content is produced by <paramref name="write"/>.</summary>
    public void WriteSized(Action<WasmWriter> write)
    {
        var token = BeginSized();
        write(this);
        EndSized(token);
    }
}
