using System.Text;

namespace WasmSharp.Text;

public static partial class WatPrinter
{
    /// <summary>
    /// The printable identifiers of one index space: only names that are non-empty, belong to an existing
    /// index and are the first of their spelling, so that every printed <c>$id</c> resolves back to its index.
    /// </summary>
    private sealed class NameTable
    {
        public static readonly NameTable Empty = new([], null);

        private readonly Dictionary<uint, string> _ids;
        /// <summary>Names that cannot be identifiers (empty, or taken by an earlier index), kept raw.</summary>
        private readonly Dictionary<uint, string>? _unprintable;

        private NameTable(Dictionary<uint, string> ids, Dictionary<uint, string>? unprintable)
        {
            _ids = ids;
            _unprintable = unprintable;
        }

        public bool TryGet(uint index, out string id) => _ids.TryGetValue(index, out id!);

        public bool TryGetUnprintable(uint index, out string name)
        {
            name = "";
            return _unprintable is not null && _unprintable.TryGetValue(index, out name!);
        }

        public static NameTable Create(Dictionary<uint, string>? names, ulong count)
        {
            if (names is null || names.Count == 0) return Empty;
            var indices = new List<uint>(names.Count);
            foreach (var index in names.Keys)
                if (index < count) indices.Add(index);
            if (indices.Count == 0) return Empty;
            indices.Sort();
            var ids = new Dictionary<uint, string>(indices.Count);
            Dictionary<uint, string>? unprintable = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var index in indices)
            {
                var name = names[index];
                // A later entity with an already used name falls back to its index.
                if (name.Length == 0 || !seen.Add(name)) (unprintable ??= []).Add(index, name);
                else ids.Add(index, FormatId(name));
            }
            return ids.Count == 0 && unprintable is null ? Empty : new NameTable(ids, unprintable);
        }
    }

    /// <summary>Formats a name as <c>$name</c>, or <c>$"..."</c> when it has characters that are not idchars.</summary>
    internal static string FormatId(string name)
    {
        var plain = name.Length > 0;
        foreach (var c in name)
        {
            if (!IsIdChar(c))
            {
                plain = false;
                break;
            }
        }
        if (plain) return "$" + name;
        var sb = new StringBuilder(name.Length + 8);
        sb.Append("$\"");
        AppendEscaped(sb, Encoding.UTF8.GetBytes(name));
        sb.Append('"');
        return sb.ToString();
    }

    private static bool IsIdChar(char c) =>
        c is (>= '0' and <= '9') or (>= 'a' and <= 'z') or (>= 'A' and <= 'Z')
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '/'
            or ':' or '<' or '=' or '>' or '?' or '@' or '\\' or '^' or '_' or '`' or '|' or '~';

    private static void AppendEscaped(StringBuilder sb, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('\\');
                sb.Append(HexDigits[b >> 4]);
                sb.Append(HexDigits[b & 0xF]);
            }
        }
    }

    private const string HexDigits = "0123456789abcdef";
}
