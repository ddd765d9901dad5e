using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector128<byte>;

namespace WasmSharp.Compilation;

/// <summary>SIMD loads and stores at an already bounds-checked native address (unaligned, little-endian).</summary>
internal static unsafe partial class SimdOps
{
    [MethodImpl(Inline)] internal static V Load(nint p) => Unsafe.ReadUnaligned<V>((void*)p);
    [MethodImpl(Inline)] internal static void Store(nint p, V v) => Unsafe.WriteUnaligned((void*)p, v);

    [MethodImpl(Inline)] private static Vector128<T> Low64<T>(nint p) where T : struct => Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>((void*)p)).As<ulong, T>();

    [MethodImpl(Inline)] internal static V Load8x8S(nint p) => Vector128.WidenLower(Low64<sbyte>(p)).AsByte();
    [MethodImpl(Inline)] internal static V Load8x8U(nint p) => Vector128.WidenLower(Low64<byte>(p)).AsByte();
    [MethodImpl(Inline)] internal static V Load16x4S(nint p) => Vector128.WidenLower(Low64<short>(p)).AsByte();
    [MethodImpl(Inline)] internal static V Load16x4U(nint p) => Vector128.WidenLower(Low64<ushort>(p)).AsByte();
    [MethodImpl(Inline)] internal static V Load32x2S(nint p) => Vector128.WidenLower(Low64<int>(p)).AsByte();
    [MethodImpl(Inline)] internal static V Load32x2U(nint p) => Vector128.WidenLower(Low64<uint>(p)).AsByte();

    [MethodImpl(Inline)] internal static V Load8Splat(nint p) => Vector128.Create(*(byte*)p);
    [MethodImpl(Inline)] internal static V Load16Splat(nint p) => Vector128.Create(Unsafe.ReadUnaligned<ushort>((void*)p)).AsByte();
    [MethodImpl(Inline)] internal static V Load32Splat(nint p) => Vector128.Create(Unsafe.ReadUnaligned<uint>((void*)p)).AsByte();
    [MethodImpl(Inline)] internal static V Load64Splat(nint p) => Vector128.Create(Unsafe.ReadUnaligned<ulong>((void*)p)).AsByte();

    [MethodImpl(Inline)] internal static V Load32Zero(nint p) => Vector128.CreateScalar(Unsafe.ReadUnaligned<uint>((void*)p)).AsByte();
    [MethodImpl(Inline)] internal static V Load64Zero(nint p) => Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>((void*)p)).AsByte();

    [MethodImpl(Inline)] internal static V Load8Lane(nint p, V v, int lane) => v.WithElement(lane, *(byte*)p);
    [MethodImpl(Inline)] internal static V Load16Lane(nint p, V v, int lane) => v.AsUInt16().WithElement(lane, Unsafe.ReadUnaligned<ushort>((void*)p)).AsByte();
    [MethodImpl(Inline)] internal static V Load32Lane(nint p, V v, int lane) => v.AsUInt32().WithElement(lane, Unsafe.ReadUnaligned<uint>((void*)p)).AsByte();
    [MethodImpl(Inline)] internal static V Load64Lane(nint p, V v, int lane) => v.AsUInt64().WithElement(lane, Unsafe.ReadUnaligned<ulong>((void*)p)).AsByte();

    [MethodImpl(Inline)] internal static void Store8Lane(nint p, V v, int lane) => *(byte*)p = v.GetElement(lane);
    [MethodImpl(Inline)] internal static void Store16Lane(nint p, V v, int lane) => Unsafe.WriteUnaligned((void*)p, v.AsUInt16().GetElement(lane));
    [MethodImpl(Inline)] internal static void Store32Lane(nint p, V v, int lane) => Unsafe.WriteUnaligned((void*)p, v.AsUInt32().GetElement(lane));
    [MethodImpl(Inline)] internal static void Store64Lane(nint p, V v, int lane) => Unsafe.WriteUnaligned((void*)p, v.AsUInt64().GetElement(lane));
}
