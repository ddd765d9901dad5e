using WasmSharp.Binary;
using WasmSharp.Model;

namespace WasmSharp.Text;

internal sealed partial class ModuleParser
{
    private enum FieldKind
    {
        Type,
        Rec,
        Import,
        Func,
        Table,
        Memory,
        Global,
        Tag,
        Export,
        Start,
        Elem,
        Data,
    }

    /// <summary>A module field: its tokens (from its "(" to its ")"), the index it defines and, for a table or memory, of its inline segment.</summary>
    private readonly record struct Field(FieldKind Kind, int Start, int End, uint Index, uint SegmentIndex, bool IsImport);

    private readonly List<Field> _fields = [];
    private readonly Module _module = new();
    private int _fieldNumber;
    private uint _currentFuncIndex;
    private readonly Dictionary<uint, int> _localsSizes = [];

    public Module Parse(int start, int end, string? moduleId)
    {
        // The reference lexer rejects an unknown word as soon as it reads it: that error wins over any
        // error found later in the text and over every error found only after parsing.
        var firstUnknown = -1;
        for (var i = start; i < end; i++)
        {
            if (IsUnknownWord(i))
            {
                firstUnknown = i;
                break;
            }
        }
        try
        {
            var module = ParseModule(start, end, moduleId);
            if (_deferred is not null) throw _deferred;
            if (firstUnknown >= 0) throw UnexpectedAt(firstUnknown);
            return module;
        }
        catch (MalformedException e) when (firstUnknown >= 0 && (ReferenceEquals(e, _deferred) || _errorToken > firstUnknown))
        {
            throw UnexpectedAt(firstUnknown);
        }
    }

    private Module ParseModule(int start, int end, string? moduleId)
    {
        if (moduleId is not null) Names.ModuleName = moduleId;
        ScanFields(start, end);
        ParseTypes();
        PrepareBranchHints();
        for (var i = 0; i < _fields.Count; i++)
        {
            _fieldNumber = i;
            ParseField(_fields[i]);
        }
        FinishBranchHints(_localsSizes);
        ParseAnnotations();

        var m = _module;
        m.RecGroups.AddRange(_recGroups);
        if (_usesDataIndex) m.DataCount = (uint)m.Data.Count;
        if (_names is not null) m.Names = _names;
        return m;
    }

    // ---------------------------------------------------------------- pass 1: bind identifiers

    private void ScanFields(int start, int end)
    {
        var definitions = new List<(int Field, string Kind)>();
        var imports = new List<int>();
        var i = start;
        while (i < end)
        {
            if (_t[i].Kind != TokenKind.LParen) throw UnexpectedAt(i);
            var close = _ts.Partners[i];
            if (close < 0 || close > end) throw UnexpectedAt(end);
            if (_t[i + 1].Kind != TokenKind.Keyword) throw UnexpectedAt(i + 1);
            _pos = i + 2;
            var fieldNumber = _fields.Count;
            Field field;
            switch (Span(i + 1))
            {
                case "type":
                    BindTypeDefinition(i);
                    field = new Field(FieldKind.Type, i, close, 0, 0, false);
                    break;
                case "rec":
                    for (var p = i + 2; p < close; p = _ts.Partners[p] + 1)
                    {
                        if (!IsLParenKeyword(p, "type") || _ts.Partners[p] < 0) throw UnexpectedAt(p);
                        BindTypeDefinition(p);
                    }
                    field = new Field(FieldKind.Rec, i, close, 0, 0, false);
                    break;
                case "func":
                case "table":
                case "memory":
                case "global":
                case "tag":
                {
                    var kind = KindOfKeyword(Span(i + 1));
                    var idToken = _pos;
                    var name = TryId();
                    while (AtLParenKeyword("export") && _ts.Partners[_pos] > 0) _pos = _ts.Partners[_pos] + 1;
                    var isImport = AtLParenKeyword("import");
                    var index = Bind(SpaceOf(kind), name, idToken);
                    uint segment = 0;
                    if (isImport)
                    {
                        imports.Add(fieldNumber);
                    }
                    else
                    {
                        definitions.Add((fieldNumber, Span(i + 1) is "func" ? "function" : Span(i + 1).ToString()));
                        if (kind == ExternalKind.Table && HasChild(_pos, close, "elem")) segment = Bind(_elems, null, i);
                        if (kind == ExternalKind.Memory && HasChild(_pos, close, "data")) segment = Bind(_datas, null, i);
                    }
                    field = new Field(FieldKindOf(kind), i, close, index, segment, isImport);
                    break;
                }
                case "import":
                {
                    if (_t[_pos].Kind != TokenKind.String) throw UnexpectedAt(_pos);
                    if (_t[_pos + 1].Kind != TokenKind.String) throw UnexpectedAt(_pos + 1);
                    _pos += 2;
                    if (_t[_pos].Kind != TokenKind.LParen) throw UnexpectedAt(_pos);
                    if (_t[_pos + 1].Kind != TokenKind.Keyword || Span(_pos + 1) is not ("func" or "table" or "memory" or "global" or "tag"))
                        throw UnexpectedAt(_pos + 1);
                    var kind = KindOfKeyword(Span(_pos + 1));
                    _pos += 2;
                    var idToken = _pos;
                    var index = Bind(SpaceOf(kind), TryId(), idToken);
                    imports.Add(fieldNumber);
                    field = new Field(FieldKind.Import, i, close, index, 0, true);
                    break;
                }
                case "export":
                    field = new Field(FieldKind.Export, i, close, 0, 0, false);
                    break;
                case "start":
                    field = new Field(FieldKind.Start, i, close, 0, 0, false);
                    break;
                case "elem":
                {
                    var idToken = _pos;
                    field = new Field(FieldKind.Elem, i, close, Bind(_elems, TryId(), idToken), 0, false);
                    break;
                }
                case "data":
                {
                    var idToken = _pos;
                    field = new Field(FieldKind.Data, i, close, Bind(_datas, TryId(), idToken), 0, false);
                    break;
                }
                default:
                    throw UnexpectedAt(i + 1);
            }
            _fields.Add(field);
            i = close + 1;
        }

        // Imports must precede every definition of a function, table, memory, global or tag.
        if (imports.Count > 0 && definitions.Count > 0)
        {
            var lastImport = imports[^1];
            for (var d = definitions.Count - 1; d >= 0; d--)
            {
                if (definitions[d].Field > lastImport) continue;
                var firstAfter = imports.First(x => x > definitions[d].Field);
                Defer(_fields[firstAfter].Start, $"import after {definitions[d].Kind} definition");
                break;
            }
        }
    }

    private void BindTypeDefinition(int open)
    {
        _pos = open + 2;
        var idToken = _pos;
        var name = TryId();
        var index = Bind(_typeSpace, name, idToken);
        if (name is not null) Names.Types[index] = name;
    }

    private bool HasChild(int from, int close, string keyword)
    {
        for (var p = from; p < close && p >= 0; p++)
        {
            if (_t[p].Kind == TokenKind.LParen)
            {
                if (IsKeyword(p + 1, keyword)) return true;
                if (_ts.Partners[p] < 0) return false;
                p = _ts.Partners[p];
            }
        }
        return false;
    }

    private static ExternalKind KindOfKeyword(ReadOnlySpan<char> keyword) => keyword switch
    {
        "func" => ExternalKind.Func,
        "table" => ExternalKind.Table,
        "memory" => ExternalKind.Memory,
        "global" => ExternalKind.Global,
        _ => ExternalKind.Tag,
    };

    private static FieldKind FieldKindOf(ExternalKind kind) => kind switch
    {
        ExternalKind.Func => FieldKind.Func,
        ExternalKind.Table => FieldKind.Table,
        ExternalKind.Memory => FieldKind.Memory,
        ExternalKind.Global => FieldKind.Global,
        _ => FieldKind.Tag,
    };

    private Space SpaceOf(ExternalKind kind) => kind switch
    {
        ExternalKind.Func => _funcs,
        ExternalKind.Table => _tables,
        ExternalKind.Memory => _memories,
        ExternalKind.Global => _globals,
        _ => _tags,
    };

    // ---------------------------------------------------------------- pass 2: types

    private void ParseTypes()
    {
        uint next = 0;
        foreach (var field in _fields)
        {
            if (field.Kind == FieldKind.Type)
            {
                var sub = ParseTypeDefinition(field.Start, next++);
                _types.Add(sub);
                _typeIsSingleton.Add(true);
                _recGroups.Add(new RecGroup([sub]));
            }
            else if (field.Kind == FieldKind.Rec)
            {
                var group = new List<SubType>();
                for (var p = field.Start + 2; p < field.End; p = _ts.Partners[p] + 1)
                    group.Add(ParseTypeDefinition(p, next++));
                foreach (var sub in group)
                {
                    _types.Add(sub);
                    _typeIsSingleton.Add(group.Count == 1);
                }
                _recGroups.Add(new RecGroup([.. group], IsExplicit: true));
            }
        }
    }

    private SubType ParseTypeDefinition(int open, uint index)
    {
        _pos = open + 2;
        TryId();
        var sub = ParseSubType(index);
        ExpectRParen();
        return sub;
    }

    // ---------------------------------------------------------------- pass 3: everything else

    private void ParseField(Field field)
    {
        _pos = field.Start + 2;
        switch (field.Kind)
        {
            case FieldKind.Type:
            case FieldKind.Rec:
                return;
            case FieldKind.Import:
                ParseImport(field);
                break;
            case FieldKind.Func:
                ParseFunc(field);
                break;
            case FieldKind.Table:
                ParseTable(field);
                break;
            case FieldKind.Memory:
                ParseMemory(field);
                break;
            case FieldKind.Global:
                ParseGlobal(field);
                break;
            case FieldKind.Tag:
                ParseTag(field);
                break;
            case FieldKind.Export:
                ParseExport();
                break;
            case FieldKind.Start:
                ParseStart(field);
                break;
            case FieldKind.Elem:
                ParseElem(field);
                break;
            case FieldKind.Data:
                ParseData(field);
                break;
        }
        if (_pos != field.End) throw UnexpectedAt(_pos);
        _pos++;
    }

    private void RecordName(ExternalKind kind, uint index, string? name)
    {
        if (name is null) return;
        var map = kind switch
        {
            ExternalKind.Func => Names.Functions,
            ExternalKind.Table => Names.Tables,
            ExternalKind.Memory => Names.Memories,
            ExternalKind.Global => Names.Globals,
            _ => Names.Tags,
        };
        map[index] = name;
    }

    private void ParseInlineExports(ExternalKind kind, uint index)
    {
        while (TryLParenKeyword("export"))
        {
            var name = ReadName();
            ExpectRParen();
            _module.Exports.Add(new Export(name, kind, index));
        }
    }

    /// <summary>Parses <c>(import "m" "n")</c> when present.</summary>
    private bool TryInlineImport(out string module, out string name)
    {
        if (!TryLParenKeyword("import"))
        {
            module = name = "";
            return false;
        }
        module = ReadName();
        name = ReadName();
        ExpectRParen();
        return true;
    }

    private void ParseImport(Field field)
    {
        var module = ReadName();
        var name = ReadName();
        ExpectLParen();
        var kind = KindOfKeyword(Span(_pos));
        _pos++;
        var id = TryId();
        RecordName(kind, field.Index, id);
        _module.Imports.Add(new Import(module, name, ParseImportDescriptor(kind, field.Index)));
        ExpectRParen();
    }

    /// <summary>
    /// Puts the parameter names of an imported function into the name section's local names, as
    /// wat2wasm does: the import has no body to use them in, but they are the only place its
    /// parameters are named, and wasm2wat prints them back. The names bind nothing, so a repeated
    /// name is not an error here (the reference interpreter ignores them altogether).
    /// </summary>
    private void RecordImportParamNames(uint funcIndex, TypeUse use)
    {
        Dictionary<uint, string>? names = null;
        for (var i = 0; i < use.ParamNames.Count; i++)
            if (use.ParamNames[i] is { } paramName) (names ??= NameMap(Names.Locals, funcIndex))[(uint)i] = paramName;
    }

    private ImportDescriptor ParseImportDescriptor(ExternalKind kind, uint index)
    {
        switch (kind)
        {
            case ExternalKind.Func:
                var use = ParseTypeUse(allowNames: true);
                RecordImportParamNames(index, use);
                return ImportDescriptor.ForFunc(ResolveTypeUse(use));
            case ExternalKind.Table:
                return ImportDescriptor.ForTable(ParseTableType());
            case ExternalKind.Memory:
                return ImportDescriptor.ForMemory(ParseMemoryType());
            case ExternalKind.Global:
                return ImportDescriptor.ForGlobal(ParseGlobalType());
            default:
                return ImportDescriptor.ForTag(new TagType(ResolveTypeUse(ParseTypeUse(allowNames: true))));
        }
    }

    private bool ParseAddressType()
    {
        if (TryKeyword("i64")) return true;
        TryKeyword("i32");
        return false;
    }

    private Limits ParseLimits(bool is64)
    {
        if (_t[_pos].Kind != TokenKind.Nat) throw UnexpectedAt(_pos);
        var min = ReadU64(_pos++);
        ulong? max = null;
        if (_t[_pos].Kind == TokenKind.Nat) max = ReadU64(_pos++);
        return new Limits(min, max, is64);
    }

    private TableType ParseTableType()
    {
        var is64 = ParseAddressType();
        var limits = ParseLimits(is64);
        return new TableType(ParseRefType(), limits);
    }

    private MemoryType ParseMemoryType()
    {
        var is64 = ParseAddressType();
        var limits = ParseLimits(is64);
        var shared = TryKeyword("shared");
        var pageSizeLog2 = ParsePageSize();
        return new MemoryType(limits with { Shared = shared }, pageSizeLog2);
    }

    /// <summary>Parses <c>(pagesize n)</c> when present (custom-page-sizes proposal) and returns the log2 of the page size.</summary>
    private int ParsePageSize()
    {
        if (!TryLParenKeyword("pagesize")) return 16;
        if (_t[_pos].Kind != TokenKind.Nat) throw UnexpectedAt(_pos);
        var sizeToken = _pos;
        var size = ReadU64(_pos++);
        ExpectRParen();
        if (size == 0 || (size & (size - 1)) != 0) throw Error(sizeToken, "invalid custom page size");
        return System.Numerics.BitOperations.Log2(size);
    }

    private void ParseFunc(Field field)
    {
        RecordName(ExternalKind.Func, field.Index, TryId());
        ParseInlineExports(ExternalKind.Func, field.Index);
        if (TryInlineImport(out var module, out var name))
        {
            var importUse = ParseTypeUse(allowNames: true);
            RecordImportParamNames(field.Index, importUse);
            _module.Imports.Add(new Import(module, name, ImportDescriptor.ForFunc(ResolveTypeUse(importUse))));
            return;
        }
        var use = ParseTypeUse(allowNames: true);
        var typeIndex = ResolveTypeUse(use);
        _module.Functions.Add(typeIndex);

        _locals.Clear();
        Dictionary<uint, string>? localNames = null;
        if (use.Index is { } explicitIndex && !use.HasInline)
        {
            _locals.Count = (uint)(FuncTypeAt(explicitIndex)?.Params.Length ?? 0);
        }
        else
        {
            for (var i = 0; i < use.Params.Count; i++)
            {
                var local = Bind(_locals, use.ParamNames[i], use.ParamNameTokens[i]);
                if (use.ParamNames[i] is { } paramName) (localNames ??= NameMap(Names.Locals, field.Index))[local] = paramName;
            }
        }

        var groups = new List<LocalGroup>();
        while (TryLParenKeyword("local"))
        {
            if (_t[_pos].Kind == TokenKind.Id)
            {
                var idToken = _pos;
                var localName = TryId()!;
                var type = ParseValType();
                var local = Bind(_locals, localName, idToken);
                (localNames ??= NameMap(Names.Locals, field.Index))[local] = localName;
                AddLocal(groups, type);
            }
            else
            {
                while (TryParseValType(out var type))
                {
                    Bind(_locals, null, _pos);
                    AddLocal(groups, type);
                }
            }
            ExpectRParen();
        }

        _currentFuncField = _fieldNumber;
        _currentFuncIndex = field.Index;
        var code = ParseBody();
        _currentFuncField = -1;
        _locals.Clear();
        LocalGroup[] locals = [.. groups];
        if (_branchHints.ContainsKey(field.Index)) _localsSizes[field.Index] = LocalsSize(locals);
        _module.Codes.Add(new FunctionBody(locals, code));
    }

    private static void AddLocal(List<LocalGroup> groups, ValType type)
    {
        if (groups.Count > 0 && groups[^1].Type == type)
            groups[^1] = groups[^1] with { Count = groups[^1].Count + 1 };
        else
            groups.Add(new LocalGroup(1, type));
    }

    private void ParseTable(Field field)
    {
        RecordName(ExternalKind.Table, field.Index, TryId());
        ParseInlineExports(ExternalKind.Table, field.Index);
        if (TryInlineImport(out var module, out var name))
        {
            _module.Imports.Add(new Import(module, name, ImportDescriptor.ForTable(ParseTableType())));
            return;
        }
        var is64 = ParseAddressType();
        if (AtRefType())
        {
            // (table reftype (elem ...)): the table is sized to fit an active segment at offset 0.
            var elementType = ParseRefType();
            if (!TryLParenKeyword("elem")) throw UnexpectedAt(_pos);
            ConstExpr[] items;
            if (AtIndex)
            {
                var list = new List<ConstExpr>();
                while (AtIndex) list.Add(RefFuncExpr(ParseIndex(_funcs)));
                items = [.. list];
            }
            else
            {
                items = [.. ParseElemExprs(out _)];
            }
            ExpectRParen();
            var size = (ulong)items.Length;
            _module.Tables.Add(new Table(new TableType(elementType, new Limits(size, size, is64))));
            var segment = new ElementSegment(SegmentMode.Active, elementType)
            {
                TableIndex = field.Index,
                Offset = ZeroOffset(is64),
                Expressions = items,
            };
            _module.Elements.Add(segment with { Flags = ElementFlags(segment, explicitTable: false) });
            return;
        }
        var limits = ParseLimits(is64);
        var refType = ParseRefType();
        ConstExpr? init = null;
        if (_t[_pos].Kind != TokenKind.RParen)
        {
            init = ParseConstExpr(out var single);
            // The reference encoding writes a table initialised with its own null as a plain table.
            if (single is { Opcode: Opcode.RefNull } only && only.Type.Heap == refType.Heap) init = null;
        }
        _module.Tables.Add(new Table(new TableType(refType, limits), init));
    }

    private static ConstExpr ZeroOffset(bool is64)
    {
        var w = new WasmWriter(8);
        if (is64)
        {
            w.WriteByte((byte)Opcode.I64Const);
            w.WriteS64(0);
        }
        else
        {
            w.WriteByte((byte)Opcode.I32Const);
            w.WriteS32(0);
        }
        w.WriteByte((byte)Opcode.End);
        return new ConstExpr(w.ToArray());
    }

    private static ConstExpr RefFuncExpr(uint funcIndex)
    {
        var w = new WasmWriter(8);
        w.WriteByte((byte)Opcode.RefFunc);
        w.WriteU32(funcIndex);
        w.WriteByte((byte)Opcode.End);
        return new ConstExpr(w.ToArray());
    }

    private void ParseMemory(Field field)
    {
        RecordName(ExternalKind.Memory, field.Index, TryId());
        ParseInlineExports(ExternalKind.Memory, field.Index);
        if (TryInlineImport(out var module, out var name))
        {
            _module.Imports.Add(new Import(module, name, ImportDescriptor.ForMemory(ParseMemoryType())));
            return;
        }
        var is64 = ParseAddressType();
        var pageSizeLog2 = ParsePageSize();
        if (TryLParenKeyword("data"))
        {
            var bytes = ReadStrings();
            ExpectRParen();
            var pageSize = 1UL << pageSizeLog2;
            var pages = ((ulong)bytes.Length + pageSize - 1) / pageSize;
            _module.Memories.Add(new MemoryType(new Limits(pages, pages, is64), pageSizeLog2));
            _module.Data.Add(new DataSegment(SegmentMode.Active, bytes)
            {
                MemoryIndex = field.Index,
                Offset = ZeroOffset(is64),
                Flags = (byte)(field.Index == 0 ? 0 : 2),
            });
            return;
        }
        if (pageSizeLog2 != 16) throw UnexpectedAt(_pos);
        var limits = ParseLimits(is64);
        var shared = TryKeyword("shared");
        pageSizeLog2 = ParsePageSize();
        _module.Memories.Add(new MemoryType(limits with { Shared = shared }, pageSizeLog2));
    }

    private void ParseGlobal(Field field)
    {
        RecordName(ExternalKind.Global, field.Index, TryId());
        ParseInlineExports(ExternalKind.Global, field.Index);
        if (TryInlineImport(out var module, out var name))
        {
            _module.Imports.Add(new Import(module, name, ImportDescriptor.ForGlobal(ParseGlobalType())));
            return;
        }
        var type = ParseGlobalType();
        _module.Globals.Add(new Global(type, ParseConstExpr(out _)));
    }

    private void ParseTag(Field field)
    {
        RecordName(ExternalKind.Tag, field.Index, TryId());
        ParseInlineExports(ExternalKind.Tag, field.Index);
        if (TryInlineImport(out var module, out var name))
        {
            var imported = ResolveTypeUse(ParseTypeUse(allowNames: true));
            _module.Imports.Add(new Import(module, name, ImportDescriptor.ForTag(new TagType(imported))));
            return;
        }
        _module.Tags.Add(new TagType(ResolveTypeUse(ParseTypeUse(allowNames: true))));
    }

    private void ParseExport()
    {
        var name = ReadName();
        ExpectLParen();
        if (_t[_pos].Kind != TokenKind.Keyword || Span(_pos) is not ("func" or "table" or "memory" or "global" or "tag"))
            throw UnexpectedAt(_pos);
        var kind = KindOfKeyword(Span(_pos));
        _pos++;
        var index = ParseIndex(SpaceOf(kind));
        ExpectRParen();
        _module.Exports.Add(new Export(name, kind, index));
    }

    private void ParseStart(Field field)
    {
        var index = ParseIndex(_funcs);
        if (_module.Start is not null) Defer(field.Start, "multiple start sections");
        _module.Start = index;
    }

    /// <summary>An offset: <c>(offset instr*)</c> or a single folded instruction.</summary>
    private ConstExpr ParseOffset()
    {
        if (TryLParenKeyword("offset"))
        {
            var expr = ParseConstExpr(out _);
            ExpectRParen();
            return expr;
        }
        if (_t[_pos].Kind != TokenKind.LParen) throw UnexpectedAt(_pos);
        return ParseFoldedConstExpr(out _);
    }

    /// <summary>Element expressions: <c>(item instr*)</c> or single folded instructions; tells whether each is just <c>ref.func x</c>.</summary>
    private List<ConstExpr> ParseElemExprs(out List<uint?> refFuncs)
    {
        var items = new List<ConstExpr>();
        refFuncs = [];
        while (_t[_pos].Kind == TokenKind.LParen)
        {
            Instruction? single;
            if (TryLParenKeyword("item"))
            {
                items.Add(ParseConstExpr(out single));
                ExpectRParen();
            }
            else
            {
                items.Add(ParseFoldedConstExpr(out single));
            }
            refFuncs.Add(single is { Opcode: Opcode.RefFunc } r ? r.Index : null);
        }
        return items;
    }

    private void ParseElem(Field field)
    {
        var name = TryId();
        if (name is not null) Names.ElementSegments[field.Index] = name;
        var mode = SegmentMode.Passive;
        uint table = 0;
        ConstExpr? offset = null;
        var explicitTable = false;
        if (TryKeyword("declare"))
        {
            mode = SegmentMode.Declarative;
        }
        else if (TryLParenKeyword("table"))
        {
            table = ParseIndex(_tables);
            ExpectRParen();
            explicitTable = true;
            mode = SegmentMode.Active;
            offset = ParseOffset();
        }
        else if (_t[_pos].Kind == TokenKind.LParen && !IsKeyword(_pos + 1, "ref"))
        {
            mode = SegmentMode.Active;
            offset = ParseOffset();
        }
        else if (AtIndex && _t[_pos + 1].Kind == TokenKind.LParen)
        {
            // Legacy form with a bare table index: (elem 0 (i32.const 0) ...). It is the MVP's text for
            // the MVP's encoding (flags 0 was table index 0), so it does not ask for an explicit table.
            table = ParseIndex(_tables);
            mode = SegmentMode.Active;
            offset = ParseOffset();
        }

        ElementSegment segment;
        if (TryKeyword("func") || (mode == SegmentMode.Active && !explicitTable && AtIndex))
        {
            var indices = new List<uint>();
            while (AtIndex) indices.Add(ParseIndex(_funcs));
            segment = new ElementSegment(mode, ValType.Ref(HeapType.Func, nullable: false)) { FunctionIndices = [.. indices] };
        }
        else if (mode == SegmentMode.Active && !explicitTable && _t[_pos].Kind == TokenKind.RParen)
        {
            segment = new ElementSegment(mode, ValType.Ref(HeapType.Func, nullable: false)) { FunctionIndices = [] };
        }
        else
        {
            // An element type with expressions asks for the expression encodings even when every item
            // is a ref.func (the reference interpreter would pick the index encodings for (ref func)):
            // the printer writes exactly this form for them, so it must come back as it was.
            var type = ParseRefType();
            segment = new ElementSegment(mode, type) { Expressions = [.. ParseElemExprs(out _)] };
        }
        segment = segment with { TableIndex = table, Offset = offset };
        _module.Elements.Add(segment with { Flags = ElementFlags(segment, explicitTable) });
    }

    /// <summary>
    /// The binary encoding variant for a segment: the one the text asks for, that is an explicit table
    /// (flags 2 and 6) for <c>(table x)</c> and the expression encodings (4 to 7) for an element type
    /// with expressions, and otherwise the shortest one.
    /// </summary>
    private static byte ElementFlags(ElementSegment segment, bool explicitTable)
    {
        if (segment.FunctionIndices is not null)
        {
            return segment.Mode switch
            {
                SegmentMode.Passive => 1,
                SegmentMode.Declarative => 3,
                _ => (byte)(segment.TableIndex == 0 && !explicitTable ? 0 : 2),
            };
        }
        return segment.Mode switch
        {
            SegmentMode.Passive => 5,
            SegmentMode.Declarative => 7,
            _ => (byte)(segment.TableIndex == 0 && !explicitTable && segment.Type == ValType.FuncRef ? 4 : 6),
        };
    }

    private void ParseData(Field field)
    {
        var name = TryId();
        if (name is not null) Names.DataSegments[field.Index] = name;
        if (TryLParenKeyword("memory"))
        {
            // (memory x) asks for the explicit-memory encoding even for memory 0, as (table x) does for elements.
            var memory = ParseIndex(_memories);
            ExpectRParen();
            var offset = ParseOffset();
            var bytes = ReadStrings();
            _module.Data.Add(new DataSegment(SegmentMode.Active, bytes) { MemoryIndex = memory, Offset = offset, Flags = 2 });
        }
        else if (_t[_pos].Kind == TokenKind.LParen || (AtIndex && _t[_pos + 1].Kind == TokenKind.LParen))
        {
            // A bare memory index is the legacy form (data 0 (i32.const 0) ...), the MVP's text for the
            // MVP's encoding, where flags 0 was memory index 0.
            var memory = AtIndex ? ParseIndex(_memories) : 0;
            var offset = ParseOffset();
            var bytes = ReadStrings();
            _module.Data.Add(new DataSegment(SegmentMode.Active, bytes) { MemoryIndex = memory, Offset = offset, Flags = (byte)(memory == 0 ? 0 : 2) });
        }
        else
        {
            _module.Data.Add(new DataSegment(SegmentMode.Passive, ReadStrings()) { Flags = 1 });
        }
    }
}
