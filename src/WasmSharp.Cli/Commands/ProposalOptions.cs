using System.CommandLine;
using WasmSharp.Binary;

namespace WasmSharp.Cli.Commands;

/// <summary>
/// Options for proposals beyond Wasm 3.0 that change how binaries decode. Every command that decodes
/// a binary takes them, so that a module `wast` accepts can also be printed, validated and inspected.
/// (Threads and wide arithmetic need no option: their encodings do not clash with Wasm 3.0.)
/// </summary>
internal static class ProposalOptions
{
    public static Option<bool> CustomPageSizes() =>
        new("--custom-page-sizes") { Description = "Accept the custom-page-sizes proposal's memory limits (flag 0x08 and a page size)." };

    public static DecodeOptions Decode(ParseResult parseResult, Option<bool> customPageSizes) =>
        parseResult.GetValue(customPageSizes) ? DecodeOptions.Default with { CustomPageSizes = true } : DecodeOptions.Default;
}
