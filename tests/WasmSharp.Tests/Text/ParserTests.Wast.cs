using WasmSharp.Model;
using WasmSharp.Text;

namespace WasmSharp.Tests.Text;

public class WastParserTests
{
    private static IReadOnlyList<WastCommand> Parse(string text) => WastParser.Parse(text, "test.wast").Commands;

    [Fact]
    public void ParsesModuleForms()
    {
        var commands = Parse("""
            (module $m (func (export "f")))
            (module definition $d (memory 1))
            (module instance $i $d)
            (module instance $d)
            (module $b binary "\00asm" "\01\00\00\00")
            (module quote "(func)" " (memory 1)")
            (register "reg" $m)
            """);
        var text = Assert.IsType<WastModule>(commands[0]);
        Assert.Equal(("$m", WastModuleKind.Text, false), (text.Id, text.Kind, text.IsDefinition));
        Assert.Single(text.Module!.Functions);
        var definition = Assert.IsType<WastModule>(commands[1]);
        Assert.True(definition.IsDefinition);
        Assert.Equal(new WastModuleInstance(commands[2].Location, "$i", "$d"), commands[2]);
        Assert.Equal(new WastModuleInstance(commands[3].Location, null, "$d"), commands[3]);
        Assert.Equal([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00], Assert.IsType<WastModule>(commands[4]).Binary);
        Assert.Equal("(func) (memory 1)", Assert.IsType<WastModule>(commands[5]).Quote);
        Assert.Equal(new WastRegister(commands[6].Location, "reg", "$m"), commands[6]);
        Assert.Equal(1, text.Location.Line);
        Assert.Equal(2, definition.Location.Line);
    }

    [Fact]
    public void ParsesActionsAndArguments()
    {
        var commands = Parse("""
            (invoke $m "f" (i32.const -1) (i64.const 2) (f32.const 1.5) (f64.const -0) (v128.const i32x4 1 2 3 4)
                           (ref.null func) (ref.extern 7) (ref.host 3))
            (get "g")
            """);
        var invoke = Assert.IsType<WastInvoke>(commands[0]);
        Assert.Equal("$m", invoke.ModuleId);
        Assert.Equal(
            [
                new WastNumber(ValType.I32, 0xFFFF_FFFF), new WastNumber(ValType.I64, 2), new WastNumber(ValType.F32, 0x3FC0_0000),
                new WastNumber(ValType.F64, 0x8000_0000_0000_0000), new WastVector(0x0000_0002_0000_0001, 0x0000_0004_0000_0003),
                new WastRefNull(HeapType.Func), new WastRefExtern(7), new WastRefHost(3),
            ],
            invoke.Args);
        Assert.Equal(new WastGet(commands[1].Location, null, "g"), commands[1]);
    }

    [Fact]
    public void ParsesExpectedResults()
    {
        var command = Assert.IsType<WastAssertReturn>(Parse("""
            (assert_return (invoke "f")
              (i32.const 1) (f32.const nan:canonical) (f64.const nan:arithmetic)
              (v128.const f32x4 1 nan:canonical 2 nan:arithmetic) (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
              (ref.null) (ref.null extern) (ref.func) (ref.struct) (ref.extern) (ref.extern 1) (ref)
              (either (i32.const 1) (i32.const 2)))
            """)[0]);
        var e = command.Expected;
        Assert.Equal(new WastExpectValue(new WastNumber(ValType.I32, 1)), e[0]);
        Assert.Equal(new WastExpectNan(ValType.F32, NanPattern.Canonical), e[1]);
        Assert.Equal(new WastExpectNan(ValType.F64, NanPattern.Arithmetic), e[2]);
        var lanes = Assert.IsType<WastExpectLanes>(e[3]);
        Assert.Equal("f32x4", lanes.Shape);
        Assert.Equal(new WastExpectValue(new WastNumber(ValType.F32, 0x3F80_0000)), lanes.Lanes[0]);
        Assert.Equal(new WastExpectNan(ValType.F32, NanPattern.Canonical), lanes.Lanes[1]);
        Assert.Equal(new WastExpectValue(new WastVector(0x0706_0504_0302_0100, 0x0F0E_0D0C_0B0A_0908)), e[4]);
        Assert.Equal(new WastExpectRefKind("null"), e[5]);
        Assert.Equal(new WastExpectValue(new WastRefNull(HeapType.Extern)), e[6]);
        Assert.Equal(new WastExpectRefKind("func"), e[7]);
        Assert.Equal(new WastExpectRefKind("struct"), e[8]);
        Assert.Equal(new WastExpectRefKind("extern"), e[9]);
        Assert.Equal(new WastExpectValue(new WastRefExtern(1)), e[10]);
        Assert.Equal(new WastExpectRefKind("any"), e[11]);
        var either = Assert.IsType<WastExpectEither>(e[12]);
        Assert.Equal(2, either.Alternatives.Count);
    }

    [Fact]
    public void ParsesAssertions()
    {
        var commands = Parse("""
            (assert_trap (invoke "f") "unreachable")
            (assert_trap (module (func $f unreachable) (start $f)) "unreachable")
            (assert_exhaustion (invoke "loop") "call stack exhausted")
            (assert_exception (invoke "throw"))
            (assert_malformed (module quote "(func") "unexpected token")
            (assert_invalid (module (func (result i32))) "type mismatch")
            (assert_unlinkable (module (import "x" "y" (func))) "unknown import")
            (assert_malformed_custom (module quote "(@custom)") "@custom annotation: missing section name")
            """);
        Assert.IsType<WastInvoke>(Assert.IsType<WastAssertTrap>(commands[0]).ActionOrModule);
        Assert.IsType<WastModule>(Assert.IsType<WastAssertTrap>(commands[1]).ActionOrModule);
        Assert.Equal("call stack exhausted", Assert.IsType<WastAssertExhaustion>(commands[2]).Message);
        Assert.IsType<WastAssertException>(commands[3]);
        var malformed = Assert.IsType<WastAssertMalformed>(commands[4]);
        Assert.Equal(("(func", "unexpected token"), (malformed.Module.Quote, malformed.Message));
        Assert.Equal(WastModuleKind.Text, Assert.IsType<WastAssertInvalid>(commands[5]).Module.Kind);
        Assert.IsType<WastAssertUnlinkable>(commands[6]);
        Assert.IsType<WastAssertMalformed>(commands[7]);
    }

    [Fact]
    public void QuotedModulesKeepInvalidUtf8AsLoneSurrogates()
    {
        var module = Assert.IsType<WastModule>(Parse("(module quote \"(func) \\ff\")")[0]);
        Assert.Equal("(func) \uDCFF", module.Quote);
        var e = Assert.Throws<MalformedException>(() => WatParser.ParseModule(module.Quote!));
        Assert.Contains("malformed UTF-8 encoding", e.Reason);
    }

    [Fact]
    public void KeepsAnUnparsableTextModuleForItsCommand()
    {
        var commands = Parse("(module (func (br $nowhere)))\n(assert_return (invoke \"f\"))");
        var module = Assert.IsType<WastModule>(commands[0]);
        Assert.Equal(WastModuleKind.Quote, module.Kind);
        Assert.Contains("unknown label", Assert.Throws<MalformedException>(() => WatParser.ParseModule(module.Quote!)).Reason);
        Assert.IsType<WastAssertReturn>(commands[1]);
    }

    [Fact]
    public void ReportsScriptSyntaxErrors()
    {
        var e = Assert.Throws<MalformedException>(() => WastParser.Parse("(assert_return (invoke \"f\") (i32.const 1)", "x.wast"));
        Assert.Contains("unexpected token", e.Reason);
    }
}
