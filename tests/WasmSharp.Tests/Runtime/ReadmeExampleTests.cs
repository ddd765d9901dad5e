using System.Diagnostics;

namespace WasmSharp.Tests.Runtime;

/// <summary>
/// The C# example of the README is examples/Embedding/Program.cs, verbatim, and that program (built as a
/// project reference of this one) runs and prints what it should.
/// </summary>
public sealed class ReadmeExampleTests
{
    private static readonly string s_root = FindRoot();

    [Fact]
    public void TheReadmeShowsTheExampleProgramVerbatim()
    {
        var readme = Normalize(File.ReadAllText(Path.Combine(s_root, "README.md")));
        var program = Normalize(File.ReadAllText(Path.Combine(s_root, "examples", "Embedding", "Program.cs")));

        const string open = "```csharp\n";
        var start = readme.IndexOf(open, StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no ```csharp block");
        start += open.Length;
        var end = readme.IndexOf("\n```\n", start, StringComparison.Ordinal);
        Assert.True(end >= 0, "the ```csharp block of README.md is not closed");
        Assert.Equal(program, readme[start..(end + 1)]);
    }

    [Fact]
    public async Task TheExampleProgramRuns()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Embedding.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal("", await stderr);
        Assert.Equal(0, process.ExitCode);
        Assert.Equal("log: 2\n2 + 3 = 5\ntrap: integer divide by zero\n", Normalize(stdout));
    }

    private static string Normalize(string text) => text.ReplaceLineEndings("\n");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WasmSharp.slnx"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"WasmSharp.slnx not found above {AppContext.BaseDirectory}");
    }
}
