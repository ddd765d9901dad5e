using System.Globalization;
using System.Text;
using WasmSharp.Model;

namespace WasmSharp.Text;

/// <summary>
/// Prints a <see cref="Module"/> in the WebAssembly text format, flat (one instruction a line).
/// The output is meant to parse back to the same module: every encoding choice the model records
/// (explicit rec groups and sub types, element and data segment variants, local groups, custom
/// sections) is written in the text form that selects it again.
/// </summary>
public static partial class WatPrinter
{
    public static string Print(Module module, WatPrinterOptions? options = null)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Print(module, writer, options);
        return writer.ToString();
    }

    public static void Print(Module module, TextWriter writer, WatPrinterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(writer);
        new ModuleWriter(module, writer, options ?? WatPrinterOptions.Default).WriteModule();
    }

    private sealed partial class ModuleWriter
    {
        private readonly Module _module;
        private readonly TextWriter _w;
        private readonly WatPrinterOptions _options;
        private readonly NameSection? _names;
        private readonly SubType[] _types;
        /// <summary>Type index of every function, imported ones first.</summary>
        private readonly List<uint> _funcTypes = [];
        private readonly NameTable _funcNames;
        private readonly NameTable _typeNames;
        private readonly NameTable _tableNames;
        private readonly NameTable _memoryNames;
        private readonly NameTable _globalNames;
        private readonly NameTable _tagNames;
        private readonly NameTable _elemNames;
        private readonly NameTable _dataNames;
        private readonly Dictionary<uint, NameTable> _fieldNames = [];
        private readonly char[] _scratch = new char[64];
        private readonly string _indentUnit;
        private readonly List<string> _indents = [""];

        public ModuleWriter(Module module, TextWriter writer, WatPrinterOptions options)
        {
            _module = module;
            _w = writer;
            _options = options;
            _names = options.UseNames ? module.Names : null;
            _types = module.GetTypes();
            _indentUnit = new string(' ', Math.Max(0, options.IndentSize));

            ulong tables = 0, memories = 0, globals = 0, tags = 0;
            foreach (var import in module.Imports)
            {
                switch (import.Kind)
                {
                    case ExternalKind.Func: _funcTypes.Add(import.Descriptor.FuncTypeIndex); break;
                    case ExternalKind.Table: tables++; break;
                    case ExternalKind.Memory: memories++; break;
                    case ExternalKind.Global: globals++; break;
                    case ExternalKind.Tag: tags++; break;
                }
            }
            _funcTypes.AddRange(module.Functions);

            _funcNames = NameTable.Create(_names?.Functions, (ulong)_funcTypes.Count);
            _typeNames = NameTable.Create(_names?.Types, (ulong)_types.Length);
            _tableNames = NameTable.Create(_names?.Tables, tables + (ulong)module.Tables.Count);
            _memoryNames = NameTable.Create(_names?.Memories, memories + (ulong)module.Memories.Count);
            _globalNames = NameTable.Create(_names?.Globals, globals + (ulong)module.Globals.Count);
            _tagNames = NameTable.Create(_names?.Tags, tags + (ulong)module.Tags.Count);
            _elemNames = NameTable.Create(_names?.ElementSegments, (ulong)module.Elements.Count);
            _dataNames = NameTable.Create(_names?.DataSegments, (ulong)module.Data.Count);
        }

        public void WriteModule()
        {
            _w.Write("(module");
            if (_names?.ModuleName is { } moduleName)
            {
                if (moduleName.Length > 0)
                {
                    _w.Write(' ');
                    _w.Write(FormatId(moduleName));
                }
                else
                {
                    WriteNameAnnotation(moduleName);
                }
            }
            WriteTypeSection();
            WriteImports();
            WriteFunctions();
            WriteTables();
            WriteMemories();
            WriteTags();
            WriteGlobals();
            WriteExports();
            WriteStart();
            WriteElements();
            WriteDataSegments();
            if (_options.EmitCustomSections) WriteCustomSections();
            _w.Write(")\n");
        }

        // ---- Types ----

        private void WriteTypeSection()
        {
            uint typeIndex = 0;
            foreach (var group in _module.RecGroups)
            {
                if (!group.IsExplicit && group.Types.Length == 1)
                {
                    NewLine(1);
                    WriteTypeDefinition(typeIndex++, group.Types[0]);
                    continue;
                }
                NewLine(1);
                _w.Write("(rec");
                foreach (var type in group.Types)
                {
                    NewLine(2);
                    WriteTypeDefinition(typeIndex++, type);
                }
                _w.Write(')');
            }
        }

        private void WriteTypeDefinition(uint index, SubType type)
        {
            _w.Write("(type");
            WriteDefinitionId(_typeNames, index);
            _w.Write(' ');
            var sub = type.HasExplicitSub || !type.Final || type.SuperTypes.Length > 0;
            if (sub)
            {
                _w.Write("(sub");
                if (type.Final) _w.Write(" final");
                foreach (var super in type.SuperTypes)
                {
                    _w.Write(' ');
                    WriteTypeIndex(super);
                }
                _w.Write(' ');
            }
            switch (type.Composite)
            {
                case FuncType func:
                    _w.Write("(func");
                    WriteValTypeList("param", func.Params);
                    WriteValTypeList("result", func.Results);
                    _w.Write(')');
                    break;
                case StructType st:
                    _w.Write("(struct");
                    var fieldNames = FieldNames(index);
                    for (var i = 0; i < st.Fields.Length; i++)
                    {
                        _w.Write(" (field");
                        if (fieldNames.TryGet((uint)i, out var id))
                        {
                            _w.Write(' ');
                            _w.Write(id);
                        }
                        _w.Write(' ');
                        WriteFieldType(st.Fields[i]);
                        _w.Write(')');
                    }
                    _w.Write(')');
                    break;
                case ArrayType array:
                    _w.Write("(array ");
                    WriteFieldType(array.Element);
                    _w.Write(')');
                    break;
                default:
                    throw new NotSupportedException($"Cannot print composite type {type.Composite.GetType().Name}.");
            }
            if (sub) _w.Write(')');
            _w.Write(')');
        }

        private NameTable FieldNames(uint typeIndex)
        {
            if (_fieldNames.TryGetValue(typeIndex, out var table)) return table;
            table = NameTable.Empty;
            if (_names is not null && _names.Fields.TryGetValue(typeIndex, out var raw)
                && typeIndex < (uint)_types.Length && _types[typeIndex].Composite is StructType st)
            {
                table = NameTable.Create(raw, (ulong)st.Fields.Length);
            }
            _fieldNames.Add(typeIndex, table);
            return table;
        }

        private void WriteFieldType(FieldType field)
        {
            if (field.Mutable) _w.Write("(mut ");
            WriteValType(field.StorageType);
            if (field.Mutable) _w.Write(')');
        }

        private void WriteValTypeList(string keyword, ValType[] types)
        {
            if (types.Length == 0) return;
            _w.Write(" (");
            _w.Write(keyword);
            foreach (var t in types)
            {
                _w.Write(' ');
                WriteValType(t);
            }
            _w.Write(')');
        }

        /// <summary>Writes <c>(type N)</c> followed by the parameters and results of that type, when it is a function type.</summary>
        private void WriteTypeUse(uint typeIndex, NameTable? paramNames = null)
        {
            _w.Write(" (type ");
            WriteTypeIndex(typeIndex);
            _w.Write(')');
            if (typeIndex >= (uint)_types.Length || _types[typeIndex].Composite is not FuncType func) return;
            if (paramNames is null)
            {
                WriteValTypeList("param", func.Params);
            }
            else
            {
                // Named parameters need a clause each; unnamed runs share one.
                var open = false;
                for (var i = 0; i < func.Params.Length; i++)
                {
                    if (paramNames.TryGet((uint)i, out var id))
                    {
                        if (open) _w.Write(')');
                        open = false;
                        _w.Write(" (param ");
                        _w.Write(id);
                        _w.Write(' ');
                        WriteValType(func.Params[i]);
                        _w.Write(')');
                        continue;
                    }
                    if (!open)
                    {
                        _w.Write(" (param");
                        open = true;
                    }
                    _w.Write(' ');
                    WriteValType(func.Params[i]);
                }
                if (open) _w.Write(')');
            }
            WriteValTypeList("result", func.Results);
        }

        private void WriteValType(ValType type)
        {
            switch (type.Code)
            {
                case ValType.I32Code: _w.Write("i32"); return;
                case ValType.I64Code: _w.Write("i64"); return;
                case ValType.F32Code: _w.Write("f32"); return;
                case ValType.F64Code: _w.Write("f64"); return;
                case ValType.V128Code: _w.Write("v128"); return;
                case ValType.I8Code: _w.Write("i8"); return;
                case ValType.I16Code: _w.Write("i16"); return;
                case ValType.RefNullCode:
                    var shorthand = RefShorthand(type.Heap);
                    if (shorthand is not null)
                    {
                        _w.Write(shorthand);
                        return;
                    }
                    _w.Write("(ref null ");
                    WriteHeapType(type.Heap);
                    _w.Write(')');
                    return;
                case ValType.RefCode:
                    _w.Write("(ref ");
                    WriteHeapType(type.Heap);
                    _w.Write(')');
                    return;
                default:
                    throw new NotSupportedException($"Cannot print value type 0x{type.Code:x2}.");
            }
        }

        private static string? RefShorthand(HeapType heap) => heap.Code switch
        {
            -0x0C => "nullexnref",
            -0x0D => "nullfuncref",
            -0x0E => "nullexternref",
            -0x0F => "nullref",
            -0x10 => "funcref",
            -0x11 => "externref",
            -0x12 => "anyref",
            -0x13 => "eqref",
            -0x14 => "i31ref",
            -0x15 => "structref",
            -0x16 => "arrayref",
            -0x17 => "exnref",
            _ => null,
        };

        private void WriteHeapType(HeapType heap)
        {
            if (heap.IsConcrete)
            {
                WriteTypeIndex(heap.TypeIndex);
                return;
            }
            var name = heap.AbstractName ?? throw new NotSupportedException($"Cannot print heap type {heap.Code}.");
            _w.Write(name);
        }

        private void WriteTypeIndex(uint index) => WriteIndex(_typeNames, index);

        // ---- Imports ----

        private void WriteImports()
        {
            uint funcs = 0, tables = 0, memories = 0, globals = 0, tags = 0;
            foreach (var import in _module.Imports)
            {
                NewLine(1);
                _w.Write("(import ");
                WriteString(import.ModuleName);
                _w.Write(' ');
                WriteString(import.Name);
                var d = import.Descriptor;
                switch (import.Kind)
                {
                    case ExternalKind.Func:
                        _w.Write(" (func");
                        WriteDefinitionId(_funcNames, funcs);
                        WriteTypeUse(d.FuncTypeIndex, LocalNames(funcs));
                        funcs++;
                        break;
                    case ExternalKind.Table:
                        _w.Write(" (table");
                        WriteDefinitionId(_tableNames, tables++);
                        WriteTableType(d.Table!);
                        break;
                    case ExternalKind.Memory:
                        _w.Write(" (memory");
                        WriteDefinitionId(_memoryNames, memories++);
                        WriteMemoryType(d.Memory!);
                        break;
                    case ExternalKind.Global:
                        _w.Write(" (global");
                        WriteDefinitionId(_globalNames, globals++);
                        _w.Write(' ');
                        WriteGlobalType(d.Global);
                        break;
                    case ExternalKind.Tag:
                        _w.Write(" (tag");
                        WriteDefinitionId(_tagNames, tags++);
                        WriteTypeUse(d.Tag.TypeIndex);
                        break;
                    default:
                        throw new NotSupportedException($"Cannot print import kind {import.Kind}.");
                }
                _w.Write("))");
            }
        }

        private void WriteTableType(TableType type)
        {
            WriteLimits(type.Limits);
            _w.Write(' ');
            WriteValType(type.ElementType);
        }

        private void WriteMemoryType(MemoryType type)
        {
            WriteLimits(type.Limits);
            if (type.Limits.Shared) _w.Write(" shared");
            if (type.PageSizeLog2 != 16)
            {
                _w.Write(" (pagesize ");
                if (type.PageSizeLog2 is >= 0 and < 64) WriteNumber(1UL << type.PageSizeLog2);
                else throw new NotSupportedException($"Cannot print page size 2^{type.PageSizeLog2}.");
                _w.Write(')');
            }
        }

        private void WriteLimits(Limits limits)
        {
            if (limits.Is64) _w.Write(" i64");
            _w.Write(' ');
            WriteNumber(limits.Min);
            if (limits.Max is { } max)
            {
                _w.Write(' ');
                WriteNumber(max);
            }
        }

        private void WriteGlobalType(GlobalType type)
        {
            if (type.Mutable) _w.Write("(mut ");
            WriteValType(type.Type);
            if (type.Mutable) _w.Write(')');
        }

        // ---- Functions ----

        private void WriteFunctions()
        {
            var imported = (uint)(_funcTypes.Count - _module.Functions.Count);
            for (var i = 0; i < _module.Functions.Count; i++)
            {
                var funcIndex = imported + (uint)i;
                var typeIndex = _module.Functions[i];
                var body = i < _module.Codes.Count ? _module.Codes[i] : null;
                var paramCount = typeIndex < (uint)_types.Length && _types[typeIndex].Composite is FuncType ft ? ft.Params.Length : 0;
                var localNames = LocalNames(funcIndex, body is null ? 0 : body.LocalCount);
                NewLine(1);
                _w.Write("(func");
                WriteDefinitionId(_funcNames, funcIndex, annotate: true);
                WriteTypeUse(typeIndex, localNames);
                if (body is not null)
                {
                    WriteLocals(body, (uint)paramCount, localNames);
                    WriteFunctionBody(funcIndex, body, localNames);
                }
                _w.Write(')');
            }
        }

        private NameTable LocalNames(uint funcIndex, ulong declaredLocals = 0)
        {
            if (_names is null || !_names.Locals.TryGetValue(funcIndex, out var raw)) return NameTable.Empty;
            ulong paramCount = 0;
            if (funcIndex < (uint)_funcTypes.Count)
            {
                var typeIndex = _funcTypes[(int)funcIndex];
                if (typeIndex < (uint)_types.Length && _types[typeIndex].Composite is FuncType ft) paramCount = (ulong)ft.Params.Length;
            }
            return NameTable.Create(raw, paramCount + declaredLocals);
        }

        private void WriteLocals(FunctionBody body, uint paramCount, NameTable names)
        {
            var localIndex = paramCount;
            foreach (var group in body.Locals)
            {
                // One clause per group keeps the grouping of the code section; a named local needs
                // a clause of its own, which a parser that merges equal neighbours undoes again.
                var named = false;
                for (uint k = 0; k < group.Count && !named; k++)
                    named = names.TryGet(localIndex + k, out _);
                if (!named)
                {
                    NewLine(2);
                    _w.Write("(local");
                    for (uint k = 0; k < group.Count; k++)
                    {
                        _w.Write(' ');
                        WriteValType(group.Type);
                    }
                    _w.Write(')');
                }
                else
                {
                    for (uint k = 0; k < group.Count; k++)
                    {
                        NewLine(2);
                        _w.Write("(local");
                        if (names.TryGet(localIndex + k, out var id))
                        {
                            _w.Write(' ');
                            _w.Write(id);
                        }
                        _w.Write(' ');
                        WriteValType(group.Type);
                        _w.Write(')');
                    }
                }
                localIndex += group.Count;
            }
        }

        // ---- Tables, memories, tags, globals ----

        private void WriteTables()
        {
            var index = (uint)_module.ImportedCount(ExternalKind.Table);
            foreach (var table in _module.Tables)
            {
                NewLine(1);
                _w.Write("(table");
                WriteDefinitionId(_tableNames, index++);
                WriteTableType(table.Type);
                if (table.Init is { } init) WriteConstExpr(init);
                _w.Write(')');
            }
        }

        private void WriteMemories()
        {
            var index = (uint)_module.ImportedCount(ExternalKind.Memory);
            foreach (var memory in _module.Memories)
            {
                NewLine(1);
                _w.Write("(memory");
                WriteDefinitionId(_memoryNames, index++);
                WriteMemoryType(memory);
                _w.Write(')');
            }
        }

        private void WriteTags()
        {
            var index = (uint)_module.ImportedCount(ExternalKind.Tag);
            foreach (var tag in _module.Tags)
            {
                NewLine(1);
                _w.Write("(tag");
                WriteDefinitionId(_tagNames, index++, annotate: true);
                WriteTypeUse(tag.TypeIndex);
                _w.Write(')');
            }
        }

        private void WriteGlobals()
        {
            var index = (uint)_module.ImportedCount(ExternalKind.Global);
            foreach (var global in _module.Globals)
            {
                NewLine(1);
                _w.Write("(global");
                WriteDefinitionId(_globalNames, index++);
                _w.Write(' ');
                WriteGlobalType(global.Type);
                WriteConstExpr(global.Init);
                _w.Write(')');
            }
        }

        // ---- Exports and start ----

        private void WriteExports()
        {
            foreach (var export in _module.Exports)
            {
                NewLine(1);
                _w.Write("(export ");
                WriteString(export.Name);
                switch (export.Kind)
                {
                    case ExternalKind.Func: _w.Write(" (func "); WriteIndex(_funcNames, export.Index); break;
                    case ExternalKind.Table: _w.Write(" (table "); WriteIndex(_tableNames, export.Index); break;
                    case ExternalKind.Memory: _w.Write(" (memory "); WriteIndex(_memoryNames, export.Index); break;
                    case ExternalKind.Global: _w.Write(" (global "); WriteIndex(_globalNames, export.Index); break;
                    case ExternalKind.Tag: _w.Write(" (tag "); WriteIndex(_tagNames, export.Index); break;
                    default: throw new NotSupportedException($"Cannot print export kind {export.Kind}.");
                }
                _w.Write("))");
            }
        }

        private void WriteStart()
        {
            if (_module.Start is not { } start) return;
            NewLine(1);
            _w.Write("(start ");
            WriteIndex(_funcNames, start);
            _w.Write(')');
        }

        // ---- Element and data segments ----

        private void WriteElements()
        {
            uint index = 0;
            foreach (var segment in _module.Elements)
            {
                NewLine(1);
                _w.Write("(elem");
                WriteDefinitionId(_elemNames, index++);
                // Binary flags: bit 0 passive/declarative, bit 1 explicit table (active) or
                // declarative (with bit 0), bit 2 expressions instead of function indices.
                var flags = segment.Flags;
                switch (segment.Mode)
                {
                    case SegmentMode.Active:
                        if ((flags & 0b010) != 0 || segment.TableIndex != 0)
                        {
                            _w.Write(" (table ");
                            WriteIndex(_tableNames, segment.TableIndex);
                            _w.Write(')');
                        }
                        if (segment.Offset is { } offset) WriteOffset(offset);
                        break;
                    case SegmentMode.Declarative:
                        _w.Write(" declare");
                        break;
                }
                if (segment.FunctionIndices is { } functions)
                {
                    _w.Write(" func");
                    foreach (var f in functions)
                    {
                        _w.Write(' ');
                        WriteIndex(_funcNames, f);
                    }
                }
                else
                {
                    // Variant 4 stores no type, but it is always funcref, and an active segment
                    // without a table clause whose type is funcref is exactly what selects it.
                    _w.Write(' ');
                    WriteValType(segment.Type);
                    foreach (var item in segment.Expressions ?? [])
                        WriteElemItem(item);
                }
                _w.Write(')');
            }
        }

        private void WriteDataSegments()
        {
            uint index = 0;
            foreach (var segment in _module.Data)
            {
                NewLine(1);
                _w.Write("(data");
                WriteDefinitionId(_dataNames, index++);
                if (segment.Mode == SegmentMode.Active)
                {
                    if ((segment.Flags & 0b010) != 0 || segment.MemoryIndex != 0)
                    {
                        _w.Write(" (memory ");
                        WriteIndex(_memoryNames, segment.MemoryIndex);
                        _w.Write(')');
                    }
                    if (segment.Offset is { } offset) WriteOffset(offset);
                }
                _w.Write(' ');
                WriteString(segment.Bytes.Span);
                _w.Write(')');
            }
        }

        // ---- Custom sections ----

        private void WriteCustomSections()
        {
            foreach (var section in _module.CustomSections)
            {
                NewLine(1);
                _w.Write("(@custom ");
                WriteString(section.Name);
                _w.Write(' ');
                _w.Write(section.After switch
                {
                    SectionId.Custom => "(before first)",
                    SectionId.Type => "(after type)",
                    SectionId.Import => "(after import)",
                    SectionId.Function => "(after func)",
                    SectionId.Table => "(after table)",
                    SectionId.Memory => "(after memory)",
                    // The tag and data count sections have no placement keyword of their own in the
                    // annotation syntax; the section that follows each names the same position.
                    SectionId.Tag => "(before global)",
                    SectionId.Global => "(after global)",
                    SectionId.Export => "(after export)",
                    SectionId.Start => "(after start)",
                    SectionId.Element => "(after elem)",
                    SectionId.DataCount => "(before code)",
                    SectionId.Code => "(after code)",
                    SectionId.Data => "(after data)",
                    _ => "(after last)",
                });
                _w.Write(' ');
                WriteString(section.Content.Span);
                _w.Write(')');
            }
        }

        // ---- Lexical helpers ----

        private void NewLine(int level)
        {
            _w.Write('\n');
            _w.Write(Indent(level));
        }

        private string Indent(int level)
        {
            if (level < 0) level = 0;
            while (_indents.Count <= level) _indents.Add(_indents[^1] + _indentUnit);
            return _indents[level];
        }

        /// <summary>
        /// Writes " $name" when the entity has a name, else an index comment " (;N;)". With
        /// <paramref name="annotate"/> (defined functions and tags, the only places the text format
        /// allows it), a name that cannot be an identifier is kept as a <c>(@name "...")</c> annotation.
        /// </summary>
        private void WriteDefinitionId(NameTable names, uint index, bool annotate = false)
        {
            _w.Write(' ');
            if (names.TryGet(index, out var id))
            {
                _w.Write(id);
                return;
            }
            _w.Write("(;");
            WriteNumber(index);
            _w.Write(";)");
            if (annotate && names.TryGetUnprintable(index, out var name)) WriteNameAnnotation(name);
        }

        private void WriteNameAnnotation(string name)
        {
            _w.Write(" (@name ");
            WriteString(name);
            _w.Write(')');
        }

        private void WriteIndex(NameTable names, uint index)
        {
            if (names.TryGet(index, out var id)) _w.Write(id);
            else WriteNumber(index);
        }

        private void WriteNumber(ulong value)
        {
            value.TryFormat(_scratch, out var n, default, CultureInfo.InvariantCulture);
            _w.Write(_scratch, 0, n);
        }

        private void WriteNumber(long value)
        {
            value.TryFormat(_scratch, out var n, default, CultureInfo.InvariantCulture);
            _w.Write(_scratch, 0, n);
        }

        private void WriteString(string text) => WriteString(Encoding.UTF8.GetBytes(text));

        private void WriteString(ReadOnlySpan<byte> bytes)
        {
            _w.Write('"');
            var buffer = _scratch;
            var n = 0;
            foreach (var b in bytes)
            {
                if (n > buffer.Length - 3)
                {
                    _w.Write(buffer, 0, n);
                    n = 0;
                }
                if (b is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\')
                {
                    buffer[n++] = (char)b;
                }
                else
                {
                    buffer[n++] = '\\';
                    buffer[n++] = HexDigits[b >> 4];
                    buffer[n++] = HexDigits[b & 0xF];
                }
            }
            _w.Write(buffer, 0, n);
            _w.Write('"');
        }
    }
}
