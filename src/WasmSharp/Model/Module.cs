namespace WasmSharp.Model;

/// <summary>
/// A WebAssembly module as data: what the binary decoder and the text parser produce and what the
/// encoder, printer, validator and compiler consume. Function bodies and constant expressions are
/// kept as their binary encoding and read with <c>Binary.InstructionReader</c>.
/// Index spaces (functions, tables, memories, globals, tags) start with the imports of that kind.
/// </summary>
public sealed class Module
{
    public List<RecGroup> RecGroups { get; } = [];
    public List<Import> Imports { get; } = [];
    /// <summary>Type index of each function defined in the module (not imported).</summary>
    public List<uint> Functions { get; } = [];
    public List<Table> Tables { get; } = [];
    public List<MemoryType> Memories { get; } = [];
    public List<TagType> Tags { get; } = [];
    public List<Global> Globals { get; } = [];
    public List<Export> Exports { get; } = [];
    public uint? Start { get; set; }
    public List<ElementSegment> Elements { get; } = [];
    /// <summary>The data count section's value, when the section is present.</summary>
    public uint? DataCount { get; set; }
    public List<FunctionBody> Codes { get; } = [];
    public List<DataSegment> Data { get; } = [];
    /// <summary>Custom sections in file order, including "name" (kept raw so encoding round-trips).</summary>
    public List<CustomSection> CustomSections { get; } = [];
    /// <summary>
    /// Sections the binary had with no entries (count 0), which the encoder writes back so that decoding
    /// then encoding gives the same bytes. The text format cannot express them, so parsed modules have none.
    /// </summary>
    public HashSet<SectionId> EmptySections { get; } = [];
    /// <summary>The parsed "name" section, or the names given in the text format; null when there are none.</summary>
    public NameSection? Names { get; set; }

    /// <summary>All type definitions, flattened across recursion groups, in index order.</summary>
    public SubType[] GetTypes()
    {
        var count = 0;
        foreach (var g in RecGroups) count += g.Types.Length;
        var all = new SubType[count];
        var i = 0;
        foreach (var g in RecGroups)
        {
            g.Types.CopyTo(all, i);
            i += g.Types.Length;
        }
        return all;
    }

    public int ImportedCount(ExternalKind kind)
    {
        var n = 0;
        foreach (var import in Imports)
            if (import.Kind == kind) n++;
        return n;
    }
}

public sealed record Import(string ModuleName, string Name, ImportDescriptor Descriptor)
{
    public ExternalKind Kind => Descriptor.Kind;
}

/// <summary>What an import provides. Exactly one of the payload properties is set, matching <see cref="Kind"/>.</summary>
public sealed record ImportDescriptor(ExternalKind Kind)
{
    public uint FuncTypeIndex { get; init; }
    public TableType? Table { get; init; }
    public MemoryType? Memory { get; init; }
    public GlobalType Global { get; init; }
    public TagType Tag { get; init; }

    public static ImportDescriptor ForFunc(uint typeIndex) => new(ExternalKind.Func) { FuncTypeIndex = typeIndex };
    public static ImportDescriptor ForTable(TableType t) => new(ExternalKind.Table) { Table = t };
    public static ImportDescriptor ForMemory(MemoryType m) => new(ExternalKind.Memory) { Memory = m };
    public static ImportDescriptor ForGlobal(GlobalType g) => new(ExternalKind.Global) { Global = g };
    public static ImportDescriptor ForTag(TagType t) => new(ExternalKind.Tag) { Tag = t };
}

public sealed record Export(string Name, ExternalKind Kind, uint Index);

/// <summary>A table definition; <see cref="Init"/> is the Wasm 3.0 initialiser expression (0x40 0x00 form), if any.</summary>
public sealed record Table(TableType Type, ConstExpr? Init = null);

public sealed record Global(GlobalType Type, ConstExpr Init);

/// <summary>
/// A constant expression in its binary encoding, including the final <c>end</c> (0x0B).
/// <see cref="Offset"/> is the byte offset of the first instruction in the module's binary (0 for text).
/// </summary>
public sealed record ConstExpr(ReadOnlyMemory<byte> Code, int Offset = 0);

/// <summary>A local declaration group of the code section: <see cref="Count"/> locals of one type.</summary>
public readonly record struct LocalGroup(uint Count, ValType Type);

/// <summary>
/// A function body: local declarations and the instruction bytes including the final <c>end</c>.
/// <see cref="Offset"/> is the byte offset of the first instruction in the module's binary (0 for text).
/// </summary>
public sealed record FunctionBody(LocalGroup[] Locals, ReadOnlyMemory<byte> Code, int Offset = 0)
{
    public ulong LocalCount
    {
        get
        {
            ulong n = 0;
            foreach (var g in Locals) n += g.Count;
            return n;
        }
    }
}

public enum SegmentMode : byte
{
    Active,
    Passive,
    Declarative,
}

/// <summary>
/// An element segment. Items are either function indices (<see cref="FunctionIndices"/>) or expressions
/// (<see cref="Expressions"/>). <see cref="Flags"/> is the binary encoding variant 0..7, kept so encoding round-trips.
/// </summary>
public sealed record ElementSegment(SegmentMode Mode, ValType Type)
{
    public uint TableIndex { get; init; }
    public ConstExpr? Offset { get; init; }
    public uint[]? FunctionIndices { get; init; }
    public ConstExpr[]? Expressions { get; init; }
    public byte Flags { get; init; }
    public int Count => FunctionIndices?.Length ?? Expressions?.Length ?? 0;
}

/// <summary>A data segment; <see cref="Flags"/> is the binary encoding variant 0..2.</summary>
public sealed record DataSegment(SegmentMode Mode, ReadOnlyMemory<byte> Bytes)
{
    public uint MemoryIndex { get; init; }
    public ConstExpr? Offset { get; init; }
    public byte Flags { get; init; }
}

/// <summary>Where a custom section appears relative to the known sections.</summary>
/// <param name="After">The id of the last non-custom section before it (0 when it precedes all of them).</param>
public sealed record CustomSection(string Name, ReadOnlyMemory<byte> Content, SectionId After = SectionId.Custom);

public enum SectionId : byte
{
    Custom = 0,
    Type = 1,
    Import = 2,
    Function = 3,
    Table = 4,
    Memory = 5,
    Global = 6,
    Export = 7,
    Start = 8,
    Element = 9,
    Code = 10,
    Data = 11,
    DataCount = 12,
    Tag = 13,
}

/// <summary>The contents of the "name" custom section (or of identifiers in the text format).</summary>
public sealed class NameSection
{
    public string? ModuleName { get; set; }
    public Dictionary<uint, string> Functions { get; } = [];
    public Dictionary<uint, Dictionary<uint, string>> Locals { get; } = [];
    public Dictionary<uint, Dictionary<uint, string>> Labels { get; } = [];
    public Dictionary<uint, string> Types { get; } = [];
    public Dictionary<uint, string> Tables { get; } = [];
    public Dictionary<uint, string> Memories { get; } = [];
    public Dictionary<uint, string> Globals { get; } = [];
    public Dictionary<uint, string> ElementSegments { get; } = [];
    public Dictionary<uint, string> DataSegments { get; } = [];
    public Dictionary<uint, Dictionary<uint, string>> Fields { get; } = [];
    public Dictionary<uint, string> Tags { get; } = [];
}
