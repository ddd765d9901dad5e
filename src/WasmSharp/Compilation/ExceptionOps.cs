using WasmSharp.Runtime;

namespace WasmSharp.Compilation;

/// <summary>C# halves of the exception-handling instructions (see FunctionCompiler.Exceptions).</summary>
internal static class ExceptionOps
{
    /// <summary>
    /// throw: the exception of the instance's tag <paramref name="tagIndex"/> with <paramref name="payload"/>
    /// (null for a tag without parameters). The compiled code throws it with the CIL <c>throw</c>.
    /// </summary>
    internal static Exception Create(Value[]? payload, InstanceContext context, int tagIndex)
    {
        var tag = context.Tags[tagIndex];
        if (payload is null) return new ThrownException(tag, []);
        // Compiled code types reference values with the module's own type indices; give the embedder the
        // engine-wide canonical ones, as everywhere else in the API.
        for (var i = 0; i < payload.Length; i++)
        {
            var t = payload[i].Type;
            if (t.IsRef && t.Heap.Code >= 0) payload[i] = Value.Ref(tag.Type.Params[i], payload[i].RawRef);
        }
        return new ThrownException(tag, payload);
    }

    /// <summary>The filter of a catch or catch_ref clause, and of a legacy catch: 1 when the exception is a Wasm exception of the instance's tag.</summary>
    internal static int HasTag(object exception, InstanceContext context, int tagIndex) =>
        exception is ThrownException e && ReferenceEquals(e.Tag, context.Tags[tagIndex]) ? 1 : 0;

    /// <summary>throw_ref: the exception an exnref refers to, or the "null exception reference" trap.</summary>
    internal static Exception FromReference(object? exnref) =>
        exnref as ThrownException ?? throw new TrapException(TrapCode.NullExceptionReference);
}
