using WasmSharp.Compilation;
using WasmSharp.Model;

namespace WasmSharp.Runtime;

/// <summary>
/// A function of a store: exported by an instance, defined by the host, or held in a table as a
/// <c>funcref</c>. Call it untyped with <see cref="Invoke(ReadOnlySpan{Value}, Span{Value})"/> or get a
/// typed delegate with <see cref="CreateDelegate{TDelegate}"/> (the fast path: no boxing, no checks per call).
/// </summary>
public sealed class Function : Extern
{
    // Read by generated code at every call through an import, a table or a reference.
    internal readonly InstanceContext Context;
    internal readonly nint Code;
    internal readonly int TypeId;

    /// <summary>The function's index in its module, or -1 for a host function.</summary>
    internal readonly int Index;

    private WasmInvoker? _invoker;

    internal Function(InstanceContext context, nint code, int typeId, int index)
    {
        Context = context;
        Code = code;
        TypeId = typeId;
        Index = index;
    }

    public override ExternalKind Kind => ExternalKind.Func;

    /// <summary>The function's type (concrete reference types in it are engine-wide canonical type ids).</summary>
    public FuncType Type => Context.Store.Engine.Types[TypeId].Func!;

    public Store Store => Context.Store;

    /// <summary>True for a function defined by the host rather than by a Wasm module.</summary>
    public bool IsHostFunction => Context.HostFunction is not null;

    /// <summary>The function's name from its module's name section, if any.</summary>
    public string? Name => Context.HostFunction?.Name ?? Context.Module?.FunctionName(Index);

    /// <summary>
    /// Creates a host function in <paramref name="store"/> from a delegate whose parameter and return
    /// types are Wasm types (<c>int</c>, <c>long</c>, <c>float</c>, <c>double</c>, <c>Vector128&lt;byte&gt;</c>,
    /// <see cref="Function"/> for funcref, <c>object</c> for externref; an optional leading <see cref="Caller"/>;
    /// a <c>ValueTuple</c> return for several results).
    /// </summary>
    public static Function FromDelegate(Store store, Delegate callback)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.GetHostFunction(HostFunctionDefinition.FromDelegate(store.Engine, callback, null));
    }

    /// <summary>Creates an untyped host function of the given type in <paramref name="store"/>.</summary>
    public static Function FromCallback(Store store, FuncType type, HostFunctionCallback callback)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.GetHostFunction(HostFunctionDefinition.FromCallback(store.Engine, type, callback, null));
    }

    /// <summary>Calls the function and returns its results.</summary>
    /// <exception cref="TrapException">Execution trapped.</exception>
    public Value[] Invoke(params ReadOnlySpan<Value> args)
    {
        var results = new Value[Type.Results.Length];
        Invoke(args, results);
        return results;
    }

    /// <summary>Calls the function with <paramref name="args"/> and writes its results into <paramref name="results"/>.</summary>
    /// <exception cref="ArgumentException">The arguments do not match the function's parameters, or <paramref name="results"/> is too short.</exception>
    /// <exception cref="TrapException">Execution trapped.</exception>
    public void Invoke(ReadOnlySpan<Value> args, Span<Value> results)
    {
        var type = Type;
        if (args.Length != type.Params.Length)
            throw new ArgumentException($"The function takes {type.Params.Length} arguments, not {args.Length}.", nameof(args));
        if (results.Length < type.Results.Length)
            throw new ArgumentException($"The function returns {type.Results.Length} results.", nameof(results));
        var store = Context.Store;
        for (var i = 0; i < args.Length; i++)
        {
            if (!store.Engine.ValueMatches(args[i], type.Params[i]))
                throw new ArgumentException($"Argument {i} is a {args[i].Type}, the function expects {type.Params[i]}.", nameof(args));
        }
        var invoker = _invoker ??= store.Engine.Stubs.GetInvoker(type);
        store.EnterFromHost();
        invoker(Code, Context, args, results);
    }

    /// <summary>
    /// A delegate that calls this function directly. The delegate's signature must match the function's
    /// type under the mapping of <see cref="FromDelegate"/>: e.g. <c>Func&lt;int, int, int&gt;</c> for
    /// <c>[i32 i32] -&gt; [i32]</c>, <c>Action&lt;long&gt;</c> for <c>[i64] -&gt; []</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The delegate type does not match.</exception>
    public TDelegate CreateDelegate<TDelegate>() where TDelegate : Delegate =>
        (TDelegate)Context.Store.Engine.Stubs.CreateEntryDelegate(this, typeof(TDelegate));

    public override string ToString() => Name is { } name ? $"function {name} {Type}" : $"function {Type}";
}
