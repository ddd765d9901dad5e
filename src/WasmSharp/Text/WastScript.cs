using WasmSharp.Model;

namespace WasmSharp.Text;

/// <summary>A parsed .wast script: the commands in order.</summary>
public sealed record WastScript(string FileName, IReadOnlyList<WastCommand> Commands);

/// <summary>One top-level command of a .wast script.</summary>
public abstract record WastCommand(SourceLocation Location);

public enum WastModuleKind
{
    /// <summary><c>(module ...)</c> in the text format, already parsed into <see cref="WastModule.Module"/>.</summary>
    Text,
    /// <summary><c>(module binary "...")</c>: the bytes in <see cref="WastModule.Binary"/>, not yet decoded.</summary>
    Binary,
    /// <summary><c>(module quote "...")</c>: text in <see cref="WastModule.Quote"/>, not yet parsed.</summary>
    Quote,
}

/// <summary>
/// A module in a script: <c>(module $id? ...)</c>, or <c>(module definition $id? ...)</c> when
/// <see cref="IsDefinition"/> (defined but not instantiated). Binary and quoted modules are kept
/// unparsed so that assert_malformed can observe the error.
/// </summary>
public sealed record WastModule(SourceLocation Location, string? Id, WastModuleKind Kind, bool IsDefinition) : WastCommand(Location)
{
    public Module? Module { get; init; }
    public byte[]? Binary { get; init; }
    /// <summary>For <see cref="WastModuleKind.Quote"/>: the concatenated strings, i.e. the module fields (without the enclosing <c>(module</c>).</summary>
    public string? Quote { get; init; }
}

/// <summary><c>(module instance $inst? $def?)</c>: instantiates a module definition.</summary>
public sealed record WastModuleInstance(SourceLocation Location, string? InstanceId, string? DefinitionId) : WastCommand(Location);

/// <summary><c>(register "name" $inst?)</c>.</summary>
public sealed record WastRegister(SourceLocation Location, string Name, string? ModuleId) : WastCommand(Location);

/// <summary>An action: <c>(invoke $m? "name" arg*)</c> or <c>(get $m? "name")</c>.</summary>
public abstract record WastAction(SourceLocation Location, string? ModuleId, string Name) : WastCommand(Location);

public sealed record WastInvoke(SourceLocation Location, string? ModuleId, string Name, IReadOnlyList<WastValue> Args)
    : WastAction(Location, ModuleId, Name);

public sealed record WastGet(SourceLocation Location, string? ModuleId, string Name) : WastAction(Location, ModuleId, Name);

/// <summary><c>(assert_return action result*)</c>.</summary>
public sealed record WastAssertReturn(SourceLocation Location, WastAction Action, IReadOnlyList<WastExpected> Expected) : WastCommand(Location);

/// <summary><c>(assert_trap action "msg")</c> or <c>(assert_trap module "msg")</c> (a trap during instantiation).</summary>
public sealed record WastAssertTrap(SourceLocation Location, WastCommand ActionOrModule, string Message) : WastCommand(Location);

public sealed record WastAssertExhaustion(SourceLocation Location, WastAction Action, string Message) : WastCommand(Location);

/// <summary><c>(assert_exception action)</c>: the action throws a Wasm exception.</summary>
public sealed record WastAssertException(SourceLocation Location, WastAction Action) : WastCommand(Location);

public sealed record WastAssertMalformed(SourceLocation Location, WastModule Module, string Message) : WastCommand(Location);

public sealed record WastAssertInvalid(SourceLocation Location, WastModule Module, string Message) : WastCommand(Location);

public sealed record WastAssertUnlinkable(SourceLocation Location, WastModule Module, string Message) : WastCommand(Location);

public sealed record WastAssertUninstantiable(SourceLocation Location, WastModule Module, string Message) : WastCommand(Location);

/// <summary>A constant argument or exact expected value in a script.</summary>
public abstract record WastValue;

/// <summary>An i32, i64, f32 or f64 constant; floats as their bit patterns.</summary>
public sealed record WastNumber(ValType Type, ulong Bits) : WastValue;

/// <summary>A v128 constant, little-endian halves.</summary>
public sealed record WastVector(ulong Low, ulong High) : WastValue;

/// <summary><c>(ref.null ht)</c>.</summary>
public sealed record WastRefNull(HeapType Heap) : WastValue;

/// <summary><c>(ref.extern n)</c>: a host reference identified by n, passed as an externref.</summary>
public sealed record WastRefExtern(uint Value) : WastValue;

/// <summary><c>(ref.host n)</c>: a host reference identified by n, passed as an anyref.</summary>
public sealed record WastRefHost(uint Value) : WastValue;

/// <summary>An expected result of assert_return.</summary>
public abstract record WastExpected;

/// <summary>Exactly this value (floats compared bit for bit).</summary>
public sealed record WastExpectValue(WastValue Value) : WastExpected;

public enum NanPattern
{
    Canonical,
    Arithmetic,
}

/// <summary><c>(f32.const nan:canonical)</c> and friends; Type is f32 or f64.</summary>
public sealed record WastExpectNan(ValType Type, NanPattern Pattern) : WastExpected;

/// <summary>
/// A v128 result given lane by lane, where float lanes may be NaN patterns. <see cref="Shape"/> is
/// "i8x16", "i16x8", "i32x4", "i64x2", "f32x4" or "f64x2"; each lane is a <see cref="WastExpectValue"/>
/// holding a <see cref="WastNumber"/> of the lane type, or a <see cref="WastExpectNan"/>.
/// </summary>
public sealed record WastExpectLanes(string Shape, IReadOnlyList<WastExpected> Lanes) : WastExpected;

/// <summary>
/// A reference of a kind, without a specific identity: <c>(ref.func)</c>, <c>(ref.struct)</c>,
/// <c>(ref.array)</c>, <c>(ref.i31)</c>, <c>(ref.eq)</c>, <c>(ref.any)</c>, <c>(ref.extern)</c>, <c>(ref.exn)</c>,
/// <c>(ref.null)</c> (any null). <see cref="Kind"/> is the keyword without "ref.".
/// </summary>
public sealed record WastExpectRefKind(string Kind) : WastExpected;

/// <summary><c>(either r1 r2 ...)</c>: any one of the alternatives.</summary>
public sealed record WastExpectEither(IReadOnlyList<WastExpected> Alternatives) : WastExpected;
