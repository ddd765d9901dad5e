namespace WasmSharp.Model;

/// <summary>A field of a struct or the element of an array: a storage type (value type or i8/i16) and mutability.</summary>
public readonly record struct FieldType(ValType StorageType, bool Mutable);

/// <summary>The composite part of a type definition: a function, struct or array type.</summary>
public abstract record CompositeType;

public sealed record FuncType(ValType[] Params, ValType[] Results) : CompositeType
{
    public static readonly FuncType Empty = new([], []);

    public bool Equals(FuncType? other) =>
        other is not null && Params.AsSpan().SequenceEqual(other.Params) && Results.AsSpan().SequenceEqual(other.Results);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var p in Params) hash.Add(p);
        hash.Add(-1);
        foreach (var r in Results) hash.Add(r);
        return hash.ToHashCode();
    }

    public override string ToString() => $"[{string.Join(' ', Params)}] -> [{string.Join(' ', Results)}]";
}

public sealed record StructType(FieldType[] Fields) : CompositeType
{
    public bool Equals(StructType? other) => other is not null && Fields.AsSpan().SequenceEqual(other.Fields);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var f in Fields) hash.Add(f);
        return hash.ToHashCode();
    }
}

public sealed record ArrayType(FieldType Element) : CompositeType;

/// <summary>
/// A type definition: a composite type with its declared supertypes and finality.
/// In the binary format a plain composite type is shorthand for <c>sub final</c> with no supertypes;
/// <see cref="HasExplicitSub"/> remembers which form was written so encoding round-trips.
/// </summary>
public sealed record SubType(CompositeType Composite, bool Final, uint[] SuperTypes, bool HasExplicitSub = false)
{
    public static SubType Plain(CompositeType composite) => new(composite, true, []);
}

/// <summary>
/// A recursion group. A type section entry without <c>rec</c> is a group of one;
/// <see cref="IsExplicit"/> remembers whether the <c>0x4E</c> form was used.
/// </summary>
public sealed record RecGroup(SubType[] Types, bool IsExplicit = false);

/// <summary>Limits of a memory or table. <see cref="Is64"/> means a 64-bit address type (memory64/table64).</summary>
public readonly record struct Limits(ulong Min, ulong? Max, bool Is64 = false, bool Shared = false);

public sealed record TableType(ValType ElementType, Limits Limits);

/// <summary>A memory type. <see cref="PageSizeLog2"/> is 16 (64 KiB pages) unless the custom-page-sizes proposal says otherwise.</summary>
public sealed record MemoryType(Limits Limits, int PageSizeLog2 = 16);

public readonly record struct GlobalType(ValType Type, bool Mutable);

/// <summary>An exception tag: attribute (always 0) and the index of its function type.</summary>
public readonly record struct TagType(uint TypeIndex);

public enum ExternalKind : byte
{
    Func = 0,
    Table = 1,
    Memory = 2,
    Global = 3,
    Tag = 4,
}
