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
    public void ExecutionIsSkippedButTheModuleOfAnUnlinkableAssertionIsChecked()
    {
        var report = Run("""
            (module (func (export "f")))
            (invoke "f")
            (assert_trap (invoke "f") "unreachable")
            (assert_unlinkable (module (import "x" "y" (func))) "unknown import")
            (assert_unlinkable (module (func (result i32))) "unknown import")
            """);
        Assert.Equal(1, report.Passed);
        Assert.Equal(3, report.Skipped);
        Assert.Equal(1, report.Failed);
        Assert.All(report.Results.Where(r => r.Kind == WastOutcomeKind.Skipped), r => Assert.Equal(NoExecution.SkipReason, r.Reason));
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
