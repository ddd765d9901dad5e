using WasmSharp.Binary;
using WasmSharp.Model;

namespace WasmSharp.Text;

/// <summary>
/// The annotations the parser interprets: <c>(@custom ...)</c> becomes a custom section, <c>(@name ...)</c>
/// names the module, a function or a tag, and <c>(@metadata.code.branch_hint ...)</c> becomes the branch
/// hint section. Their errors are found after the module has parsed, as in the reference interpreter.
/// </summary>
internal sealed partial class ModuleParser
{
    private const string BranchHintName = "metadata.code.branch_hint";

    /// <summary>The canonical order of the known sections, where custom sections are placed.</summary>
    private static readonly SectionId[] s_sectionOrder =
    [
        SectionId.Type, SectionId.Import, SectionId.Function, SectionId.Table, SectionId.Memory, SectionId.Tag,
        SectionId.Global, SectionId.Export, SectionId.Start, SectionId.Element, SectionId.DataCount, SectionId.Code,
        SectionId.Data,
    ];

    private List<Annotation>? _hints;
    private int _hintCursor;
    private int _currentFuncField = -1;
    private readonly SortedDictionary<uint, List<(int Offset, byte Value)>> _branchHints = [];

    private bool InModule(Annotation a) => a.Start >= _textStart && a.End <= _textEnd;

    private int FieldStartOffset(Field f) => _t[f.Start].Start;

    private int FieldEndOffset(Field f) => _t[f.End].End;

    private int FieldContaining(Annotation a)
    {
        for (var i = 0; i < _fields.Count; i++)
            if (a.Start >= FieldStartOffset(_fields[i]) && a.End <= FieldEndOffset(_fields[i])) return i;
        return -1;
    }

    private MalformedException AnnotationError(int offset, string reason) => new(reason, _ts.Location(offset));

    private void DeferAt(int offset, string reason) => _deferred ??= AnnotationError(offset, reason);

    /// <summary>Collects the branch hints of this module before the functions are parsed.</summary>
    private void PrepareBranchHints()
    {
        foreach (var a in _ts.Annotations)
        {
            if (a.Name == BranchHintName && InModule(a)) (_hints ??= []).Add(a);
        }
    }

    /// <summary>Takes the branch hint written just before the instruction whose keyword is token <paramref name="keyword"/>.</summary>
    private Annotation? TakeHint(int keyword)
    {
        if (_hints is null || _currentFuncField < 0) return null;
        Annotation? hint = null;
        var offset = _t[keyword].Start;
        while (_hintCursor < _hints.Count && _hints[_hintCursor].End <= offset)
        {
            var a = _hints[_hintCursor++];
            a.Consumed = true;
            if (FieldContaining(a) != _currentFuncField)
            {
                DeferAt(a.Start, "@metadata.code.branch_hint annotation: not in a function");
                continue;
            }
            if (hint is not null) DeferAt(a.Start, "@metadata.code.branch_hint annotation: duplicate annotation");
            hint = a;
        }
        return hint;
    }

    /// <summary>Records a hint for the instruction about to be written at the current position of the body.</summary>
    private void RecordHint(Annotation? hint, uint funcIndex)
    {
        if (hint is null) return;
        var bytes = ReadAnnotationStrings(hint, "@metadata.code.branch_hint annotation: unexpected token");
        if (bytes is not [0 or 1])
        {
            DeferAt(hint.Start, "@metadata.code.branch_hint annotation: invalid hint value");
            return;
        }
        if (!_branchHints.TryGetValue(funcIndex, out var list)) _branchHints[funcIndex] = list = [];
        list.Add((_w.Length, bytes[0]));
    }

    private byte[] ReadAnnotationStrings(Annotation a, string unexpected)
    {
        var all = new List<byte>();
        foreach (var item in a.Items)
        {
            if (item.Kind != TokenKind.String)
            {
                DeferAt(item.Start, unexpected);
                return [];
            }
            all.AddRange(Lexer.DecodeString(_ts.Span(item)));
        }
        return [.. all];
    }

    /// <summary>Turns the recorded hints into the branch hint section; offsets count from the start of each body's locals.</summary>
    private void FinishBranchHints(Dictionary<uint, int> localsSizes)
    {
        if (_hints is not null)
        {
            for (var i = _hintCursor; i < _hints.Count; i++)
            {
                var a = _hints[i];
                var field = FieldContaining(a);
                DeferAt(a.Start, field >= 0 && _fields[field].Kind == FieldKind.Func
                    ? "@metadata.code.branch_hint annotation: invalid placement"
                    : "@metadata.code.branch_hint annotation: not in a function");
            }
        }
        if (_branchHints.Count == 0) return;
        var w = new WasmWriter();
        w.WriteU32((uint)_branchHints.Count);
        foreach (var (func, hints) in _branchHints)
        {
            w.WriteU32(func);
            w.WriteU32((uint)hints.Count);
            var localsSize = localsSizes.GetValueOrDefault(func);
            foreach (var (offset, value) in hints)
            {
                w.WriteU32((uint)(localsSize + offset));
                w.WriteU32(1);
                w.WriteByte(value);
            }
        }
        _module.CustomSections.Add(new CustomSection(BranchHintName, w.ToArray(), SectionId.DataCount));
    }

    /// <summary>The size of the local declarations of a body in the binary format.</summary>
    private static int LocalsSize(LocalGroup[] groups)
    {
        var w = new WasmWriter(16);
        w.WriteU32((uint)groups.Length);
        foreach (var g in groups)
        {
            w.WriteU32(g.Count);
            w.WriteValType(g.Type);
        }
        return w.Length;
    }

    private void ParseAnnotations()
    {
        var customs = new List<(CustomSection Section, int Rank)>();
        var firstFieldOffset = _fields.Count > 0 ? FieldStartOffset(_fields[0]) : int.MaxValue;
        var moduleNamed = false;
        foreach (var a in _ts.Annotations)
        {
            if (!InModule(a)) continue;
            switch (a.Name)
            {
                case "custom":
                    if (ParseCustomAnnotation(a) is { } custom) customs.Add(custom);
                    break;
                case "name":
                    ParseNameAnnotation(a, firstFieldOffset, ref moduleNamed);
                    break;
            }
        }
        // Custom sections are listed in the order they will appear in the binary.
        foreach (var (section, _) in customs.OrderBy(c => c.Rank)) _module.CustomSections.Add(section);
    }

    private (CustomSection, int)? ParseCustomAnnotation(Annotation a)
    {
        var items = a.Items;
        var i = 0;
        if (items.Length == 0 || items[0].Kind != TokenKind.String)
        {
            DeferAt(a.Start, "@custom annotation: missing section name");
            return null;
        }
        var name = Lexer.TryDecodeUtf8(Lexer.DecodeString(_ts.Span(items[0])));
        if (name is null)
        {
            DeferAt(items[0].Start, "@custom annotation: malformed UTF-8 encoding");
            return null;
        }
        i++;
        var after = SectionId.Data;
        var rank = s_sectionOrder.Length - 1;
        if (i < items.Length && items[i].Kind == TokenKind.LParen)
        {
            var open = items[i++];
            var direction = i < items.Length ? _ts.Span(items[i]) : default;
            if (direction is not ("before" or "after"))
            {
                DeferAt(open.Start, "@custom annotation: malformed placement");
                return null;
            }
            var before = direction is "before";
            i++;
            var section = i < items.Length && items[i].Kind == TokenKind.Keyword ? SectionOfKeyword(_ts.Span(items[i])) : -1;
            if (section < 0)
            {
                DeferAt(open.Start, "@custom annotation: malformed section kind");
                return null;
            }
            i++;
            if (i >= items.Length || items[i].Kind != TokenKind.RParen)
            {
                DeferAt(i < items.Length ? items[i].Start : a.Start, "@custom annotation: unexpected token");
                return null;
            }
            i++;
            rank = before ? section - 1 : section;
            after = rank < 0 ? SectionId.Custom : s_sectionOrder[rank];
        }
        var content = new List<byte>();
        while (i < items.Length && items[i].Kind == TokenKind.String) content.AddRange(Lexer.DecodeString(_ts.Span(items[i++])));
        if (i < items.Length)
        {
            DeferAt(items[i].Start, "@custom annotation: unexpected token");
            return null;
        }
        if (FieldContaining(a) >= 0)
        {
            DeferAt(a.Start, "misplaced @custom annotation");
            return null;
        }
        return (new CustomSection(name, content.ToArray(), after), rank);
    }

    private static int SectionOfKeyword(ReadOnlySpan<char> keyword) => keyword switch
    {
        "type" or "first" => 0,
        "import" => 1,
        "func" => 2,
        "table" => 3,
        "memory" => 4,
        "tag" => 5,
        "global" => 6,
        "export" => 7,
        "start" => 8,
        "elem" => 9,
        "datacount" => 10,
        "code" => 11,
        "data" or "last" => 12,
        _ => -1,
    };

    private void ParseNameAnnotation(Annotation a, int firstFieldOffset, ref bool moduleNamed)
    {
        if (a.Items is not [{ Kind: TokenKind.String } item, ..])
        {
            DeferAt(a.Start, "@name annotation: string expected");
            return;
        }
        if (a.Items.Length > 1)
        {
            DeferAt(a.Items[1].Start, "@name annotation: unexpected token");
            return;
        }
        var name = Lexer.TryDecodeUtf8(Lexer.DecodeString(_ts.Span(item)));
        if (name is null)
        {
            DeferAt(item.Start, "malformed UTF-8 encoding");
            return;
        }
        var fieldNumber = FieldContaining(a);
        if (fieldNumber < 0)
        {
            if (a.Start > firstFieldOffset)
            {
                DeferAt(a.Start, "misplaced @name annotation");
            }
            else if (moduleNamed)
            {
                DeferAt(a.Start, "@name annotation: multiple module names");
            }
            else
            {
                moduleNamed = true;
                Names.ModuleName = name;
            }
            return;
        }
        var field = _fields[fieldNumber];
        if (field.Kind is not (FieldKind.Func or FieldKind.Tag))
        {
            DeferAt(a.Start, "misplaced @name annotation");
            return;
        }
        // The name goes right after the keyword and the identifier, if any.
        var next = field.Start + 2;
        if (_t[next].Kind == TokenKind.Id) next++;
        if (a.End > _t[next].Start) return;
        if (field.Kind == FieldKind.Func) Names.Functions[field.Index] = name;
        else Names.Tags[field.Index] = name;
    }
}
