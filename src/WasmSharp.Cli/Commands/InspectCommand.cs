using System.CommandLine;
using System.Globalization;
using WasmSharp.Binary;
using WasmSharp.Model;

namespace WasmSharp.Cli.Commands;

/// <summary>
/// <c>wasmsharp inspect FILE</c>: the section headers and the module's entities in the layout of
/// <c>wasm-objdump -h -x</c> (same section lines, same entity lines, functions named from the name
/// section or else from their export or import), without its hex dumps of data and custom sections,
/// and followed by a summary of counts. Text modules are encoded first so that offsets refer to their binary form.
/// </summary>
internal sealed class InspectCommand : CliCommand
{
    private readonly Argument<string> _input = new("FILE") { Description = "A module in the binary (.wasm) or text (.wat) format ('-' reads standard input)." };
    private readonly Option<bool> _customPageSizes = ProposalOptions.CustomPageSizes();

    public InspectCommand(CliConsole console)
        : base("inspect", "Show a module's sections, imports, exports and counts of its entities.", console)
    {
        Add(_input);
        Add(_customPageSizes);
    }

    protected override int Execute(ParseResult parseResult)
    {
        var input = InputFile.Read(parseResult.GetRequiredValue(_input), Console);
        CurrentInput = input.DisplayName;
        var options = ProposalOptions.Decode(parseResult, _customPageSizes);
        // A text module's (pagesize n) is accepted as written, so its encoding must decode with it.
        var bytes = input.IsBinary ? input.Bytes : ModuleEncoder.Encode(input.ReadModule(options));
        var module = ModuleDecoder.Decode(bytes, input.IsBinary ? options : options with { CustomPageSizes = true });
        var sections = SectionScanner.Scan(bytes);
        var version = BitConverter.ToUInt32(bytes, 4);

        var w = Console.Out;
        w.WriteLine();
        w.WriteLine($"{input.DisplayName}:\tfile format wasm 0x{version:x}{(input.IsBinary ? "" : " (encoded from text)")}");
        w.WriteLine();
        WriteSections(w, sections);
        w.WriteLine();
        WriteDetails(w, module);
        w.WriteLine();
        WriteSummary(w, module, bytes.Length);
        return CliApp.ExitSuccess;
    }

    private static void WriteSections(TextWriter w, List<SectionInfo> sections)
    {
        w.WriteLine("Sections:");
        w.WriteLine();
        foreach (var s in sections)
        {
            var line = $"{SectionName(s.Id),9} start=0x{s.ContentStart:x8} end=0x{s.ContentEnd:x8} (size=0x{s.ContentSize:x8})";
            if (s.Id == SectionId.Custom) line += $" \"{s.CustomName}\"";
            else if (s.Id == SectionId.Start) line += $" start: {s.Count}";
            else if (s.Count is { } count) line += $" count: {count}";
            w.WriteLine(line);
        }
    }

    private static void WriteDetails(TextWriter w, Module module)
    {
        var names = FunctionNames(module);
        w.WriteLine("Section Details:");
        w.WriteLine();

        var types = module.GetTypes();
        if (types.Length > 0)
        {
            w.WriteLine($"Type[{types.Length}]:");
            for (var i = 0; i < types.Length; i++)
                w.WriteLine($" - type[{i}] {FormatSubType(types[i])}");
        }

        if (module.Imports.Count > 0)
        {
            w.WriteLine($"Import[{module.Imports.Count}]:");
            var next = new int[5];
            foreach (var import in module.Imports)
            {
                var index = (uint)next[(int)import.Kind]++;
                var d = import.Descriptor;
                var what = import.Kind switch
                {
                    ExternalKind.Func => $"func[{index}] sig={d.FuncTypeIndex}{NameOf(names, index)}",
                    ExternalKind.Table => $"table[{index}] {FormatTable(d.Table!)}",
                    ExternalKind.Memory => $"memory[{index}] {FormatMemory(d.Memory!)}",
                    ExternalKind.Global => $"global[{index}] {FormatGlobal(d.Global)}",
                    ExternalKind.Tag => $"tag[{index}] sig={d.Tag.TypeIndex}",
                    _ => $"{import.Kind}[{index}]",
                };
                w.WriteLine($" - {what} <- {import.ModuleName}.{import.Name}");
            }
        }

        var importedFuncs = (uint)module.ImportedCount(ExternalKind.Func);
        if (module.Functions.Count > 0)
        {
            w.WriteLine($"Function[{module.Functions.Count}]:");
            for (var i = 0; i < module.Functions.Count; i++)
            {
                var index = importedFuncs + (uint)i;
                w.WriteLine($" - func[{index}] sig={module.Functions[i]}{NameOf(names, index)}");
            }
        }

        WriteDefined(w, "Table", "table", module.ImportedCount(ExternalKind.Table), module.Tables, t => FormatTable(t.Type) + FormatInit(t.Init));
        WriteDefined(w, "Memory", "memory", module.ImportedCount(ExternalKind.Memory), module.Memories, FormatMemory);
        WriteDefined(w, "Tag", "tag", module.ImportedCount(ExternalKind.Tag), module.Tags, t => $"sig={t.TypeIndex}");
        var globalNames = module.Names?.Globals ?? [];
        var globalIndex = (uint)module.ImportedCount(ExternalKind.Global);
        WriteDefined(w, "Global", "global", (int)globalIndex, module.Globals, g => FormatGlobal(g.Type) + NameOf(globalNames, globalIndex++) + FormatInit(g.Init));

        if (module.Exports.Count > 0)
        {
            w.WriteLine($"Export[{module.Exports.Count}]:");
            foreach (var export in module.Exports)
            {
                var name = export.Kind == ExternalKind.Func ? NameOf(names, export.Index) : "";
                w.WriteLine($" - {KindName(export.Kind)}[{export.Index}]{name} -> \"{export.Name}\"");
            }
        }

        if (module.Start is { } start)
        {
            w.WriteLine("Start:");
            w.WriteLine($" - start function: {start}{NameOf(names, start)}");
        }

        if (module.Elements.Count > 0)
        {
            w.WriteLine($"Elem[{module.Elements.Count}]:");
            for (var i = 0; i < module.Elements.Count; i++)
            {
                var e = module.Elements[i];
                var mode = e.Mode == SegmentMode.Active ? "" : $"{e.Mode.ToString().ToLowerInvariant()} ";
                var table = e.Mode == SegmentMode.Active ? $" table={e.TableIndex}" : "";
                var type = e.Type.IsRef && e.Type.Heap == HeapType.Func ? "" : $" type={FormatValType(e.Type)}";
                w.WriteLine($" - segment[{i}] {mode}flags={e.Flags}{table}{type} count={e.Count}{FormatInit(e.Offset)}");
                // Like wasm-objdump, number the items by table slot when the offset is a constant.
                var first = ConstantOffset(e.Offset) ?? 0;
                for (var k = 0; k < e.Count; k++)
                {
                    var item = e.FunctionIndices is { } funcs ? $"func[{funcs[k]}]{NameOf(names, funcs[k])}" : FormatItem(e.Expressions![k], names);
                    w.WriteLine($"  - elem[{first + k}] = {item}");
                }
            }
        }

        if (module.DataCount is { } dataCount)
        {
            w.WriteLine("DataCount:");
            w.WriteLine($" - data count: {dataCount}");
        }

        if (module.Codes.Count > 0)
        {
            w.WriteLine($"Code[{module.Codes.Count}]:");
            for (var i = 0; i < module.Codes.Count; i++)
            {
                var index = importedFuncs + (uint)i;
                w.WriteLine($" - func[{index}] size={BodySize(module.Codes[i])}{NameOf(names, index)}");
            }
        }

        if (module.Data.Count > 0)
        {
            w.WriteLine($"Data[{module.Data.Count}]:");
            for (var i = 0; i < module.Data.Count; i++)
            {
                var d = module.Data[i];
                var where = d.Mode == SegmentMode.Active ? $"memory={d.MemoryIndex}" : "passive";
                w.WriteLine($" - segment[{i}]{NameOf(module.Names?.DataSegments ?? [], (uint)i)} {where} size={d.Bytes.Length}{FormatInit(d.Offset)}");
            }
        }

        foreach (var c in module.CustomSections)
        {
            w.WriteLine("Custom:");
            w.WriteLine($" - name: \"{c.Name}\"");
        }
    }

    private static void WriteSummary(TextWriter w, Module module, int size)
    {
        int Imported(ExternalKind k) => module.ImportedCount(k);
        string Total(int defined, ExternalKind k) => Imported(k) == 0 ? $"{defined}" : $"{defined + Imported(k)} ({Imported(k)} imported)";

        w.WriteLine("Summary:");
        w.WriteLine($"  size:      {size.ToString(CultureInfo.InvariantCulture)} bytes");
        w.WriteLine($"  types:     {module.GetTypes().Length} in {module.RecGroups.Count} recursion groups");
        w.WriteLine($"  imports:   {module.Imports.Count}");
        w.WriteLine($"  functions: {Total(module.Functions.Count, ExternalKind.Func)}");
        w.WriteLine($"  tables:    {Total(module.Tables.Count, ExternalKind.Table)}");
        w.WriteLine($"  memories:  {Total(module.Memories.Count, ExternalKind.Memory)}");
        w.WriteLine($"  globals:   {Total(module.Globals.Count, ExternalKind.Global)}");
        w.WriteLine($"  tags:      {Total(module.Tags.Count, ExternalKind.Tag)}");
        w.WriteLine($"  exports:   {module.Exports.Count}");
        w.WriteLine($"  elements:  {module.Elements.Count}");
        w.WriteLine($"  data:      {module.Data.Count}");
        w.WriteLine($"  customs:   {module.CustomSections.Count}");
    }

    private static void WriteDefined<T>(TextWriter w, string title, string kind, int imported, List<T> items, Func<T, string> format)
    {
        if (items.Count == 0) return;
        w.WriteLine($"{title}[{items.Count}]:");
        for (var i = 0; i < items.Count; i++)
            w.WriteLine($" - {kind}[{imported + i}] {format(items[i])}");
    }

    private static string NameOf(Dictionary<uint, string> names, uint index) =>
        names.TryGetValue(index, out var name) ? $" <{name}>" : "";

    /// <summary>
    /// A name for each function, as wasm-objdump finds one: the name section, else the first export
    /// of the function, else the import's <c>module.field</c>.
    /// </summary>
    private static Dictionary<uint, string> FunctionNames(Module module)
    {
        var names = module.Names is { } n ? new Dictionary<uint, string>(n.Functions) : [];
        foreach (var export in module.Exports)
            if (export.Kind == ExternalKind.Func) names.TryAdd(export.Index, export.Name);
        uint index = 0;
        foreach (var import in module.Imports)
            if (import.Kind == ExternalKind.Func) names.TryAdd(index++, $"{import.ModuleName}.{import.Name}");
        return names;
    }

    /// <summary>The body's size as the code section counts it (local declarations and instructions), as wasm-objdump reports it.</summary>
    private static int BodySize(FunctionBody body)
    {
        var locals = new WasmWriter(16);
        locals.WriteU32((uint)body.Locals.Length);
        foreach (var g in body.Locals)
        {
            locals.WriteU32(g.Count);
            locals.WriteValType(g.Type);
        }
        return locals.Length + body.Code.Length;
    }

    /// <summary>A constant expression as wasm-objdump shows it: <c> - init i32=8</c> for one instruction, else the instruction names.</summary>
    private static string FormatInit(ConstExpr? expr)
    {
        if (expr is null) return "";
        var parts = new List<string>();
        var reader = new InstructionReader(expr.Code.Span, 0);
        while (reader.TryRead(out var ins))
        {
            if (ins.Opcode == Opcode.End) break;
            parts.Add(ins.Opcode switch
            {
                Opcode.I32Const => $"i32={ins.I32.ToString(CultureInfo.InvariantCulture)}",
                Opcode.I64Const => $"i64={ins.I64.ToString(CultureInfo.InvariantCulture)}",
                Opcode.F32Const => $"f32={BitConverter.Int32BitsToSingle((int)ins.F32Bits).ToString("R", CultureInfo.InvariantCulture)}",
                Opcode.F64Const => $"f64={BitConverter.Int64BitsToDouble((long)ins.F64Bits).ToString("R", CultureInfo.InvariantCulture)}",
                Opcode.GlobalGet => $"global={ins.Index}",
                Opcode.RefFunc => $"ref.func:{ins.Index}",
                Opcode.RefNull => $"ref.null {ins.Type.Heap}",
                _ => ins.Info.Name,
            });
        }
        return parts.Count == 0 ? "" : $" - init {string.Join(", ", parts)}";
    }

    private static long? ConstantOffset(ConstExpr? expr)
    {
        if (expr is null) return null;
        var reader = new InstructionReader(expr.Code.Span, 0);
        if (!reader.TryRead(out var ins) || ins.Opcode is not (Opcode.I32Const or Opcode.I64Const)) return null;
        var value = ins.I64;
        return reader.TryRead(out var end) && end.Opcode == Opcode.End && reader.IsAtEnd ? value : null;
    }

    /// <summary>An element expression: <c>func[3] &lt;name&gt;</c> for a ref.func, else as <see cref="FormatInit"/> shows it.</summary>
    private static string FormatItem(ConstExpr item, Dictionary<uint, string> names)
    {
        var reader = new InstructionReader(item.Code.Span, 0);
        if (reader.TryRead(out var ins) && ins.Opcode == Opcode.RefFunc && reader.TryRead(out var end) && end.Opcode == Opcode.End)
            return $"func[{ins.Index}]{NameOf(names, ins.Index)}";
        return FormatInit(item)[" - init ".Length..];
    }

    /// <summary>Value types with the text format's shorthands (funcref, externref, ...), as wasm-objdump writes them.</summary>
    private static string FormatValType(ValType t) =>
        t.IsRef && t.IsNullable && t.Heap.AbstractName is { } abstractName ? abstractName switch
        {
            "none" => "nullref",
            "nofunc" => "nullfuncref",
            "noextern" => "nullexternref",
            "noexn" => "nullexnref",
            _ => abstractName + "ref",
        } : t.ToString();

    private static string FormatSubType(SubType t)
    {
        var composite = t.Composite switch
        {
            FuncType f => $"({string.Join(", ", f.Params.Select(FormatValType))}) -> {FormatResults(f.Results)}",
            StructType s => $"struct {{{string.Join(", ", s.Fields.Select(FormatField))}}}",
            ArrayType a => $"array {FormatField(a.Element)}",
            _ => t.Composite.ToString() ?? "",
        };
        if (!t.HasExplicitSub && t.Final && t.SuperTypes.Length == 0) return composite;
        var supers = t.SuperTypes.Length == 0 ? "" : $" supertypes=[{string.Join(", ", t.SuperTypes)}]";
        return $"{(t.Final ? "sub final" : "sub")}{supers} {composite}";
    }

    private static string FormatResults(ValType[] results) => results.Length switch
    {
        0 => "nil",
        1 => FormatValType(results[0]),
        _ => $"({string.Join(", ", results.Select(FormatValType))})",
    };

    private static string FormatField(FieldType f) => f.Mutable ? $"mut {FormatValType(f.StorageType)}" : FormatValType(f.StorageType);

    private static string FormatLimits(Limits l)
    {
        var s = $"initial={l.Min}";
        if (l.Max is { } max) s += $" max={max}";
        if (l.Is64) s += " i64";
        if (l.Shared) s += " shared";
        return s;
    }

    private static string FormatTable(TableType t) => $"type={FormatValType(t.ElementType)} {FormatLimits(t.Limits)}";

    private static string FormatMemory(MemoryType m) =>
        $"pages: {FormatLimits(m.Limits)}{(m.PageSizeLog2 == 16 ? "" : $" pagesize={1L << m.PageSizeLog2}")}";

    private static string FormatGlobal(GlobalType g) => $"{FormatValType(g.Type)} mutable={(g.Mutable ? 1 : 0)}";

    private static string KindName(ExternalKind kind) => kind switch
    {
        ExternalKind.Func => "func",
        ExternalKind.Table => "table",
        ExternalKind.Memory => "memory",
        ExternalKind.Global => "global",
        ExternalKind.Tag => "tag",
        _ => kind.ToString(),
    };

    private static string SectionName(SectionId id) => id switch
    {
        SectionId.DataCount => "DataCount",
        SectionId.Element => "Elem",
        _ => id.ToString(),
    };
}
