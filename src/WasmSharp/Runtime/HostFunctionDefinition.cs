using System.Reflection;
using System.Runtime.Intrinsics;
using WasmSharp.Model;

namespace WasmSharp.Runtime;

/// <summary>
/// A host function independent of any store: its canonical type, the delegate to call and the compiled
/// stub that adapts the Wasm calling convention to it. <see cref="Store.GetHostFunction"/> makes a
/// <see cref="Function"/> of it per store.
/// </summary>
internal sealed class HostFunctionDefinition
{
    private HostFunctionDefinition(Engine engine, FuncType type, Delegate target, bool untyped, bool hasCaller, string? name)
    {
        Type = type;
        TypeId = engine.Types.Intern([SubType.Plain(type)], 0, []);
        Target = target;
        IsUntyped = untyped;
        HasCaller = hasCaller;
        Name = name;
        Code = engine.Stubs.GetHostStub(this);
    }

    internal FuncType Type { get; }
    internal int TypeId { get; }
    internal Delegate Target { get; }

    /// <summary>True for a <see cref="HostFunctionCallback"/>; false for a delegate with Wasm-typed parameters.</summary>
    internal bool IsUntyped { get; }

    /// <summary>For typed delegates: the first parameter is a <see cref="Caller"/>.</summary>
    internal bool HasCaller { get; }

    internal string? Name { get; }
    internal nint Code { get; }

    internal static HostFunctionDefinition FromCallback(Engine engine, FuncType type, HostFunctionCallback callback, string? name)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(callback);
        foreach (var t in type.Params) CheckHostType(t);
        foreach (var t in type.Results) CheckHostType(t);
        return new HostFunctionDefinition(engine, type, callback, untyped: true, hasCaller: true, name);
    }

    internal static HostFunctionDefinition FromDelegate(Engine engine, Delegate callback, string? name)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (callback is HostFunctionCallback)
            throw new ArgumentException("An untyped callback needs its function type; use the overload that takes a FuncType.", nameof(callback));
        var invoke = callback.GetType().GetMethod("Invoke")!;
        var parameters = invoke.GetParameters();
        var hasCaller = parameters.Length > 0 && parameters[0].ParameterType == typeof(Caller);
        var ps = new List<ValType>();
        for (var i = hasCaller ? 1 : 0; i < parameters.Length; i++)
        {
            if (parameters[i].ParameterType.IsByRef) throw new ArgumentException("Host function parameters cannot be by reference.", nameof(callback));
            ps.Add(ToValType(parameters[i].ParameterType));
        }
        var results = ResultTypes(invoke.ReturnType);
        return new HostFunctionDefinition(engine, new FuncType([.. ps], results), callback, untyped: false, hasCaller, name);
    }

    /// <summary>The Wasm results of a delegate's return type: none, one, or the elements of a ValueTuple.</summary>
    internal static ValType[] ResultTypes(Type returnType)
    {
        if (returnType == typeof(void)) return [];
        if (IsValueTuple(returnType))
        {
            var args = returnType.GetGenericArguments();
            var rs = new ValType[args.Length];
            for (var i = 0; i < args.Length; i++) rs[i] = ToValType(args[i]);
            return rs;
        }
        return [ToValType(returnType)];
    }

    internal static bool IsValueTuple(Type t) =>
        t.IsGenericType && t.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal) && t.GetGenericArguments().Length is >= 2 and <= 7;

    /// <summary>The Wasm type a CLR type stands for in typed host functions and typed exports.</summary>
    internal static ValType ToValType(Type t)
    {
        if (t == typeof(int) || t == typeof(uint)) return ValType.I32;
        if (t == typeof(long) || t == typeof(ulong)) return ValType.I64;
        if (t == typeof(float)) return ValType.F32;
        if (t == typeof(double)) return ValType.F64;
        if (t == typeof(Vector128<byte>)) return ValType.V128;
        if (t == typeof(Function)) return ValType.FuncRef;
        if (t == typeof(object)) return ValType.ExternRef;
        throw new ArgumentException($"{t} is not a type a Wasm value can have (int, uint, long, ulong, float, double, Vector128<byte>, Function, object).");
    }

    private static void CheckHostType(ValType t)
    {
        if (t.IsRef && t.Heap.IsConcrete)
            throw new ArgumentException("Host function types with concrete reference types are not supported yet.");
    }

    internal static MethodInfo InvokeMethod(Type delegateType) => delegateType.GetMethod("Invoke")!;
}
