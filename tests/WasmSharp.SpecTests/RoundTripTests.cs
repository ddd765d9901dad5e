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
/// a <c>(module binary ...)</c> input must come back unchanged unless it uses non-minimal LEBs outside
/// code, and then the re-encoding must be the same module (<see cref="ModuleComparer"/>),
/// shorter, and a fixed point;</item>
/// <item>text: the canonical binary printed as text (with custom sections), parsed and encoded, gives
/// the same bytes. The one allowance is for a binary input that makes encoding choices text cannot
/// write (<see cref="TextInexpressible"/>): its text round trip must give exactly those choices
/// rewritten (<see cref="TextEncodingNormalizer"/>), byte for byte, and each such module is listed
/// with its reasons in the test output.</item>
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

    [Theory(Skip = SpecSuite.CustomDescriptorsSkipReason)]
    [Trait("Suite", "proposals")]
    [MemberData(nameof(SpecSuite.UnimplementedProposalFiles), MemberType = typeof(SpecSuite))]
    public void UnimplementedProposal(string file) => RoundTrip(file);

    private void RoundTrip(string file)
    {
        var script = WastParser.Parse(File.ReadAllText(SpecSuite.FullPath(file)), file);
        var options = SpecSuite.DecodeOptionsFor(file);
        var failures = new List<string>();
        var counts = new Counts();
        foreach (var (location, module) in WellFormedModules(script))
        {
            counts.Modules++;
            var failure = Check(module, options, counts, $"{file}:{location}");
            if (failure is not null) failures.Add($"  {file}:{location}: {failure}");
        }

        output.WriteLine($"{file}: {counts.Modules} modules, {failures.Count} failed; {counts.Shrunk.Count} binary modules that " +
            $"decode+encode re-encodes shorter; {counts.Inexpressible.Count} binary modules with encoding choices text cannot write");
        foreach (var line in counts.Shrunk.Concat(counts.Inexpressible)) output.WriteLine($"  {line}");
        if (failures.Count == 0) return;
        var message = new StringBuilder($"{file}: {failures.Count} of {counts.Modules} modules do not round-trip\n");
        foreach (var f in failures) message.AppendLine(f);
        Assert.Fail(message.ToString());
    }

    private sealed class Counts
    {
        public int Modules;
        public List<string> Shrunk { get; } = [];
        public List<string> Inexpressible { get; } = [];
    }

    /// <summary>Null when both round trips hold, else what went wrong.</summary>
    private static string? Check(WastModule command, DecodeOptions options, Counts counts, string where)
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

                // Only the encoding may change: the same module, in fewer bytes, and encoding again changes nothing.
                if (ModuleComparer.Compare(decoded, Decode(canonical, options)) is { } change)
                    return $"decode+encode changes the module: {change} {Difference(source, canonical)}";
                var again = ModuleEncoder.Encode(Decode(canonical, options));
                if (canonical.Length >= source.Length || !again.AsSpan().SequenceEqual(canonical))
                    return $"decode+encode is not a shorter fixed point {Difference(source, canonical)}";
                counts.Shrunk.Add($"{where}: decode+encode drops {SectionWalker.Describe(source)}");
            }

            stage = "print";
            var text = WatPrinter.Print(Decode(canonical, options), s_printAll);
            stage = "parse printed text";
            var reparsed = ModuleEncoder.Encode(WatParser.ParseModule(text));
            if (reparsed.AsSpan().SequenceEqual(canonical)) return null;
            if (!isBinary) return $"binary -> text -> binary differs {Difference(canonical, reparsed)}";

            stage = "normalize";
            var normalized = TextEncodingNormalizer.Normalize(Decode(canonical, options), out var reasons);
            var expected = ModuleEncoder.Encode(normalized);
            if (!reparsed.AsSpan().SequenceEqual(expected))
            {
                var what = ModuleComparer.Compare(normalized, Decode(reparsed, options)) ?? "same module, different bytes";
                return $"binary -> text -> binary changes more than the encoding choices text cannot write ({reasons}): {what} " +
                    Difference(expected, reparsed);
            }
            counts.Inexpressible.Add($"{where}: text cannot write {reasons}");
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
