using WasmSharp.Model;
using WasmSharp.Scripting;
using WasmSharp.Text;

namespace WasmSharp.Tests.Cli;

public sealed class WastRunnerTests
{
    private static WastReport Run(string script, IWastExecutor? executor = null) => WastRunner.RunText(script, "test.wast", executor);

    [Fact]
    public void AssertMalformed_WrongReason_Fails()
    {
        var report = Run("""(assert_malformed (module binary "\00asm\01\00\00") "magic header not detected")""");
        var result = Assert.Single(report.Results);
        Assert.Equal(WastOutcomeKind.Failed, result.Kind);
        Assert.Contains("magic header not detected", result.Reason);
    }

    [Fact]
    public void AssertMalformed_OnAWellFormedModule_Fails()
    {
        var report = Run("""(assert_malformed (module quote "(func)") "unexpected token")""");
        Assert.Equal(1, report.Failed);
    }

    [Fact]
    public void AssertInvalid_WhenTheModuleIsMalformed_Fails()
    {
        var report = Run("""(assert_invalid (module binary "\00asm") "type mismatch")""");
        var result = Assert.Single(report.Results);
        Assert.Equal(WastOutcomeKind.Failed, result.Kind);
        Assert.Contains("malformed", result.Reason);
    }

    [Fact]
    public void AQuotedModuleMayBeACompleteModule()
    {
        var report = Run("""
            (module quote "(module (func (export \"f\")))")
            (module quote "(func (export \"g\"))")
            (module quote ";; a comment first\n(module $m)")
            """);
        Assert.Equal(3, report.Passed);
    }

    [Fact]
    public void AnInvalidModuleCommand_FailsAndLaterCommandsStillRun()
    {
        var report = Run("""
            (module $bad (func (result i32)))
            (register "bad" $bad)
            (module $good)
            (register "good" $good)
            (register "nobody" $nobody)
            """);
        Assert.Equal([WastOutcomeKind.Failed, WastOutcomeKind.Failed, WastOutcomeKind.Passed, WastOutcomeKind.Passed, WastOutcomeKind.Failed],
            report.Results.Select(r => r.Kind));
        Assert.Contains("type mismatch", report.Results[0].Reason);
    }

    [Fact]
    public void ModuleDefinitionsAndInstances()
    {
        var report = Run("""
            (module definition $M (memory 1))
            (module instance $I1 $M)
            (module instance $I2 $M)
            (register "I1" $I1)
            (module instance $I3 $Missing)
            """);
        Assert.Equal(4, report.Passed);
        Assert.Contains("$Missing", Assert.Single(report.Failures).Reason);
    }

    [Fact]
    public void WithoutExecutionTheModuleOfAnUnlinkableAssertionIsStillChecked()
    {
        var report = Run("""
            (module (func (export "f")))
            (invoke "f")
            (assert_trap (invoke "f") "unreachable")
            (assert_unlinkable (module (import "x" "y" (func))) "unknown import")
            (assert_unlinkable (module (func (result i32))) "unknown import")
            """, NoExecution.Instance);
        Assert.Equal(1, report.Passed);
        Assert.Equal(3, report.Skipped);
        Assert.Equal(1, report.Failed);
        Assert.All(report.Results.Where(r => r.Kind == WastOutcomeKind.Skipped), r => Assert.Equal(NoExecution.SkipReason, r.Reason));
    }

    [Fact]
    public void TheDefaultExecutorRunsEverything()
    {
        var report = Run("""
            (module $m
              (import "spectest" "global_i32" (global i32))
              (global (export "g") i32 (global.get 0))
              (func (export "f") (param f32) (result f32) (f32.div (local.get 0) (f32.const 0)))
              (func (export "loop") (call 1))
              (func (export "v") (result v128) (v128.const i32x4 1 2 3 4)))
            (register "m" $m)
            (module (import "m" "g" (global i32)) (func (export "nothing")))
            (invoke "nothing")
            (assert_return (get $m "g") (i32.const 666))
            (assert_return (invoke $m "f" (f32.const 0)) (f32.const nan:canonical))
            (assert_return (invoke $m "f" (f32.const 1)) (either (f32.const 0) (f32.const inf)))
            (assert_return (invoke $m "v") (v128.const i32x4 1 2 3 4))
            (assert_exhaustion (invoke $m "loop") "call stack exhausted")
            (assert_unlinkable (module (import "m" "missing" (func))) "unknown import")
            (assert_unlinkable (module (import "m" "g" (global i64))) "incompatible import type")
            (assert_uninstantiable (module (func $s unreachable) (start $s)) "unreachable")
            (assert_trap (module (memory 1) (data (i32.const 65536) "x")) "out of bounds memory access")
            """);
        Assert.Empty(report.Failures);
        Assert.Equal(0, report.Skipped);
        Assert.Equal(13, report.Passed);
    }

    [Fact]
    public void WrongResultsAndWrongTrapsFail()
    {
        var report = Run("""
            (module (func (export "f") (result i32) (i32.const 1)) (func (export "t") unreachable))
            (assert_return (invoke "f") (i32.const 2))
            (assert_trap (invoke "f") "unreachable")
            (assert_trap (invoke "t") "integer overflow")
            (assert_return (invoke "missing"))
            """);
        Assert.Equal(4, report.Failed);
        Assert.Equal("result 0: expected i32:0x2, got i32:1", report.Results[1].Reason);
        Assert.Equal("expected trap \"unreachable\", but it returned", report.Results[2].Reason);
        Assert.Equal("expected trap \"integer overflow\", got \"unreachable\"", report.Results[3].Reason);
    }

    [Fact]
    public void WhatNeedsAMissingFeatureIsSkippedNamingIt()
    {
        var report = Run("""
            (module $gc (type $s (struct)) (global (export "g") (ref $s) (struct.new $s)))
            (register "gc" $gc)
            (assert_return (get $gc "g") (ref.struct))
            (module (import "gc" "g" (global (ref struct))))
            (module (func (export "f") (param anyref)))
            (invoke "f" (ref.host 1))
            (module (type $s (struct)) (func (export "gc") (drop (struct.new $s))))
            (invoke "gc")
            """);
        Assert.Equal(0, report.Failed);
        Assert.Equal(2, report.Passed);
        Assert.Equal(
            ["needs GC", "needs GC", "needs GC", "needs GC", "needs GC", "needs GC"],
            report.Results.Where(r => r.Kind == WastOutcomeKind.Skipped).Select(r => r.Reason![..r.Reason!.IndexOf(':')]));
    }

    [Fact]
    public void AssertExceptionPassesOnlyForAnUncaughtWasmException()
    {
        var report = Run("""
            (module
              (tag $e (param i32))
              (func (export "throw") (throw $e (i32.const 1)))
              (func (export "return"))
              (func (export "trap") unreachable))
            (assert_exception (invoke "throw"))
            (assert_exception (invoke "return"))
            (assert_exception (invoke "trap"))
            (assert_return (invoke "throw"))
            """);
        Assert.Equal(WastOutcomeKind.Passed, report.Results[1].Kind);
        Assert.Equal("expected an exception, but it returned", report.Results[2].Reason);
        Assert.Equal("expected an exception, got trap \"unreachable\"", report.Results[3].Reason);
        Assert.Equal("uncaught exception: tag [i32], values [i32:1]", report.Results[4].Reason);
        Assert.Equal(3, report.Failed);
    }

    [Fact]
    public void AnActionOnAModuleThatFailedToLoadFails()
    {
        var report = Run("""
            (module $a (func (export "f") (result i32) (i32.const 1)))
            (module $b (func (export "f") (result i32)))
            (assert_return (invoke "f") (i32.const 1))
            (assert_return (invoke $b "f") (i32.const 1))
            (assert_return (invoke $a "f") (i32.const 1))
            """);
        Assert.Equal(
            [WastOutcomeKind.Passed, WastOutcomeKind.Failed, WastOutcomeKind.Failed, WastOutcomeKind.Failed, WastOutcomeKind.Passed],
            report.Results.Select(r => r.Kind));
        Assert.Equal("the module to run failed to load", report.Results[2].Reason);
        Assert.Equal("module $b failed to load", report.Results[3].Reason);
    }

    [Fact]
    public void TheExecutorSeesEveryModuleAndAction()
    {
        var executor = new RecordingExecutor();
        Run("""
            (module $a (func (export "f")))
            (register "a" $a)
            (assert_return (invoke $a "f"))
            (assert_uninstantiable (module (func $s unreachable) (start $s)) "unreachable")
            """, executor);
        Assert.Equal(["instantiate $a", "register a $a", "execute WastAssertReturn with no module", "execute WastAssertUninstantiable with a module"], executor.Calls);
    }

    [Fact]
    public void AnUnparsableScriptIsOneFailure()
    {
        var report = Run("(module");
        var result = Assert.Single(report.Results);
        Assert.Equal("script", result.CommandName);
        Assert.Equal(WastOutcomeKind.Failed, result.Kind);
    }

    private sealed class RecordingExecutor : IWastExecutor
    {
        public List<string> Calls { get; } = [];

        public WastOutcome Instantiate(Module module, string? instanceId, SourceLocation location)
        {
            Calls.Add($"instantiate {instanceId}");
            return WastOutcome.Passed;
        }

        public WastOutcome Register(string name, string? instanceId, SourceLocation location)
        {
            Calls.Add($"register {name} {instanceId}");
            return WastOutcome.Passed;
        }

        public WastOutcome Execute(WastCommand command, Module? module)
        {
            Calls.Add($"execute {command.GetType().Name} with {(module is null ? "no module" : "a module")}");
            return WastOutcome.Passed;
        }
    }
}
