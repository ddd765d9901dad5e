using WasmSharp.Model;
using WasmSharp.Text;

namespace WasmSharp.Scripting;

/// <summary>
/// The part of a script run that needs an engine. <see cref="WastRunner"/> decodes, parses and validates
/// every module itself and hands the executor only modules that passed; the executor owns instances,
/// registrations and the running of actions. One executor serves one script run.
/// </summary>
public interface IWastExecutor
{
    /// <summary>
    /// Instantiates a valid module and makes it the current module, also under <paramref name="instanceId"/> when
    /// given (<c>(module $id ...)</c> and <c>(module instance $id $def)</c>).
    /// </summary>
    WastOutcome Instantiate(Module module, string? instanceId, SourceLocation location);

    /// <summary><c>(register "name" $id?)</c>: makes an instance's exports importable under <paramref name="name"/>.</summary>
    WastOutcome Register(string name, string? instanceId, SourceLocation location);

    /// <summary>
    /// Runs a command that needs execution: <see cref="WastInvoke"/>, <see cref="WastGet"/>, assert_return,
    /// assert_trap, assert_exhaustion, assert_exception, assert_unlinkable and assert_uninstantiable.
    /// For the commands about a module (assert_unlinkable, assert_uninstantiable, assert_trap on a module)
    /// <paramref name="module"/> is that module, already decoded and validated; otherwise it is null.
    /// </summary>
    WastOutcome Execute(WastCommand command, Module? module);
}

/// <summary>
/// An executor that runs nothing: instantiation and registration succeed without doing anything (the
/// module was already checked by the runner), and everything that would run code is skipped. For
/// checking the front end alone; <see cref="EngineExecutor"/> is the one that executes.
/// </summary>
public sealed class NoExecution : IWastExecutor
{
    public const string SkipReason = "needs execution";

    public static NoExecution Instance { get; } = new();

    public WastOutcome Instantiate(Module module, string? instanceId, SourceLocation location) => WastOutcome.Passed;

    public WastOutcome Register(string name, string? instanceId, SourceLocation location) => WastOutcome.Passed;

    public WastOutcome Execute(WastCommand command, Module? module) => WastOutcome.Skip(SkipReason);
}
