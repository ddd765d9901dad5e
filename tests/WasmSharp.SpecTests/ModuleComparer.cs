using WasmSharp.Binary;
using WasmSharp.Model;

namespace WasmSharp.SpecTests;

/// <summary>
/// Compares two modules as data: every field, including function bodies and constant expressions
/// byte for byte, local groups as declared, the recorded encoding variants (segment flags, explicit
/// rec/sub), the data count, the empty sections and custom sections with their places.
/// Used where an encoding may legitimately shrink (non-minimal LEBs outside code) but the module must not change.
/// </summary>
internal static class ModuleComparer
{
    /// <summary>Null when the modules are the same, else the first difference.</summary>
    public static string? Compare(Module a, Module b) =>
        FirstDifference(a, b) ?? (a.DataCount == b.DataCount ? null : $"DataCount: {a.DataCount?.ToString() ?? "none"} vs {b.DataCount?.ToString() ?? "none"}");

    private static string? FirstDifference(Module a, Module b)
    {
        if (a.RecGroups.Count != b.RecGroups.Count) return Counts("RecGroups", a.RecGroups.Count, b.RecGroups.Count);
        for (var i = 0; i < a.RecGroups.Count; i++)
        {
            var (ga, gb) = (a.RecGroups[i], b.RecGroups[i]);
            if (ga.IsExplicit != gb.IsExplicit || ga.Types.Length != gb.Types.Length) return $"RecGroups[{i}] shape";
            for (var j = 0; j < ga.Types.Length; j++)
                if (!SameSubType(ga.Types[j], gb.Types[j])) return $"RecGroups[{i}].Types[{j}]";
        }

        if (a.Imports.Count != b.Imports.Count) return Counts("Imports", a.Imports.Count, b.Imports.Count);
        for (var i = 0; i < a.Imports.Count; i++)
            if (!SameImport(a.Imports[i], b.Imports[i])) return $"Imports[{i}]";

        if (!a.Functions.SequenceEqual(b.Functions)) return "Functions";

        if (a.Tables.Count != b.Tables.Count) return Counts("Tables", a.Tables.Count, b.Tables.Count);
        for (var i = 0; i < a.Tables.Count; i++)
        {
            if (a.Tables[i].Type != b.Tables[i].Type) return $"Tables[{i}].Type";
            if (ExprDifference(a.Tables[i].Init, b.Tables[i].Init) is { } d) return $"Tables[{i}].Init: {d}";
        }

        if (!a.Memories.SequenceEqual(b.Memories)) return "Memories";
        if (!a.Tags.SequenceEqual(b.Tags)) return "Tags";

        if (a.Globals.Count != b.Globals.Count) return Counts("Globals", a.Globals.Count, b.Globals.Count);
        for (var i = 0; i < a.Globals.Count; i++)
        {
            if (a.Globals[i].Type != b.Globals[i].Type) return $"Globals[{i}].Type";
            if (ExprDifference(a.Globals[i].Init, b.Globals[i].Init) is { } d) return $"Globals[{i}].Init: {d}";
        }

        if (!a.Exports.SequenceEqual(b.Exports)) return "Exports";
        if (a.Start != b.Start) return "Start";

        if (a.Elements.Count != b.Elements.Count) return Counts("Elements", a.Elements.Count, b.Elements.Count);
        for (var i = 0; i < a.Elements.Count; i++)
            if (ElementDifference(a.Elements[i], b.Elements[i]) is { } d) return $"Elements[{i}].{d}";

        if (a.Codes.Count != b.Codes.Count) return Counts("Codes", a.Codes.Count, b.Codes.Count);
        for (var i = 0; i < a.Codes.Count; i++)
        {
            if (!a.Codes[i].Locals.AsSpan().SequenceEqual(b.Codes[i].Locals)) return $"Codes[{i}].Locals";
            if (CodeDifference(a.Codes[i].Code, b.Codes[i].Code) is { } d) return $"Codes[{i}]: {d}";
        }

        if (a.Data.Count != b.Data.Count) return Counts("Data", a.Data.Count, b.Data.Count);
        for (var i = 0; i < a.Data.Count; i++)
        {
            var (da, db) = (a.Data[i], b.Data[i]);
            if (da.Mode != db.Mode || da.MemoryIndex != db.MemoryIndex || da.Flags != db.Flags) return $"Data[{i}] mode, memory or flags";
            if (ExprDifference(da.Offset, db.Offset) is { } d) return $"Data[{i}].Offset: {d}";
            if (!da.Bytes.Span.SequenceEqual(db.Bytes.Span)) return $"Data[{i}].Bytes";
        }

        if (a.CustomSections.Count != b.CustomSections.Count) return Counts("CustomSections", a.CustomSections.Count, b.CustomSections.Count);
        for (var i = 0; i < a.CustomSections.Count; i++)
        {
            var (ca, cb) = (a.CustomSections[i], b.CustomSections[i]);
            if (ca.Name != cb.Name || ca.After != cb.After || !ca.Content.Span.SequenceEqual(cb.Content.Span))
                return $"CustomSections[{i}] (\"{ca.Name}\" after {ca.After} vs \"{cb.Name}\" after {cb.After})";
        }
        if (!a.EmptySections.SetEquals(b.EmptySections))
            return $"EmptySections: {string.Join(",", a.EmptySections.Order())} vs {string.Join(",", b.EmptySections.Order())}";
        return null;
    }

    private static string Counts(string what, int a, int b) => $"{what}: {a} vs {b}";

    private static bool SameSubType(SubType a, SubType b) =>
        a.Final == b.Final && a.HasExplicitSub == b.HasExplicitSub && a.SuperTypes.AsSpan().SequenceEqual(b.SuperTypes)
        && a.Composite.Equals(b.Composite);

    private static bool SameImport(Import a, Import b)
    {
        if (a.ModuleName != b.ModuleName || a.Name != b.Name || a.Kind != b.Kind) return false;
        var (da, db) = (a.Descriptor, b.Descriptor);
        return a.Kind switch
        {
            ExternalKind.Func => da.FuncTypeIndex == db.FuncTypeIndex,
            ExternalKind.Table => da.Table == db.Table,
            ExternalKind.Memory => da.Memory == db.Memory,
            ExternalKind.Global => da.Global == db.Global,
            ExternalKind.Tag => da.Tag == db.Tag,
            _ => false,
        };
    }

    private static string? ElementDifference(ElementSegment a, ElementSegment b)
    {
        if (a.Mode != b.Mode) return "Mode";
        if (a.Type != b.Type) return "Type";
        if (a.TableIndex != b.TableIndex) return "TableIndex";
        if (a.Flags != b.Flags) return $"Flags ({a.Flags} vs {b.Flags})";
        if (ExprDifference(a.Offset, b.Offset) is { } d) return $"Offset: {d}";
        if ((a.FunctionIndices is null) != (b.FunctionIndices is null)) return "item form";
        if (a.FunctionIndices is not null && !a.FunctionIndices.AsSpan().SequenceEqual(b.FunctionIndices)) return "FunctionIndices";
        if (a.Expressions is not null)
        {
            if (a.Expressions.Length != b.Expressions!.Length) return "Expressions count";
            for (var i = 0; i < a.Expressions.Length; i++)
                if (ExprDifference(a.Expressions[i], b.Expressions[i]) is { } e) return $"Expressions[{i}]: {e}";
        }
        return null;
    }

    private static string? ExprDifference(ConstExpr? a, ConstExpr? b)
    {
        if (a is null || b is null) return a is null && b is null ? null : "present in one only";
        return CodeDifference(a.Code, b.Code);
    }

    private static string? CodeDifference(ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b)
    {
        if (a.Span.SequenceEqual(b.Span)) return null;
        return $"code differs at byte {a.Span.CommonPrefixLength(b.Span)} (lengths {a.Length} and {b.Length})";
    }
}
