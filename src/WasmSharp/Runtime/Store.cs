namespace WasmSharp.Runtime;

/// <summary>
/// Owns the runtime state of instances: their memories, tables, globals and functions. A store is
/// used by one thread at a time (it may move between threads between calls); disposing it frees the
/// memories of everything created in it. Values of one store must not be passed into another.
/// </summary>
public sealed class Store : IDisposable
{
    private readonly List<InstanceContext> _contexts = [];
    private readonly List<Memory> _memories = [];
    private readonly Dictionary<HostFunctionDefinition, Function> _hostFunctions = [];
    private int _boundThread = -1;
    private bool _disposed;

    // Read by generated code (through an InstanceContext) or by host stubs.
    internal ResultSlot[] Results = new ResultSlot[8];
    internal nuint StackLimit = nuint.MaxValue;

    /// <summary>
    /// The context of the Wasm code that last called out through a function reference (an import, a table or
    /// call_ref), as its index in the store's contexts (-1: none): host functions find their caller here. An
    /// index rather than a reference because compiled code sets it at every such call, and a reference store
    /// costs a GC write barrier.
    /// </summary>
    internal int CurrentCallerIndex = -1;
    internal long FuelRemaining;
    internal long EpochDeadline = long.MaxValue;
    internal readonly EpochCounter EngineEpoch;

    public Store(Engine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Engine = engine;
        EngineEpoch = engine.Epoch;
    }

    public Engine Engine { get; }

    /// <summary>Arbitrary host data for host functions (reachable through <see cref="Caller.Store"/>).</summary>
    public object? Data { get; set; }

    /// <summary>
    /// The fuel left. Needs <see cref="EngineConfig.ConsumeFuel"/>; execution traps with "all fuel consumed"
    /// when running code needs more than is left.
    /// </summary>
    public ulong Fuel
    {
        get
        {
            RequireFuel();
            return FuelRemaining < 0 ? 0 : (ulong)FuelRemaining;
        }
        set
        {
            RequireFuel();
            FuelRemaining = value > long.MaxValue ? long.MaxValue : (long)value;
        }
    }

    /// <summary>
    /// Running code traps with "interrupt" once the engine's epoch reaches the current epoch plus
    /// <paramref name="ticksBeyondCurrent"/>. Needs <see cref="EngineConfig.EpochInterruption"/>.
    /// </summary>
    public void SetEpochDeadline(ulong ticksBeyondCurrent)
    {
        if (!Engine.Config.EpochInterruption) throw new InvalidOperationException("Epoch interruption is not enabled in the engine's configuration.");
        var deadline = Engine.CurrentEpoch + (long)Math.Min(ticksBeyondCurrent, long.MaxValue / 2);
        Volatile.Write(ref EpochDeadline, deadline);
    }

    private void RequireFuel()
    {
        if (!Engine.Config.ConsumeFuel) throw new InvalidOperationException("Fuel consumption is not enabled in the engine's configuration.");
    }

    /// <summary>Frees all memories of the store. Using anything of the store afterwards traps or throws.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var m in _memories) m.Free();
        _memories.Clear();
        GC.SuppressFinalize(this);
    }

    ~Store()
    {
        foreach (var m in _memories) m.Free();
    }

    /// <summary>Adds a context; returns its index in the store (see <see cref="CurrentCallerIndex"/>).</summary>
    internal int Register(InstanceContext context)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _contexts.Add(context);
        return _contexts.Count - 1;
    }

    /// <summary>The context <see cref="CurrentCallerIndex"/> names, if any.</summary>
    internal InstanceContext? CurrentCaller => CurrentCallerIndex < 0 ? null : _contexts[CurrentCallerIndex];

    internal void Register(Memory memory)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _memories.Add(memory);
    }

    /// <summary>Called on every entry from the host into compiled code.</summary>
    internal void EnterFromHost()
    {
        CurrentCallerIndex = -1;
        if (_boundThread != Environment.CurrentManagedThreadId) BindThread();
    }

    private void BindThread()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var reserve = (nuint)Engine.Config.StackReserveBytes;
        var low = StackBounds.GetCurrentThreadLow();
        var sp = StackBounds.CurrentStackPointer();
        // On a small stack, keep half of what is left rather than the whole reserve, so that Wasm can still run.
        // Unknown bounds: allow a modest depth below the current frame rather than none.
        var limit = low != 0 && low < sp ? low + Math.Min(reserve, (sp - low) / 2) : sp - 2 * reserve;
        StackLimit = limit;
        foreach (var c in _contexts) c.StackLimit = limit;
        _boundThread = Environment.CurrentManagedThreadId;
    }

    /// <summary>Makes sure a call can return <paramref name="count"/> results.</summary>
    internal void EnsureResultCapacity(int count)
    {
        if (count <= Results.Length) return;
        var grown = new ResultSlot[Math.Max(count, Results.Length * 2)];
        Results = grown;
        foreach (var c in _contexts) c.Results = grown;
    }

    internal Function GetHostFunction(HostFunctionDefinition definition)
    {
        if (_hostFunctions.TryGetValue(definition, out var f)) return f;
        EnsureResultCapacity(definition.Type.Results.Length);
        var context = new InstanceContext(this, null, definition);
        f = new Function(context, definition.Code, definition.TypeId, -1);
        _hostFunctions.Add(definition, f);
        return f;
    }
}
