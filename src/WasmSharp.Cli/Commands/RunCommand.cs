using System.CommandLine;
using System.Runtime.ExceptionServices;
using WasmSharp.Binary;
using WasmSharp.Runtime;
using WasmSharp.Wasi;
using RuntimeModule = WasmSharp.Runtime.Module;

namespace WasmSharp.Cli.Commands;

/// <summary>
/// <c>wasmsharp run [OPTIONS] MODULE [ARGS...]</c>: instantiates a module and either calls one export
/// (<c>--invoke NAME</c>, ARGS being its arguments, results printed one per line) or runs it as a WASI
/// command (<c>_start</c>, ARGS being the guest's argv after MODULE, the guest's exit code being ours).
/// WASI preview1 is always linked; a module that does not import it never notices. A trap prints
/// <c>error: wasm trap: REASON</c> and the Wasm backtrace on standard error and exits with <see cref="CliApp.ExitTrap"/>.
/// </summary>
internal sealed class RunCommand : CliCommand
{
    /// <summary>
    /// The guest runs on a thread of its own with this much stack, so how deep Wasm may recurse does not
    /// depend on the caller's thread (ulimit -s, a test runner's thread); exhaustion traps either way.
    /// 16 times Wasmtime's default Wasm stack, yet small enough that unwinding a runaway recursion (about
    /// 250,000 frames of a small function) takes a second or two rather than a minute.
    /// </summary>
    private const int GuestStackBytes = 8 * 1024 * 1024;

    /// <summary>Backtrace lines printed at most; a runaway recursion has hundreds of thousands of frames.</summary>
    private const int MaxBacktraceLines = 40;

    private readonly Argument<string> _module = new("MODULE") { Description = "The module to run: binary (.wasm) or text (.wat)." };

    private readonly Argument<string[]> _args = new("ARGS")
    {
        Description = "With --invoke, the function's arguments (decimal integers and floats, nan, inf); otherwise the WASI program's arguments (argv[0] is MODULE). Everything after MODULE is passed on as is.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private readonly Option<string?> _invoke = new("--invoke") { Description = "Call this exported function instead of running the WASI command (_start); print its results one per line." };
    private readonly Option<string[]> _dirs = new("--dir") { Description = "Give the guest a host directory, as GUEST (default: the same path). May be repeated.", HelpName = "HOST[::GUEST]" };
    private readonly Option<string[]> _env = new("--env") { Description = "Set an environment variable for the guest (NAME alone passes on the host's). May be repeated.", HelpName = "NAME=VALUE" };
    private readonly Option<bool> _tiered = new("--tiered")
    {
        Description = "Compile with .NET's tiered JIT: quick unoptimized code first, optimized once hot. Starts sooner; long runs reach full speed later.",
    };
    private readonly Option<string[]> _preloads = new("--preload") { Description = "Instantiate another module first and make its exports importable under NAME. May be repeated.", HelpName = "NAME=MODULE" };

    public RunCommand(CliConsole console)
        : base("run", "Run a WebAssembly module: a WASI command, or one exported function with --invoke.", console)
    {
        Add(_module);
        Add(_args);
        Add(_invoke);
        Add(_dirs);
        Add(_env);
        Add(_preloads);
        Add(_tiered);
    }

    /// <summary>The options of <c>run</c> that take a value, which <see cref="SeparateGuestArguments"/> must step over.</summary>
    private static readonly HashSet<string> s_valueOptions = new(StringComparer.Ordinal) { "--invoke", "--dir", "--env", "--preload" };

    /// <summary>
    /// Everything after MODULE belongs to the guest, even what looks like an option (<c>run prog.wasm --help</c>):
    /// a <c>--</c> is inserted after MODULE so that the parser takes the rest as arguments.
    /// </summary>
    public static string[] SeparateGuestArguments(string[] args)
    {
        if (args.Length == 0 || args[0] != "run") return args;
        for (var i = 1; i < args.Length; i++)
        {
            var token = args[i];
            if (token == "--") return args;
            if (token.StartsWith('-') && token.Length > 1)
            {
                if (s_valueOptions.Contains(token)) i++;
                continue;
            }
            if (i + 1 >= args.Length) return args;
            return [.. args[..(i + 1)], "--", .. args[(i + 1)..]];
        }
        return args;
    }

    protected override int Execute(ParseResult parseResult)
    {
        var path = parseResult.GetRequiredValue(_module);
        var guestArgs = parseResult.GetValue(_args) ?? [];
        var invoke = parseResult.GetValue(_invoke);

        var engine = new Engine(new EngineConfig { TieredCompilation = parseResult.GetValue(_tiered) });
        var module = Load(engine, path);

        var config = new WasiConfig()
            .WithArgs([path, .. invoke is null ? guestArgs : Array.Empty<string>()])
            .WithEnvironment(ParseEnvironment(parseResult.GetValue(_env) ?? []))
            .WithStdin(Console.InheritsProcessStdio ? WasiStdio.Inherit : WasiStdio.FromStream(Console.StandardInput))
            .WithStdout(Console.InheritsProcessStdio ? WasiStdio.Inherit : WasiStdio.FromStream(Console.StandardOutput))
            .WithStderr(Console.InheritsProcessStdio ? WasiStdio.Inherit : WasiStdio.FromStream(Console.StandardError));
        foreach (var dir in parseResult.GetValue(_dirs) ?? [])
        {
            var (host, guest) = SplitDir(dir);
            if (!Directory.Exists(host)) throw new CliRejection($"--dir {dir}: {host}: no such directory");
            config = config.PreopenDirectory(host, guest);
        }

        using var wasi = new WasiContext(config);
        var linker = new Linker(engine).DefineWasi(wasi);
        using var store = new Store(engine);
        // The guest writes straight to the output stream; nothing of ours may be left buffered before it.
        Console.Out.Flush();
        return RunGuest(() =>
        {
            foreach (var preload in parseResult.GetValue(_preloads) ?? [])
            {
                var (name, preloadPath) = SplitPreload(preload);
                CurrentInput = preloadPath;
                var instance = linker.Instantiate(store, Load(engine, preloadPath));
                linker.DefineInstance(name, instance);
            }
            CurrentInput = path;
            var main = linker.Instantiate(store, module);
            return invoke is null ? RunCommandExport(main) : Invoke(main, invoke, guestArgs);
        });
    }

    private RuntimeModule Load(Engine engine, string path)
    {
        var input = InputFile.Read(path, Console);
        CurrentInput = input.DisplayName;
        var model = input.ReadModule(DecodeOptions.Default);
        input.Validate(model);
        return RuntimeModule.FromModel(engine, model);
    }

    private static int RunCommandExport(Instance instance)
    {
        if (instance.GetFunction("_start") is null)
            throw new CliRejection("the module exports no _start function to run; use --invoke NAME to call one of its exports");
        return instance.RunWasiCommand();
    }

    private int Invoke(Instance instance, string name, string[] argTexts)
    {
        var function = instance.GetFunction(name)
            ?? throw new CliRejection($"the module exports no function \"{name}\"");
        // A reactor sets itself up in _initialize before any other export is called.
        if (name != "_initialize") instance.GetFunction("_initialize")?.Invoke([], []);

        var type = function.Type;
        if (argTexts.Length != type.Params.Length)
            throw new CliUsageError($"\"{name}\" takes {type.Params.Length} argument{(type.Params.Length == 1 ? "" : "s")} {type}, got {argTexts.Length}");
        var args = new Value[argTexts.Length];
        for (var i = 0; i < args.Length; i++)
        {
            try
            {
                args[i] = WasmValueText.Parse(argTexts[i], type.Params[i]);
            }
            catch (FormatException e)
            {
                throw new CliUsageError($"argument {i + 1} of \"{name}\" ({type.Params[i]}): {e.Message}");
            }
        }
        var results = function.Invoke(args);
        foreach (var result in results) Console.Out.WriteLine(WasmValueText.Format(result));
        return CliApp.ExitSuccess;
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a thread with <see cref="GuestStackBytes"/> of stack and maps what the
    /// guest did to an exit code: its own (proc_exit), or a trap. Other exceptions surface on this thread.
    /// </summary>
    private int RunGuest(Func<int> body)
    {
        var exitCode = 0;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                exitCode = body();
            }
            catch (Exception e) when (WasiExitException.TryGetExitCode(e, out var code))
            {
                exitCode = code;
            }
            catch (TrapException trap)
            {
                exitCode = ReportTrap(trap);
            }
            catch (ThrownException exception)
            {
                // Ends the guest like a trap does (Wasmtime's exit code too): no Wasm handler wanted it.
                Console.Out.Flush();
                Console.Error.WriteLine($"error: {exception.Message.ReplaceLineEndings(" ")}");
                exitCode = CliApp.ExitTrap;
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }, GuestStackBytes)
        {
            Name = "wasm guest",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return exitCode;
    }

    private int ReportTrap(TrapException trap)
    {
        Console.Out.Flush();
        var error = Console.Error;
        error.WriteLine($"error: wasm trap: {trap.Reason.ReplaceLineEndings(" ")}");
        if (trap.Code == TrapCode.HostException && trap.InnerException is { } inner)
            error.WriteLine($"caused by: {inner.GetType().Name}: {inner.Message.ReplaceLineEndings(" ")}");
        if (trap.Backtrace.Count > 0)
        {
            error.WriteLine("wasm backtrace:");
            WriteBacktrace(error, trap.Backtrace);
        }
        return CliApp.ExitTrap;
    }

    /// <summary>
    /// The frames innermost first, as <see cref="TrapException.FormatBacktrace"/> numbers them, with each run of
    /// one repeated frame folded into one line and at most <see cref="MaxBacktraceLines"/> lines.
    /// </summary>
    private static void WriteBacktrace(TextWriter error, IReadOnlyList<WasmFrame> frames)
    {
        var lines = 0;
        for (var i = 0; i < frames.Count;)
        {
            var run = 1;
            while (i + run < frames.Count && frames[i + run] == frames[i]) run++;
            if (lines == MaxBacktraceLines)
            {
                error.WriteLine($"  ... {frames.Count - i} more frames");
                return;
            }
            error.WriteLine(run == 1 ? $"  {i}: {frames[i]}" : $"  {i}-{i + run - 1}: {frames[i]} ({run} times)");
            lines++;
            i += run;
        }
    }

    private static (string Host, string Guest) SplitDir(string text)
    {
        var sep = text.IndexOf("::", StringComparison.Ordinal);
        var (host, guest) = sep < 0 ? (text, text) : (text[..sep], text[(sep + 2)..]);
        if (host.Length == 0 || guest.Length == 0) throw new CliUsageError($"--dir {text}: expected HOST or HOST::GUEST");
        return (host, guest);
    }

    private static (string Name, string Path) SplitPreload(string text)
    {
        var eq = text.IndexOf('=');
        if (eq <= 0 || eq == text.Length - 1) throw new CliUsageError($"--preload {text}: expected NAME=MODULE");
        return (text[..eq], text[(eq + 1)..]);
    }

    private static IEnumerable<KeyValuePair<string, string>> ParseEnvironment(string[] variables)
    {
        foreach (var v in variables)
        {
            var eq = v.IndexOf('=');
            if (eq == 0) throw new CliUsageError($"--env {v}: expected NAME=VALUE");
            if (eq > 0)
            {
                yield return new(v[..eq], v[(eq + 1)..]);
            }
            else if (Environment.GetEnvironmentVariable(v) is { } inherited)
            {
                yield return new(v, inherited);
            }
        }
    }
}
