using System.Runtime.Intrinsics;
using WasmSharp.Model;

namespace WasmSharp.Runtime;

/// <summary>A global variable. Imported globals are shared: every instance sees the same cell.</summary>
public sealed class Global : Extern
{
    // Read and written directly by generated code: one field per representation.
    internal int I32;
    internal long I64;
    internal float F32;
    internal double F64;
    internal Vector128<byte> V128;
    internal object? Ref;

    /// <summary>Creates a global of the given type holding <paramref name="initial"/>.</summary>
    public Global(Store store, GlobalType type, Value initial)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        Type = type;
        if (!store.Engine.ValueMatches(initial, type.Type))
            throw new ArgumentException($"The initial value is a {initial.Type}, the global holds {type.Type}.", nameof(initial));
        SetRaw(initial);
    }

    public override ExternalKind Kind => ExternalKind.Global;

    public Store Store { get; }

    public GlobalType Type { get; }

    public bool IsMutable => Type.Mutable;

    /// <summary>The current value. Setting it requires a mutable global.</summary>
    public Value Value
    {
        get => Type.Type.Code switch
        {
            ValType.I32Code => Value.I32(I32),
            ValType.I64Code => Value.I64(I64),
            ValType.F32Code => Value.F32(F32),
            ValType.F64Code => Value.F64(F64),
            ValType.V128Code => Value.V128(V128),
            _ => Value.Ref(Type.Type, Ref),
        };
        set
        {
            if (!Type.Mutable) throw new InvalidOperationException("The global is immutable.");
            if (!Store.Engine.ValueMatches(value, Type.Type))
                throw new ArgumentException($"The value is a {value.Type}, the global holds {Type.Type}.", nameof(value));
            SetRaw(value);
        }
    }

    internal void SetRaw(Value value)
    {
        switch (Type.Type.Code)
        {
            case ValType.I32Code: I32 = value.RawI32; break;
            case ValType.I64Code: I64 = value.RawI64; break;
            case ValType.F32Code: F32 = value.RawF32; break;
            case ValType.F64Code: F64 = value.RawF64; break;
            case ValType.V128Code: V128 = value.RawV128; break;
            default: Ref = value.RawRef; break;
        }
    }
}
