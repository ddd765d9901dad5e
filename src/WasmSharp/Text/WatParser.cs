using WasmSharp.Model;

namespace WasmSharp.Text;

/// <summary>Parses the WebAssembly text format into a <see cref="Module"/>.</summary>
public static class WatParser
{
    /// <summary>
    /// Parses one module: <c>(module $id? field*)</c>, or a bare list of module fields as wat2wasm accepts.
    /// Throws <see cref="MalformedException"/> with the spec's wording and a line:column location.
    /// </summary>
    public static Module ParseModule(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ts = Lexer.Tokenize(text);
        var tokens = ts.Tokens;
        var eof = tokens.Length - 1;
        if (tokens[0].Kind == TokenKind.LParen && ModuleParser.IsKeyword(ts, 1, "module"))
        {
            var close = ts.Partners[0];
            var parser = new ModuleParser(ts, 0, text.Length);
            if (close < 0) throw parser.UnexpectedAt(eof);
            if (close != eof - 1) throw parser.UnexpectedAt(close + 1);
            var pos = 2;
            string? id = null;
            if (tokens[pos].Kind == TokenKind.Id) id = ModuleParser.IdName(ts, tokens[pos++]);
            return parser.Parse(pos, close, id);
        }
        return new ModuleParser(ts, 0, text.Length).Parse(0, eof, null);
    }
}

/// <summary>
/// Parses the fields of one module, from a range of tokens. Identifiers are bound in a first pass over the
/// fields, type definitions are parsed in a second, and everything else in a third, in field order.
/// </summary>
internal sealed partial class ModuleParser
{
    private readonly TokenStream _ts;
    private readonly Token[] _t;
    private readonly int _textStart;
    private readonly int _textEnd;
    private int _pos;

    public ModuleParser(TokenStream ts, int textStart, int textEnd)
    {
        _ts = ts;
        _t = ts.Tokens;
        _textStart = textStart;
        _textEnd = textEnd;
        _funcs = new Space("function");
        _tables = new Space("table");
        _memories = new Space("memory");
        _globals = new Space("global");
        _tags = new Space("tag");
        _typeSpace = new Space("type");
        _elems = new Space("elem segment");
        _datas = new Space("data segment");
        _locals = new Space("local");
    }

    // ---------------------------------------------------------------- tokens

    public static bool IsKeyword(TokenStream ts, int i, string keyword) =>
        ts.Tokens[i].Kind == TokenKind.Keyword && ts.Span(ts.Tokens[i]).SequenceEqual(keyword);

    /// <summary>The name of an identifier token, without the <c>$</c> (quoted identifiers decoded).</summary>
    public static string IdName(TokenStream ts, in Token token)
    {
        var span = ts.Span(token)[1..];
        if (span.Length > 0 && span[0] == '"') return Lexer.TryDecodeUtf8(Lexer.DecodeString(span))!;
        return span.ToString();
    }

    private ReadOnlySpan<char> Span(int i) => _ts.Span(_t[i]);

    private TokenKind KindAt(int i) => _t[i].Kind;

    private bool IsKeyword(int i, string keyword) => IsKeyword(_ts, i, keyword);

    private bool AtKeyword(string keyword) => IsKeyword(_pos, keyword);

    private bool IsLParenKeyword(int i, string keyword) => _t[i].Kind == TokenKind.LParen && IsKeyword(i + 1, keyword);

    private bool AtLParenKeyword(string keyword) => IsLParenKeyword(_pos, keyword);

    private bool TryLParenKeyword(string keyword)
    {
        if (!AtLParenKeyword(keyword)) return false;
        _pos += 2;
        return true;
    }

    private bool TryKeyword(string keyword)
    {
        if (!AtKeyword(keyword)) return false;
        _pos++;
        return true;
    }

    private void ExpectKeyword(string keyword)
    {
        if (!TryKeyword(keyword)) throw UnexpectedAt(_pos);
    }

    private void ExpectLParen()
    {
        if (_t[_pos].Kind != TokenKind.LParen) throw UnexpectedAt(_pos);
        _pos++;
    }

    private void ExpectRParen()
    {
        if (_t[_pos].Kind != TokenKind.RParen) throw UnexpectedAt(_pos);
        _pos++;
    }

    public SourceLocation LocationOf(int tokenIndex) => _ts.Location(_t[tokenIndex].Start);

    /// <summary>Token of the last error raised while parsing (for ordering against unknown words).</summary>
    private int _errorToken = -1;
    /// <summary>
    /// The first error that the reference interpreter only finds once the whole module has been parsed
    /// (unknown or duplicate identifiers, mismatching types, constants out of range, ...). It is reported
    /// only when the module has no syntax error.
    /// </summary>
    private MalformedException? _deferred;

    private MalformedException Error(int tokenIndex, string reason)
    {
        _errorToken = tokenIndex;
        return new MalformedException(reason, LocationOf(tokenIndex));
    }

    private void Defer(int tokenIndex, string reason) => _deferred ??= new MalformedException(reason, LocationOf(tokenIndex));

    private bool IsUnknownWord(int i) =>
        _t[i].Kind == TokenKind.Reserved || (_t[i].Kind == TokenKind.Keyword && !Keywords.IsKnown(_ts.Span(_t[i])));

    /// <summary>The error for a token that cannot appear here: unknown words are "unknown operator", like the reference lexer says.</summary>
    public MalformedException UnexpectedAt(int i)
    {
        var token = _t[i];
        if (IsUnknownWord(i)) return Error(i, $"unknown operator {_ts.Span(token)}");
        return Error(i, "unexpected token");
    }

    private string? TryId()
    {
        if (_t[_pos].Kind != TokenKind.Id) return null;
        return IdName(_ts, _t[_pos++]);
    }

    /// <summary>Reads a string literal as a name: it must be valid UTF-8.</summary>
    private string ReadName()
    {
        if (_t[_pos].Kind != TokenKind.String) throw UnexpectedAt(_pos);
        var bytes = Lexer.DecodeString(Span(_pos));
        var name = Lexer.TryDecodeUtf8(bytes) ?? throw Error(_pos, "malformed UTF-8 encoding");
        _pos++;
        return name;
    }

    /// <summary>Reads zero or more string literals and concatenates their bytes.</summary>
    private byte[] ReadStrings()
    {
        byte[]? single = null;
        List<byte>? all = null;
        while (_t[_pos].Kind == TokenKind.String)
        {
            var bytes = Lexer.DecodeString(Span(_pos++));
            if (single is null && all is null)
            {
                single = bytes;
            }
            else
            {
                all ??= [.. single!];
                all.AddRange(bytes);
            }
        }
        return all is not null ? [.. all] : single ?? [];
    }

    private uint ReadU32(int i)
    {
        if (!NumericLiterals.TryParseU32(Span(i), out var v)) Defer(i, "i32 constant out of range");
        return v;
    }

    private ulong ReadU64(int i)
    {
        if (!NumericLiterals.TryParseU64(Span(i), out var v)) throw Error(i, "i64 constant out of range");
        return v;
    }

    private uint ReadNat32()
    {
        if (_t[_pos].Kind != TokenKind.Nat) throw UnexpectedAt(_pos);
        return ReadU32(_pos++);
    }

    // ---------------------------------------------------------------- index spaces

    /// <summary>An index space: the names bound in it and how many indices it has.</summary>
    private sealed class Space(string category)
    {
        public string Category { get; } = category;
        public Dictionary<string, uint> Names { get; } = new(StringComparer.Ordinal);
        public uint Count { get; set; }

        public void Clear()
        {
            Names.Clear();
            Count = 0;
        }
    }

    private readonly Space _funcs;
    private readonly Space _tables;
    private readonly Space _memories;
    private readonly Space _globals;
    private readonly Space _tags;
    private readonly Space _typeSpace;
    private readonly Space _elems;
    private readonly Space _datas;
    private readonly Space _locals;

    private uint Bind(Space space, string? name, int tokenIndex)
    {
        var index = space.Count++;
        if (name is not null && !space.Names.TryAdd(name, index))
            Defer(tokenIndex, $"duplicate {space.Category} ${name}");
        return index;
    }

    private static string PrintId(string name) => "$" + name;

    private bool AtIndex => _t[_pos].Kind is TokenKind.Nat or TokenKind.Id;

    /// <summary>Reads an index: a number, or an identifier bound in <paramref name="space"/>.</summary>
    private uint ParseIndex(Space space)
    {
        var token = _t[_pos];
        if (token.Kind == TokenKind.Nat) return ReadU32(_pos++);
        if (token.Kind != TokenKind.Id) throw UnexpectedAt(_pos);
        var name = IdName(_ts, token);
        if (!space.Names.TryGetValue(name, out var index))
            Defer(_pos, $"unknown {space.Category} {PrintId(name)}");
        _pos++;
        return index;
    }

    private uint ParseOptionalIndex(Space space) => AtIndex ? ParseIndex(space) : 0;

    // ---------------------------------------------------------------- types

    /// <summary>All type definitions in index order: the explicit ones, then the implicit ones as they are added.</summary>
    private readonly List<SubType?> _types = [];
    /// <summary>Whether type i is alone in its recursion group (only those can be reused for inline function types).</summary>
    private readonly List<bool> _typeIsSingleton = [];
    private readonly List<RecGroup> _recGroups = [];
    /// <summary>Field names of struct types, by type index.</summary>
    private readonly Dictionary<uint, Dictionary<string, uint>> _fieldNames = [];

    private FuncType? FuncTypeAt(uint index) =>
        index < _types.Count ? _types[(int)index]?.Composite as FuncType : null;

    /// <summary>The index of a type <c>(func ...)</c> equal to <paramref name="type"/>, appending one when there is none.</summary>
    private uint FindOrAddFuncType(FuncType type)
    {
        for (var i = 0; i < _types.Count; i++)
        {
            if (_typeIsSingleton[i] && _types[i] is { Final: true, SuperTypes.Length: 0, Composite: FuncType ft } && ft.Equals(type))
                return (uint)i;
        }
        var sub = SubType.Plain(type);
        _types.Add(sub);
        _typeIsSingleton.Add(true);
        _recGroups.Add(new RecGroup([sub]));
        return (uint)(_types.Count - 1);
    }

    private static bool IsNumOrVecKeyword(ReadOnlySpan<char> s, out ValType type)
    {
        switch (s)
        {
            case "i32": type = ValType.I32; return true;
            case "i64": type = ValType.I64; return true;
            case "f32": type = ValType.F32; return true;
            case "f64": type = ValType.F64; return true;
            case "v128": type = ValType.V128; return true;
            default: type = default; return false;
        }
    }

    private static bool IsRefShorthand(ReadOnlySpan<char> s, out ValType type)
    {
        HeapType? heap = s switch
        {
            "funcref" => HeapType.Func,
            "externref" => HeapType.Extern,
            "anyref" => HeapType.Any,
            "eqref" => HeapType.Eq,
            "i31ref" => HeapType.I31,
            "structref" => HeapType.Struct,
            "arrayref" => HeapType.Array,
            "nullref" => HeapType.None,
            "nullfuncref" => HeapType.NoFunc,
            "nullexternref" => HeapType.NoExtern,
            "exnref" => HeapType.Exn,
            "nullexnref" => HeapType.NoExn,
            _ => null,
        };
        type = heap is { } h ? ValType.Ref(h, nullable: true) : default;
        return heap is not null;
    }

    private static HeapType? AbstractHeapType(ReadOnlySpan<char> s) => s switch
    {
        "func" => HeapType.Func,
        "extern" => HeapType.Extern,
        "any" => HeapType.Any,
        "eq" => HeapType.Eq,
        "i31" => HeapType.I31,
        "struct" => HeapType.Struct,
        "array" => HeapType.Array,
        "none" => HeapType.None,
        "nofunc" => HeapType.NoFunc,
        "noextern" => HeapType.NoExtern,
        "exn" => HeapType.Exn,
        "noexn" => HeapType.NoExn,
        _ => null,
    };

    private HeapType ParseHeapType()
    {
        if (_t[_pos].Kind == TokenKind.Keyword && AbstractHeapType(Span(_pos)) is { } heap)
        {
            _pos++;
            return heap;
        }
        if (!AtIndex) throw UnexpectedAt(_pos);
        return HeapType.Concrete(ParseIndex(_typeSpace));
    }

    private bool AtRefType() =>
        (_t[_pos].Kind == TokenKind.Keyword && IsRefShorthand(Span(_pos), out _)) || AtLParenKeyword("ref");

    /// <summary>A reference type: a shorthand such as <c>funcref</c> or <c>(ref null? ht)</c>.</summary>
    private ValType ParseRefType()
    {
        if (_t[_pos].Kind == TokenKind.Keyword && IsRefShorthand(Span(_pos), out var shorthand))
        {
            _pos++;
            return shorthand;
        }
        if (!TryLParenKeyword("ref")) throw UnexpectedAt(_pos);
        var nullable = TryKeyword("null");
        var heap = ParseHeapType();
        ExpectRParen();
        return ValType.Ref(heap, nullable);
    }

    private bool TryParseValType(out ValType type)
    {
        if (_t[_pos].Kind == TokenKind.Keyword)
        {
            var s = Span(_pos);
            if (IsNumOrVecKeyword(s, out type) || IsRefShorthand(s, out type))
            {
                _pos++;
                return true;
            }
        }
        else if (AtLParenKeyword("ref"))
        {
            type = ParseRefType();
            return true;
        }
        type = default;
        return false;
    }

    private ValType ParseValType()
    {
        if (!TryParseValType(out var type)) throw UnexpectedAt(_pos);
        return type;
    }

    private void ParseValTypes(List<ValType> into)
    {
        while (TryParseValType(out var type)) into.Add(type);
    }

    private ValType ParseStorageType()
    {
        if (AtKeyword("i8"))
        {
            _pos++;
            return ValType.I8;
        }
        if (AtKeyword("i16"))
        {
            _pos++;
            return ValType.I16;
        }
        return ParseValType();
    }

    private FieldType ParseFieldType()
    {
        if (TryLParenKeyword("mut"))
        {
            var t = ParseStorageType();
            ExpectRParen();
            return new FieldType(t, true);
        }
        return new FieldType(ParseStorageType(), false);
    }

    private GlobalType ParseGlobalType()
    {
        if (TryLParenKeyword("mut"))
        {
            var t = ParseValType();
            ExpectRParen();
            return new GlobalType(t, true);
        }
        return new GlobalType(ParseValType(), false);
    }

    /// <summary>Parses <c>(param ...)* (result ...)*</c> of a function type definition (parameter names allowed and ignored).</summary>
    private FuncType ParseFuncTypeBody()
    {
        var parameters = new List<ValType>();
        var results = new List<ValType>();
        while (TryLParenKeyword("param"))
        {
            if (TryId() is not null)
                parameters.Add(ParseValType());
            else
                ParseValTypes(parameters);
            ExpectRParen();
        }
        while (TryLParenKeyword("result"))
        {
            ParseValTypes(results);
            ExpectRParen();
        }
        return new FuncType([.. parameters], [.. results]);
    }

    /// <summary>Parses a composite type <c>(func ...)</c>, <c>(struct ...)</c> or <c>(array ...)</c> defining type <paramref name="typeIndex"/>.</summary>
    private CompositeType ParseCompositeType(uint typeIndex)
    {
        if (TryLParenKeyword("func"))
        {
            var ft = ParseFuncTypeBody();
            ExpectRParen();
            return ft;
        }
        if (TryLParenKeyword("struct"))
        {
            var fields = new List<FieldType>();
            while (AtLParenKeyword("field"))
            {
                _pos += 2;
                if (_t[_pos].Kind == TokenKind.Id)
                {
                    var nameToken = _pos;
                    var name = TryId()!;
                    if (!_fieldNames.TryGetValue(typeIndex, out var names)) _fieldNames[typeIndex] = names = new(StringComparer.Ordinal);
                    if (!names.TryAdd(name, (uint)fields.Count)) Defer(nameToken, $"duplicate field {PrintId(name)}");
                    NameMap(Names.Fields, typeIndex)[(uint)fields.Count] = name;
                    fields.Add(ParseFieldType());
                }
                else
                {
                    while (_t[_pos].Kind != TokenKind.RParen)
                    {
                        if (_t[_pos].Kind == TokenKind.Eof) throw UnexpectedAt(_pos);
                        fields.Add(ParseFieldType());
                    }
                }
                ExpectRParen();
            }
            ExpectRParen();
            return new StructType([.. fields]);
        }
        if (TryLParenKeyword("array"))
        {
            var element = ParseFieldType();
            ExpectRParen();
            return new ArrayType(element);
        }
        throw UnexpectedAt(_pos);
    }

    /// <summary>Parses the contents of <c>(type $id? subtype)</c> after the identifier.</summary>
    private SubType ParseSubType(uint typeIndex)
    {
        if (TryLParenKeyword("sub"))
        {
            var final = TryKeyword("final");
            var supers = new List<uint>();
            while (AtIndex) supers.Add(ParseIndex(_typeSpace));
            var composite = ParseCompositeType(typeIndex);
            ExpectRParen();
            // Like the reference encoder, "sub final" without supertypes is written as the plain form.
            return new SubType(composite, final, [.. supers], HasExplicitSub: !final || supers.Count > 0);
        }
        return SubType.Plain(ParseCompositeType(typeIndex));
    }

    // ---------------------------------------------------------------- type uses

    /// <summary>
    /// A type use as written: <c>(type x)?</c> and the inline parameters and results, with parameter names
    /// (null for unnamed ones) when they are allowed.
    /// </summary>
    private sealed class TypeUse
    {
        public uint? Index;
        public int IndexToken;
        public readonly List<ValType> Params = [];
        public readonly List<string?> ParamNames = [];
        public readonly List<int> ParamNameTokens = [];
        public readonly List<ValType> Results = [];

        public bool HasInline => Params.Count > 0 || Results.Count > 0;
    }

    private TypeUse ParseTypeUse(bool allowNames)
    {
        var use = new TypeUse();
        if (TryLParenKeyword("type"))
        {
            use.IndexToken = _pos;
            use.Index = ParseIndex(_typeSpace);
            ExpectRParen();
        }
        while (TryLParenKeyword("param"))
        {
            if (allowNames && _t[_pos].Kind == TokenKind.Id)
            {
                use.ParamNameTokens.Add(_pos);
                use.ParamNames.Add(TryId());
                use.Params.Add(ParseValType());
            }
            else
            {
                var before = use.Params.Count;
                ParseValTypes(use.Params);
                for (var i = before; i < use.Params.Count; i++)
                {
                    use.ParamNames.Add(null);
                    use.ParamNameTokens.Add(-1);
                }
            }
            ExpectRParen();
        }
        while (TryLParenKeyword("result"))
        {
            ParseValTypes(use.Results);
            ExpectRParen();
        }
        return use;
    }

    /// <summary>The function type index a type use denotes, checking inline declarations against an explicit type.</summary>
    private uint ResolveTypeUse(TypeUse use)
    {
        if (use.Index is { } index)
        {
            if (use.HasInline)
            {
                var ft = FuncTypeAt(index);
                if (ft is null)
                    Defer(use.IndexToken, $"unknown type {index}");
                else if (!ft.Params.AsSpan().SequenceEqual(use.Params.ToArray()) || !ft.Results.AsSpan().SequenceEqual(use.Results.ToArray()))
                    Defer(use.IndexToken, "inline function type does not match explicit type");
            }
            return index;
        }
        return FindOrAddFuncType(new FuncType([.. use.Params], [.. use.Results]));
    }

    // ---------------------------------------------------------------- names

    private NameSection? _names;

    private NameSection Names => _names ??= new NameSection();

    private static Dictionary<uint, string> NameMap(Dictionary<uint, Dictionary<uint, string>> indirect, uint index)
    {
        if (!indirect.TryGetValue(index, out var map)) indirect[index] = map = [];
        return map;
    }
}
