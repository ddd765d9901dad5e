using System.Text;
using WasmSharp.Binary;
using WasmSharp.Model;
using WasmSharp.Text;

namespace WasmSharp.Tests.Text;

public sealed class WatPrinterTests
{
    private static readonly WatPrinterOptions s_noCustom = new() { EmitCustomSections = false };

    private static FunctionBody Body(params byte[] code) => new([], code);

    private static FunctionBody Body(LocalGroup[] locals, params byte[] code) => new(locals, code);

    private static ConstExpr Expr(params byte[] code) => new(code);

    private static ConstExpr I32Const(byte value) => Expr(0x41, value, 0x0B);

    private static Module WithFunc(FuncType type, FunctionBody body)
    {
        var m = new Module();
        m.RecGroups.Add(new RecGroup([SubType.Plain(type)]));
        m.Functions.Add(0);
        m.Codes.Add(body);
        return m;
    }

    private static string Lines(params string[] lines) => string.Join('\n', lines) + "\n";

    [Fact]
    public void EmptyModule()
    {
        Assert.Equal("(module)\n", WatPrinter.Print(new Module()));
    }

    [Fact]
    public void FunctionWithLocalsAndExport()
    {
        var m = WithFunc(new FuncType([ValType.I32, ValType.I64], [ValType.I32]),
            Body([new LocalGroup(2, ValType.I32), new LocalGroup(1, ValType.F64)],
                0x20, 0x00, 0x41, 0x7F, 0x6A, 0x0B));
        m.Exports.Add(new Export("add", ExternalKind.Func, 0));
        Assert.Equal(Lines(
            "(module",
            "  (type (;0;) (func (param i32 i64) (result i32)))",
            "  (func (;0;) (type 0) (param i32 i64) (result i32)",
            "    (local i32 i32)",
            "    (local f64)",
            "    local.get 0",
            "    i32.const -1",
            "    i32.add)",
            "  (export \"add\" (func 0)))"), WatPrinter.Print(m));
    }

    [Fact]
    public void NamesAreUsedAtDefinitionsAndUses()
    {
        var m = WithFunc(new FuncType([ValType.I32], []),
            Body([new LocalGroup(2, ValType.I32)], 0x20, 0x00, 0x21, 0x01, 0x20, 0x02, 0x1A, 0x10, 0x00, 0x0B));
        m.Names = new NameSection { ModuleName = "m" };
        m.Names.Functions[0] = "f";
        m.Names.Locals[0] = new() { [0] = "p", [1] = "a b" };
        m.Names.Types[0] = "sig";
        Assert.Equal(Lines(
            "(module $m",
            "  (type $sig (func (param i32)))",
            "  (func $f (type $sig) (param $p i32)",
            "    (local $\"a b\" i32)",
            "    (local i32)",
            "    local.get $p",
            "    local.set $\"a b\"",
            "    local.get 2",
            "    drop",
            "    call $f))"), WatPrinter.Print(m));
    }

    [Fact]
    public void UseNamesOffPrintsIndices()
    {
        var m = WithFunc(FuncType.Empty, Body(0x10, 0x00, 0x0B));
        m.Names = new NameSection();
        m.Names.Functions[0] = "f";
        var text = WatPrinter.Print(m, new WatPrinterOptions { UseNames = false });
        Assert.Contains("(func (;0;) (type 0)\n    call 0)", text);
        Assert.DoesNotContain("$f", text);
    }

    [Fact]
    public void DuplicateAndEmptyNamesFallBackToIndices()
    {
        var m = new Module();
        m.RecGroups.Add(new RecGroup([SubType.Plain(FuncType.Empty)]));
        m.Functions.AddRange([0, 0, 0]);
        m.Codes.Add(Body(0x10, 0x01, 0x10, 0x02, 0x0B));
        m.Codes.Add(Body(0x0B));
        m.Codes.Add(Body(0x0B));
        m.Names = new NameSection();
        m.Names.Functions[0] = "";
        m.Names.Functions[1] = "x";
        m.Names.Functions[2] = "x";
        m.Names.Functions[7] = "missing";
        var text = WatPrinter.Print(m);
        // Names that cannot be identifiers are kept in (@name ...) so the name section survives.
        Assert.Contains("(func (;0;) (@name \"\") (type 0)\n    call $x\n    call 2)", text);
        Assert.Contains("(func $x (type 0))", text);
        Assert.Contains("(func (;2;) (@name \"x\") (type 0))", text);
        Assert.DoesNotContain("missing", text);
    }

    [Theory]
    [InlineData("f", "$f")]
    [InlineData("a.b/c:d", "$a.b/c:d")]
    [InlineData("two words", "$\"two words\"")]
    [InlineData("q\"\\", "$\"q\\22\\5c\"")]
    [InlineData("é", "$\"\\c3\\a9\"")]
    [InlineData("(x)", "$\"(x)\"")]
    public void IdentifiersAreQuotedWhenNeeded(string name, string expected)
    {
        var m = WithFunc(FuncType.Empty, Body(0x0B));
        m.Names = new NameSection();
        m.Names.Functions[0] = name;
        Assert.Contains($"(func {expected} (type 0))", WatPrinter.Print(m));
    }

    [Fact]
    public void BlocksAreIndentedAndLabelsResolved()
    {
        // block $a (result i32) / loop $b / br 1 / br_if 0 / end / if $a / br 0 / br 1 / else / end / i32.const 0 / end
        var m = WithFunc(FuncType.Empty, Body(
            0x02, 0x7F,
            0x03, 0x40, 0x0C, 0x01, 0x0D, 0x00, 0x0B,
            0x04, 0x40, 0x0C, 0x00, 0x0C, 0x01, 0x05, 0x0B,
            0x41, 0x00, 0x0B,
            0x1A, 0x0B));
        m.Names = new NameSection();
        m.Names.Labels[0] = new() { [0] = "a", [1] = "b", [2] = "a" };
        Assert.Equal(Lines(
            "(module",
            "  (type (;0;) (func))",
            "  (func (;0;) (type 0)",
            "    block $a (result i32)",
            "      loop $b",
            "        br $a",
            "        br_if $b",
            "      end",
            "      if $a",
            "        br $a",
            // The outer $a is shadowed by the if's label, so it is printed by depth.
            "        br 1",
            "      else",
            "      end",
            "      i32.const 0",
            "    end",
            "    drop))"), WatPrinter.Print(m));
    }

    [Fact]
    public void BlockTypeIndexIsKept()
    {
        var m = new Module();
        m.RecGroups.Add(new RecGroup([SubType.Plain(FuncType.Empty)]));
        m.RecGroups.Add(new RecGroup([SubType.Plain(new FuncType([], [ValType.I32]))]));
        m.Functions.Add(0);
        m.Codes.Add(Body(0x02, 0x01, 0x41, 0x01, 0x0B, 0x1A, 0x0B));
        Assert.Contains("    block (type 1) (result i32)\n      i32.const 1\n    end\n", WatPrinter.Print(m));
    }

    [Fact]
    public void MemArgsPrintOnlyNonDefaults()
    {
        var m = WithFunc(FuncType.Empty, Body(
            0x41, 0x00, 0x28, 0x02, 0x00, 0x1A, // i32.load (natural alignment)
            0x41, 0x00, 0x28, 0x00, 0x10, 0x1A, // i32.load offset=16 align=1
            0x41, 0x00, 0x29, 0x43, 0x01, 0x08, 0x1A, // i64.load memory 1, align 8, offset 8
            0x0B));
        m.Memories.Add(new MemoryType(new Limits(1, null)));
        m.Memories.Add(new MemoryType(new Limits(1, 2, Is64: true)));
        var text = WatPrinter.Print(m);
        Assert.Contains("    i32.load\n", text);
        Assert.Contains("    i32.load offset=16 align=1\n", text);
        Assert.Contains("    i64.load 1 offset=8\n", text);
        Assert.Contains("  (memory (;1;) i64 1 2)", text);
    }

    [Fact]
    public void MemoryTypes()
    {
        var m = new Module();
        m.Memories.Add(new MemoryType(new Limits(1, 2, Shared: true)));
        m.Memories.Add(new MemoryType(new Limits(0, null), PageSizeLog2: 0));
        m.Imports.Add(new Import("env", "mem", ImportDescriptor.ForMemory(new MemoryType(new Limits(3, null, Is64: true)))));
        Assert.Equal(Lines(
            "(module",
            "  (import \"env\" \"mem\" (memory (;0;) i64 3))",
            "  (memory (;1;) 1 2 shared)",
            "  (memory (;2;) 0 (pagesize 1)))"), WatPrinter.Print(m));
    }

    [Fact]
    public void ElementSegmentVariantsAreDistinguishable()
    {
        var m = new Module();
        m.RecGroups.Add(new RecGroup([SubType.Plain(FuncType.Empty)]));
        m.Functions.Add(0);
        m.Codes.Add(Body(0x0B));
        m.Tables.Add(new Table(new TableType(ValType.FuncRef, new Limits(1, null))));
        var funcRef = ValType.Ref(HeapType.Func, nullable: false);
        var refFunc = Expr(0xD2, 0x00, 0x0B);
        m.Elements.Add(new ElementSegment(SegmentMode.Active, funcRef) { Offset = I32Const(0), FunctionIndices = [0], Flags = 0 });
        m.Elements.Add(new ElementSegment(SegmentMode.Passive, funcRef) { FunctionIndices = [0, 0], Flags = 1 });
        m.Elements.Add(new ElementSegment(SegmentMode.Active, funcRef) { Offset = I32Const(0), FunctionIndices = [0], Flags = 2 });
        m.Elements.Add(new ElementSegment(SegmentMode.Declarative, funcRef) { FunctionIndices = [0], Flags = 3 });
        m.Elements.Add(new ElementSegment(SegmentMode.Active, ValType.FuncRef) { Offset = I32Const(0), Expressions = [refFunc], Flags = 4 });
        m.Elements.Add(new ElementSegment(SegmentMode.Passive, ValType.FuncRef) { Expressions = [refFunc, Expr(0xD0, 0x70, 0x0B)], Flags = 5 });
        m.Elements.Add(new ElementSegment(SegmentMode.Active, ValType.FuncRef) { Offset = Expr(0x41, 0x01, 0x41, 0x02, 0x6A, 0x0B), Expressions = [refFunc], Flags = 6 });
        m.Elements.Add(new ElementSegment(SegmentMode.Declarative, funcRef) { Expressions = [refFunc], Flags = 7 });
        var text = WatPrinter.Print(m);
        Assert.Contains(Lines(
            "  (elem (;0;) (i32.const 0) func 0)",
            "  (elem (;1;) func 0 0)",
            "  (elem (;2;) (table 0) (i32.const 0) func 0)",
            "  (elem (;3;) declare func 0)",
            "  (elem (;4;) (i32.const 0) funcref (ref.func 0))",
            "  (elem (;5;) funcref (ref.func 0) (ref.null func))",
            "  (elem (;6;) (table 0) (offset (i32.const 1) (i32.const 2) (i32.add)) funcref (ref.func 0))",
            "  (elem (;7;) declare (ref func) (ref.func 0)))"), text);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], WatParser.ParseModule(text).Elements.Select(e => (int)e.Flags));
    }

    [Fact]
    public void DataSegmentsEscapeBytes()
    {
        var m = new Module();
        m.Memories.Add(new MemoryType(new Limits(1, null)));
        m.Data.Add(new DataSegment(SegmentMode.Active, Encoding.ASCII.GetBytes("hi \"x\"\\\n")) { Offset = I32Const(8), Flags = 0 });
        m.Data.Add(new DataSegment(SegmentMode.Passive, new byte[] { 0, 0x7F, 0x80, 0xFF }) { Flags = 1 });
        m.Data.Add(new DataSegment(SegmentMode.Active, new byte[] { 0x41 }) { Offset = I32Const(0), Flags = 2 });
        Assert.Contains(Lines(
            "  (data (;0;) (i32.const 8) \"hi \\22x\\22\\5c\\0a\")",
            "  (data (;1;) \"\\00\\7f\\80\\ff\")",
            "  (data (;2;) (memory 0) (i32.const 0) \"A\"))"), WatPrinter.Print(m));
        Assert.Equal([0, 1, 2], WatParser.ParseModule(WatPrinter.Print(m)).Data.Select(d => (int)d.Flags));
    }

    [Fact]
    public void GcTypesAndInstructions()
    {
        var m = new Module();
        var structType = new StructType([new FieldType(ValType.I32, true), new FieldType(ValType.I8, false)]);
        var sub = new SubType(structType, Final: false, SuperTypes: [], HasExplicitSub: true);
        var subSub = new SubType(new StructType([new FieldType(ValType.I32, true), new FieldType(ValType.I8, false)]), Final: true, SuperTypes: [0], HasExplicitSub: true);
        m.RecGroups.Add(new RecGroup([sub, subSub], IsExplicit: true));
        m.RecGroups.Add(new RecGroup([SubType.Plain(new ArrayType(new FieldType(ValType.Ref(HeapType.Concrete(0), true), true)))]));
        m.RecGroups.Add(new RecGroup([new SubType(FuncType.Empty, true, [], HasExplicitSub: true)]));
        m.RecGroups.Add(new RecGroup([], IsExplicit: true));
        m.Functions.Add(3);
        m.Codes.Add(Body(
            0xD0, 0x6E, // ref.null any
            0xFB, 0x16, 0x00, // ref.cast (ref $s)
            0xFB, 0x02, 0x00, 0x00, // struct.get $s $x
            0x1A,
            0xD0, 0x00, // ref.null $s
            0xFB, 0x15, 0x6C, // ref.test (ref null i31)
            0x1A,
            0x02, 0x64, 0x6E, // block (result (ref any))
            0xD0, 0x6E,
            0xFB, 0x18, 0x01, 0x00, 0x6E, 0x00, // br_on_cast 0 anyref (ref $s)
            0xD4, // ref.as_non_null
            0x0B,
            0x1A,
            0x0B));
        m.Names = new NameSection();
        m.Names.Types[0] = "s";
        m.Names.Fields[0] = new() { [0] = "x" };
        Assert.Equal(Lines(
            "(module",
            "  (rec",
            "    (type $s (sub (struct (field $x (mut i32)) (field i8))))",
            "    (type (;1;) (sub final $s (struct (field (mut i32)) (field i8)))))",
            "  (type (;2;) (array (mut (ref null $s))))",
            "  (type (;3;) (sub final (func)))",
            "  (rec)",
            "  (func (;0;) (type 3)",
            "    ref.null any",
            "    ref.cast (ref $s)",
            "    struct.get $s $x",
            "    drop",
            "    ref.null $s",
            "    ref.test i31ref",
            "    drop",
            "    block (result (ref any))",
            "      ref.null any",
            "      br_on_cast 0 anyref (ref $s)",
            "      ref.as_non_null",
            "    end",
            "    drop))"), WatPrinter.Print(m));
    }

    [Fact]
    public void SimdImmediates()
    {
        var shuffle = new byte[] { 0xFD, 0x0D, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 31 };
        var code = new List<byte> { 0xFD, 0x0C };
        for (var i = 0; i < 16; i++) code.Add((byte)(i == 0 ? 1 : i == 15 ? 0x80 : 0));
        code.AddRange([0xFD, 0x0C, .. new byte[16]]);
        code.AddRange(shuffle);
        code.AddRange([0xFD, 0x15, 0x03, 0x1A]); // i8x16.extract_lane_s 3, drop
        code.AddRange([0x41, 0x00, 0xFD, 0x54, 0x00, 0x04, 0x01, 0x1A]); // v128.load8_lane offset=4 1 (needs a v128 below it; typing is not the printer's business)
        code.Add(0x0B);
        var m = WithFunc(FuncType.Empty, Body([.. code]));
        var text = WatPrinter.Print(m);
        Assert.Contains("    v128.const i32x4 0x00000001 0x00000000 0x00000000 0x80000000\n", text);
        Assert.Contains("    i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31\n", text);
        Assert.Contains("    i8x16.extract_lane_s 3\n", text);
        Assert.Contains("    v128.load8_lane offset=4 1\n", text);
    }

    [Fact]
    public void CallIndirectSelectAndBulkOps()
    {
        var m = WithFunc(FuncType.Empty, Body(
            0x41, 0x00, 0x11, 0x00, 0x00, // call_indirect (type 0)
            0x41, 0x00, 0x11, 0x00, 0x01, // call_indirect 1 (type 0)
            0x41, 0x01, 0x41, 0x02, 0x41, 0x00, 0x1C, 0x01, 0x7F, 0x1A, // select (result i32)
            0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x0C, 0x00, 0x01, // table.init 1 0
            0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x0E, 0x00, 0x00, // table.copy
            0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x0A, 0x00, 0x00, // memory.copy
            0x0B));
        var text = WatPrinter.Print(m, s_noCustom);
        Assert.Contains("    call_indirect (type 0)\n", text);
        Assert.Contains("    call_indirect 1 (type 0)\n", text);
        Assert.Contains("    select (result i32)\n", text);
        Assert.Contains("    table.init 1 0\n", text);
        Assert.Contains("    table.copy\n", text);
        Assert.Contains("    memory.copy))", text);
    }

    [Fact]
    public void ExceptionHandling()
    {
        var m = new Module();
        m.RecGroups.Add(new RecGroup([SubType.Plain(FuncType.Empty)]));
        m.RecGroups.Add(new RecGroup([SubType.Plain(new FuncType([ValType.I32], []))]));
        m.Tags.Add(new TagType(1));
        m.Functions.Add(0);
        m.Codes.Add(Body(
            0x02, 0x40, // block $outer
            0x1F, 0x40, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, // try_table (catch 0 0) (catch_all 0)
            0x41, 0x05, 0x08, 0x00, // throw 0
            0x0B,
            0x0B,
            0x06, 0x40, // try
            0x06, 0x40, 0x01, 0x18, 0x00, // try nop delegate 0
            0x07, 0x00, 0x1A, // catch 0 drop
            0x19, 0x09, 0x00, // catch_all rethrow 0
            0x0B,
            0x0B));
        m.Names = new NameSection();
        m.Names.Tags[0] = "e";
        m.Names.Labels[0] = new() { [0] = "outer", [1] = "inner" };
        Assert.Equal(Lines(
            "(module",
            "  (type (;0;) (func))",
            "  (type (;1;) (func (param i32)))",
            "  (func (;0;) (type 0)",
            "    block $outer",
            "      try_table $inner (catch $e $outer) (catch_all $outer)",
            "        i32.const 5",
            "        throw $e",
            "      end",
            "    end",
            "    try",
            "      try",
            "        nop",
            "      delegate 0",
            "    catch $e",
            "      drop",
            "    catch_all",
            "      rethrow 0",
            "    end)",
            "  (tag $e (type 1) (param i32)))"), WatPrinter.Print(m));
    }

    [Fact]
    public void ImportsGlobalsTablesAndStart()
    {
        var m = new Module();
        m.RecGroups.Add(new RecGroup([SubType.Plain(new FuncType([ValType.I32], [ValType.F32]))]));
        m.Imports.Add(new Import("m", "f", ImportDescriptor.ForFunc(0)));
        m.Imports.Add(new Import("m", "t", ImportDescriptor.ForTable(new TableType(ValType.ExternRef, new Limits(1, 5)))));
        m.Imports.Add(new Import("m", "g", ImportDescriptor.ForGlobal(new GlobalType(ValType.I64, Mutable: true))));
        m.Imports.Add(new Import("m", "e", ImportDescriptor.ForTag(new TagType(0))));
        m.Tables.Add(new Table(new TableType(ValType.Ref(HeapType.Func, false), new Limits(2, null, Is64: true)), Expr(0xD2, 0x00, 0x0B)));
        m.Globals.Add(new Global(new GlobalType(ValType.I32, false), Expr(0x41, 0x01, 0x41, 0x02, 0x6A, 0x0B)));
        m.Globals.Add(new Global(new GlobalType(ValType.I64, false), Expr(0x23, 0x00, 0x0B)));
        m.Exports.Add(new Export("g", ExternalKind.Global, 1));
        m.Exports.Add(new Export("t", ExternalKind.Table, 0));
        m.Start = 0;
        m.Names = new NameSection();
        m.Names.Globals[0] = "imported";
        m.Names.Locals[0] = new() { [0] = "x" };
        Assert.Equal(Lines(
            "(module",
            "  (type (;0;) (func (param i32) (result f32)))",
            "  (import \"m\" \"f\" (func (;0;) (type 0) (param $x i32) (result f32)))",
            "  (import \"m\" \"t\" (table (;0;) 1 5 externref))",
            "  (import \"m\" \"g\" (global $imported (mut i64)))",
            "  (import \"m\" \"e\" (tag (;0;) (type 0) (param i32) (result f32)))",
            "  (table (;1;) i64 2 (ref func) (ref.func 0))",
            "  (global (;1;) i32 (i32.const 1) (i32.const 2) (i32.add))",
            "  (global (;2;) i64 (global.get $imported))",
            "  (export \"g\" (global 1))",
            "  (export \"t\" (table 0))",
            "  (start 0))"), WatPrinter.Print(m));
    }

    [Fact]
    public void CustomSectionsKeepTheirPlacement()
    {
        var m = new Module();
        m.CustomSections.Add(new CustomSection("first", new byte[] { 1, 2 }, SectionId.Custom));
        m.CustomSections.Add(new CustomSection("after types", "ok"u8.ToArray(), SectionId.Type));
        m.CustomSections.Add(new CustomSection("name", new byte[] { 0 }, SectionId.Data));
        Assert.Equal(Lines(
            "(module",
            "  (@custom \"first\" (before first) \"\\01\\02\")",
            "  (@custom \"after types\" (after type) \"ok\")",
            "  (@custom \"name\" (after data) \"\\00\"))"), WatPrinter.Print(m));
        Assert.Equal("(module)\n", WatPrinter.Print(m, s_noCustom));
    }

    [Fact]
    public void PrintsToATextWriter()
    {
        var m = WithFunc(FuncType.Empty, Body(0x01, 0x0B));
        using var writer = new StringWriter();
        WatPrinter.Print(m, writer);
        Assert.Equal(WatPrinter.Print(m), writer.ToString());
    }

    /// <summary>A module that uses most of the text format, with names of every kind.</summary>
    private const string RichModule = """
        (module $"rich module"
          (rec
            (type $node (sub (struct (field $value (mut i32)) (field $next (ref null $node)))))
            (type $leaf (sub final $node (struct (field $value (mut i32)) (field $next (ref null $node))))))
          (type $bytes (array (mut i8)))
          (type $sig (func (param i32 i64) (result i32)))
          (type $void (func))
          (type $exn (func (param i32)))
          (import "env" "f" (func $imported (type $sig)))
          (import "env" "table" (table $t0 1 10 funcref))
          (import "env" "mem" (memory $m0 1))
          (import "env" "g" (global $g0 (mut i32)))
          (import "env" "e" (tag $e0 (type $exn)))
          (table $t1 i64 2 (ref null func) (ref.null func))
          (memory $m1 i64 1 2)
          (memory $shared 1 2 shared)
          (tag $e1 (param i32))
          (global $counter (mut i64) (i64.const -5))
          (global $sum i32 (i32.add (i32.const 1) (global.get $g0)))
          (global $f32 f32 (f32.const -0x1.8p+1))
          (global $f64 f64 (f64.const nan:0x4))
          (global $v v128 (v128.const i32x4 1 2 3 0xffffffff))
          (func $"a func" (type $sig) (param $x i32) (param $y i64) (result i32)
            (local $tmp i32) (local f64 f64) (local $v v128)
            local.get $x
            local.tee $tmp
            i32.load $m0 offset=4 align=1
            i64.load $m1 offset=8
            drop
            block $outer (result i32)
              loop $loop
                local.get $x
                br_if $loop
                local.get $x
                br_table $loop $outer $loop
              end
              i32.const 1
            end
            if (result i32)
              i32.const 2
            else
              i32.const 3
            end
            drop
            local.get $x
            local.get $y
            call $imported
            i32.const 0
            call_indirect $t0 (type $sig)
            drop
            local.get $x
            local.get $x
            i32.const 1
            select (result i32))
          (func $gc (type $void)
            (local $n (ref null $node))
            i32.const 1
            ref.null $node
            struct.new $node
            local.tee $n
            struct.get $node $value
            drop
            local.get $n
            ref.test (ref $leaf)
            drop
            block $b (result (ref $node))
              local.get $n
              br_on_cast $b (ref null $node) (ref $leaf)
              br_on_null $b
              br $b
            end
            drop
            i32.const 0
            i32.const 3
            array.new $bytes
            drop
            i32.const 1
            i32.const 2
            array.new_fixed $bytes 2
            array.len
            drop
            ref.null any
            ref.cast (ref null i31)
            drop)
          (func $eh (type $void)
            block $h (result i32)
              try_table (catch $e1 $h) (catch_all 1)
                i32.const 5
                throw $e1
              end
              unreachable
            end
            drop
            try $legacy
              try
                nop
              delegate $legacy
            catch $e0
              drop
            catch_all
              rethrow $legacy
            end)
          (func $simd (type $void)
            v128.const i32x4 0 1 2 3
            v128.const i64x2 -1 7
            i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31
            i32x4.extract_lane 2
            drop
            i32.const 0
            v128.const f32x4 1 2 3 4
            v128.store64_lane offset=3 1
            i32.const 0
            i32.const 0
            i32.const 0
            memory.init $m1 $passive
            data.drop $passive
            i32.const 0
            i32.const 0
            i32.const 0
            table.init $t1 $exprs
            elem.drop $exprs
            i32.const 0
            i32.atomic.load $shared
            drop
            atomic.fence)
          (export "f" (func $"a func"))
          (export "t" (table $t1))
          (export "m" (memory $m1))
          (export "g" (global $counter))
          (export "e" (tag $e1))
          (start $eh)
          (elem $active (i32.const 0) func $"a func" $gc)
          (elem $exprs (ref null func) (ref.func $gc) (ref.null func))
          (elem $declared declare func $simd)
          (elem $t1elems (table $t1) (i64.const 0) (ref null func) (item ref.func $eh))
          (data $d0 (i32.const 16) "hello\00\ff\"\\")
          (data $passive "passive")
          (data $m1data (memory $m1) (i64.const 0) "x")
          (@custom "extra" (after func) "\01\02")
        )
        """;

    [Fact]
    public void RichModuleRoundTripsThroughTextWithNames()
    {
        var original = ModuleEncoder.Encode(WatParser.ParseModule(RichModule), emitNames: true);
        var text = WatPrinter.Print(ModuleDecoder.Decode(original));
        var again = ModuleEncoder.Encode(WatParser.ParseModule(text), emitNames: true);
        Assert.Equal(original, again);
        Assert.Contains("(func $\"a func\" (type $sig) (param $x i32) (param $y i64) (result i32)", text);
        Assert.Contains("struct.get $node $value", text);
        Assert.Contains("(@custom \"extra\" (after func) \"\\01\\02\")", text);
    }

    [Fact]
    public void RichModuleRoundTripsWithoutCustomSectionsOrNames()
    {
        var module = WatParser.ParseModule(RichModule);
        var original = ModuleEncoder.Encode(module);
        foreach (var options in new[] { new WatPrinterOptions { EmitCustomSections = false }, new WatPrinterOptions { UseNames = false } })
        {
            var decoded = ModuleDecoder.Decode(original);
            decoded.CustomSections.RemoveAll(c => c.Name == "extra" && !options.EmitCustomSections);
            var expected = ModuleEncoder.Encode(decoded);
            var again = ModuleEncoder.Encode(WatParser.ParseModule(WatPrinter.Print(decoded, options)));
            Assert.Equal(expected, again);
        }
    }

    [Fact]
    public void DuplicateNamesSurviveThroughNameAnnotations()
    {
        var module = new Module();
        module.RecGroups.Add(new RecGroup([SubType.Plain(FuncType.Empty)]));
        module.Functions.AddRange([0, 0]);
        module.Codes.Add(Body(0x10, 0x01, 0x0B));
        module.Codes.Add(Body(0x0B));
        module.Names = new NameSection { ModuleName = "" };
        module.Names.Functions[0] = "same";
        module.Names.Functions[1] = "same";
        var expected = ModuleEncoder.Encode(module, emitNames: true);
        var text = WatPrinter.Print(module);
        Assert.Equal(expected, ModuleEncoder.Encode(WatParser.ParseModule(text), emitNames: true));
    }
}
