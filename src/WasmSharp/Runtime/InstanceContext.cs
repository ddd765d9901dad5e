using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmSharp.Compilation;

namespace WasmSharp.Runtime;

/// <summary>
/// The per-instance state compiled code works with, passed as the last argument of every compiled
/// function. Its fields are read directly by generated IL (see <see cref="Members"/>), so they
/// are fields, not properties. Host functions get a context of their own whose
/// <see cref="HostFunction"/> says what to call.
/// </summary>
internal sealed class InstanceContext
{
    /// <summary>Compiled functions trap when the stack pointer is below this address (see <see cref="StackBounds"/>).</summary>
    internal nuint StackLimit;

    /// <summary>Results 1..n-1 of a multi-value call; one array shared by every context of a store.</summary>
    internal ResultSlot[] Results;

    internal Memory[] Memories = [];

    /// <summary>Memories[0], the memory nearly every function uses: one load at function entry instead of an array access.</summary>
    internal Memory? Memory0;

    internal Global[] Globals = [];
    internal Table[] Tables = [];

    /// <summary>Tables[0], the table of call_indirect in nearly every module: one load instead of an array access.</summary>
    internal Table? Table0;

    internal Tag[] Tags = [];

    /// <summary>The function index space; defined functions are filled in on first use (<see cref="GetFunction"/>).</summary>
    internal Function?[] Functions = [];

    /// <summary>Passive data segments; a dropped segment is empty.</summary>
    internal byte[][] Data = [];

    /// <summary>Element segments as evaluated references; a dropped segment is empty.</summary>
    internal object?[][] Elements = [];

    internal readonly Store Store;

    /// <summary>This context's index in its store (see <see cref="Store.CurrentCallerIndex"/>).</summary>
    internal readonly int Index;

    internal readonly CompiledModule? Module;
    internal Instance? Instance;

    /// <summary>For a host function's context: what to call.</summary>
    internal readonly HostFunctionDefinition? HostFunction;

    internal InstanceContext(Store store, CompiledModule? module, HostFunctionDefinition? hostFunction)
    {
        Store = store;
        Module = module;
        HostFunction = hostFunction;
        Results = store.Results;
        StackLimit = store.StackLimit;
        Index = store.Register(this);
    }

    /// <summary>The function with the given index as a reference (ref.func, tables, exports); the same object every time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Function GetFunction(int index) => Functions[index] ?? CreateFunction(index);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Function CreateFunction(int index)
    {
        var module = Module!;
        var f = new Function(this, module.GetCode(index), module.FunctionTypeIds[index], index);
        Functions[index] = f;
        return f;
    }
}

/// <summary>One extra result of a multi-value call, in the slot for its type.</summary>
internal struct ResultSlot
{
    internal int I32;
    internal long I64;
    internal float F32;
    internal double F64;
    internal Vector128<byte> V128;
    internal object? Ref;
}
