using System.Globalization;
using Spectre.Console;

namespace WasmSharp.Benchmarks.Sightglass;

/// <summary>
/// <c>sightglass [--quick] [--filter NAME]... [--suite DIR] [--json FILE] [--markdown FILE] [--engine NAME]...
/// [--iterations N] [--warmup N] [--list]</c>: the execution-time comparison of WasmSharp and Wasmtime.
/// </summary>
public static class SightglassCommand
{
    // Wasm recursion (ackermann, say) runs on the calling thread's stack in both engines.
    private const int StackBytes = 256 << 20;

    private const string Usage = """
        usage: sightglass [options]
          --quick          few runs per benchmark (the whole set in minutes)
          --filter NAME    only benchmarks whose name contains NAME (repeatable, or comma-separated)
          --suite DIR      a folder laid out like sightglass's benchmarks/ (default: benchmarks/sightglass)
          --json FILE      also write the results as JSON
          --markdown FILE  also write the results as Markdown (benchmarks/RESULTS.md is one)
          --engine NAME    only this engine: wasmsharp or wasmtime (repeatable)
          --iterations N   measured runs per engine
          --warmup N       unmeasured runs per engine first
          --list           list the benchmarks and exit
        """;

    public static int Run(string[] args)
    {
        var quick = false;
        var list = false;
        var filters = new List<string>();
        var engineFilter = new List<string>();
        string? suite = null, json = null, markdown = null;
        int? iterations = null, warmup = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--quick": quick = true; break;
                case "--list": list = true; break;
                case "--filter": filters.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--engine": engineFilter.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--suite": suite = Value(); break;
                case "--json": json = Value(); break;
                case "--markdown": markdown = Value(); break;
                case "--iterations": iterations = PositiveInt(Value()); break;
                case "--warmup": warmup = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default: Console.Error.WriteLine($"unknown option {args[i]}\n{Usage}"); return 2;
            }
        }

        var suiteDir = Path.GetFullPath(suite ?? SightglassCorpus.Root);
        var benchmarks = SightglassSuite.Discover(suiteDir).Where(b => SightglassSuite.Matches(b, filters)).ToList();
        if (list)
        {
            foreach (var b in benchmarks) Console.WriteLine(b.Name);
            return 0;
        }
        if (benchmarks.Count == 0)
        {
            Console.Error.WriteLine($"no benchmark in {suiteDir} matches {string.Join(", ", filters)}");
            return 2;
        }

        var plan = quick ? RunPlan.Quick : RunPlan.Full;
        if (iterations is { } n) plan = plan with { Iterations = n, MinIterations = Math.Min(n, plan.MinIterations) };
        if (warmup is { } w) plan = plan with { Warmup = w };
        var mode = $"{(quick ? "quick" : "full")}: {plan.Warmup} warm-up + up to {plan.Iterations} measured runs per engine, interleaved";

        var slots = CreateEngines(engineFilter);
        if (slots.Count == 0)
        {
            Console.Error.WriteLine("--engine: expected wasmsharp or wasmtime");
            return 2;
        }
        var engineNames = slots.Select(s => s.Name).ToList();
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected) console.Profile.Width = Math.Max(console.Profile.Width, 200);
        console.MarkupLine($"[bold]sightglass[/]: {benchmarks.Count} benchmarks from {Markup.Escape(suiteDir)}; {Markup.Escape(mode)}");
        foreach (var s in slots.Where(s => s.Engine is null)) console.MarkupLine($"[yellow]{s.Name} unavailable: {Markup.Escape(s.Unavailable ?? "")}[/]");

        var results = new List<BenchmarkResult>();
        try
        {
            console.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("starting", maxValue: benchmarks.Count);
                    var runner = new SightglassRunner(slots, plan) { Status = s => task.Description = Markup.Escape(Truncate(s, 70)) };
                    Exception? failure = null;
                    var worker = new Thread(() =>
                    {
                        try
                        {
                            runner.WarmUpCompilers(benchmarks[0]);
                            foreach (var b in benchmarks)
                            {
                                results.Add(runner.Run(b));
                                task.Increment(1);
                            }
                        }
                        catch (Exception e)
                        {
                            failure = e;
                        }
                        finally
                        {
                            runner.CleanUp();
                        }
                    }, StackBytes)
                    { Name = "sightglass" };
                    worker.Start();
                    worker.Join();
                    if (failure is not null) throw new InvalidOperationException("The benchmark runner failed.", failure);
                });
        }
        finally
        {
            foreach (var s in slots) s.Engine?.Dispose();
        }

        SightglassReport.WriteTable(console, results, engineNames, mode);
        if (json is not null)
        {
            SightglassReport.WriteJson(json, results, engineNames, mode);
            console.MarkupLine($"wrote {Markup.Escape(Path.GetFullPath(json))}");
        }
        if (markdown is not null)
        {
            var command = "dotnet run -c Release --project benchmarks/WasmSharp.Benchmarks -- sightglass " + string.Join(' ', args);
            SightglassReport.WriteMarkdown(markdown, results, engineNames, mode, command);
            console.MarkupLine($"wrote {Markup.Escape(Path.GetFullPath(markdown))}");
        }
        return 0;
    }

    /// <summary>WasmSharp first, so that the ratio is WasmSharp / Wasmtime.</summary>
    private static List<EngineSlot> CreateEngines(List<string> only)
    {
        var factories = new (string Name, Func<IBenchmarkEngine> Create)[]
        {
            ("WasmSharp", () => new WasmSharpBenchmarkEngine()),
            ("Wasmtime", () => new WasmtimeBenchmarkEngine()),
        };
        var slots = new List<EngineSlot>();
        foreach (var (name, create) in factories)
        {
            if (only.Count > 0 && !only.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
            try
            {
                slots.Add(new EngineSlot(name, create(), null));
            }
            catch (Exception e)
            {
                slots.Add(new EngineSlot(name, null, SightglassRunner.Describe(e)));
            }
        }
        return slots;
    }

    private static int PositiveInt(string text)
    {
        var n = int.Parse(text, CultureInfo.InvariantCulture);
        return n > 0 ? n : throw new ArgumentException("--iterations must be positive");
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 3)] + "...";
}
