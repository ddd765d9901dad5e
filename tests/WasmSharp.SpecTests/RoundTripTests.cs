using System.Text;
using WasmSharp.Binary;
using WasmSharp.Model;
using WasmSharp.Scripting;
using WasmSharp.Text;
using Xunit.Abstractions;

namespace WasmSharp.SpecTests;

/// <summary>
/// Round trips over every well-formed module of a script (module commands, definitions, and the
/// modules of assert_invalid, assert_unlinkable, assert_uninstantiable and assert_trap):
/// <list type="bullet">
/// <item>binary: decode then encode gives the input back. Text modules start from their own encoding;
/// <c>(module binary ...)</c> inputs must come back unchanged unless they use non-minimal encodings,
/// and then the re-encoding must be shorter and a fixed point;</item>
/// <item>text: the canonical binary printed as text (with custom sections), parsed and encoded, gives
/// the same bytes; for a binary input whose code uses encodings the text format cannot select, the
/// same module up to encoding (<see cref="ModuleComparer"/>), and the count of such modules is reported.</item>
/// </list>
/// </summary>
public sealed class RoundTripTests(ITestOutputHelper output)
{
    private static readonly WatPrinterOptions s_printAll = new() { EmitCustomSections = true };

    [Theory]
    [Trait("Suite", "core")]
    [MemberData(nameof(SpecSuite.CoreFiles), MemberType = typeof(SpecSuite))]
    public void Core(string file) => RoundTrip(file);

    [Theory]
    [Trait("Suite", "legacy")]
    [MemberData(nameof(SpecSuite.LegacyFiles), MemberType = typeof(SpecSuite))]
    public void Legacy(string file) => RoundTrip(file);

    [Theory]
    [Trait("Suite", "proposals")]
    [MemberData(nameof(SpecSuite.ProposalFiles), MemberType = typeof(SpecSuite))]
    public void Proposal(string file) => RoundTrip(file);

    private void RoundTrip(string file)
    {
        var script = WastParser.Parse(File.ReadAllText(SpecSuite.FullPath(file)), file);
        var options = SpecSuite.DecodeOptionsFor(file);
        var failures = new List<string>();
        var counts = new Counts();
        foreach (var (location, module) in WellFormedModules(script))
        {
            counts.Modules++;
            var failure = Check(module, options, counts);
            if (failure is not null) failures.Add($"  {file}:{location}: {failure}");
        }

        output.WriteLine($"{file}: {counts.Modules} modules; {counts.NonCanonical} binary modules with non-minimal encodings " +
            $"(decode+encode minimises them); {counts.NotExpressibleInText} binary modules whose exact encoding the text format " +
            $"cannot express (equal up to encoding after binary -> text -> binary); {failures.Count} failed");
        if (failures.Count == 0) return;
        var message = new StringBuilder($"{file}: {failures.Count} of {counts.Modules} modules do not round-trip\n");
        foreach (var f in failures) message.AppendLine(f);
        Assert.Fail(message.ToString());
    }

    private sealed class Counts
    {
        public int Modules;
        public int NonCanonical;
        public int NotExpressibleInText;
    }

    /// <summary>Null when both round trips hold, else what went wrong.</summary>
    private static string? Check(WastModule command, DecodeOptions options, Counts counts)
    {
        var isBinary = command.Kind == WastModuleKind.Binary;
        string stage = "load";
        try
        {
            byte[] source = isBinary ? command.Binary! : ModuleEncoder.Encode(WastRunner.LoadModule(command, options));

            stage = "decode";
            var decoded = Decode(source, options);
            stage = "encode";
            var canonical = ModuleEncoder.Encode(decoded);
            if (!canonical.AsSpan().SequenceEqual(source))
            {
                if (!isBinary)
                    return $"encode(decode(encode(text))) differs from encode(text) {Difference(source, canonical)}";

                // Only the encoding may change: the module is the same, the bytes shorter (minimal LEBs)
                // and encoding again changes nothing.
                var same = ModuleComparer.Compare(decoded, Decode(canonical, options));
                if (same.Difference is not null || same.OnlyInADataCount)
                    return $"decode+encode changes the module: {same.Difference ?? "data count section"} {Difference(source, canonical)}";
                var again = ModuleEncoder.Encode(Decode(canonical, options));
                if (canonical.Length >= source.Length || !again.AsSpan().SequenceEqual(canonical))
                    return $"decode+encode is not a minimal re-encoding {Difference(source, canonical)}";
                counts.NonCanonical++;
            }

            stage = "print";
            var text = WatPrinter.Print(Decode(canonical, options), s_printAll);
            stage = "parse printed text";
            var reparsed = ModuleEncoder.Encode(WatParser.ParseModule(text));
            if (reparsed.AsSpan().SequenceEqual(canonical)) return null;
            if (!isBinary) return $"binary -> text -> binary differs {Difference(canonical, reparsed)}";

            // A binary module may use encodings inside code that text cannot select (non-minimal LEBs, the
            // memory-index flag for memory 0, empty local groups) or a data count section text cannot ask for.
            stage = "compare";
            var result = ModuleComparer.Compare(Decode(canonical, options), Decode(reparsed, options));
            if (result.Difference is not null)
                return $"binary -> text -> binary changes the module: {result.Difference} {Difference(canonical, reparsed)}";
            counts.NotExpressibleInText++;
            return null;
        }
        catch (Exception e)
        {
            var what = e is WasmException w ? $"{w.GetType().Name} at {w.Location}: {w.Reason}" : $"{e.GetType().Name}: {e.Message}";
            return $"{stage} failed: {what.ReplaceLineEndings(" ")}";
        }
    }

    private static Module Decode(byte[] bytes, DecodeOptions options) => ModuleDecoder.Decode(new ReadOnlyMemory<byte>(bytes), options);

    private static string Difference(byte[] expected, byte[] actual)
    {
        var common = expected.AsSpan().CommonPrefixLength(actual);
        return $"(lengths {expected.Length} and {actual.Length}, first difference at offset 0x{common:x})";
    }

    /// <summary>The modules a script claims are well-formed; assert_malformed ones are left out.</summary>
    private static IEnumerable<(SourceLocation Location, WastModule Module)> WellFormedModules(WastScript script)
    {
        foreach (var command in script.Commands)
        {
            var module = command switch
            {
                WastModule m => m,
                WastAssertInvalid a => a.Module,
                WastAssertUnlinkable a => a.Module,
                WastAssertUninstantiable a => a.Module,
                WastAssertTrap { ActionOrModule: WastModule m } => m,
                _ => null,
            };
            if (module is not null) yield return (module.Location, module);
        }
    }
}
