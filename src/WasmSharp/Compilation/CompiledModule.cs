using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using WasmSharp.Model;
using WasmSharp.Runtime;
using WasmSharp.Validation;

namespace WasmSharp.Compilation;

/// <summary>
/// A compiled module: one static CIL method per defined function, in a type of its own dynamic assembly.
/// The IL is emitted up front; the JIT compiles each method on its first call, so a large module costs
/// machine code only for what runs.
/// </summary>
/// <remarks>
/// An <see cref="AssemblyBuilder"/> rather than <see cref="DynamicMethod"/>s: functions call each other with a
/// plain <c>call</c> (and <c>tail. call</c>), <see cref="RuntimeMethodHandle.GetFunctionPointer"/> gives the code
/// pointers tables and imports use, and stack traces name the methods, which gives Wasm backtraces for free.
/// The assembly is collectible by default, so the code goes with the module; the runtime does not tier code it
/// may unload, so every method is fully optimized on its first call. With
/// <see cref="EngineConfig.TieredCompilation"/> the assembly is not collectible and methods start at tier 0,
/// with on-stack replacement and tier-1 recompilation when hot.
/// </remarks>
internal sealed class CompiledModule
{
    private static readonly ConditionalWeakTable<System.Reflection.Module, CompiledModule> s_byModule = [];
    private static int s_count;

    private readonly System.Reflection.Module _module;
    private readonly Type[] _types;
    private readonly int[] _tokens;
    private readonly nint[] _codes;
    private Dictionary<int, int>? _indexByToken;
    private List<(int Token, int Index)> _extraTokens = [];

    private CompiledModule(ModuleCompilation compilation, Type[] types, int[] tokens)
    {
        Compilation = compilation;
        _types = types;
        _module = types[0].Module;
        _tokens = tokens;
        _codes = new nint[tokens.Length];
        FunctionTypeIds = compilation.FunctionTypeIds;
        s_byModule.AddOrUpdate(_module, this);
    }

    internal ModuleCompilation Compilation { get; }

    /// <summary>Canonical type id of every function in the function index space.</summary>
    internal int[] FunctionTypeIds { get; }

    internal int ImportedFunctionCount => Compilation.ImportedFunctionCount;

    internal string? ModuleName => Compilation.Module.Names?.ModuleName;

    internal static CompiledModule Compile(Model.Module module, ModuleTypes types, EngineConfig config)
    {
        var name = "wasm" + Interlocked.Increment(ref s_count).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var mb = DynamicAssemblies.DefineModule(name, collectible: !config.TieredCompilation);
        var compilation = new ModuleCompilation(module, types, config, mb);
        // The runtime allows at most 65535 methods per type: spread the functions over types of MethodsPerType.
        var typeBuilders = new List<TypeBuilder>();
        TypeBuilder NewType() =>
            mb.DefineType("WasmModule" + typeBuilders.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Abstract);
        var tb = NewType();
        typeBuilders.Add(tb);
        var methodsInType = 0;
        var imported = compilation.ImportedFunctionCount;
        var methods = new MethodBuilder[module.Functions.Count];
        var bodies = new MethodBuilder?[methods.Length];
        var attributes = MethodAttributes.Public | MethodAttributes.Static;
        for (var i = 0; i < methods.Length; i++)
        {
            var index = imported + i;
            var type = compilation.FunctionTypes[index];
            var methodName = "func" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var returnType = ClrTypes.ReturnOf(type);
            var parameters = ClrTypes.ParametersOf(type);
            if (methodsInType >= MethodsPerType)
            {
                tb = NewType();
                typeBuilders.Add(tb);
                methodsInType = 0;
            }
            methodsInType += 2;
            methods[i] = tb.DefineMethod(methodName, attributes, returnType, parameters);
            methods[i].InitLocals = false;
            if (FrameEstimate(module.Codes[i]) > LargeFrame)
            {
                bodies[i] = tb.DefineMethod(methodName + "_body", attributes, returnType, parameters);
                bodies[i]!.InitLocals = false;
            }
        }
        compilation.Methods = methods;
        var extraTokens = new List<(int Token, int Index)>();
        for (var i = 0; i < methods.Length; i++)
        {
            var target = methods[i];
            if (bodies[i] is { } body)
            {
                EmitFrameGuard(methods[i].GetILGenerator(), compilation.FunctionTypes[imported + i], body, FrameEstimate(module.Codes[i]));
                extraTokens.Add((body.MetadataToken, imported + i));
                target = body;
            }
            new FunctionCompiler(compilation, imported + i, module.Codes[i], target.GetILGenerator()).Compile();
        }
        var tokens = new int[methods.Length];
        for (var i = 0; i < methods.Length; i++) tokens[i] = methods[i].MetadataToken;
        typeBuilders.AddRange(compilation.RegionTypes);
        var baked = new Type[typeBuilders.Count];
        for (var i = 0; i < baked.Length; i++) baked[i] = typeBuilders[i].CreateType();
        compilation.Methods = [];
        return new CompiledModule(compilation, baked, tokens) { _extraTokens = extraTokens };
    }

    internal const int MethodsPerType = 32_000;

    /// <summary>Frames above this size get a guard method: see <see cref="EmitFrameGuard"/>.</summary>
    internal const long LargeFrame = 32 * 1024;

    /// <summary>A generous guess at the stack frame of a function: its locals at the widest, doubled for the JIT's temporaries.</summary>
    private static long FrameEstimate(FunctionBody body)
    {
        long bytes = 0;
        foreach (var g in body.Locals) bytes += (long)g.Count * (g.Type.Code == ValType.V128Code ? 16 : 8);
        return 2 * bytes + 4096;
    }

    /// <summary>
    /// A function with a large frame is called through a small guard that checks there is room for the
    /// whole frame first: the stack check inside the function itself runs only after its prologue has
    /// already touched the frame, which could be past the end of the stack.
    /// </summary>
    private static void EmitFrameGuard(ILGenerator il, FuncType type, MethodBuilder body, long frame)
    {
        var dummy = il.DeclareLocal(typeof(byte));
        var ok = il.DefineLabel();
        var ctx = (short)type.Params.Length;
        il.Emit(OpCodes.Ldloca, dummy);
        il.Emit(OpCodes.Conv_U);
        il.Emit(OpCodes.Ldc_I8, frame);
        il.Emit(OpCodes.Conv_U);
        il.Emit(OpCodes.Sub);
        il.Emit(OpCodes.Ldarg, ctx);
        il.Emit(OpCodes.Ldfld, Members.CtxStackLimit);
        il.Emit(OpCodes.Bge_Un, ok);
        il.Emit(OpCodes.Ldc_I4, (int)TrapCode.CallStackExhausted);
        il.Emit(OpCodes.Call, Members.Method(typeof(Traps), nameof(Traps.Create)));
        il.Emit(OpCodes.Throw);
        il.MarkLabel(ok);
        for (short i = 0; i <= ctx; i++) il.Emit(OpCodes.Ldarg, i);
        il.Emit(OpCodes.Call, body);
        il.Emit(OpCodes.Ret);
    }

    /// <summary>The entry point of a defined function (a stub that JIT-compiles it on first call).</summary>
    internal nint GetCode(int functionIndex)
    {
        var i = functionIndex - ImportedFunctionCount;
        var code = _codes[i];
        if (code == 0)
        {
            _codes[i] = code = _module.ModuleHandle.ResolveMethodHandle(_tokens[i]).GetFunctionPointer();
        }
        return code;
    }

    internal string? FunctionName(int functionIndex) =>
        functionIndex >= 0 && Compilation.Module.Names?.Functions.TryGetValue((uint)functionIndex, out var name) == true ? name : null;

    /// <summary>Maps a frame of a .NET stack trace to a Wasm function, when it is one.</summary>
    internal static bool TryMapFrame(MethodBase method, out WasmFrame frame)
    {
        frame = default;
        if (!s_byModule.TryGetValue(method.Module, out var compiled)) return false;
        var map = compiled._indexByToken;
        if (map is null)
        {
            map = new Dictionary<int, int>(compiled._tokens.Length);
            for (var i = 0; i < compiled._tokens.Length; i++) map[compiled._tokens[i]] = compiled.ImportedFunctionCount + i;
            foreach (var (token, functionIndex) in compiled._extraTokens) map[token] = functionIndex;
            compiled._indexByToken = map;
        }
        if (!map.TryGetValue(method.MetadataToken, out var index)) return false;
        frame = new WasmFrame(index, compiled.FunctionName(index), compiled.ModuleName);
        return true;
    }
}
