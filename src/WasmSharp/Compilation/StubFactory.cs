using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Intrinsics;
using WasmSharp.Model;
using WasmSharp.Runtime;

namespace WasmSharp.Compilation;

/// <summary>Calls a compiled function through the untyped API.</summary>
internal delegate void WasmInvoker(nint code, InstanceContext context, ReadOnlySpan<Value> args, Span<Value> results);

/// <summary>
/// Emits and caches, per engine, the code at the boundary between host and Wasm: host-function stubs
/// (the Wasm calling convention on one side, a delegate on the other), untyped invokers and typed
/// entry delegates. Stubs are keyed by signature, so there is one per shape, not one per function.
/// </summary>
internal sealed class StubFactory
{
    private readonly Lock _lock = new();
    private readonly Engine _engine;
    private readonly Dictionary<(Type, bool), nint> _typedHostStubs = [];
    private readonly Dictionary<FuncType, nint> _untypedHostStubs = [];
    private readonly Dictionary<FuncType, WasmInvoker> _invokers = [];
    private readonly Dictionary<(Type, string), DynamicMethod> _entries = [];
    private ModuleBuilder? _module;
    private int _count;

    internal StubFactory(Engine engine)
    {
        _engine = engine;
    }

    // ---- Host function stubs: static R stub(P..., InstanceContext hostContext) ----

    internal nint GetHostStub(HostFunctionDefinition def)
    {
        lock (_lock)
        {
            if (def.IsUntyped)
            {
                if (!_untypedHostStubs.TryGetValue(def.Type, out var code))
                    _untypedHostStubs[def.Type] = code = BuildHostStub(def.Type, il => EmitUntypedHostCall(il, def.Type));
                return code;
            }
            var key = (def.Target.GetType(), def.HasCaller);
            if (!_typedHostStubs.TryGetValue(key, out var typed))
                _typedHostStubs[key] = typed = BuildHostStub(def.Type, il => EmitTypedHostCall(il, def.Type, def.Target.GetType(), def.HasCaller));
            return typed;
        }
    }

    private nint BuildHostStub(FuncType type, Action<ILGenerator> body)
    {
        _module ??= DynamicAssemblies.DefineModule("WasmSharp.Stubs");
        var tb = _module.DefineType("HostStub" + _count++, TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Abstract);
        var mb = tb.DefineMethod("Invoke", MethodAttributes.Public | MethodAttributes.Static, ClrTypes.ReturnOf(type), ClrTypes.ParametersOf(type));
        body(mb.GetILGenerator());
        var method = tb.CreateType().GetMethod("Invoke")!;
        return method.MethodHandle.GetFunctionPointer();
    }

    private static void EmitTypedHostCall(ILGenerator il, FuncType type, Type delegateType, bool hasCaller)
    {
        var invoke = HostFunctionDefinition.InvokeMethod(delegateType);
        var delegateParams = invoke.GetParameters();
        var ctxArg = (short)type.Params.Length;
        LocalBuilder? caller = null;
        if (hasCaller)
        {
            caller = il.DeclareLocal(typeof(Caller));
            il.Emit(OpCodes.Ldarg, ctxArg);
            il.Emit(OpCodes.Call, Members.Method(typeof(StubHelpers), nameof(StubHelpers.GetCaller)));
            il.Emit(OpCodes.Stloc, caller);
        }
        var returnType = invoke.ReturnType;
        var result = returnType == typeof(void) ? null : il.DeclareLocal(returnType);
        il.BeginExceptionBlock();
        il.Emit(OpCodes.Ldarg, ctxArg);
        il.Emit(OpCodes.Ldfld, Members.CtxHostFunction);
        il.Emit(OpCodes.Call, Members.Method(typeof(HostFunctionDefinition), "get_Target"));
        il.Emit(OpCodes.Castclass, delegateType);
        if (caller is not null) il.Emit(OpCodes.Ldloc, caller);
        var first = hasCaller ? 1 : 0;
        for (var i = 0; i < type.Params.Length; i++)
        {
            il.Emit(OpCodes.Ldarg, (short)i);
            if (delegateParams[first + i].ParameterType == typeof(Function)) il.Emit(OpCodes.Castclass, typeof(Function));
        }
        il.Emit(OpCodes.Callvirt, invoke);
        if (result is not null) il.Emit(OpCodes.Stloc, result);
        EmitWrapHostExceptions(il);
        il.EndExceptionBlock();
        if (result is null)
        {
            il.Emit(OpCodes.Ret);
            return;
        }
        if (HostFunctionDefinition.IsValueTuple(returnType))
        {
            var items = returnType.GetGenericArguments();
            for (var k = 1; k < items.Length; k++)
            {
                EmitSlotAddress(il, ctxArg, k);
                il.Emit(OpCodes.Ldloca, result);
                il.Emit(OpCodes.Ldfld, returnType.GetField("Item" + (k + 1))!);
                il.Emit(OpCodes.Stfld, ClrTypes.SlotField(type.Results[k]));
            }
            il.Emit(OpCodes.Ldloca, result);
            il.Emit(OpCodes.Ldfld, returnType.GetField("Item1")!);
        }
        else
        {
            il.Emit(OpCodes.Ldloc, result);
        }
        il.Emit(OpCodes.Ret);
    }

    /// <summary>
    /// Ends a try block with <c>catch (Exception e) when (StubHelpers.IsForeign(e)) { throw Wrap(e); }</c>.
    /// A trap must pass through without being caught: a catch handler runs on top of the frames it unwinds,
    /// so catching and rethrowing it in every host stub of a deep host -> Wasm -> host chain would nest one
    /// exception dispatch per stub on a stack that is already exhausted, and overflow it. A Wasm exception
    /// (<see cref="ThrownException"/>) passes too, so that Wasm handlers beyond the host function can catch it.
    /// </summary>
    internal static void EmitWrapHostExceptions(ILGenerator il)
    {
        il.BeginExceptFilterBlock();
        il.Emit(OpCodes.Call, Members.Method(typeof(StubHelpers), nameof(StubHelpers.IsForeign)));
        il.BeginCatchBlock(null);
        il.Emit(OpCodes.Call, Members.Method(typeof(StubHelpers), nameof(StubHelpers.WrapHostException)));
        il.Emit(OpCodes.Throw);
    }

    private static void EmitUntypedHostCall(ILGenerator il, FuncType type)
    {
        var ctxArg = (short)type.Params.Length;
        var results = il.DeclareLocal(typeof(Value[]));
        il.Emit(OpCodes.Ldarg, ctxArg);
        il.Emit(OpCodes.Ldc_I4, type.Params.Length);
        il.Emit(OpCodes.Newarr, typeof(Value));
        for (var i = 0; i < type.Params.Length; i++)
        {
            il.Emit(OpCodes.Dup);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldelema, typeof(Value));
            il.Emit(OpCodes.Ldarg, (short)i);
            EmitToValue(il, type.Params[i]);
            il.Emit(OpCodes.Stobj, typeof(Value));
        }
        il.Emit(OpCodes.Ldc_I4, type.Results.Length);
        il.Emit(OpCodes.Newarr, typeof(Value));
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Stloc, results);
        il.Emit(OpCodes.Call, Members.Method(typeof(StubHelpers), nameof(StubHelpers.InvokeUntyped)));
        for (var k = 1; k < type.Results.Length; k++)
        {
            EmitSlotAddress(il, ctxArg, k);
            il.Emit(OpCodes.Ldloc, results);
            il.Emit(OpCodes.Ldc_I4, k);
            il.Emit(OpCodes.Ldelema, typeof(Value));
            EmitFromValueRef(il, type.Results[k]);
            il.Emit(OpCodes.Stfld, ClrTypes.SlotField(type.Results[k]));
        }
        if (type.Results.Length > 0)
        {
            il.Emit(OpCodes.Ldloc, results);
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Ldelema, typeof(Value));
            EmitFromValueRef(il, type.Results[0]);
        }
        il.Emit(OpCodes.Ret);
    }

    // ---- Untyped invokers: host -> compiled code through Value spans ----

    internal WasmInvoker GetInvoker(FuncType type)
    {
        lock (_lock)
        {
            if (_invokers.TryGetValue(type, out var invoker)) return invoker;
            var dm = new DynamicMethod("invoke " + type, typeof(void),
                [typeof(nint), typeof(InstanceContext), typeof(ReadOnlySpan<Value>), typeof(Span<Value>)], typeof(StubFactory).Module, skipVisibility: true);
            var il = dm.GetILGenerator();
            var getArg = typeof(ReadOnlySpan<Value>).GetMethod("get_Item")!;
            var getResult = typeof(Span<Value>).GetMethod("get_Item")!;
            for (var i = 0; i < type.Params.Length; i++)
            {
                il.Emit(OpCodes.Ldarga_S, (byte)2);
                il.Emit(OpCodes.Ldc_I4, i);
                il.Emit(OpCodes.Call, getArg);
                EmitFromValueRef(il, type.Params[i]);
            }
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldarg_0);
            il.EmitCalli(OpCodes.Calli, CallingConventions.Standard, ClrTypes.ReturnOf(type), ClrTypes.ParametersOf(type), null);
            if (type.Results.Length > 0)
            {
                var r0 = il.DeclareLocal(ClrTypes.Of(type.Results[0]));
                il.Emit(OpCodes.Stloc, r0);
                il.Emit(OpCodes.Ldarga_S, (byte)3);
                il.Emit(OpCodes.Ldc_I4_0);
                il.Emit(OpCodes.Call, getResult);
                il.Emit(OpCodes.Ldloc, r0);
                EmitToValue(il, type.Results[0]);
                il.Emit(OpCodes.Stobj, typeof(Value));
                for (var k = 1; k < type.Results.Length; k++)
                {
                    il.Emit(OpCodes.Ldarga_S, (byte)3);
                    il.Emit(OpCodes.Ldc_I4, k);
                    il.Emit(OpCodes.Call, getResult);
                    EmitSlotAddress(il, 1, k);
                    il.Emit(OpCodes.Ldfld, ClrTypes.SlotField(type.Results[k]));
                    EmitToValue(il, type.Results[k]);
                    il.Emit(OpCodes.Stobj, typeof(Value));
                }
            }
            il.Emit(OpCodes.Ret);
            invoker = dm.CreateDelegate<WasmInvoker>();
            _invokers.Add(type, invoker);
            return invoker;
        }
    }

    // ---- Typed entry delegates: host -> compiled code, closed over the Function ----

    internal Delegate CreateEntryDelegate(Function function, Type delegateType)
    {
        var type = function.Type;
        var invoke = delegateType.GetMethod("Invoke") ?? throw new ArgumentException($"{delegateType} is not a delegate type.");
        var ps = invoke.GetParameters();
        var rs = HostFunctionDefinition.ResultTypes(invoke.ReturnType);
        var matches = ps.Length == type.Params.Length && rs.Length == type.Results.Length;
        for (var i = 0; matches && i < ps.Length; i++) matches = ClrMatches(ps[i].ParameterType, type.Params[i]);
        if (matches && rs.Length == 1) matches = ClrMatches(invoke.ReturnType, type.Results[0]);
        if (matches && rs.Length > 1)
        {
            var items = invoke.ReturnType.GetGenericArguments();
            for (var i = 0; matches && i < items.Length; i++) matches = ClrMatches(items[i], type.Results[i]);
        }
        if (!matches) throw new ArgumentException($"{delegateType} does not match the function's type {type}.");

        DynamicMethod? dm;
        lock (_lock)
        {
            var key = (delegateType, ClrTypes.SignatureKey(type));
            if (!_entries.TryGetValue(key, out dm))
            {
                _entries[key] = dm = BuildEntry(type, invoke);
            }
        }
        return dm.CreateDelegate(delegateType, function);
    }

    private static bool ClrMatches(Type clr, ValType wasm)
    {
        if (wasm.IsRef) return clr == typeof(object) || clr == typeof(Function);
        return ClrTypes.Of(wasm) == clr
            || (clr == typeof(uint) && wasm.Code == ValType.I32Code)
            || (clr == typeof(ulong) && wasm.Code == ValType.I64Code);
    }

    private static DynamicMethod BuildEntry(FuncType type, MethodInfo invoke)
    {
        var ps = invoke.GetParameters();
        var argTypes = new Type[ps.Length + 1];
        argTypes[0] = typeof(Function);
        for (var i = 0; i < ps.Length; i++) argTypes[i + 1] = ps[i].ParameterType;
        var returnType = invoke.ReturnType;
        var dm = new DynamicMethod("entry " + type, returnType, argTypes, typeof(StubFactory).Module, skipVisibility: true);
        var il = dm.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldfld, Members.FunctionContext);
        il.Emit(OpCodes.Ldfld, Members.CtxStore);
        il.Emit(OpCodes.Call, Members.StoreEnterFromHost);
        for (var i = 0; i < ps.Length; i++) il.Emit(OpCodes.Ldarg, (short)(i + 1));
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldfld, Members.FunctionContext);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldfld, Members.FunctionCode);
        il.EmitCalli(OpCodes.Calli, CallingConventions.Standard, ClrTypes.ReturnOf(type), ClrTypes.ParametersOf(type), null);
        if (type.Results.Length > 1)
        {
            var tuple = il.DeclareLocal(returnType);
            var items = returnType.GetGenericArguments();
            var r0 = il.DeclareLocal(ClrTypes.Of(type.Results[0]));
            il.Emit(OpCodes.Stloc, r0);
            il.Emit(OpCodes.Ldloca, tuple);
            il.Emit(OpCodes.Ldloc, r0);
            if (items[0] == typeof(Function)) il.Emit(OpCodes.Castclass, typeof(Function));
            il.Emit(OpCodes.Stfld, returnType.GetField("Item1")!);
            for (var k = 1; k < items.Length; k++)
            {
                il.Emit(OpCodes.Ldloca, tuple);
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldfld, Members.FunctionContext);
                il.Emit(OpCodes.Ldfld, Members.CtxResults);
                il.Emit(OpCodes.Ldc_I4, k);
                il.Emit(OpCodes.Ldelema, typeof(ResultSlot));
                il.Emit(OpCodes.Ldfld, ClrTypes.SlotField(type.Results[k]));
                if (items[k] == typeof(Function)) il.Emit(OpCodes.Castclass, typeof(Function));
                il.Emit(OpCodes.Stfld, returnType.GetField("Item" + (k + 1))!);
            }
            il.Emit(OpCodes.Ldloc, tuple);
        }
        else if (returnType == typeof(Function))
        {
            il.Emit(OpCodes.Castclass, typeof(Function));
        }
        il.Emit(OpCodes.Ret);
        return dm;
    }

    // ---- Shared emission helpers ----

    /// <summary>Pushes the address of result slot <paramref name="k"/> of the store, through the context in argument <paramref name="ctxArg"/>.</summary>
    private static void EmitSlotAddress(ILGenerator il, short ctxArg, int k)
    {
        il.Emit(OpCodes.Ldarg, ctxArg);
        il.Emit(OpCodes.Ldfld, Members.CtxResults);
        il.Emit(OpCodes.Ldc_I4, k);
        il.Emit(OpCodes.Ldelema, typeof(ResultSlot));
    }

    /// <summary>Turns the raw value of type <paramref name="t"/> on the stack into a <see cref="Value"/>.</summary>
    internal static void EmitToValue(ILGenerator il, ValType t)
    {
        switch (t.Code)
        {
            case ValType.I32Code: il.Emit(OpCodes.Call, Members.Method(typeof(Value), nameof(Value.I32), typeof(int))); break;
            case ValType.I64Code: il.Emit(OpCodes.Call, Members.Method(typeof(Value), nameof(Value.I64), typeof(long))); break;
            case ValType.F32Code: il.Emit(OpCodes.Call, Members.Method(typeof(Value), nameof(Value.F32), typeof(float))); break;
            case ValType.F64Code: il.Emit(OpCodes.Call, Members.Method(typeof(Value), nameof(Value.F64), typeof(double))); break;
            case ValType.V128Code: il.Emit(OpCodes.Call, Members.Method(typeof(Value), nameof(Value.V128), typeof(Vector128<byte>))); break;
            default:
                il.Emit(OpCodes.Ldc_I4, (int)t.Code);
                il.Emit(OpCodes.Ldc_I4, t.Heap.Code);
                il.Emit(OpCodes.Call, Members.Method(typeof(StubHelpers), nameof(StubHelpers.RefValue)));
                break;
        }
    }

    /// <summary>Turns the managed pointer to a <see cref="Value"/> on the stack into its raw value of type <paramref name="t"/>.</summary>
    internal static void EmitFromValueRef(ILGenerator il, ValType t)
    {
        var getter = t.Code switch
        {
            ValType.I32Code => "get_RawI32",
            ValType.I64Code => "get_RawI64",
            ValType.F32Code => "get_RawF32",
            ValType.F64Code => "get_RawF64",
            ValType.V128Code => "get_RawV128",
            _ => "get_RawRef",
        };
        il.Emit(OpCodes.Call, Members.Method(typeof(Value), getter));
    }
}

/// <summary>Creates the dynamic assemblies compiled code lives in.</summary>
internal static class DynamicAssemblies
{
    internal static ModuleBuilder DefineModule(string name, bool collectible = true)
    {
        var self = typeof(DynamicAssemblies).Assembly.GetName().Name!;
        var ignoreChecks = new CustomAttributeBuilder(
            typeof(System.Runtime.CompilerServices.IgnoresAccessChecksToAttribute).GetConstructor([typeof(string)])!, [self]);
        var assembly = AssemblyBuilder.DefineDynamicAssembly(
            new AssemblyName(name), collectible ? AssemblyBuilderAccess.RunAndCollect : AssemblyBuilderAccess.Run, [ignoreChecks]);
        return assembly.DefineDynamicModule(name);
    }
}
