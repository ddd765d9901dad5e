using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using WasmSharp.Model;
using WasmSharp.Runtime;
using WasmSharp.Validation;

namespace WasmSharp.Compilation;

/// <summary>
/// A compiled module: one static CIL method per defined function, in a type of its own collectible
/// dynamic assembly. The IL is emitted up front; the JIT compiles each method on its first call (and
/// tiers it up when hot), so a large module costs machine code only for what runs.
/// </summary>
/// <remarks>
/// A collectible <see cref="AssemblyBuilder"/> rather than <see cref="DynamicMethod"/>s: functions call each
/// other with a plain <c>call</c> (and <c>tail. call</c>), <see cref="RuntimeMethodHandle.GetFunctionPointer"/>
/// gives the code pointers tables and imports use, methods take part in tiered compilation and on-stack
/// replacement, and stack traces name them, which gives Wasm backtraces for free.
/// </remarks>
internal sealed class CompiledModule
{
    private static readonly ConditionalWeakTable<System.Reflection.Module, CompiledModule> s_byModule = [];
    private static int s_count;

    private readonly Type _type;
    private readonly int[] _tokens;
    private readonly nint[] _codes;
    private Dictionary<int, int>? _indexByToken;

    private CompiledModule(ModuleCompilation compilation, Type type, int[] tokens)
    {
        Compilation = compilation;
        _type = type;
        _tokens = tokens;
        _codes = new nint[tokens.Length];
        FunctionTypeIds = compilation.FunctionTypeIds;
        s_byModule.AddOrUpdate(type.Module, this);
    }

    internal ModuleCompilation Compilation { get; }

    /// <summary>Canonical type id of every function in the function index space.</summary>
    internal int[] FunctionTypeIds { get; }

    internal int ImportedFunctionCount => Compilation.ImportedFunctionCount;

    internal string? ModuleName => Compilation.Module.Names?.ModuleName;

    internal static CompiledModule Compile(Model.Module module, ModuleTypes types, EngineConfig config)
    {
        var compilation = new ModuleCompilation(module, types, config);
        var name = "wasm" + Interlocked.Increment(ref s_count).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var mb = DynamicAssemblies.DefineModule(name);
        var tb = mb.DefineType("WasmModule", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Abstract);
        var imported = compilation.ImportedFunctionCount;
        var methods = new MethodBuilder[module.Functions.Count];
        for (var i = 0; i < methods.Length; i++)
        {
            var type = compilation.FunctionTypes[imported + i];
            methods[i] = tb.DefineMethod("func" + (imported + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
                MethodAttributes.Public | MethodAttributes.Static, ClrTypes.ReturnOf(type), ClrTypes.ParametersOf(type));
        }
        compilation.Methods = methods;
        for (var i = 0; i < methods.Length; i++)
            new FunctionCompiler(compilation, imported + i, module.Codes[i], methods[i].GetILGenerator()).Compile();
        var tokens = new int[methods.Length];
        for (var i = 0; i < methods.Length; i++) tokens[i] = methods[i].MetadataToken;
        var baked = tb.CreateType();
        compilation.Methods = [];
        return new CompiledModule(compilation, baked, tokens);
    }

    /// <summary>The entry point of a defined function (a stub that JIT-compiles it on first call).</summary>
    internal nint GetCode(int functionIndex)
    {
        var i = functionIndex - ImportedFunctionCount;
        var code = _codes[i];
        if (code == 0)
        {
            var method = _type.Module.ResolveMethod(_tokens[i])!;
            _codes[i] = code = method.MethodHandle.GetFunctionPointer();
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
            compiled._indexByToken = map;
        }
        if (!map.TryGetValue(method.MetadataToken, out var index)) return false;
        frame = new WasmFrame(index, compiled.FunctionName(index), compiled.ModuleName);
        return true;
    }
}
