using System.Globalization;
using System.Runtime.CompilerServices;
using WasmSharp.Model;

namespace WasmSharp.Validation;

/// <summary>
/// The types of one module mapped into a <see cref="TypeRegistry"/>: the canonical id of every module
/// type index, and subtyping questions asked in terms of module-relative value types.
/// </summary>
public sealed class ModuleTypes
{
    private readonly int[] _ids;

    private ModuleTypes(TypeRegistry registry, int[] ids)
    {
        Registry = registry;
        _ids = ids;
    }

    public TypeRegistry Registry { get; }

    /// <summary>Number of types in the module's type index space.</summary>
    public int Count => _ids.Length;

    /// <summary>The canonical id of each module type index.</summary>
    public ReadOnlySpan<int> CanonicalIds => _ids;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetCanonicalId(uint typeIndex) => _ids[typeIndex];

    public CanonicalType Get(uint typeIndex) => Registry[_ids[typeIndex]];

    /// <summary>Whether two module type indices denote the same (iso-recursively equivalent) type.</summary>
    public bool AreSameType(uint a, uint b) => _ids[a] == _ids[b];

    /// <summary>Rewrites the concrete heap type of a module-relative value type into a canonical id.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ValType Canonicalize(ValType t) =>
        t.IsRef && t.Heap.Code >= 0 ? new ValType(t.Code, new HeapType(_ids[t.Heap.Code])) : t;

    public HeapType Canonicalize(HeapType h) => h.Code >= 0 ? new HeapType(_ids[h.Code]) : h;

    /// <summary>Subtyping between two module-relative value types.</summary>
    public bool IsSubtype(ValType sub, ValType super) => Registry.IsSubtype(Canonicalize(sub), Canonicalize(super));

    /// <summary>Subtyping between two module type indices.</summary>
    public bool IsSubtype(uint sub, uint super) => Registry.IsSubtype(_ids[sub], _ids[super]);

    /// <summary>
    /// Validates the type section of <paramref name="module"/> (references, supertypes, finality and
    /// structural matching with declared supertypes) and canonicalises its recursion groups into
    /// <paramref name="registry"/>. Throws <see cref="InvalidException"/> for invalid types.
    /// </summary>
    public static ModuleTypes Create(Module module, TypeRegistry registry)
    {
        var total = 0;
        foreach (var g in module.RecGroups) total += g.Types.Length;
        var ids = new int[total];
        var baseIndex = 0;
        foreach (var group in module.RecGroups)
        {
            var types = group.Types;
            var limit = baseIndex + types.Length;
            for (var i = 0; i < types.Length; i++)
            {
                var def = types[i];
                var x = baseIndex + i;
                if (def.SuperTypes.Length > 1)
                    throw Invalid($"sub type {x} has multiple supertypes");
                foreach (var s in def.SuperTypes)
                {
                    if (s >= (uint)limit) throw Invalid($"unknown type {s}");
                    if (s >= (uint)x) throw Invalid($"forward use of type {s} in sub type definition");
                }
                CheckComposite(def.Composite, limit);
            }

            var first = registry.Intern(types, baseIndex, ids.AsSpan(0, baseIndex));
            for (var i = 0; i < types.Length; i++) ids[baseIndex + i] = first + i;

            for (var i = 0; i < types.Length; i++)
            {
                var def = types[i];
                if (def.SuperTypes.Length == 0) continue;
                var x = baseIndex + i;
                var s = def.SuperTypes[0];
                var super = registry[ids[s]];
                if (super.Final) throw Invalid($"sub type {x} has final super type {s}");
                if (!registry.IsCompositeSubtype(registry[ids[x]].Composite, super.Composite))
                    throw Invalid($"sub type {x} does not match super type {s}");
            }
            baseIndex = limit;
        }
        return new ModuleTypes(registry, ids);
    }

    private static void CheckComposite(CompositeType composite, int limit)
    {
        switch (composite)
        {
            case FuncType f:
                foreach (var p in f.Params) CheckValType(p, limit);
                foreach (var r in f.Results) CheckValType(r, limit);
                break;
            case StructType s:
                foreach (var field in s.Fields) CheckStorageType(field.StorageType, limit);
                break;
            case ArrayType a:
                CheckStorageType(a.Element.StorageType, limit);
                break;
        }
    }

    private static void CheckStorageType(ValType t, int limit)
    {
        if (t.IsPacked) return;
        CheckValType(t, limit);
    }

    internal static void CheckValType(ValType t, int limit)
    {
        switch (t.Code)
        {
            case ValType.I32Code or ValType.I64Code or ValType.F32Code or ValType.F64Code or ValType.V128Code:
                return;
            case ValType.RefCode or ValType.RefNullCode:
                if (t.Heap.Code >= 0)
                {
                    if (t.Heap.Code >= limit) throw Invalid($"unknown type {t.Heap.Code.ToString(CultureInfo.InvariantCulture)}");
                }
                else if (t.Heap.AbstractName is null)
                {
                    throw Invalid("malformed reference type");
                }
                return;
            default:
                throw Invalid("malformed value type");
        }
    }

    private static InvalidException Invalid(string reason) => new(reason, SourceLocation.None);
}
