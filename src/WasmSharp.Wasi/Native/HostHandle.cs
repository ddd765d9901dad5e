using System.Runtime.InteropServices;

namespace WasmSharp.Wasi.Native;

/// <summary>An owned host file descriptor, closed when disposed or finalized.</summary>
internal sealed class HostHandle : SafeHandle
{
    public HostHandle(int fd)
        : base(-1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle == -1;

    /// <summary>The descriptor number (only valid while the handle is open).</summary>
    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
