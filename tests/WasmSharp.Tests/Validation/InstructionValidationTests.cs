using WasmSharp.Model;
using WasmSharp.Validation;
using static WasmSharp.Tests.Validation.TestModules;

namespace WasmSharp.Tests.Validation;

/// <summary>Typing rules of the less common instruction families, on hand-encoded bodies.</summary>
public class InstructionValidationTests
{
    private static readonly ValType I32 = ValType.I32;

    private static void Valid(Module m) => ModuleValidator.Validate(m);

    private static void Invalid(Module m, string expected)
    {
        var e = Assert.Throws<InvalidException>(() => ModuleValidator.Validate(m));
        Assert.Contains(expected, e.Reason);
    }

    private static ValType RefTo(uint index, bool nullable) => ValType.Ref(HeapType.Concrete(index), nullable);

    /// <summary>Type 0 = the struct or array, type 1 = the function (type 1 is the function's type).</summary>
    private static Module WithAggregate(CompositeType aggregate, FuncType func, params byte[] code)
    {
        var m = new Module();
        m.RecGroups.Add(new RecGroup([SubType.Plain(aggregate)]));
        m.RecGroups.Add(new RecGroup([SubType.Plain(func)]));
        AddFunction(m, 1, [], code);
        return m;
    }

    [Fact]
    public void StructNewAndGet()
    {
        var point = new StructType([new FieldType(I32, true), new FieldType(ValType.I8, false)]);
        // i32.const 1 i32.const 2 struct.new 0 struct.get_s 0 1
        Valid(WithAggregate(point, Sig([], [I32]), 0x41, 0x01, 0x41, 0x02, 0xFB, 0x00, 0x00, 0xFB, 0x03, 0x00, 0x01));
        // struct.get on a packed field
        Invalid(WithAggregate(point, Sig([], [I32]), 0x41, 0x01, 0x41, 0x02, 0xFB, 0x00, 0x00, 0xFB, 0x02, 0x00, 0x01), "field is packed");
        // struct.set of an immutable field
        Invalid(WithAggregate(point, Sig([RefTo(0, true)], []), 0x20, 0x00, 0x41, 0x00, 0xFB, 0x05, 0x00, 0x01), "immutable field");
    }

    [Fact]
    public void ArrayNewFixedAndSet()
    {
        var bytes = new ArrayType(new FieldType(ValType.I8, true));
        // i32.const 1 i32.const 2 array.new_fixed 0 2 drop
        Valid(WithAggregate(bytes, FuncType.Empty, 0x41, 0x01, 0x41, 0x02, 0xFB, 0x08, 0x00, 0x02, 0x1A));
        var frozen = new ArrayType(new FieldType(I32, false));
        // local.get 0 i32.const 0 i32.const 0 array.set 0
        Invalid(WithAggregate(frozen, Sig([RefTo(0, true)], []), 0x20, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFB, 0x0E, 0x00), "immutable array");
    }

    [Fact]
    public void BrOnCastTargetMustMatchSource()
    {
        var s = new StructType([]);
        // block (result (ref null 0)) local.get 0 br_on_cast 0 anyref (ref null 0) drop ref.null none end
        byte[] body = [0x02, 0x63, 0x00, 0x20, 0x00, 0xFB, 0x18, 0x03, 0x00, 0x6E, 0x00, 0x1A, 0xD0, 0x71, 0x0B];
        Valid(WithAggregate(s, Sig([ValType.AnyRef], [RefTo(0, true)]), body));
        // The same with a funcref source: (ref null 0) is not a subtype of funcref.
        byte[] bad = [0x02, 0x63, 0x00, 0x20, 0x00, 0xFB, 0x18, 0x03, 0x00, 0x70, 0x00, 0x1A, 0xD0, 0x71, 0x0B];
        Invalid(WithAggregate(s, Sig([ValType.FuncRef], [RefTo(0, true)]), bad), "type mismatch");
    }

    [Fact]
    public void RefCastTakesTheTopOfTheTargetHierarchy()
    {
        var s = new StructType([]);
        // local.get 0 (externref) ref.cast (ref 0)
        Invalid(WithAggregate(s, Sig([ValType.ExternRef], [RefTo(0, false)]), 0x20, 0x00, 0xFB, 0x16, 0x00), "type mismatch");
        Valid(WithAggregate(s, Sig([ValType.EqRefNullable], [RefTo(0, false)]), 0x20, 0x00, 0xFB, 0x16, 0x00));
    }

    [Fact]
    public void TryTableCatchMustMatchItsLabel()
    {
        var m = new Module();
        m.RecGroups.Add(new RecGroup([SubType.Plain(Sig([I32], []))]));
        m.RecGroups.Add(new RecGroup([SubType.Plain(Sig([], [I32]))]));
        m.Tags.Add(new TagType(0));
        // block (result i32) try_table (catch 0 0) unreachable end unreachable end
        AddFunction(m, 1, [], 0x02, 0x7F, 0x1F, 0x40, 0x01, 0x00, 0x00, 0x00, 0x00, 0x0B, 0x00, 0x0B);
        Valid(m);

        var wrong = new Module();
        wrong.RecGroups.Add(new RecGroup([SubType.Plain(Sig([ValType.I64], []))]));
        wrong.RecGroups.Add(new RecGroup([SubType.Plain(Sig([], [I32]))]));
        wrong.Tags.Add(new TagType(0));
        AddFunction(wrong, 1, [], 0x02, 0x7F, 0x1F, 0x40, 0x01, 0x00, 0x00, 0x00, 0x00, 0x0B, 0x00, 0x0B);
        Invalid(wrong, "type mismatch");
    }

    [Fact]
    public void LegacyRethrowMustTargetACatch()
    {
        var m = new Module();
        m.RecGroups.Add(new RecGroup([SubType.Plain(FuncType.Empty)]));
        m.Tags.Add(new TagType(0));
        // try catch 0 rethrow 0 end
        AddFunction(m, 0, [], 0x06, 0x40, 0x07, 0x00, 0x09, 0x00, 0x0B);
        Valid(m);

        var bad = new Module();
        bad.RecGroups.Add(new RecGroup([SubType.Plain(FuncType.Empty)]));
        // try rethrow 0 end
        AddFunction(bad, 0, [], 0x06, 0x40, 0x09, 0x00, 0x0B);
        Invalid(bad, "invalid rethrow label");
    }

    [Fact]
    public void TailCallResultsMustMatchTheCaller()
    {
        var m = new Module();
        m.RecGroups.Add(new RecGroup([SubType.Plain(Sig([], [I32]))]));
        m.RecGroups.Add(new RecGroup([SubType.Plain(Sig([], [ValType.I64]))]));
        AddFunction(m, 0, [], 0x12, 0x01); // return_call 1
        AddFunction(m, 1, [], 0x42, 0x00);
        Invalid(m, "type mismatch");
    }

    [Fact]
    public void CallRefPopsATypedFunctionReference()
    {
        var m = new Module();
        m.RecGroups.Add(new RecGroup([SubType.Plain(Sig([I32], [I32]))]));
        m.RecGroups.Add(new RecGroup([SubType.Plain(Sig([RefTo(0, false)], [I32]))]));
        // i32.const 7 local.get 0 call_ref 0
        AddFunction(m, 1, [], 0x41, 0x07, 0x20, 0x00, 0x14, 0x00);
        Valid(m);
    }

    [Fact]
    public void TypedSelectAcceptsReferences()
    {
        // ref.null func ref.null func i32.const 0 select (result funcref) drop
        Valid(Func(Nullary, 0xD0, 0x70, 0xD0, 0x70, 0x41, 0x00, 0x1C, 0x01, 0x70, 0x1A));
    }

    [Fact]
    public void LaneIndexIsBounded()
    {
        byte[] v128Zero = [0xFD, 0x0C, .. new byte[16]];
        Valid(Func(Sig([], [I32]), [.. v128Zero, 0xFD, 0x15, 0x0F])); // i8x16.extract_lane_s 15
        Invalid(Func(Sig([], [I32]), [.. v128Zero, 0xFD, 0x15, 0x10]), "invalid lane index");
        Invalid(Func(Sig([], [I32]), [.. v128Zero, 0xFD, 0x1B, 0x04]), "invalid lane index"); // i32x4.extract_lane 4
    }

    [Fact]
    public void AtomicsNeedNaturalAlignment()
    {
        var m = Func(Sig([], [I32]), 0x41, 0x00, 0xFE, 0x10, 0x02, 0x00); // i32.atomic.load align=4
        m.Memories.Add(new MemoryType(new Limits(1, 1, Shared: true)));
        Valid(m);
        var under = Func(Sig([], [I32]), 0x41, 0x00, 0xFE, 0x10, 0x01, 0x00); // align=2
        under.Memories.Add(new MemoryType(new Limits(1, 1, Shared: true)));
        Invalid(under, "alignment");
    }

    [Fact]
    public void Table64UsesI64Indices()
    {
        var m = Func(Nullary, 0x42, 0x00, 0x25, 0x00, 0x1A); // i64.const 0 table.get 0 drop
        m.Tables.Add(new Table(new TableType(ValType.FuncRef, new Limits(1, null, Is64: true))));
        Valid(m);
    }

    [Fact]
    public void IfWithoutElseMustNotChangeTheStackType() =>
        // i32.const 0 if (result i32) i32.const 1 end drop
        Invalid(Func(Nullary, 0x41, 0x00, 0x04, 0x7F, 0x41, 0x01, 0x0B, 0x1A), "type mismatch");
}
