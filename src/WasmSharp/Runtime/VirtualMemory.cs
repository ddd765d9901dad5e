using System.Runtime.InteropServices;

namespace WasmSharp.Runtime;

/// <summary>
/// Reserve-then-commit native memory for linear memories: growing within a reservation neither moves
/// nor copies the memory, and fresh pages come zeroed from the OS and cost nothing until touched.
/// Falls back to the C heap where the platform calls are unavailable.
/// </summary>
internal static unsafe partial class VirtualMemory
{
    private const int ProtNone = 0, ProtReadWrite = 3;
    private const int MapPrivate = 0x02;
    private const uint MemCommit = 0x1000, MemReserve = 0x2000, MemRelease = 0x8000, PageReadWrite = 0x04;

    private static readonly bool s_posix = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();
    private static readonly int s_mapAnonymous = OperatingSystem.IsLinux() ? 0x20 : 0x1000;
    private static readonly int s_mapNoReserve = OperatingSystem.IsLinux() ? 0x4000 : 0;
    private static bool s_unavailable;

    /// <summary>The OS page size granularity reservations are rounded to.</summary>
    internal const ulong Granularity = 64 * 1024;

    internal static bool IsAvailable => !s_unavailable && (s_posix || OperatingSystem.IsWindows());

    /// <summary>Reserves address space without backing it; null on failure.</summary>
    internal static byte* Reserve(ulong bytes)
    {
        try
        {
            if (s_posix)
            {
                var p = mmap(null, (nuint)bytes, ProtNone, MapPrivate | s_mapAnonymous | s_mapNoReserve, -1, 0);
                return p == (void*)-1 ? null : (byte*)p;
            }
            return (byte*)VirtualAlloc(null, (nuint)bytes, MemReserve, 0x01);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_unavailable = true;
            return null;
        }
    }

    /// <summary>Makes the first <paramref name="bytes"/> of a reservation readable and writable.</summary>
    internal static bool Commit(byte* reservation, ulong bytes)
    {
        if (bytes == 0) return true;
        if (s_posix) return mprotect(reservation, (nuint)bytes, ProtReadWrite) == 0;
        return VirtualAlloc(reservation, (nuint)bytes, MemCommit, PageReadWrite) != null;
    }

    internal static void Release(byte* reservation, ulong bytes)
    {
        if (s_posix) munmap(reservation, (nuint)bytes);
        else VirtualFree(reservation, 0, MemRelease);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial void* mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int mprotect(void* addr, nuint length, int prot);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(void* addr, nuint length);

    [LibraryImport("kernel32", SetLastError = true)]
    private static partial void* VirtualAlloc(void* address, nuint size, uint allocationType, uint protect);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool VirtualFree(void* address, nuint size, uint freeType);
}
