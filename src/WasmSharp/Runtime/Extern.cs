using WasmSharp.Model;

namespace WasmSharp.Runtime;

/// <summary>Something a module can import or export: a <see cref="Function"/>, <see cref="Memory"/>, <see cref="Table"/> or <see cref="Global"/>.</summary>
public abstract class Extern
{
    private protected Extern()
    {
    }

    public abstract ExternalKind Kind { get; }
}
