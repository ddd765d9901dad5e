using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace WasmSharp.Compilation;

/// <summary>SIMD instructions over <c>Vector128&lt;byte&gt;</c>, reinterpreted per lane shape.</summary>
internal static partial class SimdOps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<byte> Const(long low, long high) => Vector128.Create(low, high).AsByte();
}
