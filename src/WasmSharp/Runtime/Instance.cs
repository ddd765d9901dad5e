using WasmSharp.Model;

namespace WasmSharp.Runtime;

/// <summary>
/// An instantiated module in a store: its exports. Create one with <see cref="Linker.Instantiate"/>.
/// </summary>
public sealed class Instance
{
    private readonly Dictionary<string, Extern> _exports;
    private readonly List<(string Name, Extern Item)> _exportList;

    private Instance(Store store, Module module, InstanceContext context)
    {
        Store = store;
        Module = module;
        Context = context;
        _exports = new Dictionary<string, Extern>(StringComparer.Ordinal);
        _exportList = [];
    }

    public Store Store { get; }

    public Module Module { get; }

    internal InstanceContext Context { get; }

    /// <summary>The exports in module order.</summary>
    public IReadOnlyList<(string Name, Extern Item)> Exports => _exportList;

    public Extern? GetExport(string name) => _exports.GetValueOrDefault(name);

    public Function? GetFunction(string name) => GetExport(name) as Function;

    public Memory? GetMemory(string name) => GetExport(name) as Memory;

    public Global? GetGlobal(string name) => GetExport(name) as Global;

    public Table? GetTable(string name) => GetExport(name) as Table;

    public Tag? GetTag(string name) => GetExport(name) as Tag;

    /// <summary>An exported function as a typed delegate (see <see cref="Function.CreateDelegate{TDelegate}"/>).</summary>
    /// <exception cref="KeyNotFoundException">There is no such function export.</exception>
    /// <exception cref="ArgumentException">The delegate type does not match the function's type.</exception>
    public TDelegate GetDelegate<TDelegate>(string name) where TDelegate : Delegate => RequireFunction(name).CreateDelegate<TDelegate>();

    public Func<TResult> GetFunction<TResult>(string name) => GetDelegate<Func<TResult>>(name);

    public Func<T1, TResult> GetFunction<T1, TResult>(string name) => GetDelegate<Func<T1, TResult>>(name);

    public Func<T1, T2, TResult> GetFunction<T1, T2, TResult>(string name) => GetDelegate<Func<T1, T2, TResult>>(name);

    public Func<T1, T2, T3, TResult> GetFunction<T1, T2, T3, TResult>(string name) => GetDelegate<Func<T1, T2, T3, TResult>>(name);

    public Func<T1, T2, T3, T4, TResult> GetFunction<T1, T2, T3, T4, TResult>(string name) => GetDelegate<Func<T1, T2, T3, T4, TResult>>(name);

    public Func<T1, T2, T3, T4, T5, TResult> GetFunction<T1, T2, T3, T4, T5, TResult>(string name) => GetDelegate<Func<T1, T2, T3, T4, T5, TResult>>(name);

    public Func<T1, T2, T3, T4, T5, T6, TResult> GetFunction<T1, T2, T3, T4, T5, T6, TResult>(string name) => GetDelegate<Func<T1, T2, T3, T4, T5, T6, TResult>>(name);

    public Func<T1, T2, T3, T4, T5, T6, T7, TResult> GetFunction<T1, T2, T3, T4, T5, T6, T7, TResult>(string name) => GetDelegate<Func<T1, T2, T3, T4, T5, T6, T7, TResult>>(name);

    public Func<T1, T2, T3, T4, T5, T6, T7, T8, TResult> GetFunction<T1, T2, T3, T4, T5, T6, T7, T8, TResult>(string name) => GetDelegate<Func<T1, T2, T3, T4, T5, T6, T7, T8, TResult>>(name);

    /// <summary>An exported function without results as a typed delegate.</summary>
    public Action GetAction(string name) => GetDelegate<Action>(name);

    public Action<T1> GetAction<T1>(string name) => GetDelegate<Action<T1>>(name);

    public Action<T1, T2> GetAction<T1, T2>(string name) => GetDelegate<Action<T1, T2>>(name);

    public Action<T1, T2, T3> GetAction<T1, T2, T3>(string name) => GetDelegate<Action<T1, T2, T3>>(name);

    public Action<T1, T2, T3, T4> GetAction<T1, T2, T3, T4>(string name) => GetDelegate<Action<T1, T2, T3, T4>>(name);

    public Action<T1, T2, T3, T4, T5> GetAction<T1, T2, T3, T4, T5>(string name) => GetDelegate<Action<T1, T2, T3, T4, T5>>(name);

    public Action<T1, T2, T3, T4, T5, T6> GetAction<T1, T2, T3, T4, T5, T6>(string name) => GetDelegate<Action<T1, T2, T3, T4, T5, T6>>(name);

    public Action<T1, T2, T3, T4, T5, T6, T7> GetAction<T1, T2, T3, T4, T5, T6, T7>(string name) => GetDelegate<Action<T1, T2, T3, T4, T5, T6, T7>>(name);

    public Action<T1, T2, T3, T4, T5, T6, T7, T8> GetAction<T1, T2, T3, T4, T5, T6, T7, T8>(string name) => GetDelegate<Action<T1, T2, T3, T4, T5, T6, T7, T8>>(name);

    private Function RequireFunction(string name) =>
        GetFunction(name) ?? throw new KeyNotFoundException($"The instance has no function export \"{name}\".");

    /// <summary>
    /// Instantiates <paramref name="module"/> with imports already resolved and type-checked, in import
    /// order: allocates globals, tables and memories, applies active segments, runs the start function.
    /// </summary>
    /// <exception cref="TrapException">A segment is out of bounds or the start function trapped.</exception>
    internal static Instance Create(Store store, Module module, IReadOnlyList<Extern> imports)
    {
        var def = module.Definition;
        var c = module.Compiled.Compilation;
        var types = module.Types;
        store.EnsureResultCapacity(c.MaxResults);
        var ctx = new InstanceContext(store, module.Compiled, null);
        var instance = new Instance(store, module, ctx);
        ctx.Instance = instance;

        var functions = new Function?[c.FunctionTypes.Length];
        var tables = new Table[c.Tables.Length];
        var memories = new Memory[c.Memories.Length];
        var globals = new Global[c.Globals.Length];
        var tags = new Tag[c.Tags.Length];
        int fi = 0, ti = 0, mi = 0, gi = 0, xi = 0;
        for (var i = 0; i < def.Imports.Count; i++)
        {
            switch (imports[i])
            {
                case Function f: functions[fi++] = f; break;
                case Table t: tables[ti++] = t; break;
                case Memory m: memories[mi++] = m; break;
                case Global g: globals[gi++] = g; break;
                case Tag x: tags[xi++] = x; break;
                default: throw new NotSupportedException($"importing a {imports[i].Kind} is not supported yet");
            }
        }
        ctx.Functions = functions;
        ctx.Tables = tables;
        ctx.Memories = memories;
        ctx.Globals = globals;
        ctx.Tags = tags;
        foreach (var t in def.Tags) tags[xi++] = new Tag(store, types.GetCanonicalId(t.TypeIndex));

        foreach (var g in def.Globals)
        {
            var type = g.Type with { Type = types.Canonicalize(g.Type.Type) };
            globals[gi++] = new Global(store, type, ConstEvaluator.Evaluate(g.Init, ctx, types));
        }
        foreach (var t in def.Tables)
        {
            var type = t.Type with { ElementType = types.Canonicalize(t.Type.ElementType) };
            var init = t.Init is null ? null : ConstEvaluator.Evaluate(t.Init, ctx, types).RawRef;
            tables[ti++] = new Table(store, type, init);
        }
        foreach (var m in def.Memories) memories[mi++] = new Memory(store, m);
        if (memories.Length > 0) ctx.Memory0 = memories[0];
        if (tables.Length > 0) ctx.Table0 = tables[0];

        foreach (var e in def.Exports)
        {
            Extern item = e.Kind switch
            {
                ExternalKind.Func => ctx.GetFunction((int)e.Index),
                ExternalKind.Table => tables[e.Index],
                ExternalKind.Memory => memories[e.Index],
                ExternalKind.Global => globals[e.Index],
                ExternalKind.Tag => tags[e.Index],
                _ => throw new NotSupportedException($"exporting a {e.Kind} is not supported yet"),
            };
            instance._exports[e.Name] = item;
            instance._exportList.Add((e.Name, item));
        }

        var elements = new object?[def.Elements.Count][];
        for (var i = 0; i < elements.Length; i++)
        {
            var seg = def.Elements[i];
            var items = new object?[seg.Count];
            if (seg.FunctionIndices is { } indices)
            {
                for (var k = 0; k < indices.Length; k++) items[k] = ctx.GetFunction((int)indices[k]);
            }
            else if (seg.Expressions is { } exprs)
            {
                for (var k = 0; k < exprs.Length; k++) items[k] = ConstEvaluator.Evaluate(exprs[k], ctx, types).RawRef;
            }
            elements[i] = items;
        }
        ctx.Elements = elements;
        var data = new byte[def.Data.Count][];
        for (var i = 0; i < data.Length; i++) data[i] = def.Data[i].Bytes.ToArray();
        ctx.Data = data;

        for (var i = 0; i < elements.Length; i++)
        {
            var seg = def.Elements[i];
            if (seg.Mode == SegmentMode.Active)
            {
                var offset = OffsetValue(ConstEvaluator.Evaluate(seg.Offset!, ctx, types));
                Compilation.TableOps.Init(offset, 0, (ulong)elements[i].Length, tables[seg.TableIndex], ctx, i);
            }
            if (seg.Mode != SegmentMode.Passive) elements[i] = [];
        }
        for (var i = 0; i < data.Length; i++)
        {
            var seg = def.Data[i];
            if (seg.Mode != SegmentMode.Active) continue;
            var offset = OffsetValue(ConstEvaluator.Evaluate(seg.Offset!, ctx, types));
            Compilation.MemoryOps.Init(offset, 0, (ulong)data[i].Length, memories[seg.MemoryIndex], ctx, i);
            data[i] = [];
        }

        if (def.Start is { } start)
        {
            var f = functions[start] ?? ctx.GetFunction((int)start);
            f.Invoke([], []);
        }
        return instance;
    }

    private static ulong OffsetValue(Value v) => v.Type.Code == ValType.I64Code ? (ulong)v.RawI64 : (uint)v.RawI32;
}
