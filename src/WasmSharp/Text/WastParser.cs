using System.Buffers.Binary;
using System.Text;
using WasmSharp.Model;

namespace WasmSharp.Text;

/// <summary>Parses .wast scripts (the spec test format) into a <see cref="WastScript"/>.</summary>
public static class WastParser
{
    /// <summary>
    /// Parses a script. Text modules are parsed eagerly into <see cref="WastModule.Module"/>; a text module that
    /// does not parse is kept as a <see cref="WastModuleKind.Quote"/> module holding its fields' text, so that
    /// its error surfaces when that command runs rather than failing the whole script. Module and instance
    /// identifiers keep their <c>$</c>.
    /// </summary>
    public static WastScript Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new ScriptParser(Lexer.Tokenize(text));
        return new WastScript(fileName, parser.ParseCommands());
    }

    /// <summary>
    /// Decodes the bytes of a quoted module into text. Bytes that are not valid UTF-8 become the lone
    /// surrogates U+DC80..U+DCFF, which the lexer reports as malformed UTF-8 when it meets them.
    /// </summary>
    public static string DecodeQuote(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        Span<char> chars = stackalloc char[2];
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                var n = rune.EncodeToUtf16(chars);
                sb.Append(chars[..n]);
                bytes = bytes[consumed..];
            }
            else
            {
                sb.Append((char)(0xDC00 + bytes[0]));
                bytes = bytes[1..];
            }
        }
        return sb.ToString();
    }
}

internal sealed class ScriptParser(TokenStream ts)
{
    private readonly TokenStream _ts = ts;
    private readonly Token[] _t = ts.Tokens;
    private int _pos;

    private ReadOnlySpan<char> Span(int i) => _ts.Span(_t[i]);

    private bool IsKeyword(int i, string keyword) => ModuleParser.IsKeyword(_ts, i, keyword);

    private SourceLocation LocationOf(int i) => _ts.Location(_t[i].Start);

    private MalformedException Error(int i, string reason) => new(reason, LocationOf(i));

    private MalformedException UnexpectedAt(int i)
    {
        var token = _t[i];
        if (token.Kind == TokenKind.Reserved || (token.Kind == TokenKind.Keyword && !Keywords.IsKnown(_ts.Span(token))))
            return Error(i, $"unknown operator {_ts.Span(token)}");
        return Error(i, "unexpected token");
    }

    private void ExpectRParen()
    {
        if (_t[_pos].Kind != TokenKind.RParen) throw UnexpectedAt(_pos);
        _pos++;
    }

    private void ExpectLParen()
    {
        if (_t[_pos].Kind != TokenKind.LParen) throw UnexpectedAt(_pos);
        _pos++;
    }

    private string? TryId()
    {
        if (_t[_pos].Kind != TokenKind.Id) return null;
        return "$" + ModuleParser.IdName(_ts, _t[_pos++]);
    }

    private string ReadString()
    {
        if (_t[_pos].Kind != TokenKind.String) throw UnexpectedAt(_pos);
        var bytes = Lexer.DecodeString(Span(_pos));
        var s = Lexer.TryDecodeUtf8(bytes) ?? throw Error(_pos, "malformed UTF-8 encoding");
        _pos++;
        return s;
    }

    private byte[] ReadStrings()
    {
        var all = new List<byte>();
        while (_t[_pos].Kind == TokenKind.String) all.AddRange(Lexer.DecodeString(Span(_pos++)));
        return [.. all];
    }

    private static bool IsModuleField(ReadOnlySpan<char> keyword) =>
        keyword is "type" or "rec" or "import" or "func" or "table" or "memory" or "global" or "tag"
            or "export" or "start" or "elem" or "data";

    public List<WastCommand> ParseCommands()
    {
        var commands = new List<WastCommand>();
        // A script may also be just the fields of one module.
        if (_t[0].Kind == TokenKind.LParen && _t[1].Kind == TokenKind.Keyword && IsModuleField(Span(1)))
        {
            var eof = _t.Length - 1;
            var module = new ModuleParser(_ts, 0, _ts.Text.Length).Parse(0, eof, null);
            commands.Add(new WastModule(LocationOf(0), null, WastModuleKind.Text, false) { Module = module });
            return commands;
        }
        while (_t[_pos].Kind != TokenKind.Eof) commands.Add(ParseCommand());
        return commands;
    }

    private WastCommand ParseCommand()
    {
        var open = _pos;
        if (_t[open].Kind != TokenKind.LParen || _t[open + 1].Kind != TokenKind.Keyword) throw UnexpectedAt(_t[open].Kind == TokenKind.LParen ? open + 1 : open);
        var location = LocationOf(open);
        switch (Span(open + 1))
        {
            case "module":
                return ParseModule();
            case "register":
            {
                _pos += 2;
                var name = ReadString();
                var id = TryId();
                ExpectRParen();
                return new WastRegister(location, name, id);
            }
            case "invoke":
            case "get":
                return ParseAction();
            case "assert_return":
            {
                _pos += 2;
                var action = ParseAction();
                var expected = new List<WastExpected>();
                while (_t[_pos].Kind == TokenKind.LParen) expected.Add(ParseExpected());
                ExpectRParen();
                return new WastAssertReturn(location, action, expected);
            }
            case "assert_trap":
            {
                _pos += 2;
                WastCommand target = IsKeyword(_pos + 1, "module") ? ParseModule() : ParseAction();
                var message = ReadString();
                ExpectRParen();
                return new WastAssertTrap(location, target, message);
            }
            case "assert_exhaustion":
            {
                _pos += 2;
                var action = ParseAction();
                var message = ReadString();
                ExpectRParen();
                return new WastAssertExhaustion(location, action, message);
            }
            case "assert_exception":
            {
                _pos += 2;
                var action = ParseAction();
                ExpectRParen();
                return new WastAssertException(location, action);
            }
            case "assert_malformed":
            case "assert_malformed_custom":
            case "assert_invalid":
            case "assert_invalid_custom":
            case "assert_unlinkable":
            case "assert_uninstantiable":
            {
                var keyword = Span(open + 1).ToString();
                _pos += 2;
                if (!IsKeyword(_pos + 1, "module")) throw UnexpectedAt(_pos);
                var module = ParseModuleDefinition(allowInstance: false);
                var message = ReadString();
                ExpectRParen();
                return keyword switch
                {
                    "assert_malformed" or "assert_malformed_custom" => new WastAssertMalformed(location, (WastModule)module, message),
                    "assert_invalid" => new WastAssertInvalid(location, (WastModule)module, message),
                    // Custom-section validity is not checked here: the module must merely be valid.
                    "assert_invalid_custom" => (WastModule)module with { IsDefinition = true, Id = null },
                    "assert_unlinkable" => new WastAssertUnlinkable(location, (WastModule)module, message),
                    _ => new WastAssertUninstantiable(location, (WastModule)module, message),
                };
            }
            default:
                throw UnexpectedAt(open + 1);
        }
    }

    private WastCommand ParseModule() => ParseModuleDefinition(allowInstance: true);

    /// <summary>Parses <c>(module ...)</c> in any of its forms, or <c>(module instance ...)</c>.</summary>
    private WastCommand ParseModuleDefinition(bool allowInstance)
    {
        var open = _pos;
        var close = _ts.Partners[open];
        if (close < 0) throw UnexpectedAt(_t.Length - 1);
        var location = LocationOf(open);
        _pos += 2;
        if (allowInstance && IsKeyword(_pos, "instance"))
        {
            _pos++;
            var first = TryId();
            var second = TryId();
            ExpectRParen();
            // With one identifier it names the definition: (module instance $def).
            return second is null ? new WastModuleInstance(location, null, first) : new WastModuleInstance(location, first, second);
        }
        var isDefinition = false;
        if (IsKeyword(_pos, "definition"))
        {
            isDefinition = true;
            _pos++;
        }
        var id = TryId();
        if (IsKeyword(_pos, "binary"))
        {
            _pos++;
            var bytes = ReadStrings();
            ExpectRParen();
            return new WastModule(location, id, WastModuleKind.Binary, isDefinition) { Binary = bytes };
        }
        if (IsKeyword(_pos, "quote"))
        {
            _pos++;
            var bytes = ReadStrings();
            ExpectRParen();
            return new WastModule(location, id, WastModuleKind.Quote, isDefinition) { Quote = WastParser.DecodeQuote(bytes) };
        }
        var fieldsStart = _pos;
        _pos = close + 1;
        try
        {
            var parser = new ModuleParser(_ts, _t[open].Start, _t[close].End);
            var module = parser.Parse(fieldsStart, close, id?[1..]);
            return new WastModule(location, id, WastModuleKind.Text, isDefinition) { Module = module };
        }
        catch (MalformedException)
        {
            var text = _ts.Text[_t[fieldsStart].Start.._t[close].Start];
            return new WastModule(location, id, WastModuleKind.Quote, isDefinition) { Quote = text };
        }
    }

    private WastAction ParseAction()
    {
        var open = _pos;
        ExpectLParen();
        var location = LocationOf(open);
        if (IsKeyword(_pos, "invoke"))
        {
            _pos++;
            var module = TryId();
            var name = ReadString();
            var args = new List<WastValue>();
            while (_t[_pos].Kind == TokenKind.LParen) args.Add(ParseValue());
            ExpectRParen();
            return new WastInvoke(location, module, name, args);
        }
        if (IsKeyword(_pos, "get"))
        {
            _pos++;
            var module = TryId();
            var name = ReadString();
            ExpectRParen();
            return new WastGet(location, module, name);
        }
        throw UnexpectedAt(_pos);
    }

    private int ExpectNumber()
    {
        if (_t[_pos].Kind is not (TokenKind.Nat or TokenKind.Int or TokenKind.Float)) throw UnexpectedAt(_pos);
        return _pos++;
    }

    private uint ReadNat32()
    {
        if (_t[_pos].Kind != TokenKind.Nat) throw UnexpectedAt(_pos);
        if (!NumericLiterals.TryParseU32(Span(_pos), out var value)) throw Error(_pos, "i32 constant out of range");
        _pos++;
        return value;
    }

    private WastNumber ParseNumber(ReadOnlySpan<char> keyword, int token)
    {
        var text = Span(token);
        switch (keyword)
        {
            case "i32.const":
                if (NumericLiterals.TryParseI32(text, out var i32)) return new WastNumber(ValType.I32, (uint)i32);
                break;
            case "i64.const":
                if (NumericLiterals.TryParseI64(text, out var i64)) return new WastNumber(ValType.I64, (ulong)i64);
                break;
            case "f32.const":
                if (NumericLiterals.TryParseF32Bits(text, out var f32)) return new WastNumber(ValType.F32, f32);
                break;
            case "f64.const":
                if (NumericLiterals.TryParseF64Bits(text, out var f64)) return new WastNumber(ValType.F64, f64);
                break;
        }
        throw Error(token, "constant out of range");
    }

    private HeapType ParseHeapType()
    {
        if (_t[_pos].Kind == TokenKind.Keyword)
        {
            HeapType? heap = Span(_pos) switch
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
            if (heap is { } h)
            {
                _pos++;
                return h;
            }
        }
        return HeapType.Concrete(ReadNat32());
    }

    private WastValue ParseValue()
    {
        ExpectLParen();
        if (_t[_pos].Kind != TokenKind.Keyword) throw UnexpectedAt(_pos);
        var keywordToken = _pos++;
        var keyword = Span(keywordToken);
        WastValue value;
        switch (keyword)
        {
            case "i32.const":
            case "i64.const":
            case "f32.const":
            case "f64.const":
                value = ParseNumber(keyword, ExpectNumber());
                break;
            case "v128.const":
            {
                var lanes = ParseLanes(keywordToken, out var shape);
                var (low, high) = PackLanes(shape, lanes);
                value = new WastVector(low, high);
                break;
            }
            case "ref.null":
                value = new WastRefNull(ParseHeapType());
                break;
            case "ref.extern":
                value = new WastRefExtern(ReadNat32());
                break;
            case "ref.host":
                value = new WastRefHost(ReadNat32());
                break;
            default:
                throw UnexpectedAt(keywordToken);
        }
        ExpectRParen();
        return value;
    }

    private static int LaneCount(ReadOnlySpan<char> shape) => shape switch
    {
        "i8x16" => 16,
        "i16x8" => 8,
        "i32x4" or "f32x4" => 4,
        "i64x2" or "f64x2" => 2,
        _ => 0,
    };

    /// <summary>Reads the shape and lane tokens of a v128 literal (numbers, or NaN patterns for results).</summary>
    private List<int> ParseLanes(int keywordToken, out string shape)
    {
        if (_t[_pos].Kind != TokenKind.Keyword || LaneCount(Span(_pos)) == 0) throw UnexpectedAt(_pos);
        shape = Span(_pos++).ToString();
        var lanes = new List<int>();
        while (_t[_pos].Kind is TokenKind.Nat or TokenKind.Int or TokenKind.Float
               || (_t[_pos].Kind == TokenKind.Keyword && Span(_pos) is "nan:canonical" or "nan:arithmetic"))
            lanes.Add(_pos++);
        if (lanes.Count != LaneCount(shape)) throw Error(keywordToken, "wrong number of lane literals");
        return lanes;
    }

    private (ulong Low, ulong High) PackLanes(string shape, List<int> lanes)
    {
        Span<byte> bytes = stackalloc byte[16];
        var width = 16 / lanes.Count;
        for (var i = 0; i < lanes.Count; i++)
        {
            var token = lanes[i];
            var text = Span(token);
            var dest = bytes.Slice(i * width, width);
            bool ok;
            switch (shape)
            {
                case "i8x16":
                    ok = NumericLiterals.TryParseI8(text, out var b);
                    dest[0] = b;
                    break;
                case "i16x8":
                    ok = NumericLiterals.TryParseI16(text, out var h);
                    BinaryPrimitives.WriteUInt16LittleEndian(dest, h);
                    break;
                case "i32x4":
                    ok = NumericLiterals.TryParseI32(text, out var w);
                    BinaryPrimitives.WriteInt32LittleEndian(dest, w);
                    break;
                case "i64x2":
                    ok = NumericLiterals.TryParseI64(text, out var l);
                    BinaryPrimitives.WriteInt64LittleEndian(dest, l);
                    break;
                case "f32x4":
                    ok = NumericLiterals.TryParseF32Bits(text, out var f);
                    BinaryPrimitives.WriteUInt32LittleEndian(dest, f);
                    break;
                default:
                    ok = NumericLiterals.TryParseF64Bits(text, out var d);
                    BinaryPrimitives.WriteUInt64LittleEndian(dest, d);
                    break;
            }
            if (!ok)
            {
                if (_t[token].Kind == TokenKind.Keyword) throw UnexpectedAt(token);
                throw Error(token, "constant out of range");
            }
        }
        return (BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));
    }

    private static NanPattern? NanPatternOf(ReadOnlySpan<char> s) => s switch
    {
        "nan:canonical" => NanPattern.Canonical,
        "nan:arithmetic" => NanPattern.Arithmetic,
        _ => null,
    };

    private WastExpected ParseExpected()
    {
        ExpectLParen();
        if (_t[_pos].Kind != TokenKind.Keyword) throw UnexpectedAt(_pos);
        var keywordToken = _pos++;
        var keyword = Span(keywordToken);
        WastExpected expected;
        switch (keyword)
        {
            case "i32.const":
            case "i64.const":
            case "f32.const":
            case "f64.const":
                if (_t[_pos].Kind == TokenKind.Keyword && NanPatternOf(Span(_pos)) is { } nan)
                {
                    if (keyword[0] != 'f') throw UnexpectedAt(_pos);
                    _pos++;
                    expected = new WastExpectNan(keyword[1] == '3' ? ValType.F32 : ValType.F64, nan);
                }
                else
                {
                    expected = new WastExpectValue(ParseNumber(keyword, ExpectNumber()));
                }
                break;
            case "v128.const":
            {
                var lanes = ParseLanes(keywordToken, out var shape);
                var hasNan = lanes.Any(l => _t[l].Kind == TokenKind.Keyword);
                if (!hasNan)
                {
                    var (low, high) = PackLanes(shape, lanes);
                    expected = new WastExpectValue(new WastVector(low, high));
                    break;
                }
                if (shape[0] != 'f') throw UnexpectedAt(lanes.First(l => _t[l].Kind == TokenKind.Keyword));
                var laneType = shape == "f32x4" ? ValType.F32 : ValType.F64;
                var list = new List<WastExpected>();
                foreach (var lane in lanes)
                {
                    if (NanPatternOf(Span(lane)) is { } pattern)
                        list.Add(new WastExpectNan(laneType, pattern));
                    else
                        list.Add(new WastExpectValue(ParseNumber(shape == "f32x4" ? "f32.const" : "f64.const", lane)));
                }
                expected = new WastExpectLanes(shape, list);
                break;
            }
            case "ref.null":
                expected = _t[_pos].Kind == TokenKind.RParen ? new WastExpectRefKind("null") : new WastExpectValue(new WastRefNull(ParseHeapType()));
                break;
            case "ref.extern":
                expected = _t[_pos].Kind == TokenKind.RParen ? new WastExpectRefKind("extern") : new WastExpectValue(new WastRefExtern(ReadNat32()));
                break;
            case "ref.host":
                expected = new WastExpectValue(new WastRefHost(ReadNat32()));
                break;
            case "ref":
                expected = new WastExpectRefKind("any");
                break;
            case "ref.func":
            case "ref.struct":
            case "ref.array":
            case "ref.i31":
            case "ref.eq":
            case "ref.any":
            case "ref.exn":
                expected = new WastExpectRefKind(keyword[4..].ToString());
                break;
            case "either":
            {
                var alternatives = new List<WastExpected>();
                while (_t[_pos].Kind == TokenKind.LParen) alternatives.Add(ParseExpected());
                if (alternatives.Count == 0) throw UnexpectedAt(_pos);
                expected = new WastExpectEither(alternatives);
                break;
            }
            default:
                throw UnexpectedAt(keywordToken);
        }
        ExpectRParen();
        return expected;
    }
}
