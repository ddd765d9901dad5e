using WasmSharp.Model;

namespace WasmSharp.Runtime;

/// <summary>An exception tag (exception handling): the identity and payload type of a Wasm exception.</summary>
public sealed class Tag : Extern
{
    internal Tag(Store store, int typeId)
    {
        Store = store;
        TypeId = typeId;
    }

    /// <summary>Creates a tag whose exceptions carry values of <paramref name="type"/>'s parameters.</summary>
    public Tag(Store store, FuncType type)
        : this(store, store.Engine.Types.Intern([SubType.Plain(type)], 0, []))
    {
    }

    internal int TypeId { get; }

    public override ExternalKind Kind => ExternalKind.Tag;

    public Store Store { get; }

    /// <summary>The tag's type: parameters are the exception's payload, results are empty.</summary>
    public FuncType Type => Store.Engine.Types[TypeId].Func!;
}
