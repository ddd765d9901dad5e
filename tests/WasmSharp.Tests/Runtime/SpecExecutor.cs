using System.Globalization;
using System.Runtime.Intrinsics;
using WasmSharp.Model;
using WasmSharp.Runtime;
using WasmSharp.Scripting;
using WasmSharp.Text;
using RuntimeModule = WasmSharp.Runtime.Module;

namespace WasmSharp.Tests.Runtime;

/// <summary>A host reference made by <c>(ref.extern n)</c>; equal when the numbers are.</summary>
public sealed record ExternRefValue(uint Value);

/// <summary>Runs the execution commands of a .wast script on the WasmSharp runtime.</summary>
public sealed class SpecExecutor : IWastExecutor
{
    private readonly Engine _engine;
    private readonly Store _store;
    private readonly Linker _linker;
    private readonly Dictionary<string, Instance> _instances = new(StringComparer.Ordinal);
    private Instance? _current;
    private string? _currentSkip;
    private readonly Dictionary<string, string> _skipped = new(StringComparer.Ordinal);

    public SpecExecutor(Engine? engine = null)
    {
        _engine = engine ?? new Engine();
        _store = new Store(_engine);
        if (_engine.Config.ConsumeFuel) _store.Fuel = ulong.MaxValue;
        _linker = new Linker(_engine) { AllowShadowing = true };
        _linker.DefineSpectest(_store);
    }

    public WastOutcome Instantiate(Model.Module module, string? instanceId, SourceLocation location)
    {
        try
        {
            var instance = _linker.Instantiate(_store, RuntimeModule.FromModel(_engine, module));
            _current = instance;
            _currentSkip = null;
            if (instanceId is not null) _instances[instanceId] = instance;
            return WastOutcome.Passed;
        }
        catch (NotSupportedException e)
        {
            // Later commands on this module are skipped for the same reason, not failed.
            _current = null;
            _currentSkip = e.Message;
            if (instanceId is not null) _skipped[instanceId] = e.Message;
            return WastOutcome.Skip(e.Message);
        }
        catch (WasmException e)
        {
            return WastOutcome.Fail($"instantiation failed: {e.GetType().Name}: {e.Message}");
        }
    }

    public WastOutcome Register(string name, string? instanceId, SourceLocation location)
    {
        var instance = instanceId is null ? _current : _instances.GetValueOrDefault(instanceId);
        if (instance is null) return SkippedOr(instanceId, $"unknown instance {instanceId}");
        _linker.DefineInstance(name, instance);
        return WastOutcome.Passed;
    }

    public WastOutcome Execute(WastCommand command, Model.Module? module)
    {
        try
        {
            return command switch
            {
                WastInvoke invoke => Run(invoke, out _) is { } f ? f : WastOutcome.Passed,
                WastGet get => Run(get, out _) is { } f ? f : WastOutcome.Passed,
                WastAssertReturn a => AssertReturn(a),
                WastAssertTrap { ActionOrModule: WastAction action } a => ExpectTrap(() => Run(action, out _), a.Message),
                WastAssertTrap a => ExpectTrap(() => InstantiateOrFail(module!), a.Message),
                WastAssertExhaustion a => ExpectTrap(() => Run(a.Action, out _), a.Message),
                WastAssertUnlinkable a => ExpectUnlinkable(module!, a.Message),
                WastAssertUninstantiable a => ExpectTrap(() => InstantiateOrFail(module!), a.Message),
                WastAssertException => WastOutcome.Skip("needs exception handling"),
                _ => WastOutcome.Skip($"{command.GetType().Name} not supported"),
            };
        }
        catch (NotSupportedException e)
        {
            return WastOutcome.Skip(e.Message);
        }
    }

    private WastOutcome? InstantiateOrFail(Model.Module module)
    {
        _linker.Instantiate(_store, RuntimeModule.FromModel(_engine, module));
        return null;
    }

    private WastOutcome ExpectUnlinkable(Model.Module module, string message)
    {
        try
        {
            _linker.Instantiate(_store, RuntimeModule.FromModel(_engine, module));
            return WastOutcome.Fail($"expected unlinkable \"{message}\", but it linked");
        }
        catch (LinkException e)
        {
            return e.Reason.Contains(message, StringComparison.Ordinal) ? WastOutcome.Passed : WastOutcome.Fail($"expected \"{message}\", got \"{e.Reason}\"");
        }
        catch (TrapException e)
        {
            return WastOutcome.Fail($"expected unlinkable \"{message}\", got trap \"{e.Reason}\"");
        }
    }

    private static WastOutcome ExpectTrap(Func<WastOutcome?> action, string message)
    {
        try
        {
            var failure = action();
            return failure ?? WastOutcome.Fail($"expected trap \"{message}\", but it returned");
        }
        catch (TrapException e)
        {
            return e.Reason.Contains(message, StringComparison.Ordinal) ? WastOutcome.Passed : WastOutcome.Fail($"expected trap \"{message}\", got \"{e.Reason}\"");
        }
        catch (LinkException e)
        {
            return WastOutcome.Fail($"expected trap \"{message}\", got link error \"{e.Reason}\"");
        }
    }

    private WastOutcome? Run(WastAction action, out Value[] results)
    {
        results = [];
        var instance = action.ModuleId is null ? _current : _instances.GetValueOrDefault(action.ModuleId);
        if (instance is null) return SkippedOr(action.ModuleId, $"unknown instance {action.ModuleId}");
        switch (action)
        {
            case WastInvoke invoke:
            {
                var f = instance.GetFunction(invoke.Name);
                if (f is null) return WastOutcome.Fail($"no function export \"{invoke.Name}\"");
                var args = new Value[invoke.Args.Count];
                for (var i = 0; i < args.Length; i++) args[i] = ToValue(invoke.Args[i], f.Type.Params[i]);
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
                return WastOutcome.Fail("unknown action");
        }
    }

    private WastOutcome SkippedOr(string? id, string failure)
    {
        var skip = id is null ? _currentSkip : _skipped.GetValueOrDefault(id);
        return skip is null ? WastOutcome.Fail(failure) : WastOutcome.Skip(skip);
    }

    private WastOutcome AssertReturn(WastAssertReturn a)
    {
        WastOutcome? failure;
        Value[] results;
        try
        {
            failure = Run(a.Action, out results);
        }
        catch (TrapException e)
        {
            return WastOutcome.Fail($"trapped: {e.Reason}");
        }
        if (failure is not null) return failure;
        if (results.Length != a.Expected.Count) return WastOutcome.Fail($"expected {a.Expected.Count} results, got {results.Length}");
        for (var i = 0; i < results.Length; i++)
        {
            if (!Matches(results[i], a.Expected[i])) return WastOutcome.Fail($"result {i}: expected {Describe(a.Expected[i])}, got {results[i]}");
        }
        return WastOutcome.Passed;
    }

    private static Value ToValue(WastValue v, ValType expected) => v switch
    {
        WastNumber { Type.Code: ValType.I32Code } n => Value.I32((int)n.Bits),
        WastNumber { Type.Code: ValType.I64Code } n => Value.I64((long)n.Bits),
        WastNumber { Type.Code: ValType.F32Code } n => Value.F32Bits((uint)n.Bits),
        WastNumber { Type.Code: ValType.F64Code } n => Value.F64Bits(n.Bits),
        WastVector vec => Value.V128(vec.Low, vec.High),
        WastRefNull => Value.Ref(expected.WithNullable(true), null),
        WastRefExtern e => Value.ExternRef(new ExternRefValue(e.Value)),
        WastRefHost h => Value.Ref(expected, new ExternRefValue(h.Value)),
        _ => throw new NotSupportedException($"argument {v}"),
    };

    private static bool Matches(Value actual, WastExpected expected)
    {
        switch (expected)
        {
            case WastExpectEither either:
                return either.Alternatives.Any(alt => Matches(actual, alt));
            case WastExpectNan nan:
                return IsNan(actual.Bits, nan.Type, nan.Pattern);
            case WastExpectRefKind kind:
            {
                if (!actual.Type.IsRef) return false;
                var r = actual.AsRef();
                return kind.Kind switch
                {
                    "null" => r is null,
                    "func" => r is Function,
                    "extern" => r is not null && r is not Function,
                    _ => throw new NotSupportedException($"needs GC (ref.{kind.Kind})"),
                };
            }
            case WastExpectLanes lanes:
                return MatchLanes(actual, lanes);
            case WastExpectValue { Value: var v }:
                switch (v)
                {
                    case WastNumber n:
                        return actual.Type.Code == n.Type.Code && (n.Type.Code switch
                        {
                            ValType.I32Code or ValType.F32Code => (uint)actual.Bits == (uint)n.Bits,
                            _ => actual.Bits == n.Bits,
                        });
                    case WastVector vec:
                        return actual.Type.Code == ValType.V128Code && actual.AsV128().AsUInt64().GetElement(0) == vec.Low && actual.AsV128().AsUInt64().GetElement(1) == vec.High;
                    case WastRefNull:
                        return actual.Type.IsRef && actual.AsRef() is null;
                    case WastRefExtern e:
                        return actual.Type.IsRef && Equals(actual.AsRef(), new ExternRefValue(e.Value));
                    case WastRefHost h:
                        return actual.Type.IsRef && Equals(actual.AsRef(), new ExternRefValue(h.Value));
                    default:
                        throw new NotSupportedException($"expected {v}");
                }
            default:
                throw new NotSupportedException($"expected {expected}");
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

    private static string Describe(WastExpected e) => e switch
    {
        WastExpectValue { Value: WastNumber n } => $"{n.Type}:0x{n.Bits.ToString("x", CultureInfo.InvariantCulture)}",
        WastExpectValue { Value: var v } => v.ToString(),
        _ => e.ToString(),
    };
}
