using WasmSharp.Tests.Binary;
using WasmSharp.Text;

namespace WasmSharp.Tests.Text;

/// <summary>
/// Parses every script of the spec suite: each must parse, every text and quoted module must parse, and every
/// <c>assert_malformed</c> of a quoted module must fail with a message containing the expected text.
/// </summary>
public class ParserSpecTests
{
    // The custom-descriptors proposal adds exact types, descriptors and instructions the Model does not have.
    private static bool IsSupported(string relative) => !relative.StartsWith("proposals/custom-descriptors/", StringComparison.Ordinal);

    // The threads proposal predates memory64's u64 limits: Wasm 3.0's memory.wast expects the same text to
    // parse (and fail validation with "memory size"), so these expectations cannot both hold.
    private static bool IsSupersededExpectation(string relative, string message) =>
        relative == "proposals/threads/memory.wast" && message == "i32 constant out of range";

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(BinaryTestPaths.Spec, "*.wast", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(BinaryTestPaths.Spec, f).Replace('\\', '/');
            if (IsSupported(relative)) data.Add(relative);
        }
        return data;
    }

    private static IEnumerable<(WastModule Module, string? Malformed)> Modules(WastScript script)
    {
        foreach (var command in script.Commands)
        {
            switch (command)
            {
                case WastModule m:
                    yield return (m, null);
                    break;
                case WastAssertMalformed a:
                    yield return (a.Module, a.Message);
                    break;
                case WastAssertInvalid a:
                    yield return (a.Module, null);
                    break;
                case WastAssertUnlinkable a:
                    yield return (a.Module, null);
                    break;
                case WastAssertUninstantiable a:
                    yield return (a.Module, null);
                    break;
                case WastAssertTrap { ActionOrModule: WastModule m }:
                    yield return (m, null);
                    break;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ScriptParses(string file)
    {
        var script = WastParser.Parse(File.ReadAllText(Path.Combine(BinaryTestPaths.Spec, file)), file);
        var failures = new List<string>();
        foreach (var (module, malformed) in Modules(script))
        {
            if (module.Kind == WastModuleKind.Text)
            {
                Assert.NotNull(module.Module);
                continue;
            }
            if (module.Kind != WastModuleKind.Quote) continue;
            string? error = null;
            try
            {
                WatParser.ParseModule(module.Quote!);
            }
            catch (MalformedException e)
            {
                error = e.Reason;
            }
            if (malformed is null)
            {
                if (error is not null) failures.Add($"{module.Location}: {error}");
            }
            else if (!IsSupersededExpectation(file, malformed) && (error is null || !error.Contains(malformed, StringComparison.Ordinal)))
            {
                failures.Add($"{module.Location}: expected \"{malformed}\", got {(error is null ? "success" : $"\"{error}\"")}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void SuiteHasManyMalformedTextCases()
    {
        var count = 0;
        foreach (var f in Directory.EnumerateFiles(BinaryTestPaths.Spec, "*.wast", SearchOption.AllDirectories))
        {
            var script = WastParser.Parse(File.ReadAllText(f), f);
            count += Modules(script).Count(m => m.Malformed is not null && m.Module.Kind == WastModuleKind.Quote);
        }
        Assert.True(count > 1200, $"only {count} malformed text cases found");
    }
}
