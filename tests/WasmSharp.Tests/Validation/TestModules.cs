using WasmSharp.Model;

namespace WasmSharp.Tests.Validation;

/// <summary>Builds small modules directly in the Model, with bodies given as raw instruction bytes.</summary>
internal static class TestModules
{
    /// <summary>A module with one function of type <paramref name="type"/> whose body is <paramref name="code"/> (an <c>end</c> is appended).</summary>
    public static Module Func(FuncType type, params byte[] code) => Func(type, [], code);

    public static Module Func(FuncType type, LocalGroup[] locals, params byte[] code)
    {
        var m = new Module();
        m.RecGroups.Add(new RecGroup([SubType.Plain(type)]));
        AddFunction(m, 0, locals, code);
        return m;
    }

    public static void AddFunction(Module m, uint typeIndex, LocalGroup[] locals, params byte[] code)
    {
        m.Functions.Add(typeIndex);
        m.Codes.Add(new FunctionBody(locals, WithEnd(code)));
    }

    public static byte[] WithEnd(byte[] code) => [.. code, 0x0B];

    public static ConstExpr Const(params byte[] code) => new(WithEnd(code));

    public static FuncType Sig(ValType[] parameters, ValType[] results) => new(parameters, results);

    public static readonly FuncType Nullary = FuncType.Empty;
}
