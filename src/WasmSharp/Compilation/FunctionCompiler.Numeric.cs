using System.Reflection.Emit;
using WasmSharp.Model;

namespace WasmSharp.Compilation;

internal sealed partial class FunctionCompiler
{
    /// <summary>Numeric instructions that map onto plain CIL: no helper call, best code at every tier.</summary>
    private bool TryEmitNumeric(in Instruction ins)
    {
        switch (ins.Opcode)
        {
            case Opcode.I32Eqz: Unary(ValType.I32, OpCodes.Ldc_I4_0, OpCodes.Ceq); return true;
            case Opcode.I64Eqz:
                Pop();
                _il.Emit(OpCodes.Ldc_I4_0);
                _il.Emit(OpCodes.Conv_I8);
                _il.Emit(OpCodes.Ceq);
                Push(ValType.I32);
                return true;

            case Opcode.I32Eq: case Opcode.I64Eq: case Opcode.F32Eq: case Opcode.F64Eq:
                Compare(OpCodes.Ceq, negate: false); return true;
            case Opcode.I32Ne: case Opcode.I64Ne: case Opcode.F32Ne: case Opcode.F64Ne:
                Compare(OpCodes.Ceq, negate: true); return true;
            case Opcode.I32LtS: case Opcode.I64LtS: case Opcode.F32Lt: case Opcode.F64Lt:
                Compare(OpCodes.Clt, negate: false); return true;
            case Opcode.I32LtU: case Opcode.I64LtU:
                Compare(OpCodes.Clt_Un, negate: false); return true;
            case Opcode.I32GtS: case Opcode.I64GtS: case Opcode.F32Gt: case Opcode.F64Gt:
                Compare(OpCodes.Cgt, negate: false); return true;
            case Opcode.I32GtU: case Opcode.I64GtU:
                Compare(OpCodes.Cgt_Un, negate: false); return true;
            // a <= b is !(a > b) for integers; for floats cgt.un is also true when unordered, so !cgt.un is exact.
            case Opcode.I32LeS: case Opcode.I64LeS:
                Compare(OpCodes.Cgt, negate: true); return true;
            case Opcode.I32LeU: case Opcode.I64LeU: case Opcode.F32Le: case Opcode.F64Le:
                Compare(OpCodes.Cgt_Un, negate: true); return true;
            case Opcode.I32GeS: case Opcode.I64GeS:
                Compare(OpCodes.Clt, negate: true); return true;
            case Opcode.I32GeU: case Opcode.I64GeU: case Opcode.F32Ge: case Opcode.F64Ge:
                Compare(OpCodes.Clt_Un, negate: true); return true;

            case Opcode.I32Add: case Opcode.I64Add: case Opcode.F32Add: case Opcode.F64Add: Binary(OpCodes.Add); return true;
            case Opcode.I32Sub: case Opcode.I64Sub: case Opcode.F32Sub: case Opcode.F64Sub: Binary(OpCodes.Sub); return true;
            case Opcode.I32Mul: case Opcode.I64Mul: case Opcode.F32Mul: case Opcode.F64Mul: Binary(OpCodes.Mul); return true;
            case Opcode.F32Div: case Opcode.F64Div: Binary(OpCodes.Div); return true;
            case Opcode.I32And: case Opcode.I64And: Binary(OpCodes.And); return true;
            case Opcode.I32Or: case Opcode.I64Or: Binary(OpCodes.Or); return true;
            case Opcode.I32Xor: case Opcode.I64Xor: Binary(OpCodes.Xor); return true;

            // CIL leaves shifts by the width or more undefined; Wasm takes the count modulo the width.
            case Opcode.I32Shl: Shift32(OpCodes.Shl); return true;
            case Opcode.I32ShrS: Shift32(OpCodes.Shr); return true;
            case Opcode.I32ShrU: Shift32(OpCodes.Shr_Un); return true;
            case Opcode.I64Shl: Shift64(OpCodes.Shl); return true;
            case Opcode.I64ShrS: Shift64(OpCodes.Shr); return true;
            case Opcode.I64ShrU: Shift64(OpCodes.Shr_Un); return true;

            case Opcode.I32WrapI64: Convert(ValType.I32, OpCodes.Conv_I4); return true;
            case Opcode.I64ExtendI32S: Convert(ValType.I64, OpCodes.Conv_I8); return true;
            case Opcode.I64ExtendI32U: Convert(ValType.I64, OpCodes.Conv_U8); return true;
            case Opcode.I32Extend8S: Convert(ValType.I32, OpCodes.Conv_I1); return true;
            case Opcode.I32Extend16S: Convert(ValType.I32, OpCodes.Conv_I2); return true;
            case Opcode.I64Extend8S: Convert(ValType.I64, OpCodes.Conv_I1, OpCodes.Conv_I8); return true;
            case Opcode.I64Extend16S: Convert(ValType.I64, OpCodes.Conv_I2, OpCodes.Conv_I8); return true;
            case Opcode.I64Extend32S: Convert(ValType.I64, OpCodes.Conv_I4, OpCodes.Conv_I8); return true;

            case Opcode.F32ConvertI32S: Convert(ValType.F32, OpCodes.Conv_R4); return true;
            case Opcode.F64ConvertI32S: case Opcode.F64ConvertI64S: Convert(ValType.F64, OpCodes.Conv_R8); return true;
            default: return false;
        }
    }

    private void Unary(ValType result, OpCode a, OpCode b)
    {
        Pop();
        _il.Emit(a);
        _il.Emit(b);
        Push(result);
    }

    private void Binary(OpCode op)
    {
        Pop();
        _il.Emit(op);
    }

    private void Compare(OpCode op, bool negate)
    {
        Pop(2);
        _il.Emit(op);
        if (negate)
        {
            _il.Emit(OpCodes.Ldc_I4_0);
            _il.Emit(OpCodes.Ceq);
        }
        Push(ValType.I32);
    }

    private void Shift32(OpCode op)
    {
        Pop();
        LdcI4(31);
        _il.Emit(OpCodes.And);
        _il.Emit(op);
    }

    private void Shift64(OpCode op)
    {
        Pop();
        _il.Emit(OpCodes.Conv_I4);
        LdcI4(63);
        _il.Emit(OpCodes.And);
        _il.Emit(op);
    }

    private void Convert(ValType result, OpCode op)
    {
        Pop();
        _il.Emit(op);
        Push(result);
    }

    private void Convert(ValType result, OpCode a, OpCode b)
    {
        Pop();
        _il.Emit(a);
        _il.Emit(b);
        Push(result);
    }
}
