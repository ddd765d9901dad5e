using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using WasmSharp.Runtime;

namespace WasmSharp.Compilation;

/// <summary>
/// Trap helpers. Generated code uses <see cref="Create"/> followed by a CIL <c>throw</c>; helper methods
/// written in C# call the throwing ones, kept out of line so the checks that call them stay small.
/// </summary>
internal static class Traps
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static Exception Create(TrapCode code) => new TrapException(code);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void Throw(TrapCode code) => throw new TrapException(code);

    /// <summary>A call_indirect trap naming the element, as the reference interpreter does ("uninitialized element 2").</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void Element(TrapCode code, ulong index) =>
        throw new TrapException(code, $"{TrapCodes.Message(code)} {index.ToString(System.Globalization.CultureInfo.InvariantCulture)}");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void IntegerDivideByZero() => throw new TrapException(TrapCode.IntegerDivideByZero);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void IntegerOverflow() => throw new TrapException(TrapCode.IntegerOverflow);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void InvalidConversion() => throw new TrapException(TrapCode.InvalidConversionToInteger);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void MemoryOutOfBounds() => throw new TrapException(TrapCode.MemoryOutOfBounds);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void TableOutOfBounds() => throw new TrapException(TrapCode.TableOutOfBounds);

}
