using WasmSharp.Model;

namespace WasmSharp.Runtime;

/// <summary>A table of references (<c>funcref</c>: <see cref="Function"/> or null; <c>externref</c>: any object or null).</summary>
public sealed class Table : Extern
{
    // Read directly by generated code; replaced (never resized in place) when the table grows.
    internal object?[] Elements;

    private readonly ulong _max;

    /// <summary>Creates a table of <c>Limits.Min</c> elements, each set to <paramref name="initial"/>.</summary>
    public Table(Store store, TableType type, Value initial)
        : this(store, type, initial.RawRef)
    {
        if (!store.Engine.ValueMatches(initial, type.ElementType))
            throw new ArgumentException($"The initial value is a {initial.Type}, the table holds {type.ElementType}.", nameof(initial));
    }

    internal Table(Store store, TableType type, object? initial)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        Type = type;
        var addressMax = type.Limits.Is64 ? ulong.MaxValue : uint.MaxValue;
        _max = Math.Min(Math.Min(type.Limits.Max ?? addressMax, addressMax), store.Engine.Config.MaxTableElements);
        if (type.Limits.Min > _max || type.Limits.Min > (ulong)Array.MaxLength)
            throw new TrapException(TrapCode.TableOutOfBounds, $"table of {type.Limits.Min} elements exceeds the limit of {_max} elements");
        Elements = new object?[type.Limits.Min];
        if (initial is not null) Array.Fill(Elements, initial);
    }

    public override ExternalKind Kind => ExternalKind.Table;

    public Store Store { get; }

    /// <summary>The type the table was created with (its minimum is the initial size).</summary>
    public TableType Type { get; }

    public ValType ElementType => Type.ElementType;

    public ulong Size => (ulong)Elements.Length;

    /// <summary>The most elements this table can grow to.</summary>
    public ulong MaxSize => _max;

    /// <exception cref="ArgumentOutOfRangeException">The index is past the end.</exception>
    public Value Get(ulong index)
    {
        var elements = Elements;
        if (index >= (ulong)elements.Length) throw new ArgumentOutOfRangeException(nameof(index));
        return Value.Ref(Type.ElementType.WithNullable(true), elements[index]);
    }

    /// <exception cref="ArgumentOutOfRangeException">The index is past the end.</exception>
    /// <exception cref="ArgumentException">The value does not have the table's element type.</exception>
    public void Set(ulong index, Value value)
    {
        var elements = Elements;
        if (index >= (ulong)elements.Length) throw new ArgumentOutOfRangeException(nameof(index));
        if (!Store.Engine.ValueMatches(value, Type.ElementType))
            throw new ArgumentException($"The value is a {value.Type}, the table holds {Type.ElementType}.", nameof(value));
        elements[index] = value.RawRef;
    }

    /// <summary>Grows the table by <paramref name="delta"/> elements set to <paramref name="initial"/>; returns the old size or -1.</summary>
    public long Grow(ulong delta, Value initial)
    {
        if (!Store.Engine.ValueMatches(initial, Type.ElementType))
            throw new ArgumentException($"The value is a {initial.Type}, the table holds {Type.ElementType}.", nameof(initial));
        return Grow(delta, initial.RawRef);
    }

    internal long Grow(ulong delta, object? initial)
    {
        var old = Elements;
        var size = (ulong)old.Length;
        if (delta > _max - size || size + delta > (ulong)Array.MaxLength) return -1;
        if (delta == 0) return (long)size;
        object?[] grown;
        try
        {
            grown = new object?[size + delta];
        }
        catch (OutOfMemoryException)
        {
            return -1;
        }
        Array.Copy(old, grown, old.Length);
        if (initial is not null) Array.Fill(grown, initial, old.Length, (int)delta);
        Elements = grown;
        return (long)size;
    }
}
