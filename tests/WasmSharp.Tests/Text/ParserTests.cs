using WasmSharp.Model;
using WasmSharp.Text;

namespace WasmSharp.Tests.Text;

public class ParserTests
{
    private static Module Parse(string text) => WatParser.ParseModule(text);

    private static byte[] Body(Module m, int index = 0) => m.Codes[index].Code.ToArray();

    private static MalformedException Malformed(string text) => Assert.Throws<MalformedException>(() => WatParser.ParseModule(text));

    private static FuncType Func(Module m, uint typeIndex) => (FuncType)m.GetTypes()[typeIndex].Composite;

    [Fact]
    public void ParsesFunctionWithPlainAndFoldedInstructions()
    {
        var plain = Parse("(module (func (param i32) (result i32) local.get 0 i32.const 1 i32.add))");
        var folded = Parse("(module (func (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))");
        byte[] expected = [0x20, 0x00, 0x41, 0x01, 0x6A, 0x0B];
        Assert.Equal(expected, Body(plain));
        Assert.Equal(expected, Body(folded));
        Assert.Equal(new FuncType([ValType.I32], [ValType.I32]), Func(plain, plain.Functions[0]));
    }

    [Fact]
    public void AcceptsBareModuleFields()
    {
        var m = Parse("(func $f) (export \"f\" (func $f))");
        Assert.Single(m.Functions);
        Assert.Equal(new Export("f", ExternalKind.Func, 0), Assert.Single(m.Exports));
    }

    [Fact]
    public void ImplicitTypesFollowExplicitOnesAndAreReused()
    {
        var m = Parse("""
            (module
              (func $a (result f64) (f64.const 0))
              (func $b (param i32))
              (func $c (result f64) (f64.const 1))
              (type $t (func (param i32))))
            """);
        // $t is type 0; $a adds type 1; $b reuses $t; $c reuses type 1.
        Assert.Equal([1u, 0u, 1u], m.Functions);
        Assert.Equal(2, m.GetTypes().Length);
        Assert.Equal("t", m.Names!.Types[0]);
    }

    [Fact]
    public void ResolvesIdentifiersBeforeTheyAreDefined()
    {
        var m = Parse("""
            (module
              (func (export "run") (call $later) (global.set $g (i32.const 7)))
              (func $later)
              (global $g (mut i32) (i32.const 0)))
            """);
        Assert.Equal([0x10, 0x01, 0x41, 0x07, 0x24, 0x00, 0x0B], Body(m));
        Assert.Equal("later", m.Names!.Functions[1]);
        Assert.Equal("g", m.Names.Globals[0]);
    }

    [Fact]
    public void NamesParamsAndLocalsAndGroupsLocalTypes()
    {
        var m = Parse("(module (func $f (param $x i32) (param f32) (local $y i64) (local i64 f64) (local.set $y (i64.extend_i32_u (local.get $x)))))");
        Assert.Equal([new LocalGroup(2, ValType.I64), new LocalGroup(1, ValType.F64)], m.Codes[0].Locals);
        Assert.Equal([0x20, 0x00, 0xAD, 0x21, 0x02, 0x0B], Body(m));
        Assert.Equal("x", m.Names!.Locals[0][0]);
        Assert.Equal("y", m.Names.Locals[0][2]);
    }

    [Fact]
    public void NamesTheParamsOfImportedFunctions()
    {
        var m = Parse("""
            (module
              (type $t (func (param i32 i64)))
              (import "env" "f" (func $f (param $a i32) (param i64) (param $c f32)))
              (import "env" "g" (func (type $t)))
              (func $h (import "env" "h") (type $t) (param $x i32) (param $y i64)))
            """);
        Assert.Equal(new Dictionary<uint, string> { [0] = "a", [2] = "c" }, m.Names!.Locals[0]);
        Assert.False(m.Names.Locals.ContainsKey(1));
        Assert.Equal(new Dictionary<uint, string> { [0] = "x", [1] = "y" }, m.Names.Locals[2]);
    }

    [Fact]
    public void ParamNamesOfAnExplicitTypeUseCountTowardLocals()
    {
        var m = Parse("(module (type $t (func (param i32 i32))) (func (type $t) (local $z i32) (local.get $z)))");
        Assert.Equal([0x20, 0x02, 0x0B], Body(m));
    }

    [Fact]
    public void ResolvesLabelsAndChecksEndLabels()
    {
        var m = Parse("""
            (module (func
              block $outer
                loop $inner
                  br $outer
                  br $inner
                end $inner
              end $outer
              (block $b (br_if $b (i32.const 1)) (br_table $b $b 0 (i32.const 0)))))
            """);
        byte[] expected =
        [
            0x02, 0x40, 0x03, 0x40, 0x0C, 0x01, 0x0C, 0x00, 0x0B, 0x0B,
            0x02, 0x40, 0x41, 0x01, 0x0D, 0x00, 0x41, 0x00, 0x0E, 0x02, 0x00, 0x00, 0x00, 0x0B, 0x0B,
        ];
        Assert.Equal(expected, Body(m));
        Assert.Equal(["outer", "inner", "b"], m.Names!.Labels[0].OrderBy(p => p.Key).Select(p => p.Value));
        Assert.Contains("mismatching label", Malformed("(module (func block $a end $b))").Reason);
        Assert.Contains("unknown label", Malformed("(module (func (block $l (br $m))))").Reason);
    }

    [Fact]
    public void EncodesBlockTypes()
    {
        var m = Parse("""
            (module
              (type $sig (func (param i32) (result i32)))
              (func (result i32) (block (result i32) (i32.const 1)))
              (func (param i32) (result i32) (local.get 0) (block (param i32) (result i32)))
              (func (param i32) (result i32) (local.get 0) (block (type $sig))))
            """);
        Assert.Equal([0x02, 0x7F, 0x41, 0x01, 0x0B, 0x0B], Body(m, 0));
        Assert.Equal([0x20, 0x00, 0x02, 0x00, 0x0B, 0x0B], Body(m, 1));
        Assert.Equal([0x20, 0x00, 0x02, 0x00, 0x0B, 0x0B], Body(m, 2));
    }

    [Fact]
    public void FoldedIfEvaluatesConditionFirstAndOmitsAnEmptyElse()
    {
        var m = Parse("(module (func (if (i32.const 1) (then (nop)) (else))))");
        Assert.Equal([0x41, 0x01, 0x04, 0x40, 0x01, 0x0B, 0x0B], Body(m));
        var withElse = Parse("(module (func (if (result i32) (i32.const 1) (then (i32.const 2)) (else (i32.const 3))) drop))");
        Assert.Equal([0x41, 0x01, 0x04, 0x7F, 0x41, 0x02, 0x05, 0x41, 0x03, 0x0B, 0x1A, 0x0B], Body(withElse));
    }

    [Fact]
    public void ParsesMemoryArgumentsAndMultipleMemories()
    {
        var m = Parse("""
            (module
              (memory 1) (memory $m2 i64 1)
              (func
                (drop (i32.load offset=8 align=2 (i32.const 0)))
                (drop (i64.load8_u $m2 offset=0x10 (i64.const 0)))
                (drop (memory.size $m2))
                (memory.copy $m2 0 (i64.const 0) (i32.const 0) (i32.const 0))))
            """);
        Assert.True(m.Memories[1].Limits.Is64);
        byte[] expected =
        [
            0x41, 0x00, 0x28, 0x01, 0x08, 0x1A,
            0x42, 0x00, 0x31, 0x40, 0x01, 0x10, 0x1A,
            0x3F, 0x01, 0x1A,
            0x42, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x0A, 0x01, 0x00,
            0x0B,
        ];
        Assert.Equal(expected, Body(m));
        Assert.Contains("alignment must be a power of two", Malformed("(module (memory 1) (func (drop (i32.load align=3 (i32.const 0)))))").Reason);
    }

    [Fact]
    public void ParsesVectorLiteralsInEveryShape()
    {
        var m = Parse("""
            (module (func
              (drop (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 -1))
              (drop (v128.const i16x8 1 2 3 4 5 6 7 0xffff))
              (drop (v128.const i32x4 1 2 3 -1))
              (drop (v128.const i64x2 1 -1))
              (drop (v128.const f32x4 1 2 3 -0))
              (drop (v128.const f64x2 1 -0))
              (drop (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (v128.const i64x2 0 0) (v128.const i64x2 0 0)))))
            """);
        var code = Body(m);
        Assert.Equal([0xFD, 0x0C, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0xFF, 0x1A], code[..19]);
        Assert.Contains("wrong number of lane literals", Malformed("(module (func (drop (v128.const i32x4 1 2 3))))").Reason);
        Assert.Contains("invalid lane length", Malformed("(module (func (drop (i8x16.shuffle 1 2 (v128.const i64x2 0 0) (v128.const i64x2 0 0)))))").Reason);
    }

    [Fact]
    public void ParsesImportsAndExportsAbbreviations()
    {
        var m = Parse("""
            (module
              (func $f (export "a") (export "b") (import "env" "f") (param i32))
              (global $g (import "env" "g") (mut i64))
              (memory (export "mem") (import "env" "m") 1 2 shared)
              (table $t (export "t") 2 funcref)
              (func (export "c")))
            """);
        Assert.Equal(3, m.Imports.Count);
        Assert.Equal(ExternalKind.Func, m.Imports[0].Kind);
        Assert.Equal(new GlobalType(ValType.I64, true), m.Imports[1].Descriptor.Global);
        Assert.True(m.Imports[2].Descriptor.Memory!.Limits.Shared);
        Assert.Equal(
            [
                new Export("a", ExternalKind.Func, 0), new Export("b", ExternalKind.Func, 0), new Export("mem", ExternalKind.Memory, 0),
                new Export("t", ExternalKind.Table, 0), new Export("c", ExternalKind.Func, 1),
            ],
            m.Exports);
        Assert.Contains("import after function", Malformed("(module (func) (import \"a\" \"b\" (func)))").Reason);
        Assert.Contains("import after global", Malformed("(module (global i32 (i32.const 0)) (import \"a\" \"b\" (table 1 funcref)))").Reason);
    }

    [Fact]
    public void ElementSegmentsKeepTheEncodingTheTextAsksFor()
    {
        var m = Parse("""
            (module
              (table $t 2 funcref) (table $u 2 externref)
              (func $f)
              (elem (i32.const 0) $f)
              (elem func $f)
              (elem (table $u) (i32.const 0) externref (ref.null extern))
              (elem declare func $f)
              (elem (i32.const 1) funcref (ref.func $f) (item ref.null func))
              (elem funcref (ref.func $f))
              (elem (table $t) (offset (i32.const 0)) func $f)
              (elem declare funcref (item (ref.func $f)))
              (elem (table $t) (i32.const 0) funcref (ref.func $f))
              (elem (ref func) (ref.func $f))
              (elem (i32.const 0) (ref func) (ref.func $f))
              (elem 0 (i32.const 0) $f)
              (elem (i32.const 0)))
            """);
        // Explicit (table $t) keeps the explicit-table encodings (2, 6) even for table 0; an element type
        // with expressions keeps the expression encodings (5, 6) even when every item is a ref.func.
        Assert.Equal([0, 1, 6, 3, 4, 5, 2, 7, 6, 5, 6, 0, 0], m.Elements.Select(e => (int)e.Flags));
        Assert.Equal(ValType.Ref(HeapType.Func, nullable: false), m.Elements[0].Type);
        Assert.Equal([0u], m.Elements[0].FunctionIndices!);
        Assert.Equal(1u, m.Elements[2].TableIndex);
        Assert.Equal(2, m.Elements[4].Expressions!.Length);
        Assert.Equal(0u, m.Elements[6].TableIndex);
        Assert.Equal(ValType.Ref(HeapType.Func, nullable: false), m.Elements[9].Type);
        Assert.Single(m.Elements[9].Expressions!);
        Assert.Equal(0u, m.Elements[11].TableIndex);
        Assert.Empty(m.Elements[12].FunctionIndices!);
    }

    [Fact]
    public void DataSegmentsKeepAnExplicitMemory()
    {
        var m = Parse("""
            (module
              (memory 1) (memory 1)
              (data (i32.const 0) "a")
              (data (memory 0) (i32.const 0) "b")
              (data (memory 1) (i32.const 0) "c")
              (data 0 (i32.const 0) "d")
              (data 1 (i32.const 0) "e")
              (data "f"))
            """);
        Assert.Equal([0, 2, 2, 0, 2, 1], m.Data.Select(d => (int)d.Flags));
        Assert.Equal([0u, 0, 1, 0, 1, 0], m.Data.Select(d => d.MemoryIndex));
    }

    [Fact]
    public void ExpandsInlineTableElementsAndMemoryData()
    {
        var m = Parse("""
            (module
              (func $f)
              (table $t i64 funcref (elem $f $f $f))
              (memory (data "hello" "world"))
              (data $d (memory 0) (offset (i32.const 16)) "!")
              (data "passive"))
            """);
        var table = Assert.Single(m.Tables);
        Assert.Equal(new Limits(3, 3, Is64: true), table.Type.Limits);
        var segment = Assert.Single(m.Elements);
        Assert.Equal(SegmentMode.Active, segment.Mode);
        Assert.Equal(4, segment.Flags);
        Assert.Equal([0x42, 0x00, 0x0B], segment.Offset!.Code.ToArray());
        Assert.Equal(new Limits(1, 1), m.Memories[0].Limits);
        Assert.Equal("helloworld"u8.ToArray(), m.Data[0].Bytes.ToArray());
        Assert.Equal([0, 2, 1], m.Data.Select(d => (int)d.Flags));
        Assert.Equal("d", m.Names!.DataSegments[1]);
        Assert.Null(m.DataCount);
    }

    [Fact]
    public void SetsTheDataCountWhenCodeUsesDataIndices()
    {
        var m = Parse("(module (memory 1) (data $d \"x\") (func (data.drop $d)))");
        Assert.Equal(1u, m.DataCount);
    }

    [Fact]
    public void ParsesGcTypesAndInstructions()
    {
        var m = Parse("""
            (module
              (rec
                (type $node (sub (struct (field $value i32) (field $next (mut (ref null $node))))))
                (type $leaf (sub final $node (struct (field i32) (field (mut (ref null $node)))))))
              (type $bytes (array (mut i8)))
              (func (param $n (ref null $node)) (result i32)
                (drop (ref.test (ref $leaf) (local.get $n)))
                (drop (ref.cast (ref null $node) (local.get $n)))
                (drop (block (result anyref) (br_on_cast 0 anyref (ref $leaf) (local.get $n))))
                (drop (array.new_fixed $bytes 2 (i32.const 1) (i32.const 2)))
                (struct.get $node $value (local.get $n))))
            """);
        // The rec group, $bytes, then the function's implicit type.
        Assert.Equal(3, m.RecGroups.Count);
        Assert.True(m.RecGroups[0].IsExplicit);
        var types = m.GetTypes();
        Assert.False(types[0].Final);
        Assert.Equal([0u], types[1].SuperTypes);
        Assert.Equal(new FieldType(ValType.Ref(HeapType.Concrete(0), true), true), ((StructType)types[0].Composite).Fields[1]);
        Assert.Equal(new FieldType(ValType.I8, true), ((ArrayType)types[2].Composite).Element);
        Assert.Equal("next", m.Names!.Fields[0][1]);
        var code = Body(m);
        Assert.Equal([0x20, 0x00, 0xFB, 0x14, 0x01, 0x1A], code[..6]); // ref.test (non-null)
        Assert.Equal([0x20, 0x00, 0xFB, 0x17, 0x00, 0x1A], code[6..12]); // ref.cast null
        Assert.Equal([0xFB, 0x02, 0x00, 0x00, 0x0B], code[^5..]); // struct.get $node $value
    }

    [Fact]
    public void ParsesExceptionHandling()
    {
        var m = Parse("""
            (module
              (tag $e (param i32))
              (func (result i32)
                (block $h (result i32 exnref)
                  (try_table (catch_ref $e $h) (throw $e (i32.const 1))))
                unreachable)
              (func
                try $t
                  (throw $e (i32.const 2))
                catch $e
                  drop
                catch_all
                end
                (try (do (try (do nop) (delegate 0))) (catch_all))))
            """);
        Assert.Equal(0u, Assert.Single(m.Tags).TypeIndex);
        // Types: the tag's (type 0), the first function's (type 1), the block's [] -> [i32 exnref] (type 2).
        Assert.Equal([0x02, 0x02, 0x1F, 0x40, 0x01, 0x01, 0x00, 0x00, 0x41, 0x01, 0x08, 0x00, 0x0B, 0x0B, 0x00, 0x0B], Body(m, 0));
        Assert.Equal(
            [0x06, 0x40, 0x41, 0x02, 0x08, 0x00, 0x07, 0x00, 0x1A, 0x19, 0x0B, 0x06, 0x40, 0x06, 0x40, 0x01, 0x18, 0x00, 0x19, 0x0B, 0x0B],
            Body(m, 1));
    }

    [Fact]
    public void ParsesSelectAndCallIndirectForms()
    {
        var m = Parse("""
            (module
              (type $sig (func (param i32) (result i32)))
              (table $t 1 funcref)
              (func (result i32)
                (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0))
                (call_indirect $t (type $sig) (i32.const 0))
                (call_indirect (param i64) (result i32) (i64.const 0) (i32.const 0))
                drop drop))
            """);
        var code = Body(m);
        Assert.Equal([0x1C, 0x01, 0x7F], code[6..9]);
        Assert.Equal([0x11, 0x00, 0x00], code[11..14]);
        Assert.Equal([0x11, 0x02, 0x00], code[18..21]);
        Assert.Equal(new FuncType([ValType.I64], [ValType.I32]), Func(m, 2));
        Assert.Contains("inline function type", Malformed("(module (type $s (func)) (table 1 funcref) (func (call_indirect (type $s) (param i32) (i32.const 0) (i32.const 0))))").Reason);
    }

    [Fact]
    public void CustomAnnotationsBecomeCustomSectionsInBinaryOrder()
    {
        var m = Parse("""
            (module
              (@custom "late" "a" "b")
              (@custom "early" (before type) "")
              (@custom "mid" (after func) "\01")
              (func))
            """);
        Assert.Equal(["early", "mid", "late"], m.CustomSections.Select(c => c.Name));
        Assert.Equal(SectionId.Custom, m.CustomSections[0].After);
        Assert.Equal(SectionId.Function, m.CustomSections[1].After);
        Assert.Equal(SectionId.Data, m.CustomSections[2].After);
        Assert.Equal("ab"u8.ToArray(), m.CustomSections[2].Content.ToArray());
        Assert.Contains("misplaced @custom annotation", Malformed("(module (func (@custom \"x\")))").Reason);
        Assert.Contains("@custom annotation: malformed placement", Malformed("(module (@custom \"x\" (here type)))").Reason);
    }

    [Fact]
    public void BranchHintsBecomeTheirCustomSection()
    {
        var m = Parse("""
            (module
              (func (param i32) (local i32)
                (@metadata.code.branch_hint "\01") (if (local.get 0) (then))
                (block (@metadata.code.branch_hint "\00") (br_if 0 (local.get 0)))))
            """);
        var section = Assert.Single(m.CustomSections);
        Assert.Equal("metadata.code.branch_hint", section.Name);
        // One function (0) with two hints; offsets count from the local declarations (3 bytes here).
        Assert.Equal([1, 0, 2, 3 + 2, 1, 1, 3 + 9, 1, 0], section.Content.ToArray());
        Assert.Contains("duplicate annotation", Malformed("""
            (module (func (@metadata.code.branch_hint "\01") (@metadata.code.branch_hint "\01") (if (i32.const 0) (then))))
            """).Reason);
        Assert.Contains("not in a function", Malformed("(module (@metadata.code.branch_hint \"\\01\") (func))").Reason);
    }

    [Fact]
    public void OtherAnnotationsAreSkipped()
    {
        var m = Parse("((@a) module (@a x (y) \"z\") $m (func (@b) $f (@name \"eff\") (nop (@c)))) ;; done");
        Assert.Equal("m", m.Names!.ModuleName);
        Assert.Equal("eff", m.Names.Functions[0]);
        Assert.Equal([0x01, 0x0B], Body(m));
    }

    [Theory]
    [InlineData("(module (func (i32.add_s)))", "unknown operator")]
    [InlineData("(module (func (result i32) (i32.const)))", "unexpected token")]
    [InlineData("(module (func (local i32) (param i32)))", "unexpected token")]
    [InlineData("(module (func (i32.const 0x1_0000_0000) drop))", "constant out of range")]
    [InlineData("(module (func $f) (func $f))", "duplicate function $f")]
    [InlineData("(module (func (param $x i32) (local $x i32)))", "duplicate local")]
    [InlineData("(module (memory 1) (memory $m 1) (memory $m 1))", "duplicate memory")]
    [InlineData("(module (func (call $nope)))", "unknown function $nope")]
    [InlineData("(module (func (type $nope)))", "unknown type $nope")]
    [InlineData("(module (func (export \"\\ff\")))", "malformed UTF-8 encoding")]
    [InlineData("(module (func $)))", "empty identifier")]
    [InlineData("(module (func (nop)) (; unclosed", "unclosed comment")]
    [InlineData("(module (func \"abc))", "unclosed string")]
    [InlineData("(module (start 0) (start 0) (func))", "multiple start sections")]
    [InlineData("(module (func (drop (i32.const 1.5))))", "constant out of range")]
    [InlineData("(module (func (drop (f32.const nan:canonical))))", "unexpected token")]
    [InlineData("(module (type (struct (field $x i32) (field $x i32))))", "duplicate field")]
    [InlineData("(module (memory 0 (pagesize 3)))", "invalid custom page size")]
    [InlineData("(@x ", "unclosed annotation")]
    [InlineData("(module (func)", "unexpected token")]
    public void ReportsTheSpecWording(string text, string expected)
    {
        var e = Malformed(text);
        Assert.Contains(expected, e.Reason);
        Assert.True(e.Location.IsText);
    }

    [Fact]
    public void ReportsLineAndColumn()
    {
        var e = Malformed("(module\n  (func\n    (i32.bogus)))");
        Assert.Equal(3, e.Location.Line);
        Assert.Equal(6, e.Location.Column);
    }

    [Fact]
    public void AnUnknownWordWinsOverLaterAndSemanticErrors()
    {
        // The reference lexer fails on the word before the parser can check the label.
        Assert.Contains("unknown operator", Malformed("(module (func (br $nowhere) (v128.const f32x4 0x1p_1 1 1 1)))").Reason);
        Assert.Contains("unexpected token", Malformed("(module (type $s (func)) (func (block (type $s) (result i32) (param i32))))").Reason);
    }
}
