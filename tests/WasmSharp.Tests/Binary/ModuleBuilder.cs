using WasmSharp.Binary;
using WasmSharp.Model;

namespace WasmSharp.Tests.Binary;

/// <summary>Helpers to write small modules by hand in tests.</summary>
internal static class ModuleBuilder
{
    public static byte[] Header => [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];

    /// <summary>A module made of the given sections, each an id and its content.</summary>
    public static byte[] Sections(params (byte Id, byte[] Content)[] sections)
    {
        var w = new WasmWriter();
        w.WriteBytes(Header);
        foreach (var (id, content) in sections)
        {
            w.WriteByte(id);
            w.WriteU32((uint)content.Length);
            w.WriteBytes(content);
        }
        return w.ToArray();
    }

    public static byte[] Custom(string name, byte[] content)
    {
        var w = new WasmWriter();
        w.WriteName(name);
        w.WriteBytes(content);
        return w.ToArray();
    }

    /// <summary>Instruction bytes for a constant expression or body built from instructions, with the final end.</summary>
    public static byte[] Code(params Instruction[] instructions)
    {
        var w = new WasmWriter();
        foreach (var i in instructions) InstructionEncoder.Write(w, i);
        w.WriteByte(0x0B);
        return w.ToArray();
    }

    public static Instruction I32Const(int v) => new() { Opcode = Opcode.I32Const, Value = (ulong)(long)v };
    public static Instruction Op(Opcode op, uint index = 0, uint index2 = 0) => new() { Opcode = op, Index = index, Index2 = index2 };
}
