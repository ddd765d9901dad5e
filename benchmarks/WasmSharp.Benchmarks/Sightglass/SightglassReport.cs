using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;

namespace WasmSharp.Benchmarks.Sightglass;

/// <summary>The table on the console and the JSON file.</summary>
public static class SightglassReport
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    /// <summary>The benchmarks the geometric mean is over: both engines timed, every output right.</summary>
    public static IReadOnlyList<BenchmarkResult> Comparable(IReadOnlyList<BenchmarkResult> results) =>
        results.Where(r => r.Ratio is not null && r.OutputOk).ToList();

    public static double GeomeanRatio(IReadOnlyList<BenchmarkResult> results) =>
        Stats.GeometricMean(Comparable(results).Select(r => r.Ratio!.Value));

    /// <summary>The machine, runtime and engine versions: the numbers mean little without them.</summary>
    public static string Machine()
    {
        var cpu = "unknown CPU";
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null) cpu = line[(line.IndexOf(':') + 1)..].Trim();
            }
        }
        catch (IOException)
        {
            // Only a label.
        }
        var wasmtime = typeof(Wasmtime.Engine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? typeof(Wasmtime.Engine).Assembly.GetName().Version?.ToString() ?? "?";
        return $"{cpu}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, Wasmtime {wasmtime}";
    }

    public static void WriteTable(IAnsiConsole console, IReadOnlyList<BenchmarkResult> results, IReadOnlyList<string> engineNames, string mode)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"sightglass, {mode}");
        var pair = string.Join(" / ", engineNames);
        table.AddColumn("Benchmark");
        table.AddColumn(new TableColumn($"Compile ms\n{pair}").RightAligned());
        table.AddColumn(new TableColumn($"Instantiate ms\n{pair}").RightAligned());
        foreach (var name in engineNames) table.AddColumn(new TableColumn($"{name}\nexecution ms").RightAligned());
        if (engineNames.Count == 2) table.AddColumn(new TableColumn($"Ratio\n{engineNames[0]}/{engineNames[1]}").RightAligned());
        table.AddColumn("Output");

        foreach (var r in results)
        {
            var cells = new List<string>
            {
                Markup.Escape(r.Benchmark.Name),
                string.Join(" / ", r.Engines.Select(e => Ms(e.CompileMs))),
                string.Join(" / ", r.Engines.Select(e => Ms(e.InstantiateMs))),
            };
            foreach (var e in r.Engines) cells.Add(Execution(e));
            if (engineNames.Count == 2) cells.Add(r.Ratio is { } ratio ? RatioMarkup(ratio) : "[grey]-[/]");
            cells.Add(r.OutputOk ? "[green]ok[/]" : "[red]" + Markup.Escape(ShortProblem(r)) + "[/]");
            table.AddRow(cells.ToArray());
        }

        if (engineNames.Count == 2)
        {
            var comparable = Comparable(results);
            table.AddEmptyRow();
            var cells = new List<string> { $"[bold]geometric mean[/] ({comparable.Count} of {results.Count})", "", "" };
            cells.AddRange(engineNames.Select(_ => ""));
            cells.Add(comparable.Count > 0 ? "[bold]" + RatioMarkup(GeomeanRatio(results)) + "[/]" : "[grey]-[/]");
            cells.Add(results.All(r => r.OutputOk) ? "[green]all ok[/]" : $"[red]{results.Count(r => !r.OutputOk)} wrong[/]");
            table.AddRow(cells.ToArray());
        }
        console.Write(table);
        console.MarkupLine("[grey]Execution: median of the measured runs (bench.start to bench.end), ± half the range. " +
            "Compile and instantiate: medians. Ratio above 1: WasmSharp is slower. The geometric mean covers benchmarks timed " +
            "on both engines with every output right.[/]");

        foreach (var note in Notes(results)) console.MarkupLine("[grey]- " + Markup.Escape(note) + "[/]");
        console.MarkupLine("[grey]" + Markup.Escape(Machine()) + "[/]");
    }

    /// <summary>Errors, wrong outputs, and benchmarks timed differently (no bench.end, outputs compared between engines).</summary>
    private static IEnumerable<string> Notes(IReadOnlyList<BenchmarkResult> results)
    {
        var notes = new List<string>();
        foreach (var r in results)
        {
            foreach (var e in r.Engines)
            {
                if (e.Error is not null) notes.Add($"{r.Benchmark.Name}: {e.Engine} {e.Error}");
                if (e.OutputNote is not null && e.Error is null) notes.Add($"{r.Benchmark.Name}: {e.Engine} output: {e.OutputNote}");
            }
            var noEnd = r.Engines.Where(e => e.Runs > 0 && !e.SawBenchEnd).Select(e => e.Engine).ToList();
            if (noEnd.Count > 0)
            {
                var who = noEnd.Count == r.Engines.Count ? "never calls bench.end" : $"no bench.end under {string.Join(", ", noEnd)}";
                notes.Add($"{r.Benchmark.Name}: {who}; timed until _start returned");
            }
            if (r.CheckNote is not null) notes.Add($"{r.Benchmark.Name}: {r.CheckNote}");
        }
        return notes.Distinct();
    }

    /// <summary>
    /// The run as Markdown (benchmarks/RESULTS.md is one): machine, command, one row per benchmark with compile,
    /// instantiation, first-run and execution times of both engines, the ratio, and the geometric mean.
    /// </summary>
    public static void WriteMarkdown(string path, IReadOnlyList<BenchmarkResult> results, IReadOnlyList<string> engineNames, string mode, string command)
    {
        var pair = string.Join(" / ", engineNames);
        using var w = new StreamWriter(path);
        w.WriteLine("# Sightglass: WasmSharp and Wasmtime, same machine, same process");
        w.WriteLine();
        w.WriteLine($"- Date: {DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", s_inv)}");
        w.WriteLine($"- Machine: {Machine()}");
        w.WriteLine($"- Command: `{command}`");
        w.WriteLine($"- Mode: {mode}");
        if (engineNames.Count == 2)
        {
            var comparable = Comparable(results);
            w.WriteLine($"- Geometric mean of the execution-time ratios {engineNames[0]}/{engineNames[1]}: " +
                (comparable.Count > 0 ? $"**{GeomeanRatio(results).ToString("F2", s_inv)}x** over {comparable.Count} of {results.Count} benchmarks" : "-"));
        }
        w.WriteLine($"- Outputs: {(results.All(r => r.OutputOk) ? "all right on every engine" : $"{results.Count(r => !r.OutputOk)} wrong (see notes)")}");
        w.WriteLine();
        w.WriteLine("Execution: median of the measured runs (bench.start to bench.end), ± half the range. Compile and");
        w.WriteLine("instantiate: medians. First run: the first execution after instantiation, which for WasmSharp includes");
        w.WriteLine("the .NET JIT compiling every function the run reaches (Wasmtime compiles everything in \"compile\").");
        w.WriteLine("Ratio above 1: WasmSharp is slower.");
        w.WriteLine();
        var header = new List<string> { "Benchmark", $"Compile ms ({pair})", $"Instantiate ms ({pair})", $"First run ms ({pair})" };
        header.AddRange(engineNames.Select(n => $"{n} ms"));
        if (engineNames.Count == 2) header.Add("Ratio");
        header.Add("Output");
        w.WriteLine("| " + string.Join(" | ", header) + " |");
        w.WriteLine("|" + string.Join("|", header.Select((_, i) => i == 0 || i == header.Count - 1 ? "---" : "---:")) + "|");
        foreach (var r in results)
        {
            var cells = new List<string>
            {
                r.Benchmark.Name,
                string.Join(" / ", r.Engines.Select(e => Ms(e.CompileMs))),
                string.Join(" / ", r.Engines.Select(e => Ms(e.InstantiateMs))),
                string.Join(" / ", r.Engines.Select(e => e.FirstRunMs is { } f ? Format(f) : "-")),
            };
            foreach (var e in r.Engines) cells.Add(Markup.Remove(Execution(e)));
            if (engineNames.Count == 2) cells.Add(r.Ratio is { } ratio ? RatioText(ratio) : "-");
            cells.Add(r.OutputOk ? "ok" : ShortProblem(r));
            w.WriteLine("| " + string.Join(" | ", cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
        }
        var notes = Notes(results).ToList();
        if (notes.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("Notes:");
            foreach (var note in notes) w.WriteLine("- " + note);
        }
    }

    public static void WriteJson(string path, IReadOnlyList<BenchmarkResult> results, IReadOnlyList<string> engineNames, string mode)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteStartArray("benchmarks");
        foreach (var r in results)
        {
            json.WriteStartObject();
            json.WriteString("name", r.Benchmark.Name);
            foreach (var e in r.Engines) Number(json, $"{e.Engine.ToLowerInvariant()}_ms", e.ExecutionMs.Count > 0 ? Stats.Median(e.ExecutionMs) : null);
            // Both keys always, even when an engine was left out with --engine.
            foreach (var name in new[] { "wasmsharp", "wasmtime" })
            {
                if (!r.Engines.Any(e => e.Engine.Equals(name, StringComparison.OrdinalIgnoreCase))) json.WriteNull($"{name}_ms");
            }
            Number(json, "ratio", r.Ratio);
            json.WriteBoolean("output_ok", r.OutputOk);
            if (r.CheckNote is not null) json.WriteString("output_check", r.CheckNote);
            foreach (var e in r.Engines)
            {
                json.WriteStartObject(e.Engine.ToLowerInvariant());
                Number(json, "compile_ms", e.CompileMs.Count > 0 ? Stats.Median(e.CompileMs) : null);
                Number(json, "instantiate_ms", e.InstantiateMs.Count > 0 ? Stats.Median(e.InstantiateMs) : null);
                Number(json, "execution_ms", e.ExecutionMs.Count > 0 ? Stats.Median(e.ExecutionMs) : null);
                Number(json, "execution_spread_ms", e.ExecutionMs.Count > 0 ? Stats.HalfRange(e.ExecutionMs) : null);
                Number(json, "first_run_ms", e.FirstRunMs);
                json.WriteNumber("measured_runs", e.ExecutionMs.Count);
                json.WriteBoolean("output_ok", e.OutputOk);
                json.WriteBoolean("bench_end_called", e.SawBenchEnd);
                if (e.Error is not null) json.WriteString("error", e.Error);
                if (e.OutputNote is not null) json.WriteString("output_note", e.OutputNote);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        Number(json, "geomean_ratio", engineNames.Count == 2 && Comparable(results).Count > 0 ? GeomeanRatio(results) : null);
        json.WriteNumber("geomean_count", Comparable(results).Count);
        json.WriteString("mode", mode);
        json.WriteString("machine", Machine());
        json.WriteString("date", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", s_inv));
        json.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) json.WriteNumber(name, Math.Round(v, 4));
        else json.WriteNull(name);
    }

    private static string Ms(IReadOnlyList<double> values) => values.Count == 0 ? "-" : Format(Stats.Median(values));

    private static string Execution(EngineResult e)
    {
        if (e.ExecutionMs.Count == 0) return e.Error is { } error && error.StartsWith("unavailable", StringComparison.Ordinal) ? "[grey]unavailable[/]" : "[red]failed[/]";
        var median = Stats.Median(e.ExecutionMs);
        var spread = median > 0 ? Stats.HalfRange(e.ExecutionMs) / median * 100 : 0;
        return $"{Format(median)} [grey]±{spread.ToString("F0", s_inv)}%[/]";
    }

    private static string Format(double ms) => ms switch
    {
        >= 1000 => ms.ToString("F0", s_inv),
        >= 10 => ms.ToString("F1", s_inv),
        >= 1 => ms.ToString("F2", s_inv),
        // noop's region is a few microseconds: keep three significant digits rather than print 0.00.
        _ => ms.ToString("G3", s_inv),
    };

    private static string RatioText(double ratio) => ratio.ToString(ratio >= 10 ? "F1" : "F2", s_inv) + "x";

    private static string RatioMarkup(double ratio)
    {
        var text = RatioText(ratio);
        return ratio <= 1.5 ? $"[green]{text}[/]" : ratio <= 3 ? $"[yellow]{text}[/]" : $"[red]{text}[/]";
    }

    private static string ShortProblem(BenchmarkResult r)
    {
        var bad = r.Engines.Where(e => !e.OutputOk).Select(e =>
        {
            var what = e.Error is { } error ? error.Split(':')[0] : e.OutputNote?.Split(' ')[0] ?? "wrong";
            return $"{e.Engine}: {what}";
        });
        return string.Join(", ", bad);
    }
}
