using System.Globalization;
using System.Runtime.Intrinsics;
using WasmSharp.Model;
using WasmSharp.Runtime;
using WasmSharp.Text;
using RuntimeModule = WasmSharp.Runtime.Module;

namespace WasmSharp.Scripting;

/// <summary>A host reference made by <c>(ref.extern n)</c> or <c>(ref.host n)</c>: equal when the numbers are.</summary>
public sealed record WastHostReference(uint Value)
{
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Runs the execution commands of a script on the WasmSharp engine: one <see cref="Store"/> per script,
/// the <c>spectest</c> host module of the reference interpreter, <c>register</c>, actions and every
/// assertion. What the engine cannot run yet (GC, typed function references) is
/// skipped with a reason that starts with "needs " and names the feature; everything else passes or fails.
/// Dispose it to free the script's memories at once rather than at finalization.
/// </summary>
public sealed class EngineExecutor : IWastExecutor, IDisposable
{
    private readonly Engine _engine;
    private readonly Store _store;
    private readonly Linker _linker;
    private readonly Dictionary<string, Instance> _instances = new(StringComparer.Ordinal);

    // Why a module could not be instantiated, by instance id and for the current module, so that the
    // commands using it are skipped for the same reason instead of failing as "unknown instance".
    private readonly Dictionary<string, string> _skippedInstances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _skippedRegistrations = new(StringComparer.Ordinal);
    private Instance? _current;
    private string? _currentSkip;

    /// <param name="engine">The engine to compile with; a default one when null. Fuel, when its configuration meters it, is unlimited.</param>
    /// <param name="output">Where the <c>spectest.print*</c> functions write; nowhere when null.</param>
    public EngineExecutor(Engine? engine = null, TextWriter? output = null)
    {
        _engine = engine ?? new Engine();
        _store = new Store(_engine);
        if (_engine.Config.ConsumeFuel) _store.Fuel = ulong.MaxValue;
        _linker = new Linker(_engine) { AllowShadowing = true };
        _linker.DefineSpectest(_store, output);
    }

    public WastOutcome Instantiate(Model.Module module, string? instanceId, SourceLocation location)
    {
        _current = null;
        _currentSkip = null;
        if (instanceId is not null)
        {
            _instances.Remove(instanceId);
            _skippedInstances.Remove(instanceId);
        }
        try
        {
            var instance = InstantiateModel(module);
            _current = instance;
            if (instanceId is not null) _instances[instanceId] = instance;
            return WastOutcome.Passed;
        }
        catch (Exception e) when (UnsupportedReason(e, module) is { } reason)
        {
            _currentSkip = reason;
            if (instanceId is not null) _skippedInstances[instanceId] = reason;
            return WastOutcome.Skip(reason);
        }
        catch (WasmException e)
        {
            return WastOutcome.Fail($"instantiation failed: {Describe(e)}");
        }
    }

    public WastOutcome Register(string name, string? instanceId, SourceLocation location)
    {
        var instance = instanceId is null ? _current : _instances.GetValueOrDefault(instanceId);
        if (instance is null)
        {
            if (SkipReasonOf(instanceId) is not { } reason) return WastOutcome.Fail($"unknown instance {instanceId}");
            _skippedRegistrations[name] = reason;
            return WastOutcome.Skip(reason);
        }
        _skippedRegistrations.Remove(name);
        _linker.DefineInstance(name, instance);
        return WastOutcome.Passed;
    }

    public WastOutcome Execute(WastCommand command, Model.Module? module)
    {
        try
        {
            return command switch
            {
                WastInvoke invoke => Run(invoke, out _) ?? WastOutcome.Passed,
                WastGet get => Run(get, out _) ?? WastOutcome.Passed,
                WastAssertReturn a => AssertReturn(a),
                WastAssertTrap { ActionOrModule: WastAction action } a => ExpectTrap(() => Run(action, out _), a.Message, module),
                WastAssertTrap a => ExpectTrap(() => InstantiateForAssertion(Require(module)), a.Message, module),
                WastAssertExhaustion a => ExpectTrap(() => Run(a.Action, out _), a.Message, module),
                WastAssertUninstantiable a => ExpectTrap(() => InstantiateForAssertion(Require(module)), a.Message, module),
                WastAssertUnlinkable a => ExpectUnlinkable(Require(module), a.Message),
                WastAssertException a => ExpectException(a.Action),
                _ => WastOutcome.Fail($"{WastRunner.CommandName(command)} is not an execution command"),
            };
        }
        catch (Exception e) when (UnsupportedReason(e, module) is { } reason)
        {
            return WastOutcome.Skip(reason);
        }
        catch (ThrownException e)
        {
            return WastOutcome.Fail(OneLine(e.Message));
        }
    }

    /// <summary>assert_exception: the action must end in a Wasm exception that no handler caught (not a trap).</summary>
    private WastOutcome ExpectException(WastAction action)
    {
        try
        {
            return Run(action, out _) ?? WastOutcome.Fail("expected an exception, but it returned");
        }
        catch (ThrownException)
        {
            return WastOutcome.Passed;
        }
        catch (TrapException e) when (UnsupportedReason(e, null) is null)
        {
            return WastOutcome.Fail($"expected an exception, got trap \"{OneLine(e.Reason)}\"");
        }
    }

    public void Dispose() => _store.Dispose();

    private static Model.Module Require(Model.Module? module) =>
        module ?? throw new ArgumentNullException(nameof(module), "the runner passes the module of a module assertion");

    private Instance InstantiateModel(Model.Module module) =>
        _linker.Instantiate(_store, RuntimeModule.FromModel(_engine, module));

    /// <summary>A module that is expected not to instantiate; null (no failure) when it does trap.</summary>
    private WastOutcome? InstantiateForAssertion(Model.Module module)
    {
        InstantiateModel(module);
        return null;
    }

    private WastOutcome ExpectUnlinkable(Model.Module module, string message)
    {
        try
        {
            InstantiateModel(module);
            return WastOutcome.Fail($"expected unlinkable \"{message}\", but it linked");
        }
        catch (LinkException e)
        {
            return Matches(e.Reason, message) ? WastOutcome.Passed : WastOutcome.Fail($"expected unlinkable \"{message}\", got \"{OneLine(e.Reason)}\"");
        }
        catch (TrapException e) when (UnsupportedReason(e, module) is null)
        {
            return WastOutcome.Fail($"expected unlinkable \"{message}\", got trap \"{OneLine(e.Reason)}\"");
        }
    }

    private WastOutcome ExpectTrap(Func<WastOutcome?> action, string message, Model.Module? module)
    {
        try
        {
            return action() ?? WastOutcome.Fail($"expected trap \"{message}\", but it returned");
        }
        catch (TrapException e) when (UnsupportedReason(e, module) is null)
        {
            return Matches(e.Reason, message) ? WastOutcome.Passed : WastOutcome.Fail($"expected trap \"{message}\", got \"{OneLine(e.Reason)}\"");
        }
        catch (LinkException e) when (UnsupportedReason(e, module) is null)
        {
            return WastOutcome.Fail($"expected trap \"{message}\", got link error \"{OneLine(e.Reason)}\"");
        }
    }

    /// <summary>Runs an action; a failure or skip when it cannot be run, null when it ran (a trap propagates).</summary>
    private WastOutcome? Run(WastAction action, out Value[] results)
    {
        results = [];
        var instance = action.ModuleId is null ? _current : _instances.GetValueOrDefault(action.ModuleId);
        if (instance is null)
        {
            var reason = SkipReasonOf(action.ModuleId);
            return reason is null ? WastOutcome.Fail(action.ModuleId is null ? "no module instance" : $"unknown instance {action.ModuleId}") : WastOutcome.Skip(reason);
        }
        switch (action)
        {
            case WastInvoke invoke:
            {
                var f = instance.GetFunction(invoke.Name);
                if (f is null) return WastOutcome.Fail($"no function export \"{invoke.Name}\"");
                var type = f.Type;
                if (invoke.Args.Count != type.Params.Length)
                    return WastOutcome.Fail($"\"{invoke.Name}\" takes {type.Params.Length} arguments, the script gives {invoke.Args.Count}");
                var args = new Value[invoke.Args.Count];
                for (var i = 0; i < args.Length; i++) args[i] = ToValue(invoke.Args[i], type.Params[i]);
                results = f.Invoke(args);
                return null;
            }
            case WastGet get:
            {
                var g = instance.GetGlobal(get.Name);
                if (g is null) return WastOutcome.Fail($"no global export \"{get.Name}\"");
                results = [g.Value];
                return null;
            }
            default:
                return WastOutcome.Fail($"unknown action {action.GetType().Name}");
        }
    }

    private string? SkipReasonOf(string? instanceId) => instanceId is null ? _currentSkip : _skippedInstances.GetValueOrDefault(instanceId);

    private WastOutcome AssertReturn(WastAssertReturn a)
    {
        WastOutcome? failure;
        Value[] results;
        try
        {
            failure = Run(a.Action, out results);
        }
        catch (TrapException e) when (UnsupportedReason(e, null) is null)
        {
            return WastOutcome.Fail($"trapped: {OneLine(e.Reason)}");
        }
        if (failure is not null) return failure;
        if (results.Length != a.Expected.Count) return WastOutcome.Fail($"expected {a.Expected.Count} results, got {results.Length}");
        for (var i = 0; i < results.Length; i++)
        {
            if (!ResultMatches(results[i], a.Expected[i]))
                return WastOutcome.Fail($"result {i}: expected {Describe(a.Expected[i])}, got {results[i]}");
        }
        return WastOutcome.Passed;
    }

    /// <summary>
    /// Why a failure is really a feature the engine does not have yet: the compiler and the constant
    /// evaluator say so with a <see cref="NotSupportedException"/> (possibly wrapped by a host function
    /// that re-entered Wasm); an unknown import of a registration that was itself skipped inherits its reason.
    /// </summary>
    private string? UnsupportedReason(Exception e, Model.Module? module)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is NotSupportedException) return inner.Message.StartsWith("needs ", StringComparison.Ordinal) ? inner.Message : $"needs an unimplemented feature: {inner.Message}";
        }
        if (e is LinkException && module is not null)
        {
            foreach (var import in module.Imports)
            {
                if (_skippedRegistrations.TryGetValue(import.ModuleName, out var reason) && _linker.Get(_store, import.ModuleName, import.Name) is null)
                    return reason;
            }
        }
        return null;
    }

    private static Value ToValue(WastValue v, ValType expected) => v switch
    {
        WastNumber { Type.Code: ValType.I32Code } n => Value.I32((int)n.Bits),
        WastNumber { Type.Code: ValType.I64Code } n => Value.I64((long)n.Bits),
        WastNumber { Type.Code: ValType.F32Code } n => Value.F32Bits((uint)n.Bits),
        WastNumber { Type.Code: ValType.F64Code } n => Value.F64Bits(n.Bits),
        WastVector vec => Value.V128(vec.Low, vec.High),
        WastRefNull => Value.Ref(expected.WithNullable(true), null),
        WastRefExtern e => Value.ExternRef(new WastHostReference(e.Value)),
        // (ref.host n) is an anyref made by the host: only GC code can do anything with one.
        WastRefHost h => expected.IsRef && expected.Heap.Code == HeapType.Extern.Code
            ? Value.ExternRef(new WastHostReference(h.Value))
            : throw new NotSupportedException("needs GC: a (ref.host) argument"),
        _ => throw new ArgumentException($"unknown argument {v}", nameof(v)),
    };

    private static bool ResultMatches(Value actual, WastExpected expected)
    {
        switch (expected)
        {
            case WastExpectEither either:
                return either.Alternatives.Any(alt => ResultMatches(actual, alt));
            case WastExpectNan nan:
                return actual.Type.Code == nan.Type.Code && IsNan(actual.Bits, nan.Type, nan.Pattern);
            case WastExpectLanes lanes:
                return MatchLanes(actual, lanes);
            case WastExpectRefKind kind:
            {
                if (!actual.Type.IsRef) return false;
                var r = actual.AsRef();
                return kind.Kind switch
                {
                    "null" => r is null,
                    "func" => r is Function,
                    "extern" => r is not null && r is not Function,
                    "exn" => r is ThrownException,
                    _ => throw new NotSupportedException($"needs GC: a (ref.{kind.Kind}) result"),
                };
            }
            case WastExpectValue { Value: var v }:
                return v switch
                {
                    WastNumber n => actual.Type.Code == n.Type.Code && (n.Type.Code is ValType.I32Code or ValType.F32Code
                        ? (uint)actual.Bits == (uint)n.Bits
                        : actual.Bits == n.Bits),
                    WastVector vec => actual.Type.Code == ValType.V128Code
                        && actual.AsV128().AsUInt64().GetElement(0) == vec.Low && actual.AsV128().AsUInt64().GetElement(1) == vec.High,
                    WastRefNull => actual.Type.IsRef && actual.AsRef() is null,
                    WastRefExtern e => actual.Type.IsRef && Equals(actual.AsRef(), new WastHostReference(e.Value)),
                    WastRefHost h => actual.Type.IsRef && Equals(actual.AsRef(), new WastHostReference(h.Value)),
                    _ => throw new ArgumentException($"unknown expected value {v}", nameof(expected)),
                };
            default:
                throw new ArgumentException($"unknown expected result {expected}", nameof(expected));
        }
    }

    private static bool IsNan(ulong bits, ValType type, NanPattern pattern)
    {
        if (type.Code == ValType.F32Code)
        {
            var b = (uint)bits & 0x7FFF_FFFF;
            return pattern == NanPattern.Canonical ? b == 0x7FC0_0000 : (b & 0x7FC0_0000) == 0x7FC0_0000;
        }
        var d = bits & 0x7FFF_FFFF_FFFF_FFFF;
        return pattern == NanPattern.Canonical ? d == 0x7FF8_0000_0000_0000 : (d & 0x7FF8_0000_0000_0000) == 0x7FF8_0000_0000_0000;
    }

    private static bool MatchLanes(Value actual, WastExpectLanes lanes)
    {
        if (actual.Type.Code != ValType.V128Code) return false;
        var v = actual.AsV128();
        for (var i = 0; i < lanes.Lanes.Count; i++)
        {
            ulong bits = lanes.Shape switch
            {
                "i8x16" => v.GetElement(i),
                "i16x8" => v.AsUInt16().GetElement(i),
                "i32x4" or "f32x4" => v.AsUInt32().GetElement(i),
                _ => v.AsUInt64().GetElement(i),
            };
            var ok = lanes.Lanes[i] switch
            {
                WastExpectNan nan => IsNan(bits, nan.Type, nan.Pattern),
                WastExpectValue { Value: WastNumber n } => lanes.Shape switch
                {
                    "i8x16" => (byte)bits == (byte)n.Bits,
                    "i16x8" => (ushort)bits == (ushort)n.Bits,
                    "i32x4" or "f32x4" => (uint)bits == (uint)n.Bits,
                    _ => bits == n.Bits,
                },
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }

    private static bool Matches(string reason, string expected) => reason.Contains(expected, StringComparison.Ordinal);

    private static string Describe(WastExpected e) => e switch
    {
        WastExpectValue { Value: WastNumber n } => $"{n.Type}:0x{n.Bits.ToString("x", CultureInfo.InvariantCulture)}",
        WastExpectValue { Value: var v } => v.ToString(),
        _ => e.ToString(),
    };

    private static string Describe(WasmException e) => e switch
    {
        LinkException => $"unlinkable: {OneLine(e.Reason)}",
        TrapException => $"trap: {OneLine(e.Reason)}",
        _ => $"{e.GetType().Name}: {OneLine(e.Reason)}",
    };

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
