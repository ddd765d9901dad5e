using System.Runtime.CompilerServices;
using WasmSharp.Model;

namespace WasmSharp.Validation;

public enum CompositeKind : byte
{
    Func,
    Struct,
    Array,
}

/// <summary>
/// A type definition after iso-recursive canonicalisation. Two module types are the same type exactly
/// when they have the same <see cref="Id"/> in the same <see cref="TypeRegistry"/>. Every concrete heap
/// type inside <see cref="Composite"/> is a canonical id of the registry, not a module type index.
/// </summary>
public sealed class CanonicalType
{
    private readonly int[] _chain;

    internal CanonicalType(int id, SubType definition, CompositeType composite, CanonicalType? super, int groupStart, int groupSize)
    {
        Id = id;
        Composite = composite;
        Final = definition.Final;
        Kind = composite switch
        {
            FuncType => CompositeKind.Func,
            StructType => CompositeKind.Struct,
            _ => CompositeKind.Array,
        };
        Func = composite as FuncType;
        Struct = composite as StructType;
        Array = composite as ArrayType;
        SuperTypeId = super?.Id ?? -1;
        Depth = super is null ? 0 : super.Depth + 1;
        _chain = new int[Depth + 1];
        if (super is not null) super._chain.CopyTo(_chain, 0);
        _chain[Depth] = id;
        RecGroupStart = groupStart;
        RecGroupSize = groupSize;
    }

    public int Id { get; }
    public CompositeKind Kind { get; }
    public CompositeType Composite { get; }
    public FuncType? Func { get; }
    public StructType? Struct { get; }
    public ArrayType? Array { get; }
    public bool Final { get; }
    /// <summary>The canonical id of the declared supertype, or -1.</summary>
    public int SuperTypeId { get; }
    /// <summary>Length of the declared supertype chain above this type.</summary>
    public int Depth { get; }
    /// <summary>Canonical id of the first type of the recursion group this type belongs to.</summary>
    public int RecGroupStart { get; }
    public int RecGroupSize { get; }

    /// <summary>True when <paramref name="super"/> is this type or one of its declared ancestors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsSubtypeOf(CanonicalType super) =>
        super.Id == Id || (super.Depth < Depth && _chain[super.Depth] == super.Id);

    public override string ToString() => $"type #{Id} {Composite}";
}

/// <summary>
/// Interns recursion groups iso-recursively and answers subtyping questions over canonical types.
/// One registry can be shared by all modules of a store (registration is thread-safe), so that equal
/// types of different modules get equal ids, which makes call_indirect signature checks and casts an
/// integer comparison. Canonical value types are ordinary <see cref="ValType"/>s whose concrete heap
/// types hold canonical ids.
/// </summary>
public sealed class TypeRegistry
{
    /// <summary>Heap type code of the bottom heap type the validator uses for unknown references (never in a module).</summary>
    internal const int BottomHeapCode = -0x40;

    private readonly Lock _lock = new();
    private readonly Dictionary<GroupKey, int> _groups = [];
    private CanonicalType[] _types = new CanonicalType[16];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public CanonicalType this[int id]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref _types)[id];
    }

    /// <summary>
    /// Canonicalises one recursion group whose first type has module index <paramref name="baseIndex"/>.
    /// <paramref name="previousIds"/> holds the canonical ids of the module types before it. Concrete type
    /// indices in the group must be below <c>baseIndex + group.Length</c> (the caller checks this).
    /// Returns the canonical id of the group's first type; the others follow consecutively.
    /// </summary>
    public int Intern(ReadOnlySpan<SubType> group, int baseIndex, ReadOnlySpan<int> previousIds) =>
        Intern(group, new IndexMap(baseIndex, previousIds, identity: false));

    /// <summary>
    /// Canonicalises a final function type without supertypes, such as the type of a host function.
    /// Its concrete heap types must already be canonical ids of this registry.
    /// </summary>
    public int InternFunction(FuncType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var count = Count;
        foreach (var t in (ReadOnlySpan<ValType>)[.. type.Params, .. type.Results])
            if (t.IsRef && t.Heap.Code >= count) throw new ArgumentException($"type {t} is not a canonical type of this registry", nameof(type));
        return Intern([SubType.Plain(type)], new IndexMap(int.MaxValue, default, identity: true));
    }

    private int Intern(ReadOnlySpan<SubType> group, IndexMap map)
    {
        var baseIndex = map.BaseIndex;
        var key = GroupKey.Create(group, map);
        lock (_lock)
        {
            if (_groups.TryGetValue(key, out var existing)) return existing;

            var first = _count;
            var n = group.Length;
            if (_types.Length < first + n)
            {
                var grown = new CanonicalType[Math.Max(_types.Length * 2, first + n)];
                _types.AsSpan(0, first).CopyTo(grown);
                Volatile.Write(ref _types, grown);
            }
            var types = _types;
            for (var i = 0; i < n; i++)
            {
                var def = group[i];
                CanonicalType? super = null;
                // A forward or self reference is invalid; the module validator reports it. Leaving it out keeps chains acyclic.
                if (def.SuperTypes.Length > 0 && def.SuperTypes[0] < (uint)(baseIndex + i))
                {
                    var s = (int)def.SuperTypes[0];
                    super = types[s >= baseIndex ? first + (s - baseIndex) : map.Outside(s)];
                }
                var composite = MapComposite(def.Composite, map, first);
                types[first + i] = new CanonicalType(first + i, def, composite, super, first, n);
            }
            _groups.Add(key, first);
            Volatile.Write(ref _count, first + n);
            return first;
        }
    }

    /// <summary>How the type indices of a group being interned resolve: into the group, or to earlier canonical ids.</summary>
    private readonly ref struct IndexMap(int baseIndex, ReadOnlySpan<int> previousIds, bool identity)
    {
        private readonly ReadOnlySpan<int> _previousIds = previousIds;

        /// <summary>Indices from here on are in the group being interned.</summary>
        public int BaseIndex { get; } = baseIndex;

        /// <summary>The canonical id of an index before the group (identity when indices are canonical already).</summary>
        public int Outside(int index) => identity ? index : (uint)index < (uint)_previousIds.Length ? _previousIds[index] : int.MinValue;
    }

    private static CompositeType MapComposite(CompositeType composite, IndexMap map, int first)
    {
        switch (composite)
        {
            case FuncType f:
            {
                var ps = new ValType[f.Params.Length];
                for (var i = 0; i < ps.Length; i++) ps[i] = Map(f.Params[i], map, first);
                var rs = new ValType[f.Results.Length];
                for (var i = 0; i < rs.Length; i++) rs[i] = Map(f.Results[i], map, first);
                return new FuncType(ps, rs);
            }
            case StructType s:
            {
                var fs = new FieldType[s.Fields.Length];
                for (var i = 0; i < fs.Length; i++)
                    fs[i] = s.Fields[i] with { StorageType = Map(s.Fields[i].StorageType, map, first) };
                return new StructType(fs);
            }
            case ArrayType a:
                return new ArrayType(a.Element with { StorageType = Map(a.Element.StorageType, map, first) });
            default:
                throw new InvalidOperationException("unknown composite type");
        }
    }

    private static ValType Map(ValType t, IndexMap map, int first)
    {
        if (!t.IsRef || !t.Heap.IsConcrete) return t;
        var x = t.Heap.Code;
        return new ValType(t.Code, new HeapType(x >= map.BaseIndex ? first + (x - map.BaseIndex) : map.Outside(x)));
    }

    // ---- Subtyping over canonical types ----

    /// <summary>Whether canonical type <paramref name="sub"/> is <paramref name="super"/> or declares it as an ancestor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsSubtype(int sub, int super) => sub == super || this[sub].IsSubtypeOf(this[super]);

    /// <summary>Subtyping of canonical value types (a default <see cref="ValType"/> is the bottom type and matches everything).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsSubtype(ValType sub, ValType super)
    {
        if (sub.Code == super.Code && sub.Heap.Code == super.Heap.Code) return true;
        return IsSubtypeSlow(sub, super);
    }

    private bool IsSubtypeSlow(ValType sub, ValType super)
    {
        if (sub.Code == 0) return true;
        if (!sub.IsRef || !super.IsRef) return false;
        if (sub.IsNullable && !super.IsNullable) return false;
        return IsHeapSubtype(sub.Heap, super.Heap);
    }

    /// <summary>Subtyping of canonical heap types.</summary>
    public bool IsHeapSubtype(HeapType sub, HeapType super)
    {
        int a = sub.Code, b = super.Code;
        if (a == b || a == BottomHeapCode) return true;
        if (a >= 0)
        {
            if (b >= 0) return IsSubtype(a, b);
            var kind = this[a].Kind;
            return b switch
            {
                -0x12 or -0x13 => kind != CompositeKind.Func, // any, eq
                -0x15 => kind == CompositeKind.Struct,
                -0x16 => kind == CompositeKind.Array,
                -0x10 => kind == CompositeKind.Func,
                _ => false,
            };
        }
        if (b >= 0)
        {
            var kind = this[b].Kind;
            return a switch
            {
                -0x0F => kind != CompositeKind.Func, // none
                -0x0D => kind == CompositeKind.Func, // nofunc
                _ => false,
            };
        }
        return IsAbstractSubtype(a, b);
    }

    internal static bool IsAbstractSubtype(int a, int b)
    {
        if (a == b) return true;
        return a switch
        {
            -0x0F => b is -0x12 or -0x13 or -0x14 or -0x15 or -0x16, // none <: any eq i31 struct array
            -0x13 => b == -0x12, // eq <: any
            -0x14 or -0x15 or -0x16 => b is -0x12 or -0x13, // i31, struct, array <: eq, any
            -0x0D => b == -0x10, // nofunc <: func
            -0x0E => b == -0x11, // noextern <: extern
            -0x0C => b == -0x17, // noexn <: exn
            _ => false,
        };
    }

    /// <summary>The top type of the hierarchy a canonical heap type belongs to (any, func, extern or exn).</summary>
    public HeapType TopOf(HeapType heap)
    {
        if (heap.Code >= 0) return this[heap.Code].Kind == CompositeKind.Func ? HeapType.Func : HeapType.Any;
        return heap.Code switch
        {
            -0x10 or -0x0D => HeapType.Func,
            -0x11 or -0x0E => HeapType.Extern,
            -0x17 or -0x0C => HeapType.Exn,
            _ => HeapType.Any,
        };
    }

    /// <summary>The bottom type of the hierarchy a canonical heap type belongs to (none, nofunc, noextern or noexn).</summary>
    public HeapType BottomOf(HeapType heap) => TopOf(heap).Code switch
    {
        -0x10 => HeapType.NoFunc,
        -0x11 => HeapType.NoExtern,
        -0x17 => HeapType.NoExn,
        _ => HeapType.None,
    };

    /// <summary>Whether storage type <paramref name="sub"/> matches <paramref name="super"/> (packed types only match themselves).</summary>
    public bool IsStorageSubtype(ValType sub, ValType super) =>
        sub.IsPacked || super.IsPacked ? sub.Code == super.Code : IsSubtype(sub, super);

    public bool IsFieldSubtype(FieldType sub, FieldType super)
    {
        if (sub.Mutable != super.Mutable) return false;
        if (!IsStorageSubtype(sub.StorageType, super.StorageType)) return false;
        return !sub.Mutable || IsStorageSubtype(super.StorageType, sub.StorageType);
    }

    /// <summary>Structural matching of canonical composite types, as required between a type and its declared supertype.</summary>
    public bool IsCompositeSubtype(CompositeType sub, CompositeType super)
    {
        switch (sub, super)
        {
            case (FuncType f1, FuncType f2):
                if (f1.Params.Length != f2.Params.Length || f1.Results.Length != f2.Results.Length) return false;
                for (var i = 0; i < f1.Params.Length; i++)
                    if (!IsSubtype(f2.Params[i], f1.Params[i])) return false;
                for (var i = 0; i < f1.Results.Length; i++)
                    if (!IsSubtype(f1.Results[i], f2.Results[i])) return false;
                return true;
            case (StructType s1, StructType s2):
                if (s1.Fields.Length < s2.Fields.Length) return false;
                for (var i = 0; i < s2.Fields.Length; i++)
                    if (!IsFieldSubtype(s1.Fields[i], s2.Fields[i])) return false;
                return true;
            case (ArrayType a1, ArrayType a2):
                return IsFieldSubtype(a1.Element, a2.Element);
            default:
                return false;
        }
    }

    /// <summary>A recursion group in a form where equality is iso-recursive type equivalence.</summary>
    private sealed class GroupKey : IEquatable<GroupKey>
    {
        private readonly int[] _data;
        private readonly int _hash;

        private GroupKey(int[] data)
        {
            _data = data;
            var h = new HashCode();
            h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
            _hash = h.ToHashCode();
        }

        public static GroupKey Create(ReadOnlySpan<SubType> group, IndexMap map)
        {
            var list = new List<int>(group.Length * 8);
            list.Add(group.Length);
            foreach (var def in group)
            {
                list.Add(def.Final ? 1 : 0);
                list.Add(def.SuperTypes.Length);
                foreach (var s in def.SuperTypes) list.Add(EncodeIndex((int)s, map));
                switch (def.Composite)
                {
                    case FuncType f:
                        list.Add(0);
                        list.Add(f.Params.Length);
                        foreach (var p in f.Params) AddType(list, p, map);
                        list.Add(f.Results.Length);
                        foreach (var r in f.Results) AddType(list, r, map);
                        break;
                    case StructType st:
                        list.Add(1);
                        list.Add(st.Fields.Length);
                        foreach (var field in st.Fields)
                        {
                            list.Add(field.Mutable ? 1 : 0);
                            AddType(list, field.StorageType, map);
                        }
                        break;
                    case ArrayType a:
                        list.Add(2);
                        list.Add(a.Element.Mutable ? 1 : 0);
                        AddType(list, a.Element.StorageType, map);
                        break;
                }
            }
            return new GroupKey([.. list]);
        }

        private static void AddType(List<int> list, ValType t, IndexMap map)
        {
            list.Add(t.Code);
            list.Add(!t.IsRef ? 0 : t.Heap.IsConcrete ? EncodeIndex(t.Heap.Code, map) : t.Heap.Code);
        }

        // References into the group itself are kept relative (they are what makes two groups iso-recursively
        // equal); references to earlier groups are already canonical ids. Abstract heap types are small negatives.
        private static int EncodeIndex(int index, IndexMap map) =>
            index >= map.BaseIndex ? -0x1000 - (index - map.BaseIndex) : map.Outside(index);

        public bool Equals(GroupKey? other) => other is not null && _hash == other._hash && _data.AsSpan().SequenceEqual(other._data);
        public override bool Equals(object? obj) => Equals(obj as GroupKey);
        public override int GetHashCode() => _hash;
    }
}
