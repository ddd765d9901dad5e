using System.Text;

namespace WasmSharp.Tests.Binary;

/// <summary>What a .wast script expects of a <c>(module binary ...)</c>.</summary>
public enum BinaryExpectation
{
    /// <summary>The module must decode (it may still be invalid or unlinkable, which is not the decoder's business).</summary>
    Decodes,
    /// <summary>assert_malformed: decoding must fail with a message containing <see cref="BinaryCase.Message"/>.</summary>
    Malformed,
}

public sealed record BinaryCase(string File, int Line, byte[] Bytes, BinaryExpectation Expectation, string? Message)
{
    public override string ToString() => $"{Path.GetFileName(File)}:{Line}";
}

/// <summary>
/// Pulls the binary modules out of a .wast script with a small s-expression reader, so the binary
/// decoder can be tested against the spec suite without the text parser.
/// </summary>
public static class WastBinaryCases
{
    private abstract record Node(int Line);
    private sealed record Atom(int Line, string Text) : Node(Line);
    private sealed record Str(int Line, byte[] Bytes) : Node(Line);
    private sealed record List(int Line, List<Node> Items) : Node(Line);

    public static IEnumerable<BinaryCase> Extract(string path)
    {
        var text = System.IO.File.ReadAllText(path);
        var pos = 0;
        var line = 1;
        var top = new List<Node>();
        while (true)
        {
            var node = ReadNode(text, ref pos, ref line);
            if (node is null) break;
            top.Add(node);
        }
        foreach (var node in top)
        {
            if (node is not List { Items: [Atom head, ..] } list) continue;
            switch (head.Text)
            {
                case "module":
                    if (TryBinary(list, out var bytes)) yield return new BinaryCase(path, list.Line, bytes, BinaryExpectation.Decodes, null);
                    break;
                case "assert_malformed":
                    if (list.Items.Count >= 3 && list.Items[1] is List m && TryBinary(m, out var mb) && list.Items[2] is Str msg)
                        yield return new BinaryCase(path, m.Line, mb, BinaryExpectation.Malformed, Encoding.UTF8.GetString(msg.Bytes));
                    break;
                case "assert_invalid":
                case "assert_unlinkable":
                case "assert_trap":
                case "assert_uninstantiable":
                    if (list.Items.Count >= 2 && list.Items[1] is List im && TryBinary(im, out var ib))
                        yield return new BinaryCase(path, im.Line, ib, BinaryExpectation.Decodes, null);
                    break;
            }
        }
    }

    private static bool TryBinary(List module, out byte[] bytes)
    {
        bytes = [];
        if (module.Items is not [Atom { Text: "module" }, ..]) return false;
        var i = 1;
        if (i < module.Items.Count && module.Items[i] is Atom { Text: "definition" }) i++;
        if (i < module.Items.Count && module.Items[i] is Atom a && a.Text.StartsWith('$')) i++;
        if (i >= module.Items.Count || module.Items[i] is not Atom { Text: "binary" }) return false;
        var buffer = new List<byte>();
        for (i++; i < module.Items.Count; i++)
            if (module.Items[i] is Str s) buffer.AddRange(s.Bytes);
        bytes = [.. buffer];
        return true;
    }

    private static void SkipSpace(string t, ref int pos, ref int line)
    {
        while (pos < t.Length)
        {
            var c = t[pos];
            if (c == '\n') { line++; pos++; }
            else if (char.IsWhiteSpace(c)) pos++;
            else if (c == ';' && pos + 1 < t.Length && t[pos + 1] == ';')
            {
                while (pos < t.Length && t[pos] != '\n') pos++;
            }
            else if (c == '(' && pos + 1 < t.Length && t[pos + 1] == ';')
            {
                var depth = 0;
                while (pos < t.Length)
                {
                    if (t[pos] == '(' && pos + 1 < t.Length && t[pos + 1] == ';') { depth++; pos += 2; }
                    else if (t[pos] == ';' && pos + 1 < t.Length && t[pos + 1] == ')') { depth--; pos += 2; if (depth == 0) break; }
                    else { if (t[pos] == '\n') line++; pos++; }
                }
            }
            else break;
        }
    }

    private static Node? ReadNode(string t, ref int pos, ref int line)
    {
        SkipSpace(t, ref pos, ref line);
        if (pos >= t.Length || t[pos] == ')') return null;
        var startLine = line;
        if (t[pos] == '(')
        {
            pos++;
            var items = new List<Node>();
            while (true)
            {
                var child = ReadNode(t, ref pos, ref line);
                if (child is null) break;
                items.Add(child);
            }
            if (pos < t.Length) pos++; // ')'
            return new List(startLine, items);
        }
        if (t[pos] == '"') return new Str(startLine, ReadString(t, ref pos, ref line));
        var start = pos;
        while (pos < t.Length && !char.IsWhiteSpace(t[pos]) && t[pos] != '(' && t[pos] != ')' && t[pos] != '"' && t[pos] != ';') pos++;
        if (pos == start) pos++;
        return new Atom(startLine, t[start..pos]);
    }

    private static byte[] ReadString(string t, ref int pos, ref int line)
    {
        var bytes = new List<byte>();
        pos++;
        Span<byte> utf8 = stackalloc byte[4];
        while (pos < t.Length && t[pos] != '"')
        {
            var c = t[pos];
            if (c == '\\')
            {
                var e = t[pos + 1];
                pos += 2;
                switch (e)
                {
                    case 'n': bytes.Add(10); break;
                    case 't': bytes.Add(9); break;
                    case 'r': bytes.Add(13); break;
                    case '\\': bytes.Add((byte)'\\'); break;
                    case '\'': bytes.Add((byte)'\''); break;
                    case '"': bytes.Add((byte)'"'); break;
                    case 'u':
                    {
                        var close = t.IndexOf('}', pos);
                        var cp = Convert.ToInt32(t[(pos + 1)..close], 16);
                        pos = close + 1;
                        var n = new Rune(cp).EncodeToUtf8(utf8);
                        for (var k = 0; k < n; k++) bytes.Add(utf8[k]);
                        break;
                    }
                    default:
                        bytes.Add(Convert.ToByte(t.Substring(pos - 1, 2), 16));
                        pos++;
                        break;
                }
            }
            else
            {
                if (c == '\n') line++;
                var rune = Rune.GetRuneAt(t, pos);
                var n = rune.EncodeToUtf8(utf8);
                for (var k = 0; k < n; k++) bytes.Add(utf8[k]);
                pos += rune.Utf16SequenceLength;
            }
        }
        pos++;
        return [.. bytes];
    }
}
