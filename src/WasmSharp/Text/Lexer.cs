using System.Text;

namespace WasmSharp.Text;

internal enum TokenKind : byte
{
    LParen,
    RParen,
    /// <summary>A keyword such as <c>i32.add</c>, and also <c>offset=N</c> / <c>align=N</c>.</summary>
    Keyword,
    /// <summary><c>$name</c> or <c>$"name"</c>.</summary>
    Id,
    /// <summary>An unsigned integer literal.</summary>
    Nat,
    /// <summary>A signed integer literal (with an explicit sign).</summary>
    Int,
    Float,
    String,
    /// <summary>Any other run of identifier characters and strings; always an error where it appears.</summary>
    Reserved,
    Eof,
}

/// <summary>A token: its kind and where its text is in the source (quotes and <c>$</c> included).</summary>
internal readonly record struct Token(TokenKind Kind, int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>
/// An annotation <c>(@name ...)</c> that the parser may interpret (<c>@custom</c>, <c>@name</c>,
/// <c>@metadata.code.branch_hint</c>); <see cref="Items"/> are its inner tokens, parentheses included.
/// </summary>
internal sealed record Annotation(string Name, int Start, int End, Token[] Items)
{
    /// <summary>Set by the parser when it has interpreted the annotation.</summary>
    public bool Consumed { get; set; }
}

/// <summary>The tokens of a text, with matching parentheses resolved and the interpretable annotations.</summary>
internal sealed class TokenStream
{
    private readonly int[] _lineStarts;

    public TokenStream(string text, Token[] tokens, int[] partners, int[] lineStarts, List<Annotation> annotations)
    {
        Text = text;
        Tokens = tokens;
        Partners = partners;
        _lineStarts = lineStarts;
        Annotations = annotations;
    }

    public string Text { get; }
    /// <summary>The tokens; the last one is always <see cref="TokenKind.Eof"/>.</summary>
    public Token[] Tokens { get; }
    /// <summary>For a parenthesis token, the index of its partner, or -1 when unbalanced.</summary>
    public int[] Partners { get; }
    public List<Annotation> Annotations { get; }

    public ReadOnlySpan<char> Span(in Token t) => Text.AsSpan(t.Start, t.Length);

    public SourceLocation Location(int offset)
    {
        var line = Array.BinarySearch(_lineStarts, offset);
        if (line < 0) line = ~line - 1;
        return SourceLocation.AtText(line + 1, offset - _lineStarts[line] + 1, offset);
    }
}

/// <summary>
/// The lexer of the WebAssembly text format (and of .wast scripts). It works over the whole string and
/// produces all tokens up front. Bytes that are not valid UTF-8 are expected as lone surrogates
/// U+DC80..U+DCFF (how <see cref="WastParser"/> carries the raw bytes of quoted modules); any lone
/// surrogate is reported as malformed UTF-8.
/// </summary>
internal static class Lexer
{
    private static readonly UTF8Encoding s_strictUtf8 = new(false, true);

    private static readonly HashSet<string> s_interpretedAnnotations = new(StringComparer.Ordinal)
    {
        "custom",
        "name",
        "metadata.code.branch_hint",
    };

    public static TokenStream Tokenize(string text)
    {
        var state = new State(text);
        state.Run();
        var tokens = state.Tokens.ToArray();
        var partners = new int[tokens.Length];
        var stack = new Stack<int>();
        for (var i = 0; i < tokens.Length; i++)
        {
            partners[i] = -1;
            if (tokens[i].Kind == TokenKind.LParen)
            {
                stack.Push(i);
            }
            else if (tokens[i].Kind == TokenKind.RParen && stack.Count > 0)
            {
                var open = stack.Pop();
                partners[open] = i;
                partners[i] = open;
            }
        }
        return new TokenStream(text, tokens, partners, state.LineStarts.ToArray(), state.Annotations);
    }

    public static bool IsIdChar(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_'
            or '+' or '-' or '*' or '/' or '\\' or '^' or '~' or '=' or '<' or '>' or '!' or '?' or '@'
            or '#' or '$' or '%' or '&' or '|' or ':' or '`' or '.' or '\'';

    /// <summary>Decodes the bytes of a string literal (the token includes its quotes; it was validated when lexed).</summary>
    public static byte[] DecodeString(ReadOnlySpan<char> literal)
    {
        var body = literal[1..^1];
        if (body.IndexOfAny('\\', '"') < 0 && Ascii.IsValid(body))
        {
            var ascii = new byte[body.Length];
            for (var i = 0; i < body.Length; i++) ascii[i] = (byte)body[i];
            return ascii;
        }
        var bytes = new List<byte>(body.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c != '\\')
            {
                if (c < 0x80)
                {
                    bytes.Add((byte)c);
                }
                else
                {
                    var rune = char.IsHighSurrogate(c) ? new Rune(c, body[++i]) : new Rune(c);
                    var n = rune.EncodeToUtf8(utf8);
                    for (var k = 0; k < n; k++) bytes.Add(utf8[k]);
                }
                continue;
            }
            c = body[++i];
            switch (c)
            {
                case 'n': bytes.Add(0x0A); break;
                case 'r': bytes.Add(0x0D); break;
                case 't': bytes.Add(0x09); break;
                case '\\': bytes.Add((byte)'\\'); break;
                case '\'': bytes.Add((byte)'\''); break;
                case '"': bytes.Add((byte)'"'); break;
                case 'u':
                {
                    var close = body[i..].IndexOf('}') + i;
                    var value = 0;
                    foreach (var h in body[(i + 2)..close])
                        if (h != '_') value = value * 16 + HexValue(h);
                    var n = new Rune(value).EncodeToUtf8(utf8);
                    for (var k = 0; k < n; k++) bytes.Add(utf8[k]);
                    i = close;
                    break;
                }
                default:
                    bytes.Add((byte)(HexValue(c) * 16 + HexValue(body[++i])));
                    break;
            }
        }
        return [.. bytes];
    }

    /// <summary>Decodes bytes as strict UTF-8, or returns null when they are not valid UTF-8.</summary>
    public static string? TryDecodeUtf8(byte[] bytes)
    {
        try
        {
            return s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static bool IsHexDigit(char c) => HexValue(c) >= 0;

    // num ::= digit ('_'? digit)*, hexnum likewise; advances pos past the digits.
    private static bool ScanDigits(ReadOnlySpan<char> s, ref int pos, bool hex)
    {
        var start = pos;
        while (pos < s.Length)
        {
            var c = s[pos];
            if (hex ? IsHexDigit(c) : char.IsAsciiDigit(c))
            {
                pos++;
            }
            else if (c == '_' && pos > start && pos + 1 < s.Length && (hex ? IsHexDigit(s[pos + 1]) : char.IsAsciiDigit(s[pos + 1])))
            {
                pos++;
            }
            else
            {
                break;
            }
        }
        return pos > start;
    }

    public static bool IsNat(ReadOnlySpan<char> s)
    {
        var pos = 0;
        var hex = s.StartsWith("0x");
        if (hex) pos = 2;
        return ScanDigits(s, ref pos, hex) && pos == s.Length;
    }

    public static bool IsFloat(ReadOnlySpan<char> s)
    {
        if (s.Length > 0 && s[0] is '+' or '-') s = s[1..];
        if (s is "inf" or "nan") return true;
        if (s.StartsWith("nan:0x"))
        {
            var p = 6;
            return ScanDigits(s, ref p, true) && p == s.Length;
        }
        var hex = s.StartsWith("0x");
        var pos = hex ? 2 : 0;
        if (!ScanDigits(s, ref pos, hex)) return false;
        var hasDot = false;
        if (pos < s.Length && s[pos] == '.')
        {
            hasDot = true;
            pos++;
            if (pos < s.Length && (hex ? IsHexDigit(s[pos]) : char.IsAsciiDigit(s[pos])) && !ScanDigits(s, ref pos, hex))
                return false;
        }
        if (pos < s.Length && (hex ? s[pos] is 'p' or 'P' : s[pos] is 'e' or 'E'))
        {
            pos++;
            if (pos < s.Length && s[pos] is '+' or '-') pos++;
            return ScanDigits(s, ref pos, false) && pos == s.Length;
        }
        return hasDot && pos == s.Length;
    }

    private static bool IsKeyword(ReadOnlySpan<char> s)
    {
        if (s.Length < 2 || s[0] is < 'a' or > 'z') return false;
        foreach (var c in s[1..])
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':')) return false;
        return true;
    }

    private static TokenKind Classify(ReadOnlySpan<char> s)
    {
        if (IsNat(s)) return TokenKind.Nat;
        if (s.Length > 1 && s[0] is '+' or '-' && IsNat(s[1..])) return TokenKind.Int;
        if (IsFloat(s)) return TokenKind.Float;
        if (IsKeyword(s)) return TokenKind.Keyword;
        if ((s.StartsWith("offset=") && IsNat(s[7..])) || (s.StartsWith("align=") && IsNat(s[6..]))) return TokenKind.Keyword;
        return TokenKind.Reserved;
    }

    private sealed class State(string text)
    {
        private readonly string _text = text;
        private int _pos;

        public List<Token> Tokens { get; } = new(text.Length / 4 + 4);
        public List<int> LineStarts { get; } = [0];
        public List<Annotation> Annotations { get; } = [];

        private MalformedException Error(int offset, string reason)
        {
            var line = 1;
            var lineStart = 0;
            for (var i = 0; i < offset && i < _text.Length; i++)
            {
                if (_text[i] == '\n' || (_text[i] == '\r' && (i + 1 >= _text.Length || _text[i + 1] != '\n')))
                {
                    line++;
                    lineStart = i + 1;
                }
            }
            return new MalformedException(reason, SourceLocation.AtText(line, offset - lineStart + 1, offset));
        }

        private void NewLine(int next)
        {
            if (LineStarts[^1] < next) LineStarts.Add(next);
        }

        public void Run()
        {
            var text = _text;
            while (_pos < text.Length)
            {
                var c = text[_pos];
                switch (c)
                {
                    case ' ':
                    case '\t':
                        _pos++;
                        break;
                    case '\n':
                        _pos++;
                        NewLine(_pos);
                        break;
                    case '\r':
                        _pos++;
                        if (_pos >= text.Length || text[_pos] != '\n') NewLine(_pos);
                        break;
                    case '(':
                        if (_pos + 1 < text.Length && text[_pos + 1] == ';')
                        {
                            BlockComment();
                        }
                        else if (_pos + 1 < text.Length && text[_pos + 1] == '@')
                        {
                            Annotation(nested: false);
                        }
                        else
                        {
                            Tokens.Add(new Token(TokenKind.LParen, _pos, 1));
                            _pos++;
                        }
                        break;
                    case ')':
                        Tokens.Add(new Token(TokenKind.RParen, _pos, 1));
                        _pos++;
                        break;
                    case ';':
                        if (_pos + 1 < text.Length && text[_pos + 1] == ';')
                        {
                            LineComment();
                        }
                        else
                        {
                            Tokens.Add(new Token(TokenKind.Reserved, _pos, 1));
                            _pos++;
                        }
                        break;
                    case ',':
                    case '[':
                    case ']':
                    case '{':
                    case '}':
                        Tokens.Add(new Token(TokenKind.Reserved, _pos, 1));
                        _pos++;
                        break;
                    default:
                        if (c == '"' || IsIdChar(c))
                        {
                            Tokens.Add(ScanRun());
                        }
                        else if (c < 0x20)
                        {
                            throw Error(_pos, "misplaced control character");
                        }
                        else if (c < 0x80 || char.IsSurrogate(c) && !IsValidPair(_pos))
                        {
                            throw Error(_pos, "malformed UTF-8 encoding");
                        }
                        else
                        {
                            throw Error(_pos, "misplaced unicode character");
                        }
                        break;
                }
            }
            Tokens.Add(new Token(TokenKind.Eof, text.Length, 0));
        }

        private bool IsValidPair(int i) =>
            char.IsHighSurrogate(_text[i]) && i + 1 < _text.Length && char.IsLowSurrogate(_text[i + 1]);

        private void LineComment()
        {
            var text = _text;
            _pos += 2;
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (c is '\n' or '\r') return;
                if (char.IsSurrogate(c))
                {
                    // A malformed byte ends the comment; the main loop then reports it.
                    if (!IsValidPair(_pos)) return;
                    _pos += 2;
                    continue;
                }
                _pos++;
            }
        }

        private void BlockComment()
        {
            var text = _text;
            var starts = new Stack<int>();
            starts.Push(_pos);
            _pos += 2;
            while (starts.Count > 0)
            {
                if (_pos >= text.Length) throw Error(starts.Peek(), "unclosed comment");
                var c = text[_pos];
                if (c == ';' && _pos + 1 < text.Length && text[_pos + 1] == ')')
                {
                    starts.Pop();
                    _pos += 2;
                }
                else if (c == '(' && _pos + 1 < text.Length && text[_pos + 1] == ';')
                {
                    starts.Push(_pos);
                    _pos += 2;
                }
                else if (c == '\n')
                {
                    _pos++;
                    NewLine(_pos);
                }
                else if (c == '\r')
                {
                    _pos++;
                    if (_pos >= text.Length || text[_pos] != '\n') NewLine(_pos);
                }
                else if (char.IsSurrogate(c))
                {
                    if (!IsValidPair(_pos)) throw Error(_pos, "malformed UTF-8 encoding");
                    _pos += 2;
                }
                else
                {
                    _pos++;
                }
            }
        }

        /// <summary>
        /// Scans a string literal at <see cref="_pos"/>; returns its end, or -1 with the error when it is not a valid string.
        /// </summary>
        private int ScanString(int start, out string? error, out int errorAt)
        {
            var text = _text;
            var i = start + 1;
            error = null;
            errorAt = start;
            while (true)
            {
                if (i >= text.Length)
                {
                    error = "unclosed string literal";
                    return -1;
                }
                var c = text[i];
                if (c == '"') return i + 1;
                if (c is '\n' or '\r')
                {
                    error = "unclosed string literal";
                    return -1;
                }
                if (c < 0x20 || c == 0x7F)
                {
                    error = "illegal control character in string literal";
                    errorAt = i;
                    return -1;
                }
                if (char.IsSurrogate(c))
                {
                    if (!IsValidPair(i))
                    {
                        error = "malformed UTF-8 encoding";
                        errorAt = i;
                        return -1;
                    }
                    i += 2;
                    continue;
                }
                if (c != '\\')
                {
                    i++;
                    continue;
                }
                if (i + 1 >= text.Length)
                {
                    error = "unclosed string literal";
                    return -1;
                }
                var e = text[i + 1];
                if (e is 'n' or 'r' or 't' or '\\' or '\'' or '"')
                {
                    i += 2;
                }
                else if (e == 'u' && i + 2 < text.Length && text[i + 2] == '{')
                {
                    var p = i + 3;
                    var digits = text.AsSpan(p);
                    var q = 0;
                    if (!ScanDigits(digits, ref q, hex: true) || p + q >= text.Length || text[p + q] != '}')
                    {
                        error = "illegal escape";
                        errorAt = i;
                        return -1;
                    }
                    long value = 0;
                    foreach (var h in digits[..q])
                    {
                        if (h == '_') continue;
                        value = value * 16 + HexValue(h);
                        if (value > 0x10FFFF) break;
                    }
                    if (value > 0x10FFFF || value is >= 0xD800 and < 0xE000)
                    {
                        error = "malformed UTF-8 encoding";
                        errorAt = i;
                        return -1;
                    }
                    i = p + q + 1;
                }
                else if (IsHexDigit(e) && i + 2 < text.Length && IsHexDigit(text[i + 2]))
                {
                    i += 3;
                }
                else
                {
                    error = "illegal escape";
                    errorAt = i;
                    return -1;
                }
            }
        }

        /// <summary>Lexes a maximal run of identifier characters and strings starting at <see cref="_pos"/>.</summary>
        private Token ScanRun()
        {
            var text = _text;
            var start = _pos;
            var i = start;
            var strings = 0;
            var idChars = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (IsIdChar(c))
                {
                    i++;
                    idChars++;
                }
                else if (c == '"')
                {
                    var end = ScanString(i, out var error, out var errorAt);
                    if (end < 0)
                    {
                        if (i == start) throw Error(errorAt, error!);
                        break;
                    }
                    i = end;
                    strings++;
                }
                else
                {
                    break;
                }
            }
            _pos = i;
            var span = text.AsSpan(start, i - start);
            if (span[0] == '$')
            {
                if (span.Length == 1) throw Error(start, "empty identifier");
                if (strings == 0) return new Token(TokenKind.Id, start, span.Length);
                if (strings == 1 && idChars == 1 && span[1] == '"')
                {
                    var bytes = DecodeString(span[1..]);
                    if (bytes.Length == 0) throw Error(start, "empty identifier");
                    if (TryDecodeUtf8(bytes) is null) throw Error(start, "malformed UTF-8 encoding");
                    return new Token(TokenKind.Id, start, span.Length);
                }
                return new Token(TokenKind.Reserved, start, span.Length);
            }
            if (strings > 0)
                return new Token(strings == 1 && idChars == 0 ? TokenKind.String : TokenKind.Reserved, start, span.Length);
            return new Token(Classify(span), start, span.Length);
        }

        private string AnnotationName()
        {
            // _pos is just after "(@".
            var text = _text;
            if (_pos < text.Length && IsIdChar(text[_pos]))
            {
                var s = _pos;
                while (_pos < text.Length && IsIdChar(text[_pos])) _pos++;
                return text[s.._pos];
            }
            if (_pos < text.Length && text[_pos] == '"')
            {
                // Without a valid string, "(@" stands alone, which is an empty annotation id.
                var end = ScanString(_pos, out _, out _);
                if (end < 0) throw Error(_pos - 2, "empty annotation id");
                var bytes = DecodeString(text.AsSpan(_pos, end - _pos));
                if (bytes.Length == 0) throw Error(_pos, "empty annotation id");
                var name = TryDecodeUtf8(bytes) ?? throw Error(_pos, "malformed UTF-8 encoding");
                _pos = end;
                return name;
            }
            throw Error(_pos - 2, "empty annotation id");
        }

        /// <summary>
        /// Lexes an annotation at <see cref="_pos"/> (which is at "(@") up to its closing parenthesis.
        /// Its items are kept only for a top-level annotation that the parser interprets.
        /// </summary>
        private void Annotation(bool nested)
        {
            var text = _text;
            var start = _pos;
            _pos += 2;
            var name = AnnotationName();
            var items = !nested && s_interpretedAnnotations.Contains(name) ? new List<Token>() : null;
            var depth = 1;
            while (true)
            {
                if (_pos >= text.Length) throw Error(start, "unclosed annotation");
                var c = text[_pos];
                switch (c)
                {
                    case ' ':
                    case '\t':
                        _pos++;
                        break;
                    case '\n':
                        _pos++;
                        NewLine(_pos);
                        break;
                    case '\r':
                        _pos++;
                        if (_pos >= text.Length || text[_pos] != '\n') NewLine(_pos);
                        break;
                    case '(':
                        if (_pos + 1 < text.Length && text[_pos + 1] == ';')
                        {
                            BlockComment();
                        }
                        else if (_pos + 2 < text.Length && text[_pos + 1] == '@' && (IsIdChar(text[_pos + 2]) || text[_pos + 2] == '"'))
                        {
                            // A nested annotation is an item the interpreting parser never accepts.
                            items?.Add(new Token(TokenKind.Reserved, _pos, 2));
                            Annotation(nested: true);
                        }
                        else
                        {
                            items?.Add(new Token(TokenKind.LParen, _pos, 1));
                            _pos++;
                            depth++;
                        }
                        break;
                    case ')':
                        _pos++;
                        if (--depth == 0)
                        {
                            if (items is not null) Annotations.Add(new Annotation(name, start, _pos, [.. items]));
                            return;
                        }
                        items?.Add(new Token(TokenKind.RParen, _pos - 1, 1));
                        break;
                    case ';':
                        if (_pos + 1 < text.Length && text[_pos + 1] == ';')
                        {
                            LineComment();
                        }
                        else
                        {
                            items?.Add(new Token(TokenKind.Reserved, _pos, 1));
                            _pos++;
                        }
                        break;
                    case ',':
                    case '[':
                    case ']':
                    case '{':
                    case '}':
                        items?.Add(new Token(TokenKind.Reserved, _pos, 1));
                        _pos++;
                        break;
                    default:
                        if (c == '"' || IsIdChar(c))
                        {
                            var t = ScanRun();
                            items?.Add(t);
                        }
                        else if (char.IsSurrogate(c) && !IsValidPair(_pos))
                        {
                            throw Error(_pos, "malformed UTF-8 encoding");
                        }
                        else
                        {
                            throw Error(_pos, "illegal character");
                        }
                        break;
                }
            }
        }
    }
}
