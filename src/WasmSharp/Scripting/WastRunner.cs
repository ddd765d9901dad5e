using WasmSharp.Binary;
using WasmSharp.Model;
using WasmSharp.Text;
using WasmSharp.Validation;

namespace WasmSharp.Scripting;

/// <summary>
/// Runs a .wast script: checks every module (decode or parse, then validate), every assert_malformed and
/// assert_invalid, and hands everything that needs an engine to an <see cref="IWastExecutor"/>
/// (by default an <see cref="EngineExecutor"/>).
/// Each top-level command yields exactly one <see cref="WastResult"/>.
/// </summary>
public sealed partial class WastRunner
{
    private readonly IWastExecutor _executor;
    private readonly DecodeOptions _decodeOptions;
    private readonly List<WastResult> _results = [];

    // Module definitions by id; null marks a definition that failed to load, so that later commands
    // naming it fail with a pointer to the cause instead of "unknown module".
    private readonly Dictionary<string, Module?> _definitions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _instances = new(StringComparer.Ordinal);
    private Module? _lastDefinition;
    private bool _lastDefinitionFailed;
    private bool? _currentInstanceLoaded;

    private WastRunner(IWastExecutor executor, DecodeOptions decodeOptions)
    {
        _executor = executor;
        _decodeOptions = decodeOptions;
    }

    /// <summary>
    /// Runs a parsed script. A fresh executor should be given per script; null means a new
    /// <see cref="EngineExecutor"/> on a default engine, disposed at the end (<see cref="NoExecution"/> only checks modules).
    /// <paramref name="decodeOptions"/> selects binary extensions beyond Wasm 3.0 (e.g. custom page sizes).
    /// </summary>
    public static WastReport Run(WastScript script, IWastExecutor? executor = null, DecodeOptions? decodeOptions = null)
    {
        if (executor is null)
        {
            using var owned = new EngineExecutor();
            return Run(script, owned, decodeOptions);
        }
        var runner = new WastRunner(executor, decodeOptions ?? DecodeOptions.Default);
        foreach (var command in script.Commands)
            runner._results.Add(new WastResult(command.Location, CommandName(command), runner.RunGuarded(command)));
        return new WastReport(script.FileName, runner._results);
    }

    /// <summary>
    /// Turns a script module into a Model.Module without validating it: text modules are already parsed,
    /// binary ones are decoded and quoted ones parsed. Throws <see cref="MalformedException"/>.
    /// </summary>
    public static Module LoadModule(WastModule module, DecodeOptions? decodeOptions = null) => module.Kind switch
    {
        WastModuleKind.Text => module.Module ?? throw new ArgumentException("text module without a parsed Module", nameof(module)),
        WastModuleKind.Binary => ModuleDecoder.Decode(
            new ReadOnlyMemory<byte>(module.Binary ?? throw new ArgumentException("binary module without bytes", nameof(module))),
            decodeOptions ?? DecodeOptions.Default),
        // Like the reference interpreter, the quoted text is either module fields or a whole (module ...);
        // wrapping it in "(module" ... ")" instead would close an annotation the script leaves unclosed.
        WastModuleKind.Quote => WatParser.ParseModule(module.Quote ?? ""),
        _ => throw new ArgumentOutOfRangeException(nameof(module)),
    };

    /// <summary>The keyword of a command as written in a script.</summary>
    public static string CommandName(WastCommand command) => command switch
    {
        WastModule { IsDefinition: true } => "module definition",
        WastModule => "module",
        WastModuleInstance => "module instance",
        WastRegister => "register",
        WastInvoke => "invoke",
        WastGet => "get",
        WastAssertReturn => "assert_return",
        WastAssertTrap => "assert_trap",
        WastAssertExhaustion => "assert_exhaustion",
        WastAssertException => "assert_exception",
        WastAssertMalformed => "assert_malformed",
        WastAssertInvalid => "assert_invalid",
        WastAssertUnlinkable => "assert_unlinkable",
        WastAssertUninstantiable => "assert_uninstantiable",
        _ => command.GetType().Name,
    };

    private WastOutcome RunGuarded(WastCommand command)
    {
        try
        {
            return RunCommand(command);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug in one stage must cost one command, not the rest of the script.
            return WastOutcome.Fail($"unexpected {e.GetType().Name}: {OneLine(e.Message)}");
        }
    }

    private WastOutcome RunCommand(WastCommand command) => command switch
    {
        WastModule m => RunModule(m),
        WastModuleInstance mi => RunModuleInstance(mi),
        WastRegister r => RunRegister(r),
        WastAssertMalformed a => AssertMalformed(a),
        WastAssertInvalid a => AssertInvalid(a),
        WastAssertUnlinkable a => ExecuteWithModule(a, a.Module),
        WastAssertUninstantiable a => ExecuteWithModule(a, a.Module),
        WastAssertTrap { ActionOrModule: WastModule m } a => ExecuteWithModule(a, m),
        _ => TargetFailure(command) ?? _executor.Execute(command, null),
    };

    /// <summary>
    /// An action on a module that failed to load is a failure of its own: the executor never saw that
    /// module, so it would otherwise run the action on whichever module it had before.
    /// </summary>
    private WastOutcome? TargetFailure(WastCommand command)
    {
        var action = command switch
        {
            WastAction a => a,
            WastAssertReturn a => a.Action,
            WastAssertTrap { ActionOrModule: WastAction a } => a,
            WastAssertExhaustion a => a.Action,
            WastAssertException a => a.Action,
            _ => null,
        };
        if (action is null) return null;
        if (action.ModuleId is null)
            return _currentInstanceLoaded == false ? WastOutcome.Fail("the module to run failed to load") : null;
        return _instances.TryGetValue(action.ModuleId, out var loaded) && !loaded
            ? WastOutcome.Fail($"module {action.ModuleId} failed to load")
            : null;
    }

    private WastOutcome RunModule(WastModule command)
    {
        var (module, failure) = LoadAndValidate(command);
        if (command.IsDefinition)
        {
            _lastDefinition = module;
            _lastDefinitionFailed = module is null;
            if (command.Id is not null) _definitions[command.Id] = module;
            return failure ?? WastOutcome.Passed;
        }

        if (module is null)
        {
            MarkInstance(command.Id, loaded: false);
            return failure!;
        }
        var outcome = _executor.Instantiate(module, command.Id, command.Location);
        MarkInstance(command.Id, outcome.Kind != WastOutcomeKind.Failed);
        return outcome;
    }

    private WastOutcome RunModuleInstance(WastModuleInstance command)
    {
        Module? definition;
        if (command.DefinitionId is null)
        {
            if (_lastDefinition is null)
            {
                MarkInstance(command.InstanceId, loaded: false);
                return WastOutcome.Fail(_lastDefinitionFailed ? "the module definition failed to load" : "no module definition to instantiate");
            }
            definition = _lastDefinition;
        }
        else if (!_definitions.TryGetValue(command.DefinitionId, out definition) || definition is null)
        {
            MarkInstance(command.InstanceId, loaded: false);
            return WastOutcome.Fail(_definitions.ContainsKey(command.DefinitionId)
                ? $"module definition {command.DefinitionId} failed to load"
                : $"unknown module definition {command.DefinitionId}");
        }

        var outcome = _executor.Instantiate(definition, command.InstanceId, command.Location);
        MarkInstance(command.InstanceId, outcome.Kind != WastOutcomeKind.Failed);
        return outcome;
    }

    private WastOutcome RunRegister(WastRegister command)
    {
        if (command.ModuleId is null)
        {
            if (_currentInstanceLoaded is null) return WastOutcome.Fail("no module to register");
            if (_currentInstanceLoaded == false) return WastOutcome.Fail("the module to register failed to load");
        }
        else if (!_instances.TryGetValue(command.ModuleId, out var loaded))
        {
            return WastOutcome.Fail($"unknown module {command.ModuleId}");
        }
        else if (!loaded)
        {
            return WastOutcome.Fail($"module {command.ModuleId} failed to load");
        }
        return _executor.Register(command.Name, command.ModuleId, command.Location);
    }

    private void MarkInstance(string? id, bool loaded)
    {
        _currentInstanceLoaded = loaded;
        if (id is not null) _instances[id] = loaded;
    }

    private WastOutcome AssertMalformed(WastAssertMalformed command)
    {
        Module module;
        try
        {
            module = LoadModule(command.Module, _decodeOptions);
        }
        catch (MalformedException e)
        {
            return Matches(e.Reason, command.Message)
                ? WastOutcome.Passed
                : WastOutcome.Fail($"expected malformed \"{command.Message}\", got malformed \"{OneLine(e.Reason)}\"{At(e)}");
        }
        catch (WasmException e)
        {
            return WastOutcome.Fail($"expected malformed \"{command.Message}\", got {Kind(e)} \"{OneLine(e.Reason)}\"{At(e)}");
        }

        // The module is well-formed as far as we can tell; say whether it is also valid, which tells
        // a reader whether the check was missed or misfiled.
        try
        {
            ModuleValidator.Validate(module);
            return WastOutcome.Fail($"expected malformed \"{command.Message}\", but the module loaded and validated");
        }
        catch (WasmException e)
        {
            return WastOutcome.Fail($"expected malformed \"{command.Message}\", but the module loaded (and was {Kind(e)}: \"{OneLine(e.Reason)}\")");
        }
    }

    private WastOutcome AssertInvalid(WastAssertInvalid command)
    {
        Module module;
        try
        {
            module = LoadModule(command.Module, _decodeOptions);
        }
        catch (WasmException e)
        {
            return WastOutcome.Fail($"expected invalid \"{command.Message}\", got {Kind(e)} \"{OneLine(e.Reason)}\"{At(e)}");
        }

        try
        {
            ModuleValidator.Validate(module);
        }
        catch (InvalidException e)
        {
            return Matches(e.Reason, command.Message)
                ? WastOutcome.Passed
                : WastOutcome.Fail($"expected invalid \"{command.Message}\", got invalid \"{OneLine(e.Reason)}\"{At(e)}");
        }
        catch (WasmException e)
        {
            return WastOutcome.Fail($"expected invalid \"{command.Message}\", got {Kind(e)} \"{OneLine(e.Reason)}\"{At(e)}");
        }
        return WastOutcome.Fail($"expected invalid \"{command.Message}\", but the module validated");
    }

    /// <summary>
    /// Commands about a module that must be valid but fail later (linking, instantiation): the module is
    /// checked here, so a decoder or validator bug is a failure even while execution is skipped.
    /// </summary>
    private WastOutcome ExecuteWithModule(WastCommand command, WastModule moduleCommand)
    {
        var (module, failure) = LoadAndValidate(moduleCommand);
        return module is null ? failure! : _executor.Execute(command, module);
    }

    private (Module? Module, WastOutcome? Failure) LoadAndValidate(WastModule command)
    {
        try
        {
            var module = LoadModule(command, _decodeOptions);
            ModuleValidator.Validate(module);
            return (module, null);
        }
        catch (WasmException e)
        {
            return (null, WastOutcome.Fail($"module is {Kind(e)}: {OneLine(e.Reason)}{At(e)}"));
        }
    }

    private static bool Matches(string reason, string expected) => reason.Contains(expected, StringComparison.Ordinal);

    private static string Kind(WasmException e) => e switch
    {
        MalformedException => "malformed",
        InvalidException => "invalid",
        LinkException => "unlinkable",
        ImplementationLimitException => "beyond an implementation limit",
        _ => e.GetType().Name,
    };

    private static string At(WasmException e) => e.Location.IsKnown ? $" at {e.Location}" : "";

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
