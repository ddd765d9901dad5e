using WasmSharp.Model;
using WasmSharp.Validation;
using static WasmSharp.Tests.Validation.TestModules;

namespace WasmSharp.Tests.Validation;

public class ModuleValidatorTests
{
    private static readonly ValType I32 = ValType.I32;
    private static readonly ValType I64 = ValType.I64;

    private static void Valid(Module m) => ModuleValidator.Validate(m);

    private static void Invalid(Module m, string expected)
    {
        var e = Assert.Throws<InvalidException>(() => ModuleValidator.Validate(m));
        Assert.Contains(expected, e.Reason);
    }

    [Fact]
    public void AddOfTwoConstantsIsValid() =>
        Valid(Func(Sig([], [I32]), 0x41, 0x01, 0x41, 0x02, 0x6A));

    [Fact]
    public void OperandTypeMismatchIsReported() =>
        Invalid(Func(Sig([], [I32]), 0x41, 0x01, 0x42, 0x02, 0x6A), "type mismatch");

    [Fact]
    public void MissingResultIsReported() => Invalid(Func(Sig([], [I32])), "type mismatch");

    [Fact]
    public void LeftoverValueIsReported() => Invalid(Func(Nullary, 0x41, 0x00), "type mismatch");

    [Fact]
    public void UnreachableMakesTheStackPolymorphic() =>
        Valid(Func(Sig([], [I32]), 0x00, 0x6A)); // unreachable; i32.add

    [Fact]
    public void PolymorphicStackStillChecksKnownOperands() =>
        Invalid(Func(Sig([], [I32]), 0x00, 0x42, 0x00, 0x6A), "type mismatch"); // unreachable; i64.const 0; i32.add

    [Fact]
    public void SelectOfReferencesNeedsATypeAnnotation() =>
        Invalid(Func(Nullary, 0xD0, 0x70, 0xD0, 0x70, 0x41, 0x00, 0x1B, 0x1A), "type mismatch");

    [Fact]
    public void BranchToBlockResult() =>
        // block (result i32) i32.const 1 br 0 end
        Valid(Func(Sig([], [I32]), 0x02, 0x7F, 0x41, 0x01, 0x0C, 0x00, 0x0B));

    [Fact]
    public void UnknownLabel() => Invalid(Func(Nullary, 0x0C, 0x01), "unknown label");

    [Fact]
    public void BrTableArityMismatch() =>
        // block (result i32) block  i32.const 0 i32.const 0 br_table 0 1  end end
        Invalid(Func(Sig([], [I32]), 0x02, 0x7F, 0x02, 0x40, 0x41, 0x00, 0x41, 0x00, 0x0E, 0x01, 0x00, 0x01, 0x0B, 0x0B), "type mismatch");

    [Fact]
    public void BrTableInUnreachableCodeUsesBottomTypes() =>
        // block (result i32) unreachable br_table 0 0 end
        Valid(Func(Sig([], [I32]), 0x02, 0x7F, 0x00, 0x0E, 0x01, 0x00, 0x00, 0x0B));

    [Fact]
    public void UnknownLocal() => Invalid(Func(Nullary, 0x20, 0x00, 0x1A), "unknown local 0");

    [Fact]
    public void NonDefaultableLocalMustBeSetBeforeUse()
    {
        var m = Func(Nullary, [new LocalGroup(1, ValType.Ref(HeapType.Func, nullable: false))], 0x20, 0x00, 0x1A);
        Invalid(m, "uninitialized local");
    }

    [Fact]
    public void LocalInitialisationEndsWithItsBlock()
    {
        var local = new LocalGroup(1, ValType.Ref(HeapType.Func, nullable: false));
        // block  ref.func 0 local.set 0  end  local.get 0 drop
        var m = Func(Nullary, [local], 0x02, 0x40, 0xD2, 0x00, 0x21, 0x00, 0x0B, 0x20, 0x00, 0x1A);
        m.Exports.Add(new Export("f", ExternalKind.Func, 0));
        Invalid(m, "uninitialized local");
        // ref.func 0 local.set 0 local.get 0 drop
        var ok = Func(Nullary, [local], 0xD2, 0x00, 0x21, 0x00, 0x20, 0x00, 0x1A);
        ok.Exports.Add(new Export("f", ExternalKind.Func, 0));
        Valid(ok);
    }

    [Fact]
    public void RefFuncNeedsADeclaration()
    {
        Invalid(Func(Nullary, 0xD2, 0x00, 0x1A), "undeclared function reference");
        var declared = Func(Nullary, 0xD2, 0x00, 0x1A);
        declared.Elements.Add(new ElementSegment(SegmentMode.Declarative, ValType.FuncRef) { FunctionIndices = [0] });
        Valid(declared);
    }

    [Fact]
    public void ImmutableGlobalCannotBeSet()
    {
        var m = Func(Nullary, 0x41, 0x00, 0x24, 0x00);
        m.Globals.Add(new Global(new GlobalType(I32, false), Const(0x41, 0x00)));
        Invalid(m, "immutable global");
    }

    [Fact]
    public void GlobalInitialiserMustBeConstant()
    {
        var m = new Module();
        m.Globals.Add(new Global(new GlobalType(I32, false), Const(0x41, 0x00, 0x45))); // i32.eqz
        Invalid(m, "constant expression required");
    }

    [Fact]
    public void ExtendedConstantsAndEarlierGlobalsAreConstant()
    {
        var m = new Module();
        m.Globals.Add(new Global(new GlobalType(I32, false), Const(0x41, 0x02)));
        m.Globals.Add(new Global(new GlobalType(I32, false), Const(0x23, 0x00, 0x41, 0x03, 0x6C))); // global.get 0 i32.const 3 i32.mul
        Valid(m);
        var forward = new Module();
        forward.Globals.Add(new Global(new GlobalType(I32, false), Const(0x23, 0x01)));
        forward.Globals.Add(new Global(new GlobalType(I32, false), Const(0x41, 0x00)));
        Invalid(forward, "unknown global 1");
    }

    [Fact]
    public void AlignmentMustNotExceedNatural()
    {
        var m = Func(Nullary, 0x41, 0x00, 0x28, 0x03, 0x00, 0x1A); // i32.load align=8
        m.Memories.Add(new MemoryType(new Limits(1, null)));
        Invalid(m, "alignment must not be larger than natural");
    }

    [Fact]
    public void LoadWithoutMemory() => Invalid(Func(Nullary, 0x41, 0x00, 0x28, 0x02, 0x00, 0x1A), "unknown memory 0");

    [Fact]
    public void Memory64UsesI64Addresses()
    {
        var m = Func(Nullary, 0x42, 0x00, 0x28, 0x02, 0x00, 0x1A); // i64.const 0 i32.load
        m.Memories.Add(new MemoryType(new Limits(1, null, Is64: true)));
        Valid(m);
        var wrong = Func(Nullary, 0x41, 0x00, 0x28, 0x02, 0x00, 0x1A);
        wrong.Memories.Add(new MemoryType(new Limits(1, null, Is64: true)));
        Invalid(wrong, "type mismatch");
    }

    [Fact]
    public void MemoryLimits()
    {
        var tooBig = new Module();
        tooBig.Memories.Add(new MemoryType(new Limits(65537, null)));
        Invalid(tooBig, "memory size must be at most 65536 pages (4GiB)");
        var inverted = new Module();
        inverted.Memories.Add(new MemoryType(new Limits(2, 1)));
        Invalid(inverted, "size minimum must not be greater than maximum");
        var shared = new Module();
        shared.Memories.Add(new MemoryType(new Limits(1, null, Shared: true)));
        Invalid(shared, "shared memory must have maximum");
        var pageSize = new Module();
        pageSize.Memories.Add(new MemoryType(new Limits(1, null), PageSizeLog2: 12));
        Invalid(pageSize, "invalid custom page size");
        var several = new Module();
        several.Memories.Add(new MemoryType(new Limits(1, null)));
        several.Memories.Add(new MemoryType(new Limits(0, 0, Is64: true)));
        Valid(several);
    }

    [Fact]
    public void TableOfNonNullableReferencesNeedsAnInitialiser()
    {
        var m = new Module();
        m.Tables.Add(new Table(new TableType(ValType.Ref(HeapType.Func, nullable: false), new Limits(1, null))));
        Invalid(m, "type mismatch");
    }

    [Fact]
    public void DuplicateExportNames()
    {
        var m = Func(Nullary);
        m.Exports.Add(new Export("a", ExternalKind.Func, 0));
        m.Exports.Add(new Export("a", ExternalKind.Func, 0));
        Invalid(m, "duplicate export name");
    }

    [Fact]
    public void StartFunctionMustBeNullary()
    {
        var m = Func(Sig([I32], []));
        m.Start = 0;
        Invalid(m, "start function");
    }

    [Fact]
    public void TagsMustHaveNoResults()
    {
        var m = new Module();
        m.RecGroups.Add(new RecGroup([SubType.Plain(Sig([], [I32]))]));
        m.Tags.Add(new TagType(0));
        Invalid(m, "non-empty tag result type");
    }

    [Fact]
    public void ThrowChecksTagParameters()
    {
        var m = new Module();
        m.RecGroups.Add(new RecGroup([SubType.Plain(Sig([I32], []))]));
        m.RecGroups.Add(new RecGroup([SubType.Plain(Nullary)]));
        m.Tags.Add(new TagType(0));
        AddFunction(m, 1, [], 0x42, 0x05, 0x08, 0x00); // i64.const 5 throw 0
        var e = Assert.Throws<InvalidException>(() => ModuleValidator.Validate(m));
        Assert.Equal("type mismatch: instruction requires [i32] but stack has [i64]", e.Reason);
    }

    [Fact]
    public void MemoryInitNeedsAKnownDataSegment()
    {
        var m = Func(Nullary, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x08, 0x00, 0x00);
        m.Memories.Add(new MemoryType(new Limits(1, null)));
        Invalid(m, "unknown data segment 0");
        m.Data.Add(new DataSegment(SegmentMode.Passive, new byte[] { 1, 2 }));
        m.DataCount = 1;
        Valid(m);
    }

    [Fact]
    public void ErrorsCarryTheInstructionOffset()
    {
        var m = Func(Sig([], [I32]), 0x41, 0x01, 0x42, 0x02, 0x6A);
        var e = Assert.Throws<InvalidException>(() => ModuleValidator.Validate(m));
        Assert.Equal(4, e.Location.Offset); // the i32.add
    }

    [Fact]
    public void SharedRegistryGivesEqualSignaturesEqualIds()
    {
        var registry = new TypeRegistry();
        var a = ModuleValidator.Validate(Func(Sig([I32], [I64]), 0x00), registry);
        var b = ModuleValidator.Validate(Func(Sig([I32], [I64]), 0x00), registry);
        Assert.Equal(a.GetCanonicalId(0), b.GetCanonicalId(0));
    }
}
