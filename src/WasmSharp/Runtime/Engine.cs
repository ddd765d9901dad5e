using WasmSharp.Compilation;
using WasmSharp.Model;
using WasmSharp.Validation;

namespace WasmSharp.Runtime;

/// <summary>
/// The compilation environment shared by modules and stores: configuration, the canonical type
/// registry (so equal function types of different modules are one type) and compiled stubs.
/// An engine is thread-safe and meant to be shared; create one per configuration.
/// </summary>
public sealed class Engine
{
    /// <summary>The epoch counter; compiled code reads its field directly (through <see cref="Store.EngineEpoch"/>).</summary>
    internal readonly EpochCounter Epoch = new();

    public Engine()
        : this(EngineConfig.Default)
    {
    }

    public Engine(EngineConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        Stubs = new StubFactory(this);
    }

    public EngineConfig Config { get; }

    internal TypeRegistry Types { get; } = new();

    internal StubFactory Stubs { get; }

    /// <summary>The current epoch; starts at 0.</summary>
    public long CurrentEpoch => Volatile.Read(ref Epoch.Value);

    /// <summary>
    /// Advances the epoch by one. Code running in a store whose epoch deadline is now reached traps
    /// with "interrupt" at its next function entry or loop iteration. Safe to call from any thread.
    /// </summary>
    public void IncrementEpoch() => Interlocked.Increment(ref Epoch.Value);

    /// <summary>Whether a value may be stored where <paramref name="expected"/> (a canonical type) is required.</summary>
    internal bool ValueMatches(Value value, ValType expected)
    {
        if (!expected.IsRef) return value.Type.Code == expected.Code;
        if (!value.Type.IsRef) return false;
        return value.RawRef switch
        {
            null => expected.IsNullable,
            Function f => Types.IsHeapSubtype(new HeapType(f.TypeId), expected.Heap),
            // An exception object is an exnref, or (like any host object) an opaque externref.
            ThrownException => Types.TopOf(expected.Heap).Code is var top && (top == HeapType.Exn.Code || top == HeapType.Extern.Code),
            _ => Types.TopOf(expected.Heap).Code == HeapType.Extern.Code || Types.TopOf(expected.Heap).Code == HeapType.Any.Code,
        };
    }
}

/// <summary>A shared, mutable epoch: a class so that compiled code can hold it and read the field.</summary>
internal sealed class EpochCounter
{
    internal long Value;
}
