using System.Reflection;
using System.Runtime.Intrinsics;
using WasmSharp.Model;
using WasmSharp.Runtime;
using Global = WasmSharp.Runtime.Global;
using Table = WasmSharp.Runtime.Table;

namespace WasmSharp.Compilation;

/// <summary>
/// How Wasm values are represented in compiled code: i32 <c>int</c>, i64 <c>long</c>, f32 <c>float</c>,
/// f64 <c>double</c>, v128 <c>Vector128&lt;byte&gt;</c> (reinterpreted per operation), every reference
/// type <c>object</c> (funcref holds <see cref="Function"/>; GC objects and exceptions will be objects too,
/// so one representation covers all reference types and merges on the IL stack need no casts).
/// </summary>
internal static class ClrTypes
{
    internal static Type Of(ValType t) => t.Code switch
    {
        ValType.I32Code => typeof(int),
        ValType.I64Code => typeof(long),
        ValType.F32Code => typeof(float),
        ValType.F64Code => typeof(double),
        ValType.V128Code => typeof(Vector128<byte>),
        _ => typeof(object),
    };

    /// <summary>The CLR return type of a compiled function: its first result, or void.</summary>
    internal static Type ReturnOf(FuncType type) => type.Results.Length == 0 ? typeof(void) : Of(type.Results[0]);

    /// <summary>The CLR parameter list of a compiled function: its Wasm parameters, then the context.</summary>
    internal static Type[] ParametersOf(FuncType type)
    {
        var ps = new Type[type.Params.Length + 1];
        for (var i = 0; i < type.Params.Length; i++) ps[i] = Of(type.Params[i]);
        ps[^1] = typeof(InstanceContext);
        return ps;
    }

    /// <summary>The field of <see cref="ResultSlot"/> or <see cref="Global"/> that holds a value of type <paramref name="t"/>.</summary>
    internal static FieldInfo SlotField(ValType t) => t.Code switch
    {
        ValType.I32Code => Members.SlotI32,
        ValType.I64Code => Members.SlotI64,
        ValType.F32Code => Members.SlotF32,
        ValType.F64Code => Members.SlotF64,
        ValType.V128Code => Members.SlotV128,
        _ => Members.SlotRef,
    };

    internal static FieldInfo GlobalField(ValType t) => t.Code switch
    {
        ValType.I32Code => Members.GlobalI32,
        ValType.I64Code => Members.GlobalI64,
        ValType.F32Code => Members.GlobalF32,
        ValType.F64Code => Members.GlobalF64,
        ValType.V128Code => Members.GlobalV128,
        _ => Members.GlobalRef,
    };

    /// <summary>A string that is equal for two function types exactly when their compiled signatures are equal.</summary>
    internal static string SignatureKey(FuncType type)
    {
        Span<char> chars = stackalloc char[type.Params.Length + type.Results.Length + 1];
        var i = 0;
        foreach (var p in type.Params) chars[i++] = Letter(p);
        chars[i++] = '>';
        foreach (var r in type.Results) chars[i++] = Letter(r);
        return new string(chars);
    }

    private static char Letter(ValType t) => t.Code switch
    {
        ValType.I32Code => 'i',
        ValType.I64Code => 'l',
        ValType.F32Code => 'f',
        ValType.F64Code => 'd',
        ValType.V128Code => 'v',
        _ => 'r',
    };
}

/// <summary>Reflection handles of the runtime members generated code touches.</summary>
internal static class Members
{
    private const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    // First: the field initialisers below use it.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(Type, string), MethodInfo> s_methods = new();

    internal static readonly FieldInfo CtxStackLimit = Field(typeof(InstanceContext), nameof(InstanceContext.StackLimit));
    internal static readonly FieldInfo CtxResults = Field(typeof(InstanceContext), nameof(InstanceContext.Results));
    internal static readonly FieldInfo CtxMemories = Field(typeof(InstanceContext), nameof(InstanceContext.Memories));
    internal static readonly FieldInfo CtxMemory0 = Field(typeof(InstanceContext), nameof(InstanceContext.Memory0));
    internal static readonly FieldInfo CtxGlobals = Field(typeof(InstanceContext), nameof(InstanceContext.Globals));
    internal static readonly FieldInfo CtxTables = Field(typeof(InstanceContext), nameof(InstanceContext.Tables));
    internal static readonly FieldInfo CtxTable0 = Field(typeof(InstanceContext), nameof(InstanceContext.Table0));
    internal static readonly FieldInfo CtxFunctions = Field(typeof(InstanceContext), nameof(InstanceContext.Functions));
    internal static readonly FieldInfo CtxStore = Field(typeof(InstanceContext), nameof(InstanceContext.Store));
    internal static readonly FieldInfo CtxHostFunction = Field(typeof(InstanceContext), nameof(InstanceContext.HostFunction));
    internal static readonly FieldInfo F32Zero = Field(typeof(NumericOps), nameof(NumericOps.F32Zero));
    internal static readonly FieldInfo F64Zero = Field(typeof(NumericOps), nameof(NumericOps.F64Zero));
    internal static readonly MethodInfo TrapCreate = Method(typeof(Traps), nameof(Traps.Create));
    internal static readonly MethodInfo CtxGetFunction = Method(typeof(InstanceContext), nameof(InstanceContext.GetFunction));

    internal static readonly FieldInfo StoreCurrentCallerIndex = Field(typeof(Store), nameof(Store.CurrentCallerIndex));
    internal static readonly FieldInfo CtxIndex = Field(typeof(InstanceContext), nameof(InstanceContext.Index));
    internal static readonly FieldInfo StoreFuel = Field(typeof(Store), nameof(Store.FuelRemaining));
    internal static readonly FieldInfo StoreEpochDeadline = Field(typeof(Store), nameof(Store.EpochDeadline));
    internal static readonly FieldInfo StoreEngineEpoch = Field(typeof(Store), nameof(Store.EngineEpoch));
    internal static readonly FieldInfo EpochValue = Field(typeof(EpochCounter), nameof(EpochCounter.Value));
    internal static readonly MethodInfo StoreEnterFromHost = Method(typeof(Store), nameof(Store.EnterFromHost));

    internal static readonly FieldInfo FunctionContext = Field(typeof(Function), nameof(Function.Context));
    internal static readonly FieldInfo FunctionCode = Field(typeof(Function), nameof(Function.Code));

    internal static readonly FieldInfo MemoryBase = Field(typeof(Memory), nameof(Memory.Base));
    internal static readonly FieldInfo MemoryLength = Field(typeof(Memory), nameof(Memory.Length));

    internal static readonly FieldInfo TableElements = Field(typeof(Table), nameof(Table.Elements));

    internal static readonly FieldInfo GlobalI32 = Field(typeof(Global), nameof(Global.I32));
    internal static readonly FieldInfo GlobalI64 = Field(typeof(Global), nameof(Global.I64));
    internal static readonly FieldInfo GlobalF32 = Field(typeof(Global), nameof(Global.F32));
    internal static readonly FieldInfo GlobalF64 = Field(typeof(Global), nameof(Global.F64));
    internal static readonly FieldInfo GlobalV128 = Field(typeof(Global), nameof(Global.V128));
    internal static readonly FieldInfo GlobalRef = Field(typeof(Global), nameof(Global.Ref));

    internal static readonly FieldInfo SlotI32 = Field(typeof(ResultSlot), nameof(ResultSlot.I32));
    internal static readonly FieldInfo SlotI64 = Field(typeof(ResultSlot), nameof(ResultSlot.I64));
    internal static readonly FieldInfo SlotF32 = Field(typeof(ResultSlot), nameof(ResultSlot.F32));
    internal static readonly FieldInfo SlotF64 = Field(typeof(ResultSlot), nameof(ResultSlot.F64));
    internal static readonly FieldInfo SlotV128 = Field(typeof(ResultSlot), nameof(ResultSlot.V128));
    internal static readonly FieldInfo SlotRef = Field(typeof(ResultSlot), nameof(ResultSlot.Ref));

    internal static readonly MethodInfo LeadingZeroCount32 = Method(typeof(System.Numerics.BitOperations), "LeadingZeroCount", typeof(uint));
    internal static readonly MethodInfo LeadingZeroCount64 = Method(typeof(System.Numerics.BitOperations), "LeadingZeroCount", typeof(ulong));
    internal static readonly MethodInfo TrailingZeroCount32 = Method(typeof(System.Numerics.BitOperations), "TrailingZeroCount", typeof(uint));
    internal static readonly MethodInfo TrailingZeroCount64 = Method(typeof(System.Numerics.BitOperations), "TrailingZeroCount", typeof(ulong));
    internal static readonly MethodInfo PopCount32 = Method(typeof(System.Numerics.BitOperations), "PopCount", typeof(uint));
    internal static readonly MethodInfo PopCount64 = Method(typeof(System.Numerics.BitOperations), "PopCount", typeof(ulong));
    internal static readonly MethodInfo SingleToInt32Bits = Method(typeof(BitConverter), "SingleToInt32Bits", typeof(float));
    internal static readonly MethodInfo DoubleToInt64Bits = Method(typeof(BitConverter), "DoubleToInt64Bits", typeof(double));
    internal static readonly MethodInfo Int32BitsToSingle = Method(typeof(BitConverter), "Int32BitsToSingle", typeof(int));
    internal static readonly MethodInfo Int64BitsToDouble = Method(typeof(BitConverter), "Int64BitsToDouble", typeof(long));
    internal static readonly MethodInfo SqrtF32 = Method(typeof(MathF), "Sqrt", typeof(float));
    internal static readonly MethodInfo SqrtF64 = Method(typeof(Math), "Sqrt", typeof(double));

    internal static FieldInfo Field(Type type, string name) =>
        type.GetField(name, Any) ?? throw new InvalidOperationException($"{type.Name}.{name} not found");

    /// <summary>A method by name, cached: the compiler asks for the same helpers for every function.</summary>
    internal static MethodInfo Method(Type type, string name) =>
        s_methods.GetOrAdd((type, name), static key => key.Item1.GetMethod(key.Item2, Any) ?? throw new InvalidOperationException($"{key.Item1.Name}.{key.Item2} not found"));

    internal static MethodInfo Method(Type type, string name, params Type[] parameters) =>
        type.GetMethod(name, Any, parameters) ?? throw new InvalidOperationException($"{type.Name}.{name} not found");
}
