using WasmSharp.Model;
using WasmSharp.Runtime;

namespace WasmSharp.Compilation;

/// <summary>C# halves of the emitted host-function stubs and entry points.</summary>
internal static class StubHelpers
{
    internal static Value RefValue(object? value, int code, int heap) => Value.Ref(new ValType((byte)code, new HeapType(heap)), value);

    /// <summary>The Wasm caller of a host function, as recorded by the calling code just before the call.</summary>
    internal static Caller GetCaller(InstanceContext hostContext)
    {
        var store = hostContext.Store;
        return new Caller(store, store.CurrentCaller);
    }

    /// <summary>Whether a host function's exception must become a trap: anything but a trap or a Wasm exception.</summary>
    internal static bool IsForeign(object e) => e is not (TrapException or ThrownException);

    internal static TrapException WrapHostException(Exception e) =>
        e as TrapException ?? new TrapException(TrapCode.HostException, $"host function failed: {e.Message}", e);

    /// <summary>Calls an untyped host function and checks the types of what it wrote.</summary>
    internal static void InvokeUntyped(InstanceContext hostContext, Value[] args, Value[] results)
    {
        var def = hostContext.HostFunction!;
        var caller = GetCaller(hostContext);
        try
        {
            ((HostFunctionCallback)def.Target)(caller, args, results);
        }
        // A filter, not catch-and-rethrow, for traps: see StubFactory.EmitWrapHostExceptions.
        catch (Exception e) when (IsForeign(e))
        {
            throw WrapHostException(e);
        }
        var engine = hostContext.Store.Engine;
        var expected = def.Type.Results;
        for (var i = 0; i < results.Length; i++)
        {
            if (!engine.ValueMatches(results[i], expected[i]))
            {
                throw new TrapException(TrapCode.HostException,
                    $"host function {def.Name ?? "<host>"} returned a {results[i].Type} as result {i}, not a {expected[i]}",
                    new InvalidOperationException("host function result type mismatch"));
            }
        }
    }
}
