using WasmSharp.Model;

namespace WasmSharp.Validation;

/// <summary>A table as the code validator sees it: canonical element type and address type.</summary>
internal readonly record struct TableInfo(ValType ElementType, bool Is64)
{
    public ValType AddressType => Is64 ? ValType.I64 : ValType.I32;
}

internal readonly record struct MemoryInfo(bool Is64, bool Shared)
{
    public ValType AddressType => Is64 ? ValType.I64 : ValType.I32;
}

/// <summary>A global with its canonical value type.</summary>
internal readonly record struct GlobalInfo(ValType Type, bool Mutable);

/// <summary>
/// The validation context C of the spec for one module: every index space with canonical types.
/// Filled in module order by <see cref="ModuleValidator"/>; read by <see cref="CodeValidator"/>.
/// </summary>
internal sealed class ModuleContext(Module module, ModuleTypes types)
{
    public Module Module { get; } = module;
    public ModuleTypes Types { get; } = types;
    public TypeRegistry Registry { get; } = types.Registry;

    /// <summary>Canonical type id of every function (imports first).</summary>
    public List<int> Functions { get; } = [];
    public List<TableInfo> Tables { get; } = [];
    public List<MemoryInfo> Memories { get; } = [];
    public List<GlobalInfo> Globals { get; } = [];
    /// <summary>Canonical function type id of every tag.</summary>
    public List<int> Tags { get; } = [];
    /// <summary>Canonical reference type of every element segment.</summary>
    public List<ValType> Elements { get; } = [];
    public int DataCount { get; set; }

    /// <summary>Functions that may be referenced by ref.func inside function bodies.</summary>
    public bool[] DeclaredFunctions { get; set; } = [];
}
