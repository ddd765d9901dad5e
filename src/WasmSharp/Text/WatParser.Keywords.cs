using WasmSharp.Model;

namespace WasmSharp.Text;

/// <summary>
/// Every keyword of the text format and of scripts. The reference lexer rejects any other word as an
/// "unknown operator", whereas a known keyword in the wrong place is an "unexpected token".
/// </summary>
internal static class Keywords
{
    private static readonly HashSet<string> s_known = Build();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> s_lookup = s_known.GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool IsKnown(ReadOnlySpan<char> word) =>
        s_lookup.Contains(word) || word.StartsWith("offset=") || word.StartsWith("align=");

    private static HashSet<string> Build()
    {
        var set = new HashSet<string>(StringComparer.Ordinal)
        {
            // types
            "i8", "i16", "i32", "i64", "f32", "f64", "v128", "i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2",
            "any", "anyref", "none", "nullref", "eq", "eqref", "i31", "i31ref", "structref", "arrayref", "nofunc",
            "funcref", "nullfuncref", "exn", "noexn", "exnref", "nullexnref", "extern", "noextern", "externref",
            "nullexternref", "ref", "null", "array", "struct", "field", "mut", "sub", "final", "rec",
            // instructions' structure
            "then", "else", "end", "catch", "catch_ref", "catch_all", "catch_all_ref", "do", "delegate",
            // module fields
            "type", "tag", "global", "memory", "table", "func", "param", "result", "local", "data", "elem",
            "declare", "offset", "item", "start", "import", "export", "module", "shared", "pagesize",
            // proposals that are known words but not supported here
            "exact", "descriptor", "describes",
            // scripts
            "binary", "quote", "definition", "instance", "script", "register", "invoke", "get",
            "assert_malformed", "assert_invalid", "assert_malformed_custom", "assert_invalid_custom",
            "assert_unlinkable", "assert_return", "assert_trap", "assert_exception", "assert_exhaustion",
            "assert_uninstantiable", "nan:canonical", "nan:arithmetic", "either", "input", "output",
            "ref.struct", "ref.array", "ref.exn", "ref.extern", "ref.host", "ref.any",
        };
        foreach (var info in OpcodeTable.All) set.Add(info.Name);
        return set;
    }
}
