using WasmSharp.Binary;
using WasmSharp.Text;

namespace WasmSharp.Scripting;

public sealed partial class WastRunner
{
    /// <summary>
    /// Parses and runs a script. A script that does not parse yields a report with a single failed
    /// <c>script</c> result, since none of its commands can be counted.
    /// </summary>
    public static WastReport RunText(string text, string fileName, IWastExecutor? executor = null, DecodeOptions? decodeOptions = null)
    {
        WastScript script;
        try
        {
            script = WastParser.Parse(text, fileName);
        }
        catch (WasmException e)
        {
            return new WastReport(fileName, [new WastResult(e.Location, "script", WastOutcome.Fail($"script does not parse: {e.Reason}"))]);
        }
        return Run(script, executor, decodeOptions);
    }

    /// <summary>Reads, parses and runs a script file; <paramref name="displayName"/> names it in the report (default: the path).</summary>
    public static WastReport RunFile(string path, string? displayName = null, IWastExecutor? executor = null, DecodeOptions? decodeOptions = null) =>
        RunText(File.ReadAllText(path), displayName ?? path, executor, decodeOptions);
}
