namespace WasmSharp.Text;

/// <summary>Options of <see cref="WatPrinter"/>.</summary>
public sealed record WatPrinterOptions
{
    public static WatPrinterOptions Default { get; } = new();

    /// <summary>
    /// Print every custom section (including "name") as a <c>(@custom "name" (after section) "bytes")</c>
    /// annotation, so that binary → text → binary keeps them byte for byte. On by default because the
    /// printer's promise is that its output parses back to the same binary.
    /// </summary>
    public bool EmitCustomSections { get; init; } = true;

    /// <summary>
    /// Print the names of <see cref="Model.Module.Names"/> as <c>$identifiers</c> at definitions and uses.
    /// When off, every reference is a plain index and definitions carry an index comment.
    /// </summary>
    public bool UseNames { get; init; } = true;

    /// <summary>Number of spaces per nesting level.</summary>
    public int IndentSize { get; init; } = 2;
}
