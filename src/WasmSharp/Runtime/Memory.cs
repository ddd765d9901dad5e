using System.Runtime.InteropServices;
using WasmSharp.Model;

namespace WasmSharp.Runtime;

/// <summary>
/// A linear memory: native memory owned by its store, freed when the store is disposed. Growing may
/// move it, so a <see cref="Span"/> is only good until the next <see cref="Grow"/> (by the host or by Wasm).
/// </summary>
public sealed unsafe class Memory : Extern
{
    // Read directly by generated code; Base is reloaded after every call and memory.grow.
    internal byte* Base;
    internal ulong Length;

    private readonly ulong _maxPages;

    // Address space reserved for growth (0 when the memory lives on the C heap instead).
    private ulong _reserved;

    /// <summary>Reservations up to this size are made at creation: growth within them never moves the memory.</summary>
    private const ulong ReserveUpFront = 1UL << 30;

    /// <summary>Creates a memory of the given type in <paramref name="store"/>, zero-filled, with <c>Limits.Min</c> pages.</summary>
    public Memory(Store store, MemoryType type)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(type);
        Store = store;
        Type = type;
        PageSize = 1UL << type.PageSizeLog2;
        var addressMax = type.Limits.Is64 ? ulong.MaxValue >> type.PageSizeLog2 : (1UL << 32) >> type.PageSizeLog2;
        var engineMax = store.Engine.Config.MaxMemoryBytes >> type.PageSizeLog2;
        _maxPages = Math.Min(Math.Min(type.Limits.Max ?? addressMax, addressMax), engineMax);
        if (type.Limits.Min > _maxPages)
            throw new TrapException(TrapCode.MemoryOutOfBounds, $"memory of {type.Limits.Min} pages exceeds the limit of {_maxPages} pages");
        var bytes = type.Limits.Min << type.PageSizeLog2;
        if (!TryReserve(bytes, _maxPages << type.PageSizeLog2) && bytes > 0)
        {
            Base = (byte*)NativeMemory.AllocZeroed((nuint)bytes);
        }
        Length = bytes;
        store.Register(this);
    }

    public override ExternalKind Kind => ExternalKind.Memory;

    public Store Store { get; }

    /// <summary>The type the memory was created with (its minimum is the initial size).</summary>
    public MemoryType Type { get; }

    public bool Is64 => Type.Limits.Is64;

    /// <summary>Bytes per page: 65536 unless the module uses custom page sizes.</summary>
    public ulong PageSize { get; }

    /// <summary>Current size in pages.</summary>
    public ulong PageCount => Length >> Type.PageSizeLog2;

    /// <summary>Current size in bytes.</summary>
    public ulong ByteLength => Length;

    /// <summary>The most pages this memory can grow to (its maximum, the address space and the engine's limit).</summary>
    public ulong MaxPageCount => _maxPages;

    /// <summary>The whole memory as a span (valid until it grows or the store is disposed).</summary>
    /// <exception cref="InvalidOperationException">The memory is larger than a span can address (2 GiB).</exception>
    public Span<byte> Span
    {
        get
        {
            if (Length > int.MaxValue) throw new InvalidOperationException("The memory is larger than a Span can address; use GetSpan.");
            return new Span<byte>(Base, (int)Length);
        }
    }

    /// <summary>A window of the memory (valid until it grows or the store is disposed).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The window is not inside the memory.</exception>
    public Span<byte> GetSpan(ulong offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (offset > Length || (ulong)length > Length - offset) throw new ArgumentOutOfRangeException(nameof(offset), "The range is outside the memory.");
        return new Span<byte>(Base + offset, length);
    }

    /// <summary>
    /// Grows the memory by <paramref name="deltaPages"/> zeroed pages. Returns the previous size in pages,
    /// or -1 when the maximum or the engine's limit would be exceeded or the allocation fails.
    /// </summary>
    public long Grow(ulong deltaPages)
    {
        var old = PageCount;
        if (deltaPages == 0) return (long)old;
        if (deltaPages > _maxPages - old) return -1;
        var newBytes = (old + deltaPages) << Type.PageSizeLog2;
        if (newBytes > nuint.MaxValue) return -1;
        if (_reserved != 0)
        {
            if (newBytes <= _reserved)
            {
                if (!VirtualMemory.Commit(Base, RoundUp(newBytes))) return -1;
                Length = newBytes;
                return (long)old;
            }
            // Past the reservation (only memories reserved smaller than their maximum): move to a bigger one.
            var oldBase = Base;
            var oldReserved = _reserved;
            if (!TryReserve(newBytes, Math.Max(newBytes, Math.Min(_maxPages << Type.PageSizeLog2, 2 * _reserved)))) return -1;
            Buffer.MemoryCopy(oldBase, Base, newBytes, Length);
            VirtualMemory.Release(oldBase, oldReserved);
            Length = newBytes;
            return (long)old;
        }
        byte* grown;
        try
        {
            grown = (byte*)NativeMemory.Realloc(Base, (nuint)newBytes);
        }
        catch (OutOfMemoryException)
        {
            return -1;
        }
        NativeMemory.Clear(grown + Length, (nuint)(newBytes - Length));
        Base = grown;
        Length = newBytes;
        return (long)old;
    }

    private static ulong RoundUp(ulong bytes) => (bytes + VirtualMemory.Granularity - 1) & ~(VirtualMemory.Granularity - 1);

    /// <summary>Reserves room for <paramref name="maxBytes"/> (capped) and commits <paramref name="bytes"/>; false to use the C heap.</summary>
    private bool TryReserve(ulong bytes, ulong maxBytes)
    {
        if (!VirtualMemory.IsAvailable) return false;
        var reserve = RoundUp(Math.Max(bytes, Math.Min(maxBytes, ReserveUpFront)));
        if (reserve == 0) reserve = VirtualMemory.Granularity;
        var p = VirtualMemory.Reserve(reserve);
        if (p == null) return false;
        if (!VirtualMemory.Commit(p, RoundUp(bytes)))
        {
            VirtualMemory.Release(p, reserve);
            return false;
        }
        Base = p;
        _reserved = reserve;
        return true;
    }

    public byte ReadByte(ulong address) => GetSpan(address, 1)[0];

    public int ReadInt32(ulong address) => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(GetSpan(address, 4));

    public long ReadInt64(ulong address) => System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(GetSpan(address, 8));

    public void WriteByte(ulong address, byte value) => GetSpan(address, 1)[0] = value;

    public void WriteInt32(ulong address, int value) => System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(GetSpan(address, 4), value);

    public void WriteInt64(ulong address, long value) => System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(GetSpan(address, 8), value);

    /// <summary>Reads a UTF-8 string of <paramref name="length"/> bytes.</summary>
    public string ReadString(ulong address, int length) => System.Text.Encoding.UTF8.GetString(GetSpan(address, length));

    internal void Free()
    {
        var p = Base;
        Base = null;
        Length = 0;
        if (p == null) return;
        if (_reserved != 0) VirtualMemory.Release(p, _reserved);
        else NativeMemory.Free(p);
        _reserved = 0;
    }
}
