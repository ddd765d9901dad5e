using System.Buffers.Binary;
using System.Text;

namespace WasmSharp.Wasi;

/// <summary>
/// Bounds-checked access to guest memory. Guest pointers are u32 offsets; a range that is not wholly
/// inside memory is a fault (EFAULT), never an exception.
/// </summary>
internal static class Guest
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool InBounds(ReadOnlySpan<byte> memory, uint ptr, ulong length) => ptr + length <= (ulong)memory.Length;

    public static uint U32(ReadOnlySpan<byte> memory, uint ptr) => BinaryPrimitives.ReadUInt32LittleEndian(memory[(int)ptr..]);

    public static ulong U64(ReadOnlySpan<byte> memory, uint ptr) => BinaryPrimitives.ReadUInt64LittleEndian(memory[(int)ptr..]);

    public static ushort U16(ReadOnlySpan<byte> memory, uint ptr) => BinaryPrimitives.ReadUInt16LittleEndian(memory[(int)ptr..]);

    public static void U32(Span<byte> memory, uint ptr, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(memory[(int)ptr..], value);

    public static void U64(Span<byte> memory, uint ptr, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(memory[(int)ptr..], value);

    public static void U16(Span<byte> memory, uint ptr, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(memory[(int)ptr..], value);

    /// <summary>Writes a u32 result, or faults when the pointer is out of bounds.</summary>
    public static WasiErrno WriteU32(Span<byte> memory, uint ptr, uint value)
    {
        if (!InBounds(memory, ptr, 4)) return WasiErrno.Fault;
        U32(memory, ptr, value);
        return WasiErrno.Success;
    }

    /// <summary>Writes a u64 result, or faults when the pointer is out of bounds.</summary>
    public static WasiErrno WriteU64(Span<byte> memory, uint ptr, ulong value)
    {
        if (!InBounds(memory, ptr, 8)) return WasiErrno.Fault;
        U64(memory, ptr, value);
        return WasiErrno.Success;
    }

    /// <summary>
    /// The bytes of a guest path or string, checked to be valid UTF-8 (EILSEQ otherwise, as Wasmtime does).
    /// </summary>
    public static WasiErrno ReadUtf8(ReadOnlySpan<byte> memory, uint ptr, uint length, out byte[] bytes)
    {
        bytes = [];
        if (!InBounds(memory, ptr, length)) return WasiErrno.Fault;
        var span = memory.Slice((int)ptr, (int)length);
        try
        {
            s_strictUtf8.GetCharCount(span);
        }
        catch (DecoderFallbackException)
        {
            return WasiErrno.Ilseq;
        }
        bytes = span.ToArray();
        return WasiErrno.Success;
    }

    /// <summary>
    /// Reads an iovec array (pairs of u32 pointer and u32 length) and checks that every buffer is inside memory.
    /// </summary>
    public static WasiErrno ReadIovecs(ReadOnlySpan<byte> memory, uint iovs, uint count, out (uint Ptr, uint Len)[] vectors)
    {
        vectors = [];
        if (!InBounds(memory, iovs, (ulong)count * 8)) return WasiErrno.Fault;
        var result = new (uint, uint)[count];
        for (uint i = 0; i < count; i++)
        {
            var ptr = U32(memory, iovs + i * 8);
            var len = U32(memory, iovs + i * 8 + 4);
            if (!InBounds(memory, ptr, len)) return WasiErrno.Fault;
            result[i] = (ptr, len);
        }
        vectors = result;
        return WasiErrno.Success;
    }
}
