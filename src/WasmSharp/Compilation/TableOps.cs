using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WasmSharp.Runtime;

namespace WasmSharp.Compilation;

/// <summary>Table instructions and the lookup behind call_indirect.</summary>
internal static class TableOps
{
    internal static readonly System.Reflection.MethodInfo ResolveIndirectMethod = Members.Method(typeof(TableOps), nameof(ResolveIndirect));

    /// <summary>The function call_indirect calls: traps on a bad index, a null entry or a type that does not match.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Function ResolveIndirect(ulong index, Table table, int typeId)
    {
        var elements = table.Elements;
        if (index >= (ulong)elements.Length) Traps.Element(TrapCode.UndefinedElement, index);
        // Checked just above: no second bounds check.
        var f = Unsafe.As<Function?>(Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(elements), (nint)index));
        if (f is null) Traps.Element(TrapCode.UninitializedElement, index);
        if (f.TypeId != typeId) CheckSubtype(f, typeId);
        return f;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CheckSubtype(Function f, int typeId)
    {
        if (!f.Context.Store.Engine.Types.IsSubtype(f.TypeId, typeId)) Traps.Throw(TrapCode.IndirectCallTypeMismatch);
    }

    /// <summary>The callee of call_ref: the reference's static type already guarantees a function of the right type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Function CheckFunctionRef(object? reference)
    {
        if (reference is null) Traps.Throw(TrapCode.NullFunctionReference);
        return Unsafe.As<Function>(reference);
    }

    internal static object? Get(ulong index, Table table)
    {
        var elements = table.Elements;
        if (index >= (ulong)elements.Length) Traps.TableOutOfBounds();
        return elements[index];
    }

    internal static void Set(ulong index, object? value, Table table)
    {
        var elements = table.Elements;
        if (index >= (ulong)elements.Length) Traps.TableOutOfBounds();
        elements[index] = value;
    }

    internal static long Size(Table table) => table.Elements.Length;

    internal static long Grow(object? initial, ulong delta, Table table) => table.Grow(delta, initial);

    internal static void Fill(ulong index, object? value, ulong count, Table table)
    {
        var elements = table.Elements;
        if (index > (ulong)elements.Length || count > (ulong)elements.Length - index) Traps.TableOutOfBounds();
        Array.Fill(elements, value, (int)index, (int)count);
    }

    internal static void Copy(ulong destination, ulong source, ulong count, Table to, Table from)
    {
        var d = to.Elements;
        var s = from.Elements;
        if (destination > (ulong)d.Length || count > (ulong)d.Length - destination) Traps.TableOutOfBounds();
        if (source > (ulong)s.Length || count > (ulong)s.Length - source) Traps.TableOutOfBounds();
        Array.Copy(s, (int)source, d, (int)destination, (int)count);
    }

    internal static void Init(ulong destination, ulong source, ulong count, Table table, InstanceContext context, int elementIndex)
    {
        var segment = context.Elements[elementIndex];
        var d = table.Elements;
        if (source > (ulong)segment.Length || count > (ulong)segment.Length - source) Traps.TableOutOfBounds();
        if (destination > (ulong)d.Length || count > (ulong)d.Length - destination) Traps.TableOutOfBounds();
        Array.Copy(segment, (int)source, d, (int)destination, (int)count);
    }

    internal static void ElemDrop(InstanceContext context, int elementIndex) => context.Elements[elementIndex] = [];
}
