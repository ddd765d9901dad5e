using System.Reflection;
using WasmSharp.Model;

namespace WasmSharp.Compilation;

/// <summary>
/// Marks a static method as the implementation of an instruction. The compiler calls it with the
/// instruction's operands in order (the JIT inlines the small ones); trailing parameters beyond the
/// operands receive immediates (a lane index, or the two halves of a shuffle mask).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
internal sealed class OpAttribute(Opcode opcode) : Attribute
{
    public Opcode Opcode { get; } = opcode;
}

/// <summary>The opcode to helper-method table, collected once from the <see cref="OpAttribute"/>s.</summary>
internal static class OpHelpers
{
    private static readonly Dictionary<Opcode, MethodInfo> s_helpers = Collect();

    internal static bool TryGet(Opcode opcode, out MethodInfo method) => s_helpers.TryGetValue(opcode, out method!);

    private static Dictionary<Opcode, MethodInfo> Collect()
    {
        var d = new Dictionary<Opcode, MethodInfo>();
        foreach (var type in new[] { typeof(NumericOps), typeof(SimdOps) })
        {
            foreach (var m in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            {
                foreach (var a in m.GetCustomAttributes<OpAttribute>()) d.Add(a.Opcode, m);
            }
        }
        return d;
    }
}
