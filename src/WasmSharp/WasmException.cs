namespace WasmSharp;

/// <summary>A position in a source: a byte offset in a binary, or a line and column in text.</summary>
public readonly record struct SourceLocation(int Offset, int Line = 0, int Column = 0)
{
    public static SourceLocation None => new(-1);
    public static SourceLocation AtOffset(int offset) => new(offset);
    public static SourceLocation AtText(int line, int column, int offset = -1) => new(offset, line, column);

    public bool IsText => Line > 0;
    public bool IsKnown => IsText || Offset >= 0;

    public override string ToString() => IsText ? $"{Line}:{Column}" : Offset >= 0 ? $"offset 0x{Offset:x}" : "";
}

/// <summary>
/// The root of every error WasmSharp reports about a module or script. <see cref="Reason"/> is the
/// spec's wording (what the spec tests expect); <see cref="Exception.Message"/> adds the location.
/// </summary>
public abstract class WasmException : Exception
{
    protected WasmException(string reason, SourceLocation location, Exception? inner = null)
        : base(location.IsKnown ? $"{location}: {reason}" : reason, inner)
    {
        Reason = reason;
        Location = location;
    }

    public string Reason { get; }
    public SourceLocation Location { get; }
}

/// <summary>The input is not a well-formed binary or text module (the spec's "malformed").</summary>
public sealed class MalformedException(string reason, SourceLocation location) : WasmException(reason, location);

/// <summary>The module is well-formed but fails validation (the spec's "invalid").</summary>
public sealed class InvalidException(string reason, SourceLocation location) : WasmException(reason, location);

/// <summary>Instantiation failed because an import could not be satisfied (the spec's "unlinkable").</summary>
public sealed class LinkException(string reason) : WasmException(reason, SourceLocation.None);

/// <summary>The module exceeds a limit of this implementation (not of the spec).</summary>
public sealed class ImplementationLimitException(string reason, SourceLocation location) : WasmException(reason, location);
