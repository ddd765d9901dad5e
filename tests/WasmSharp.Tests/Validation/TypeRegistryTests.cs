using WasmSharp.Model;
using WasmSharp.Validation;

namespace WasmSharp.Tests.Validation;

public class TypeRegistryTests
{
    private static ValType RefTo(uint index, bool nullable = true) => ValType.Ref(HeapType.Concrete(index), nullable);

    private static Module WithGroups(params RecGroup[] groups)
    {
        var m = new Module();
        m.RecGroups.AddRange(groups);
        return m;
    }

    [Fact]
    public void EqualFunctionTypesShareOneCanonicalId()
    {
        var f = new FuncType([ValType.I32], [ValType.I64]);
        var m = WithGroups(new RecGroup([SubType.Plain(f)]), new RecGroup([SubType.Plain(new FuncType([ValType.I32], [ValType.I64]))]));
        var types = ModuleTypes.Create(m, new TypeRegistry());
        Assert.True(types.AreSameType(0, 1));
        Assert.Equal(1, types.Registry.Count);
    }

    [Fact]
    public void TypesInDifferentRecGroupShapesAreDistinct()
    {
        var f = SubType.Plain(FuncType.Empty);
        var m = WithGroups(new RecGroup([f]), new RecGroup([f, f], IsExplicit: true));
        var types = ModuleTypes.Create(m, new TypeRegistry());
        Assert.False(types.AreSameType(0, 1));
        Assert.False(types.AreSameType(1, 2));
    }

    [Fact]
    public void RecursiveGroupsAreEquivalentAcrossModules()
    {
        // (rec (type $node (struct (field (ref null $node))))) in two modules at different indices.
        var registry = new TypeRegistry();
        var a = WithGroups(new RecGroup([SubType.Plain(new StructType([new FieldType(RefTo(0), false)]))]));
        var b = WithGroups(
            new RecGroup([SubType.Plain(FuncType.Empty)]),
            new RecGroup([SubType.Plain(new StructType([new FieldType(RefTo(1), false)]))]));
        var ta = ModuleTypes.Create(a, registry);
        var tb = ModuleTypes.Create(b, registry);
        Assert.Equal(ta.GetCanonicalId(0), tb.GetCanonicalId(1));
        // The canonical field type points at the canonical id, not at a module index.
        var field = registry[ta.GetCanonicalId(0)].Struct!.Fields[0].StorageType;
        Assert.Equal(ta.GetCanonicalId(0), field.Heap.Code);
    }

    [Fact]
    public void DeclaredSupertypesFormTheSubtypingRelation()
    {
        var baseType = new SubType(new StructType([new FieldType(ValType.I32, false)]), Final: false, []);
        var derived = new SubType(new StructType([new FieldType(ValType.I32, false), new FieldType(ValType.I64, true)]), Final: false, [0]);
        var leaf = new SubType(new StructType([new FieldType(ValType.I32, false), new FieldType(ValType.I64, true)]), Final: true, [1]);
        var m = WithGroups(new RecGroup([baseType]), new RecGroup([derived]), new RecGroup([leaf]));
        var types = ModuleTypes.Create(m, new TypeRegistry());
        Assert.True(types.IsSubtype(2, 0));
        Assert.True(types.IsSubtype(1, 0));
        Assert.False(types.IsSubtype(0, 1));
        Assert.True(types.IsSubtype(RefTo(2, nullable: false), ValType.Ref(HeapType.Struct, nullable: true)));
        Assert.True(types.IsSubtype(RefTo(2, nullable: false), ValType.EqRefNullable));
        Assert.False(types.IsSubtype(RefTo(2, nullable: true), RefTo(0, nullable: false)));
        Assert.False(types.IsSubtype(RefTo(0), ValType.FuncRef));
        Assert.True(types.IsSubtype(ValType.Ref(HeapType.None, nullable: true), RefTo(0)));
        Assert.False(types.IsSubtype(ValType.Ref(HeapType.NoFunc, nullable: true), RefTo(0)));
    }

    [Fact]
    public void StructurallyEqualTypesWithoutDeclaredSupertypeAreNotSubtypes()
    {
        var a = new SubType(new StructType([]), Final: false, []);
        var b = new SubType(new StructType([new FieldType(ValType.I32, false)]), Final: false, []);
        var types = ModuleTypes.Create(WithGroups(new RecGroup([a]), new RecGroup([b])), new TypeRegistry());
        Assert.False(types.IsSubtype(1, 0));
    }

    [Fact]
    public void FinalSupertypeIsRejected()
    {
        var m = WithGroups(new RecGroup([SubType.Plain(FuncType.Empty)]), new RecGroup([new SubType(FuncType.Empty, true, [0])]));
        var e = Assert.Throws<InvalidException>(() => ModuleTypes.Create(m, new TypeRegistry()));
        Assert.Contains("sub type", e.Reason);
    }

    [Fact]
    public void MismatchedSupertypeIsRejected()
    {
        var m = WithGroups(
            new RecGroup([new SubType(new ArrayType(new FieldType(ValType.I32, false)), false, [])]),
            new RecGroup([new SubType(new StructType([]), false, [0])]));
        var e = Assert.Throws<InvalidException>(() => ModuleTypes.Create(m, new TypeRegistry()));
        Assert.Contains("sub type 1 does not match super type 0", e.Reason);
    }

    [Fact]
    public void ForwardReferenceOutsideTheGroupIsUnknown()
    {
        var m = WithGroups(
            new RecGroup([SubType.Plain(new StructType([new FieldType(RefTo(1), false)]))]),
            new RecGroup([SubType.Plain(FuncType.Empty)]));
        var e = Assert.Throws<InvalidException>(() => ModuleTypes.Create(m, new TypeRegistry()));
        Assert.Contains("unknown type", e.Reason);
    }

    [Fact]
    public void MutableFieldsAreInvariant()
    {
        var sup = new SubType(new StructType([new FieldType(ValType.AnyRef, true)]), false, []);
        var sub = new SubType(new StructType([new FieldType(ValType.EqRefNullable, true)]), false, [0]);
        var e = Assert.Throws<InvalidException>(() => ModuleTypes.Create(WithGroups(new RecGroup([sup]), new RecGroup([sub])), new TypeRegistry()));
        Assert.Contains("does not match super type", e.Reason);

        var immSup = new SubType(new StructType([new FieldType(ValType.AnyRef, false)]), false, []);
        var immSub = new SubType(new StructType([new FieldType(ValType.EqRefNullable, false)]), false, [0]);
        ModuleTypes.Create(WithGroups(new RecGroup([immSup]), new RecGroup([immSub])), new TypeRegistry());
    }

    [Fact]
    public void HostFunctionTypesMatchModuleFunctionTypes()
    {
        var registry = new TypeRegistry();
        var types = ModuleTypes.Create(WithGroups(new RecGroup([SubType.Plain(new FuncType([ValType.I32], [ValType.FuncRef]))])), registry);
        Assert.Equal(types.GetCanonicalId(0), registry.InternFunction(new FuncType([ValType.I32], [ValType.FuncRef])));
        Assert.NotEqual(types.GetCanonicalId(0), registry.InternFunction(new FuncType([ValType.I64], [ValType.FuncRef])));
    }
}
