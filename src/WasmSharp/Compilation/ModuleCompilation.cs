using System.Reflection.Emit;
using WasmSharp.Model;
using WasmSharp.Runtime;
using WasmSharp.Validation;

namespace WasmSharp.Compilation;

/// <summary>What every function compiler of one module needs to know about the module.</summary>
internal sealed class ModuleCompilation
{
    private readonly ModuleBuilder _builder;
    private readonly Dictionary<System.Reflection.MemberInfo, int> _tokens = [];

    internal ModuleCompilation(Model.Module module, ModuleTypes types, EngineConfig config, ModuleBuilder builder)
    {
        _builder = builder;
        Module = module;
        Types = types;
        Config = config;
        TypeDefs = module.GetTypes();
        var functionTypes = new List<uint>();
        var tables = new List<TableType>();
        var memories = new List<MemoryType>();
        var globals = new List<GlobalType>();
        var tags = new List<TagType>();
        foreach (var import in module.Imports)
        {
            switch (import.Kind)
            {
                case ExternalKind.Func: functionTypes.Add(import.Descriptor.FuncTypeIndex); break;
                case ExternalKind.Table: tables.Add(import.Descriptor.Table!); break;
                case ExternalKind.Memory: memories.Add(import.Descriptor.Memory!); break;
                case ExternalKind.Global: globals.Add(import.Descriptor.Global); break;
                case ExternalKind.Tag: tags.Add(import.Descriptor.Tag); break;
            }
        }
        ImportedFunctionCount = functionTypes.Count;
        ImportedGlobalCount = globals.Count;
        functionTypes.AddRange(module.Functions);
        foreach (var t in module.Tables) tables.Add(t.Type);
        memories.AddRange(module.Memories);
        foreach (var g in module.Globals) globals.Add(g.Type);
        tags.AddRange(module.Tags);

        FunctionTypeIndices = [.. functionTypes];
        FunctionTypes = new FuncType[FunctionTypeIndices.Length];
        FunctionTypeIds = new int[FunctionTypeIndices.Length];
        for (var i = 0; i < FunctionTypeIndices.Length; i++)
        {
            FunctionTypes[i] = FuncTypeAt(FunctionTypeIndices[i]);
            FunctionTypeIds[i] = types.GetCanonicalId(FunctionTypeIndices[i]);
        }
        Tables = [.. tables];
        Memories = [.. memories];
        Globals = [.. globals];
        Tags = [.. tags];
        var maxResults = 1;
        foreach (var t in TypeDefs)
            if (t.Composite is FuncType f) maxResults = Math.Max(maxResults, f.Results.Length);
        MaxResults = maxResults;
    }

    internal Model.Module Module { get; }
    internal ModuleTypes Types { get; }
    internal EngineConfig Config { get; }
    internal SubType[] TypeDefs { get; }
    internal uint[] FunctionTypeIndices { get; }
    internal FuncType[] FunctionTypes { get; }
    internal int[] FunctionTypeIds { get; }
    internal int ImportedFunctionCount { get; }
    internal int ImportedGlobalCount { get; }
    internal TableType[] Tables { get; }
    internal MemoryType[] Memories { get; }
    internal GlobalType[] Globals { get; }
    internal TagType[] Tags { get; }

    /// <summary>The most results any function type of the module has (the size of the result slots it needs).</summary>
    internal int MaxResults { get; }

    /// <summary>The compiled method of each defined function (index minus <see cref="ImportedFunctionCount"/>).</summary>
    internal MethodBuilder[] Methods { get; set; } = [];

    /// <summary>
    /// The metadata token of a runtime member in the module being built. ILGenerator looks tokens up afresh at
    /// every emit, an expensive call into the runtime; the compiler emits the same few fields and helpers
    /// thousands of times per module.
    /// </summary>
    internal int TokenOf(System.Reflection.FieldInfo field)
    {
        if (!_tokens.TryGetValue(field, out var token)) _tokens[field] = token = _builder.GetFieldMetadataToken(field);
        return token;
    }

    /// <summary>The token of a static method that takes one value and returns one, or 0 for any other method.</summary>
    internal int UnaryCallToken(System.Reflection.MethodInfo method)
    {
        if (!_tokens.TryGetValue(method, out var token))
        {
            // Not generic methods: GetMethodMetadataToken gives the definition's token, not the instantiation's.
            var unary = method.IsStatic && !method.IsGenericMethod && method.ReturnType != typeof(void) && method.GetParameters().Length == 1;
            _tokens[method] = token = unary ? _builder.GetMethodMetadataToken(method) : 0;
        }
        return token;
    }

    /// <summary>The types holding the outlined regions of functions (see <see cref="DefineRegionMethod"/>).</summary>
    internal List<TypeBuilder> RegionTypes { get; } = [];

    private int _methodsInRegionType;

    /// <summary>How many region methods the module has (for tests and diagnostics).</summary>
    internal int RegionCount { get; private set; }

    /// <summary>
    /// Defines a method for an outlined region of a function: <c>int name(..., InstanceContext ctx)</c>, in types of
    /// their own so that the functions' types need no room reserved for them. Not inlined (that would undo the
    /// outlining), and not mapped to a Wasm frame: the function's own frame is always right below it, so a backtrace
    /// names the function once.
    /// </summary>
    internal MethodBuilder DefineRegionMethod(int functionIndex, Type[] parameters)
    {
        if (RegionTypes.Count == 0 || _methodsInRegionType >= CompiledModule.MethodsPerType)
        {
            RegionTypes.Add(_builder.DefineType("WasmRegions" + RegionTypes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                System.Reflection.TypeAttributes.Public | System.Reflection.TypeAttributes.Sealed | System.Reflection.TypeAttributes.Abstract));
            _methodsInRegionType = 0;
        }
        _methodsInRegionType++;
        var name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"func{functionIndex}_region{RegionCount++}");
        var method = RegionTypes[^1].DefineMethod(name, System.Reflection.MethodAttributes.Public | System.Reflection.MethodAttributes.Static, typeof(int), parameters);
        method.InitLocals = false;
        method.SetImplementationFlags(System.Reflection.MethodImplAttributes.NoInlining);
        return method;
    }

    internal FuncType FuncTypeAt(uint typeIndex) =>
        TypeDefs[typeIndex].Composite as FuncType ?? throw new InvalidOperationException($"type {typeIndex} is not a function type");

    internal (ValType[] Params, ValType[] Results) BlockSignature(BlockType bt) => bt.Kind switch
    {
        BlockTypeKind.Empty => ([], []),
        BlockTypeKind.Value => ([], [bt.ValueType]),
        _ => (FuncTypeAt(bt.TypeIndex).Params, FuncTypeAt(bt.TypeIndex).Results),
    };
}
