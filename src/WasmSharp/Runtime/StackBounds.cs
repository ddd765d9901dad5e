using System.Runtime.InteropServices;

namespace WasmSharp.Runtime;

/// <summary>
/// Finds the lowest usable address of the current thread's stack. Compiled functions compare their
/// stack pointer against <c>low + reserve</c> on entry, which costs one compare and catches exhaustion
/// before the .NET stack overflows (an overflow kills the process; nothing can catch it).
/// </summary>
internal static unsafe partial class StackBounds
{
    /// <summary>The lowest address of the current thread's stack, or 0 when the platform does not say.</summary>
    internal static nuint GetCurrentThreadLow()
    {
        try
        {
            if (OperatingSystem.IsLinux()) return LinuxLow();
            if (OperatingSystem.IsWindows()) return WindowsLow();
            if (OperatingSystem.IsMacOS()) return MacLow();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
        return 0;
    }

    /// <summary>An address inside the caller's frame: a good-enough stack pointer.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    internal static nuint CurrentStackPointer()
    {
        byte b = 0;
        return (nuint)(&b);
    }

    private static nuint LinuxLow()
    {
        // pthread_attr_t is 56 bytes on glibc x64 and 64 on arm64; musl's is smaller. 128 covers them all.
        var attr = stackalloc byte[128];
        if (pthread_getattr_np(pthread_self(), attr) != 0) return 0;
        try
        {
            void* addr;
            nuint size;
            return pthread_attr_getstack(attr, &addr, &size) == 0 ? (nuint)addr : 0;
        }
        finally
        {
            pthread_attr_destroy(attr);
        }
    }

    private static nuint WindowsLow()
    {
        GetCurrentThreadStackLimits(out var low, out _);
        return low;
    }

    private static nuint MacLow()
    {
        var thread = pthread_self();
        return (nuint)pthread_get_stackaddr_np(thread) - pthread_get_stacksize_np(thread);
    }

    [LibraryImport("libc")]
    private static partial nint pthread_self();

    [LibraryImport("libc")]
    private static partial int pthread_getattr_np(nint thread, byte* attr);

    [LibraryImport("libc")]
    private static partial int pthread_attr_getstack(byte* attr, void** stackaddr, nuint* stacksize);

    [LibraryImport("libc")]
    private static partial int pthread_attr_destroy(byte* attr);

    [LibraryImport("libc")]
    private static partial void* pthread_get_stackaddr_np(nint thread);

    [LibraryImport("libc")]
    private static partial nuint pthread_get_stacksize_np(nint thread);

    [LibraryImport("kernel32")]
    private static partial void GetCurrentThreadStackLimits(out nuint lowLimit, out nuint highLimit);
}
