using WasmSharp.Binary;
using WasmSharp.Compilation;
using WasmSharp.Model;
using WasmSharp.Text;
using WasmSharp.Validation;

namespace WasmSharp.Runtime;

/// <summary>The type of an import or export: one of the payloads is set, matching <see cref="Kind"/>.</summary>
public sealed record ExternType(ExternalKind Kind)
{
    public FuncType? Func { get; init; }
    public TableType? Table { get; init; }
    public MemoryType? Memory { get; init; }
    public GlobalType Global { get; init; }
    public TagType Tag { get; init; }

    /// <summary>For a function or a tag: the canonical id of its type in the engine's registry (-1 when unknown).</summary>
    internal int FuncTypeId { get; init; } = -1;

    public override string ToString() => Kind switch
    {
        ExternalKind.Func => $"func {Func}",
        ExternalKind.Table => $"table {Table}",
        ExternalKind.Memory => $"memory {Memory}",
        ExternalKind.Global => $"global {Global}",
        _ => $"tag {Tag}",
    };
}

public sealed record ImportType(string ModuleName, string Name, ExternType Type);

public sealed record ExportType(string Name, ExternType Type);

/// <summary>
/// A validated and compiled module, ready to be instantiated any number of times in any store of its
/// engine. Immutable and thread-safe. Compilation emits CIL for every function; the JIT turns a function
/// into machine code on its first call.
/// </summary>
public sealed class Module
{
    private Module(Engine engine, Model.Module definition, ModuleTypes types)
    {
        Engine = engine;
        Definition = definition;
        Types = types;
        Compiled = CompiledModule.Compile(definition, types, engine.Config);
        Imports = [.. definition.Imports.Select(i => new ImportType(i.ModuleName, i.Name, ImportExternType(i.Descriptor)))];
        Exports = [.. definition.Exports.Select(e => new ExportType(e.Name, ExportExternType(e)))];
    }

    public Engine Engine { get; }

    /// <summary>The module's name from its name section, if any.</summary>
    public string? Name => Definition.Names?.ModuleName;

    public IReadOnlyList<ImportType> Imports { get; }

    public IReadOnlyList<ExportType> Exports { get; }

    internal Model.Module Definition { get; }

    internal ModuleTypes Types { get; }

    internal CompiledModule Compiled { get; }

    /// <summary>Decodes, validates and compiles a binary module.</summary>
    /// <exception cref="MalformedException">The bytes are not a well-formed module.</exception>
    /// <exception cref="InvalidException">The module does not validate.</exception>
    public static Module FromBytes(Engine engine, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return FromModel(engine, ModuleDecoder.Decode(bytes));
    }

    /// <summary>Parses, validates and compiles a module in the text format.</summary>
    public static Module FromText(Engine engine, string text)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(text);
        return FromModel(engine, WatParser.ParseModule(text));
    }

    /// <summary>Loads a binary (<c>\0asm</c>) or text module from a file.</summary>
    public static Module FromFile(Engine engine, string path)
    {
        var bytes = File.ReadAllBytes(path);
        return bytes.AsSpan().StartsWith("\0asm"u8) ? FromBytes(engine, bytes) : FromText(engine, System.Text.Encoding.UTF8.GetString(bytes));
    }

    /// <summary>Validates and compiles a module that is already decoded or parsed.</summary>
    public static Module FromModel(Engine engine, Model.Module module)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(module);
        var types = ModuleValidator.Validate(module, engine.Types);
        return new Module(engine, module, types);
    }

    private FuncType CanonicalFuncType(uint typeIndex) => Engine.Types[Types.GetCanonicalId(typeIndex)].Func!;

    private ExternType ImportExternType(ImportDescriptor d) => d.Kind switch
    {
        ExternalKind.Func => new ExternType(d.Kind) { Func = CanonicalFuncType(d.FuncTypeIndex), FuncTypeId = Types.GetCanonicalId(d.FuncTypeIndex) },
        ExternalKind.Table => new ExternType(d.Kind) { Table = d.Table! with { ElementType = Types.Canonicalize(d.Table!.ElementType) } },
        ExternalKind.Memory => new ExternType(d.Kind) { Memory = d.Memory },
        ExternalKind.Global => new ExternType(d.Kind) { Global = d.Global with { Type = Types.Canonicalize(d.Global.Type) } },
        _ => new ExternType(d.Kind) { Tag = d.Tag, Func = CanonicalFuncType(d.Tag.TypeIndex), FuncTypeId = Types.GetCanonicalId(d.Tag.TypeIndex) },
    };

    private ExternType ExportExternType(Export e)
    {
        var c = Compiled.Compilation;
        return e.Kind switch
        {
            ExternalKind.Func => new ExternType(e.Kind) { Func = CanonicalFuncType(c.FunctionTypeIndices[e.Index]), FuncTypeId = c.FunctionTypeIds[e.Index] },
            ExternalKind.Table => new ExternType(e.Kind) { Table = c.Tables[e.Index] with { ElementType = Types.Canonicalize(c.Tables[e.Index].ElementType) } },
            ExternalKind.Memory => new ExternType(e.Kind) { Memory = c.Memories[e.Index] },
            ExternalKind.Global => new ExternType(e.Kind) { Global = c.Globals[e.Index] with { Type = Types.Canonicalize(c.Globals[e.Index].Type) } },
            _ => new ExternType(e.Kind) { Tag = c.Tags[e.Index], Func = CanonicalFuncType(c.Tags[e.Index].TypeIndex), FuncTypeId = Types.GetCanonicalId(c.Tags[e.Index].TypeIndex) },
        };
    }

    public override string ToString() => Name is null ? "module" : $"module {Name}";
}
