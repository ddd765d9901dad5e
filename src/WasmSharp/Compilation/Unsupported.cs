using WasmSharp.Model;

namespace WasmSharp.Compilation;

/// <summary>Names the proposal an instruction the engine cannot run yet belongs to, for skip and error messages.</summary>
internal static class Unsupported
{
    internal static string Feature(Opcode opcode)
    {
        var prefix = (int)opcode >> 16;
        return opcode switch
        {
            _ when prefix == 0xFB => "GC",
            Opcode.RefEq => "GC",
            Opcode.CallRef or Opcode.ReturnCallRef => "typed function references",
            _ when prefix == 0xFE => "threads",
            Opcode.I64Add128 or Opcode.I64Sub128 or Opcode.I64MulWideS or Opcode.I64MulWideU => "wide arithmetic",
            _ => "an unimplemented feature",
        };
    }

    internal static NotSupportedException Exception(Opcode opcode, string context) =>
        new($"needs {Feature(opcode)}: {context} {OpcodeTable.Get(opcode).Name} is not supported yet");
}
