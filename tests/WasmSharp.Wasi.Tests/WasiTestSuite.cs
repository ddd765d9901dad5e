using System.Text.Json;

namespace WasmSharp.Wasi.Tests;

/// <summary>One test of the vendored wasi-testsuite: its module and its JSON specification.</summary>
public sealed record WasiTestCase(string Suite, string Name, string Directory)
{
    public string ModulePath => Path.Combine(Directory, Name + ".wasm");

    public override string ToString() => $"{Suite}/{Name}";
}

/// <summary>The parts of a test's JSON spec that preview1 tests use (legacy keys, or run/wait/read operations).</summary>
public sealed class WasiTestSpec
{
    public List<string> Args { get; } = [];

    public List<KeyValuePair<string, string>> Env { get; } = [];

    public List<string> Dirs { get; } = [];

    public int ExitCode { get; set; }

    public string? Stdout { get; set; }

    public string? Stderr { get; set; }

    public static WasiTestSpec Load(WasiTestCase test)
    {
        var spec = new WasiTestSpec();
        var path = Path.Combine(test.Directory, test.Name + ".json");
        if (!File.Exists(path)) return spec;
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        if (root.TryGetProperty("operations", out var operations))
        {
            foreach (var op in operations.EnumerateArray())
            {
                switch (op.GetProperty("type").GetString())
                {
                    case "run": spec.ReadRun(op); break;
                    case "wait": if (op.TryGetProperty("exit_code", out var code)) spec.ExitCode = code.GetInt32(); break;
                    case "read":
                        var id = op.TryGetProperty("id", out var i) ? i.GetString() : "stdout";
                        var payload = op.TryGetProperty("payload", out var p) ? p.GetString() ?? "" : "";
                        if (id == "stderr") spec.Stderr = (spec.Stderr ?? "") + payload;
                        else spec.Stdout = (spec.Stdout ?? "") + payload;
                        break;
                    default: throw new NotSupportedException($"{test}: operation {op} is not for preview1 command tests");
                }
            }
            return spec;
        }
        spec.ReadRun(root);
        if (root.TryGetProperty("exit_code", out var exit)) spec.ExitCode = exit.GetInt32();
        if (root.TryGetProperty("stdout", out var stdout)) spec.Stdout = stdout.GetString();
        if (root.TryGetProperty("stderr", out var stderr)) spec.Stderr = stderr.GetString();
        return spec;
    }

    private void ReadRun(JsonElement e)
    {
        if (e.TryGetProperty("args", out var args)) Args.AddRange(args.EnumerateArray().Select(a => a.GetString()!));
        if (e.TryGetProperty("env", out var env)) Env.AddRange(env.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!)));
        if (e.TryGetProperty("dirs", out var dirs)) Dirs.AddRange(dirs.EnumerateArray().Select(d => d.GetString()!));
    }
}

/// <summary>Finds the vendored suite (tests/testsuite/wasi) by walking up from the test assembly.</summary>
public static class WasiTestSuite
{
    public static readonly string[] Suites = ["assemblyscript", "c", "rust"];

    public static string Root { get; } = FindRoot();

    public static IEnumerable<WasiTestCase> All()
    {
        foreach (var suite in Suites)
        {
            var dir = Path.Combine(Root, suite, "wasm32-wasip1");
            foreach (var wasm in System.IO.Directory.GetFiles(dir, "*.wasm").Order(StringComparer.Ordinal))
                yield return new WasiTestCase(suite, Path.GetFileNameWithoutExtension(wasm), dir);
        }
    }

    public static WasiTestCase Get(string id)
    {
        var slash = id.IndexOf('/');
        return All().Single(t => t.Suite == id[..slash] && t.Name == id[(slash + 1)..]);
    }

    /// <summary>Copies a fixture folder (writable, whatever the source modes) and removes *.cleanup leftovers.</summary>
    public static void CopyFixture(string source, string destination)
    {
        System.IO.Directory.CreateDirectory(destination);
        foreach (var dir in System.IO.Directory.GetDirectories(source))
            CopyFixture(dir, Path.Combine(destination, Path.GetFileName(dir)));
        foreach (var file in System.IO.Directory.GetFiles(source))
        {
            if (file.EndsWith(".cleanup", StringComparison.Ordinal)) continue;
            var target = Path.Combine(destination, Path.GetFileName(file));
            File.Copy(file, target);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "testsuite", "wasi");
            if (System.IO.Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"tests/testsuite/wasi not found above {AppContext.BaseDirectory}");
    }
}
