using System.Reflection.Emit;
using WasmSharp.Model;

namespace WasmSharp.Compilation;

internal sealed partial class FunctionCompiler
{
    // Every other SIMD instruction is a helper call with its operands (and lane immediates): see SimdOps.

    private bool TryEmitSimdMemory(in Instruction ins)
    {
        switch (ins.Opcode)
        {
            case Opcode.V128Load: SimdLoad(in ins, 16, nameof(SimdOps.Load)); return true;
            case Opcode.V128Load8x8S: SimdLoad(in ins, 8, nameof(SimdOps.Load8x8S)); return true;
            case Opcode.V128Load8x8U: SimdLoad(in ins, 8, nameof(SimdOps.Load8x8U)); return true;
            case Opcode.V128Load16x4S: SimdLoad(in ins, 8, nameof(SimdOps.Load16x4S)); return true;
            case Opcode.V128Load16x4U: SimdLoad(in ins, 8, nameof(SimdOps.Load16x4U)); return true;
            case Opcode.V128Load32x2S: SimdLoad(in ins, 8, nameof(SimdOps.Load32x2S)); return true;
            case Opcode.V128Load32x2U: SimdLoad(in ins, 8, nameof(SimdOps.Load32x2U)); return true;
            case Opcode.V128Load8Splat: SimdLoad(in ins, 1, nameof(SimdOps.Load8Splat)); return true;
            case Opcode.V128Load16Splat: SimdLoad(in ins, 2, nameof(SimdOps.Load16Splat)); return true;
            case Opcode.V128Load32Splat: SimdLoad(in ins, 4, nameof(SimdOps.Load32Splat)); return true;
            case Opcode.V128Load64Splat: SimdLoad(in ins, 8, nameof(SimdOps.Load64Splat)); return true;
            case Opcode.V128Load32Zero: SimdLoad(in ins, 4, nameof(SimdOps.Load32Zero)); return true;
            case Opcode.V128Load64Zero: SimdLoad(in ins, 8, nameof(SimdOps.Load64Zero)); return true;
            case Opcode.V128Store: SimdWithVector(in ins, 16, nameof(SimdOps.Store), lane: false, result: false); return true;
            case Opcode.V128Load8Lane: SimdWithVector(in ins, 1, nameof(SimdOps.Load8Lane), lane: true, result: true); return true;
            case Opcode.V128Load16Lane: SimdWithVector(in ins, 2, nameof(SimdOps.Load16Lane), lane: true, result: true); return true;
            case Opcode.V128Load32Lane: SimdWithVector(in ins, 4, nameof(SimdOps.Load32Lane), lane: true, result: true); return true;
            case Opcode.V128Load64Lane: SimdWithVector(in ins, 8, nameof(SimdOps.Load64Lane), lane: true, result: true); return true;
            case Opcode.V128Store8Lane: SimdWithVector(in ins, 1, nameof(SimdOps.Store8Lane), lane: true, result: false); return true;
            case Opcode.V128Store16Lane: SimdWithVector(in ins, 2, nameof(SimdOps.Store16Lane), lane: true, result: false); return true;
            case Opcode.V128Store32Lane: SimdWithVector(in ins, 4, nameof(SimdOps.Store32Lane), lane: true, result: false); return true;
            case Opcode.V128Store64Lane: SimdWithVector(in ins, 8, nameof(SimdOps.Store64Lane), lane: true, result: false); return true;
            default: return false;
        }
    }

    private void SimdLoad(in Instruction ins, int size, string helper)
    {
        Pop();
        EmitEffectiveAddress(ins.MemArg, size);
        EmitCallHelper(Members.Method(typeof(SimdOps), helper));
        Push(ValType.V128);
    }

    /// <summary>[address, vector] → stores or loads a lane (or the whole vector) at the address.</summary>
    private void SimdWithVector(in Instruction ins, int size, string helper, bool lane, bool result)
    {
        Pop();
        Pop();
        var v = RentTemp(typeof(System.Runtime.Intrinsics.Vector128<byte>));
        _il.Emit(OpCodes.Stloc, v);
        EmitEffectiveAddress(ins.MemArg, size);
        _il.Emit(OpCodes.Ldloc, v);
        ReturnTemp(v);
        if (lane) LdcI4(ins.Lane);
        EmitCallHelper(Members.Method(typeof(SimdOps), helper));
        if (result) Push(ValType.V128);
    }
}
