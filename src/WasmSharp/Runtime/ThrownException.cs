using System.Text;

namespace WasmSharp.Runtime;

/// <summary>
/// A Wasm exception (exception handling): what <c>throw</c> raises, <c>catch</c> clauses match by
/// <see cref="Tag"/>, and an <c>exnref</c> refers to. Compiled code throws it with the CIL <c>throw</c>, so it
/// unwinds .NET and Wasm frames alike. One that no Wasm handler catches reaches the embedder as this
/// exception, from <see cref="Function.Invoke(ReadOnlySpan{Value})"/>, a typed export delegate or instantiation
/// (a start function). A host function called from Wasm may throw one (created with
/// <see cref="ThrownException(Runtime.Tag, ReadOnlySpan{Value})"/>) for Wasm handlers to catch; it passes host
/// function boundaries unwrapped, unlike other host exceptions, which become traps. Traps are never Wasm exceptions.
/// </summary>
public sealed class ThrownException : WasmException
{
    /// <summary>
    /// The payload, one value per parameter of the tag's type. A field: compiled handlers read it directly.
    /// Never changed after construction (throw_ref rethrows the same object).
    /// </summary>
    internal readonly Value[] Payload;

    internal ThrownException(Tag tag, Value[] payload)
        : base("uncaught exception", SourceLocation.None)
    {
        Tag = tag;
        Payload = payload;
    }

    /// <summary>Creates an exception of <paramref name="tag"/> carrying <paramref name="values"/> (one per parameter of the tag's type).</summary>
    /// <exception cref="ArgumentException">The values do not match the tag's parameters.</exception>
    public ThrownException(Tag tag, params ReadOnlySpan<Value> values)
        : this(tag ?? throw new ArgumentNullException(nameof(tag)), CheckedPayload(tag, values))
    {
    }

    /// <summary>The tag the exception was thrown with: the same object for every instance that imports it.</summary>
    public Tag Tag { get; }

    /// <summary>The exception's values, in the order of the tag's parameters.</summary>
    public IReadOnlyList<Value> Values => Payload;

    /// <summary>"uncaught exception", the tag's parameter types and the values (built when asked for, not at every throw).</summary>
    public override string Message
    {
        get
        {
            var sb = new StringBuilder("uncaught exception: tag [").AppendJoin(' ', Tag.Type.Params).Append("], values [");
            for (var i = 0; i < Payload.Length; i++) sb.Append(i == 0 ? "" : ", ").Append(Payload[i]);
            return sb.Append(']').ToString();
        }
    }

    private static Value[] CheckedPayload(Tag tag, ReadOnlySpan<Value> values)
    {
        var ps = tag.Type.Params;
        if (values.Length != ps.Length)
            throw new ArgumentException($"The tag's exceptions carry {ps.Length} values, not {values.Length}.", nameof(values));
        for (var i = 0; i < values.Length; i++)
        {
            if (!tag.Store.Engine.ValueMatches(values[i], ps[i]))
                throw new ArgumentException($"Value {i} is a {values[i].Type}, the tag expects {ps[i]}.", nameof(values));
        }
        return values.ToArray();
    }
}
