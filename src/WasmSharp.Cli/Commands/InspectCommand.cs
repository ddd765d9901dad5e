using System.CommandLine;
using System.Globalization;
using WasmSharp.Binary;
using WasmSharp.Model;

namespace WasmSharp.Cli.Commands;

/// <summary>
/// <c>wasmsharp inspect FILE</c>: the section headers and the module's entities, in the spirit of
/// <c>wasm-objdump -h -x</c>. Text modules are encoded first so that offsets refer to their binary form.
/// </summary>
internal sealed class InspectCommand : CliCommand
{
    private readonly Argument<string> _input = new("FILE") { Description = "A module in the binary (.wasm) or text (.wat) format ('-' reads standard input)." };

    public InspectCommand(CliConsole console)
        : base("inspect", "Show a module's sections, imports, exports and counts of its entities.", console)
    {
        Add(_input);
    }

    protected override int Execute(ParseResult parseResult)
    {
        var input = InputFile.Read(parseResult.GetRequiredValue(_input), Console);
        CurrentInput = input.DisplayName;
        var bytes = input.IsBinary ? input.Bytes : ModuleEncoder.Encode(input.ReadModule());
        var module = ModuleDecoder.Decode(bytes);
        var sections = SectionScanner.Scan(bytes);
        var version = BitConverter.ToUInt32(bytes, 4);

        var w = Console.Out;
        w.WriteLine($"{input.DisplayName}: file format wasm 0x{version:x}{(input.IsBinary ? "" : " (encoded from text)")}");
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
        var names = module.Names;
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
                    ExternalKind.Func => $"func[{index}] sig={d.FuncTypeIndex}{NameOf(names?.Functions, index)}",
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
                w.WriteLine($" - func[{index}] sig={module.Functions[i]}{NameOf(names?.Functions, index)}");
            }
        }

        WriteDefined(w, "Table", "table", module.ImportedCount(ExternalKind.Table), module.Tables, t => FormatTable(t.Type));
        WriteDefined(w, "Memory", "memory", module.ImportedCount(ExternalKind.Memory), module.Memories, FormatMemory);
        WriteDefined(w, "Tag", "tag", module.ImportedCount(ExternalKind.Tag), module.Tags, t => $"sig={t.TypeIndex}");
        WriteDefined(w, "Global", "global", module.ImportedCount(ExternalKind.Global), module.Globals, g => FormatGlobal(g.Type));

        if (module.Exports.Count > 0)
        {
            w.WriteLine($"Export[{module.Exports.Count}]:");
            foreach (var export in module.Exports)
            {
                var name = export.Kind == ExternalKind.Func ? NameOf(names?.Functions, export.Index) : "";
                w.WriteLine($" - {KindName(export.Kind)}[{export.Index}]{name} -> \"{export.Name}\"");
            }
        }

        if (module.Start is { } start)
        {
            w.WriteLine("Start:");
            w.WriteLine($" - start function: {start}{NameOf(names?.Functions, start)}");
        }

        if (module.Elements.Count > 0)
        {
            w.WriteLine($"Elem[{module.Elements.Count}]:");
            for (var i = 0; i < module.Elements.Count; i++)
            {
                var e = module.Elements[i];
                var table = e.Mode == SegmentMode.Active ? $" table={e.TableIndex}" : "";
                w.WriteLine($" - segment[{i}] {e.Mode.ToString().ToLowerInvariant()} flags={e.Flags}{table} type={e.Type} count={e.Count}");
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
                var body = module.Codes[i];
                w.WriteLine($" - func[{index}] size={body.Code.Length} locals={body.LocalCount}{NameOf(names?.Functions, index)}");
            }
        }

        if (module.Data.Count > 0)
        {
            w.WriteLine($"Data[{module.Data.Count}]:");
            for (var i = 0; i < module.Data.Count; i++)
            {
                var d = module.Data[i];
                var memory = d.Mode == SegmentMode.Active ? $" memory={d.MemoryIndex}" : "";
                w.WriteLine($" - segment[{i}] {d.Mode.ToString().ToLowerInvariant()}{memory} size={d.Bytes.Length}");
            }
        }

        if (module.CustomSections.Count > 0)
        {
            w.WriteLine($"Custom[{module.CustomSections.Count}]:");
            foreach (var c in module.CustomSections)
                w.WriteLine($" - \"{c.Name}\" size={c.Content.Length}");
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

    private static string NameOf(Dictionary<uint, string>? names, uint index) =>
        names is not null && names.TryGetValue(index, out var name) ? $" <{name}>" : "";

    private static string FormatSubType(SubType t)
    {
        var composite = t.Composite switch
        {
            FuncType f => $"({string.Join(", ", f.Params)}) -> {FormatResults(f.Results)}",
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
        1 => results[0].ToString(),
        _ => $"({string.Join(", ", results)})",
    };

    private static string FormatField(FieldType f) => f.Mutable ? $"mut {f.StorageType}" : f.StorageType.ToString();

    private static string FormatLimits(Limits l)
    {
        var s = $"initial={l.Min}";
        if (l.Max is { } max) s += $" max={max}";
        if (l.Is64) s += " i64";
        if (l.Shared) s += " shared";
        return s;
    }

    private static string FormatTable(TableType t) => $"type={t.ElementType} {FormatLimits(t.Limits)}";

    private static string FormatMemory(MemoryType m) =>
        $"pages: {FormatLimits(m.Limits)}{(m.PageSizeLog2 == 16 ? "" : $" pagesize={1L << m.PageSizeLog2}")}";

    private static string FormatGlobal(GlobalType g) => $"{g.Type} mutable={(g.Mutable ? 1 : 0)}";

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
        _ => id.ToString(),
    };
}
