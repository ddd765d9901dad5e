using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WasmSharp.Runtime;

namespace WasmSharp.Compilation;

/// <summary>Memory instructions that are calls rather than inline code: size, grow and the bulk operations.</summary>
internal static unsafe class MemoryOps
{
    /// <summary>Bounds check of a 64-bit address (memory64): returns the effective address or traps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Check64(ulong address, ulong offset, int size, ulong length)
    {
        var ea = address + offset;
        if (ea < address || ea > length || length - ea < (ulong)size) Traps.MemoryOutOfBounds();
        return ea;
    }

    /// <summary>Bounds check and address of a 32-bit access, as one call (for the largest functions, see FunctionCompiler._large).</summary>
    /// <remarks>
    /// Optimized from its first call rather than tiered: unoptimized callers call it at every access, and its
    /// tier-0 code would double their cost for the first runs.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.AggressiveInlining)]
    internal static nint Address32(int address, ulong offset, int size, ulong length, nint memoryBase)
    {
        var ea = (ulong)(uint)address + offset;
        if (ea + (ulong)size > length) Traps.MemoryOutOfBounds();
        return memoryBase + (nint)ea;
    }

    internal static long Size(Memory memory) => (long)memory.PageCount;

    internal static long Grow(ulong delta, Memory memory) => memory.Grow(delta);

    internal static void Fill(ulong destination, int value, ulong count, Memory memory)
    {
        var length = memory.Length;
        if (destination > length || count > length - destination) Traps.MemoryOutOfBounds();
        NativeMemory.Fill(memory.Base + destination, (nuint)count, (byte)value);
    }

    internal static void Copy(ulong destination, ulong source, ulong count, Memory to, Memory from)
    {
        if (destination > to.Length || count > to.Length - destination) Traps.MemoryOutOfBounds();
        if (source > from.Length || count > from.Length - source) Traps.MemoryOutOfBounds();
        Buffer.MemoryCopy(from.Base + source, to.Base + destination, count, count);
    }

    internal static void Init(ulong destination, ulong source, ulong count, Memory memory, InstanceContext context, int dataIndex)
    {
        var data = context.Data[dataIndex];
        if (source > (ulong)data.Length || count > (ulong)data.Length - source) Traps.MemoryOutOfBounds();
        if (destination > memory.Length || count > memory.Length - destination) Traps.MemoryOutOfBounds();
        data.AsSpan((int)source, (int)count).CopyTo(new Span<byte>(memory.Base + destination, (int)count));
    }

    internal static void DataDrop(InstanceContext context, int dataIndex) => context.Data[dataIndex] = [];
}
