using System.Text;
using WasmSharp.Cli;

namespace WasmSharp.Tests.Cli;

/// <summary>The result of one in-process run of the CLI.</summary>
internal sealed record CliRun(int ExitCode, byte[] StdoutBytes, string Stderr)
{
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs <c>wasmsharp</c> in process with captured streams, inside a scratch directory of its own.</summary>
internal sealed class CliHarness : IDisposable
{
    public CliHarness()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("wasmsharp-cli-").FullName;
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public string Write(string name, string text)
    {
        var path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    public string Write(string name, byte[] bytes)
    {
        var path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static CliRun Run(params string[] args) => RunWithInput([], args);

    public static CliRun RunWithInput(byte[] stdin, params string[] args)
    {
        using var input = new MemoryStream(stdin);
        using var output = new MemoryStream();
        using var error = new StringWriter { NewLine = "\n" };
        var exit = CliApp.Run(args, new CliConsole(input, output, error));
        return new CliRun(exit, output.ToArray(), error.ToString());
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A scratch directory left behind in the temp folder is harmless.
        }
    }
}
