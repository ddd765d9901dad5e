using WasmSharp.Model;

namespace WasmSharp.Runtime;

/// <summary>
/// Resolves a module's imports by module and field name and instantiates it. Holds host functions
/// (store-independent: each store gets its own <see cref="Function"/> for them) and externs of a
/// particular store (memories, tables, globals, functions, whole instances).
/// </summary>
public sealed class Linker
{
    private readonly Dictionary<(string Module, string Name), object> _items = [];

    public Linker(Engine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Engine = engine;
    }

    public Engine Engine { get; }

    /// <summary>When true, a definition replaces an earlier one of the same name instead of throwing.</summary>
    public bool AllowShadowing { get; set; }

    /// <summary>Defines an extern of some store under <paramref name="module"/>::<paramref name="name"/>.</summary>
    public Linker Define(string module, string name, Extern item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Add(module, name, item);
    }

    /// <summary>
    /// Defines a host function from a delegate with Wasm-typed parameters and results (see
    /// <see cref="Function.FromDelegate"/> for the type mapping; a leading <see cref="Caller"/> parameter is allowed).
    /// </summary>
    public Linker DefineFunction(string module, string name, Delegate callback) =>
        Add(module, name, HostFunctionDefinition.FromDelegate(Engine, callback, name));

    /// <summary>Defines an untyped host function of the given type.</summary>
    public Linker DefineFunction(string module, string name, FuncType type, HostFunctionCallback callback) =>
        Add(module, name, HostFunctionDefinition.FromCallback(Engine, type, callback, name));

    public Linker DefineFunction(string module, string name, Action callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1>(string module, string name, Action<T1> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2>(string module, string name, Action<T1, T2> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3>(string module, string name, Action<T1, T2, T3> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3, T4>(string module, string name, Action<T1, T2, T3, T4> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3, T4, T5>(string module, string name, Action<T1, T2, T3, T4, T5> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3, T4, T5, T6>(string module, string name, Action<T1, T2, T3, T4, T5, T6> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3, T4, T5, T6, T7>(string module, string name, Action<T1, T2, T3, T4, T5, T6, T7> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3, T4, T5, T6, T7, T8>(string module, string name, Action<T1, T2, T3, T4, T5, T6, T7, T8> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3, T4, T5, T6, T7, T8, T9>(string module, string name, Action<T1, T2, T3, T4, T5, T6, T7, T8, T9> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10>(string module, string name, Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<TResult>(string module, string name, Func<TResult> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, TResult>(string module, string name, Func<T1, TResult> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, TResult>(string module, string name, Func<T1, T2, TResult> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3, TResult>(string module, string name, Func<T1, T2, T3, TResult> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3, T4, TResult>(string module, string name, Func<T1, T2, T3, T4, TResult> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3, T4, T5, TResult>(string module, string name, Func<T1, T2, T3, T4, T5, TResult> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3, T4, T5, T6, TResult>(string module, string name, Func<T1, T2, T3, T4, T5, T6, TResult> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3, T4, T5, T6, T7, TResult>(string module, string name, Func<T1, T2, T3, T4, T5, T6, T7, TResult> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3, T4, T5, T6, T7, T8, TResult>(string module, string name, Func<T1, T2, T3, T4, T5, T6, T7, T8, TResult> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3, T4, T5, T6, T7, T8, T9, TResult>(string module, string name, Func<T1, T2, T3, T4, T5, T6, T7, T8, T9, TResult> callback) => DefineFunction(module, name, (Delegate)callback);

    public Linker DefineFunction<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, TResult>(string module, string name, Func<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, TResult> callback) => DefineFunction(module, name, (Delegate)callback);

    /// <summary>Defines every export of <paramref name="instance"/> under <paramref name="module"/>.</summary>
    public Linker DefineInstance(string module, Instance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        foreach (var (name, item) in instance.Exports) Add(module, name, item);
        return this;
    }

    /// <summary>The extern defined under a name, as a store would see it (host functions are made for <paramref name="store"/>).</summary>
    public Extern? Get(Store store, string module, string name) =>
        _items.TryGetValue((module, name), out var item) ? Resolve(store, item) : null;

    /// <summary>Resolves the imports of <paramref name="module"/> and instantiates it in <paramref name="store"/>.</summary>
    /// <exception cref="LinkException">An import is missing ("unknown import") or has the wrong kind, type or limits ("incompatible import type").</exception>
    /// <exception cref="TrapException">Instantiation trapped (a segment out of bounds, or the start function).</exception>
    public Instance Instantiate(Store store, Module module)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(module);
        if (module.Engine != store.Engine) throw new ArgumentException("The module belongs to another engine.", nameof(module));
        var imports = new Extern[module.Imports.Count];
        for (var i = 0; i < imports.Length; i++)
        {
            var import = module.Imports[i];
            if (!_items.TryGetValue((import.ModuleName, import.Name), out var item))
                throw new LinkException($"unknown import: \"{import.ModuleName}\" \"{import.Name}\" ({import.Type.Kind.ToString().ToLowerInvariant()})");
            var resolved = Resolve(store, item);
            if (resolved is Memory { Store: var ms } && ms != store
                || resolved is Table { Store: var ts } && ts != store
                || resolved is Global { Store: var gs } && gs != store
                || resolved is Function { Store: var fs } && fs != store
                || resolved is Tag { Store: var xs } && xs != store)
            {
                throw new LinkException($"import \"{import.ModuleName}\" \"{import.Name}\" belongs to another store");
            }
            var problem = ImportMatcher.Check(Engine, resolved, import.Type);
            if (problem is not null)
                throw new LinkException($"incompatible import type: \"{import.ModuleName}\" \"{import.Name}\": {problem}");
            imports[i] = resolved;
        }
        return Instance.Create(store, module, imports);
    }

    private static Extern Resolve(Store store, object item) =>
        item is HostFunctionDefinition def ? store.GetHostFunction(def) : (Extern)item;

    private Linker Add(string module, string name, object item)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(name);
        if (!AllowShadowing && _items.ContainsKey((module, name)))
            throw new ArgumentException($"\"{module}\" \"{name}\" is already defined.", nameof(name));
        _items[(module, name)] = item;
        return this;
    }
}

/// <summary>The import matching rules of the spec: kind, (sub)type, and limits against the extern's current size.</summary>
internal static class ImportMatcher
{
    /// <summary>Null when <paramref name="item"/> can satisfy an import of type <paramref name="expected"/>; otherwise why not.</summary>
    internal static string? Check(Engine engine, Extern item, ExternType expected)
    {
        var types = engine.Types;
        if (item.Kind != expected.Kind) return $"expected a {Name(expected.Kind)}, got a {Name(item.Kind)}";
        switch (item)
        {
            case Function f:
            {
                return types.IsSubtype(f.TypeId, ExpectedFuncId(engine, expected)) ? null : $"expected {expected.Func}, got {f.Type}";
            }
            case Table t:
            {
                var e = expected.Table!;
                if (t.Type.Limits.Is64 != e.Limits.Is64) return "address types differ";
                if (!types.IsSubtype(t.ElementType, e.ElementType) || !types.IsSubtype(e.ElementType, t.ElementType))
                    return $"expected elements of {e.ElementType}, got {t.ElementType}";
                return LimitsMatch(t.Size, t.Type.Limits.Max, e.Limits);
            }
            case Memory m:
            {
                var e = expected.Memory!;
                if (m.Type.Limits.Is64 != e.Limits.Is64) return "address types differ";
                if (m.Type.PageSizeLog2 != e.PageSizeLog2) return "page sizes differ";
                if (m.Type.Limits.Shared != e.Limits.Shared) return "sharedness differs";
                return LimitsMatch(m.PageCount, m.Type.Limits.Max, e.Limits);
            }
            case Global g:
            {
                var e = expected.Global;
                if (g.Type.Mutable != e.Mutable) return "mutability differs";
                var ok = types.IsSubtype(g.Type.Type, e.Type) && (!e.Mutable || types.IsSubtype(e.Type, g.Type.Type));
                return ok ? null : $"expected {e.Type}, got {g.Type.Type}";
            }
            case Tag x:
                // Tags match exactly: an exception's payload is read with the catching tag's type.
                return x.TypeId == ExpectedFuncId(engine, expected) ? null : $"expected tag {expected.Func}, got {x.Type}";
            default:
                return $"importing a {Name(item.Kind)} is not supported yet";
        }
    }

    // The import's canonical id is what counts; interning the bare type is only right without concrete references.
    private static int ExpectedFuncId(Engine engine, ExternType expected) => expected.FuncTypeId >= 0
        ? expected.FuncTypeId
        : engine.Types.Intern([SubType.Plain(expected.Func!)], 0, []);

    private static string? LimitsMatch(ulong actualMin, ulong? actualMax, Limits expected)
    {
        if (actualMin < expected.Min) return $"size {actualMin} is below the minimum {expected.Min}";
        if (expected.Max is { } max && (actualMax is not { } am || am > max))
            return actualMax is null ? $"no maximum, expected at most {max}" : $"maximum {actualMax} is above {max}";
        return null;
    }

    private static string Name(ExternalKind kind) => kind.ToString().ToLowerInvariant();
}
