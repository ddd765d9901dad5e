namespace WasmSharp.Runtime;

/// <summary>
/// What a host function sees of the Wasm code that called it: the calling instance's exports (most often
/// its memory) and the store. A host function declares a leading <see cref="Caller"/> parameter to get one.
/// Valid only during the call.
/// </summary>
public readonly struct Caller
{
    private readonly InstanceContext? _context;

    internal Caller(Store store, InstanceContext? context)
    {
        Store = store;
        _context = context;
    }

    public Store Store { get; }

    /// <summary>The calling instance, or null when the host called the function directly.</summary>
    public Instance? Instance => _context?.Instance;

    public Extern? GetExport(string name) => Instance?.GetExport(name);

    public Memory? GetMemory(string name) => Instance?.GetMemory(name);

    public Function? GetFunction(string name) => Instance?.GetFunction(name);

    public Global? GetGlobal(string name) => Instance?.GetGlobal(name);

    public Table? GetTable(string name) => Instance?.GetTable(name);
}

/// <summary>An untyped host function: reads <paramref name="args"/> and writes every element of <paramref name="results"/>.</summary>
public delegate void HostFunctionCallback(Caller caller, ReadOnlySpan<Value> args, Span<Value> results);
