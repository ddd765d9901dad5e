using System.Reflection.Emit;
using WasmSharp.Model;
using WasmSharp.Runtime;

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
            // Exact: a u32 widened to i64 converts like any i64 (one rounding for f32, none for f64).
            case Opcode.F64ConvertI32U: Convert(ValType.F64, OpCodes.Conv_U8, OpCodes.Conv_R8); return true;
            case Opcode.F32ConvertI32U: Convert(ValType.F32, OpCodes.Conv_U8, OpCodes.Conv_R4); return true;

            // Intrinsics the JIT expands itself: calls of helpers would need inlining, which the JIT gives up on in
            // large functions (inline budget, too many locals), and a rotate that stays a call costs tenfold.
            case Opcode.I32Rotl: Rotate(is64: false, left: true); return true;
            case Opcode.I32Rotr: Rotate(is64: false, left: false); return true;
            case Opcode.I64Rotl: Rotate(is64: true, left: true); return true;
            case Opcode.I64Rotr: Rotate(is64: true, left: false); return true;
            case Opcode.I32Clz: Intrinsic(Members.LeadingZeroCount32); return true;
            case Opcode.I32Ctz: Intrinsic(Members.TrailingZeroCount32); return true;
            case Opcode.I32Popcnt: Intrinsic(Members.PopCount32); return true;
            case Opcode.I64Clz: Intrinsic(Members.LeadingZeroCount64, OpCodes.Conv_I8); return true;
            case Opcode.I64Ctz: Intrinsic(Members.TrailingZeroCount64, OpCodes.Conv_I8); return true;
            case Opcode.I64Popcnt: Intrinsic(Members.PopCount64, OpCodes.Conv_I8); return true;
            case Opcode.I32ReinterpretF32: Intrinsic(Members.SingleToInt32Bits, result: ValType.I32); return true;
            case Opcode.I64ReinterpretF64: Intrinsic(Members.DoubleToInt64Bits, result: ValType.I64); return true;
            case Opcode.F32ReinterpretI32: Intrinsic(Members.Int32BitsToSingle, result: ValType.F32); return true;
            case Opcode.F64ReinterpretI64: Intrinsic(Members.Int64BitsToDouble, result: ValType.F64); return true;
            case Opcode.F32Sqrt: Intrinsic(Members.SqrtF32); return true;
            case Opcode.F64Sqrt: Intrinsic(Members.SqrtF64); return true;

            // Sign operations on the bits, so that NaN payloads pass through untouched.
            case Opcode.F32Abs: SignBits32(0x7FFF_FFFF, OpCodes.And); return true;
            case Opcode.F32Neg: SignBits32(int.MinValue, OpCodes.Xor); return true;
            case Opcode.F64Abs: SignBits64(long.MaxValue, OpCodes.And); return true;
            case Opcode.F64Neg: SignBits64(long.MinValue, OpCodes.Xor); return true;
            case Opcode.F32Copysign: Copysign(is64: false); return true;
            case Opcode.F64Copysign: Copysign(is64: true); return true;

            case Opcode.I32DivS: Divide(ValType.I32, OpCodes.Div, signed: true); return true;
            case Opcode.I32DivU: Divide(ValType.I32, OpCodes.Div_Un, signed: false); return true;
            case Opcode.I32RemS: Divide(ValType.I32, OpCodes.Rem, signed: true); return true;
            case Opcode.I32RemU: Divide(ValType.I32, OpCodes.Rem_Un, signed: false); return true;
            case Opcode.I64DivS: Divide(ValType.I64, OpCodes.Div, signed: true); return true;
            case Opcode.I64DivU: Divide(ValType.I64, OpCodes.Div_Un, signed: false); return true;
            case Opcode.I64RemS: Divide(ValType.I64, OpCodes.Rem, signed: true); return true;
            case Opcode.I64RemU: Divide(ValType.I64, OpCodes.Rem_Un, signed: false); return true;
            default: return false;
        }
    }

    /// <summary>Calls a one-operand intrinsic, then applies <paramref name="after"/>; the result type is the operand's unless given.</summary>
    private void Intrinsic(System.Reflection.MethodInfo method, OpCode? after = null, ValType? result = null)
    {
        var t = Pop();
        EmitCallHelper(method);
        if (after is { } a) _il.Emit(a);
        Push(result ?? t);
    }

    /// <summary>
    /// [a n] → a rotated by n, as the shift-or pattern the JIT turns into one rotate instruction (what
    /// BitOperations.RotateLeft is, but that one is a method to inline, not an intrinsic).
    /// </summary>
    private void Rotate(bool is64, bool left)
    {
        Pop();
        var width = is64 ? 64 : 32;
        if (is64) _il.Emit(OpCodes.Conv_I4);
        var n = RentTemp(typeof(int));
        var a = RentTemp(is64 ? typeof(long) : typeof(int));
        if (_previous.Opcode is Opcode.I32Const or Opcode.I64Const)
        {
            // See NumericOps.RotateCounts: a constant count would let the JIT miscompile a following zero test.
            LdcI4(width - 1);
            _il.Emit(OpCodes.And);
            _il.Emit(OpCodes.Stloc, n);
            EmitField(OpCodes.Ldsfld, Members.Field(typeof(NumericOps), nameof(NumericOps.RotateCounts)));
            _il.Emit(OpCodes.Ldloc, n);
            _il.Emit(OpCodes.Ldelem_I4);
        }
        _il.Emit(OpCodes.Stloc, n);
        _il.Emit(OpCodes.Stloc, a);
        _il.Emit(OpCodes.Ldloc, a);
        _il.Emit(OpCodes.Ldloc, n);
        LdcI4(width - 1);
        _il.Emit(OpCodes.And);
        _il.Emit(left ? OpCodes.Shl : OpCodes.Shr_Un);
        _il.Emit(OpCodes.Ldloc, a);
        LdcI4(width);
        _il.Emit(OpCodes.Ldloc, n);
        _il.Emit(OpCodes.Sub);
        LdcI4(width - 1);
        _il.Emit(OpCodes.And);
        _il.Emit(left ? OpCodes.Shr_Un : OpCodes.Shl);
        _il.Emit(OpCodes.Or);
        ReturnTemp(a);
        ReturnTemp(n);
    }

    private void SignBits32(int mask, OpCode op)
    {
        EmitCallHelper(Members.SingleToInt32Bits);
        LdcI4(mask);
        _il.Emit(op);
        EmitCallHelper(Members.Int32BitsToSingle);
    }

    private void SignBits64(long mask, OpCode op)
    {
        EmitCallHelper(Members.DoubleToInt64Bits);
        _il.Emit(OpCodes.Ldc_I8, mask);
        _il.Emit(op);
        EmitCallHelper(Members.Int64BitsToDouble);
    }

    /// <summary>[a b] → |a| with the sign of b, on the bits.</summary>
    private void Copysign(bool is64)
    {
        Pop();
        var b = RentTemp(is64 ? typeof(double) : typeof(float));
        _il.Emit(OpCodes.Stloc, b);
        if (is64)
        {
            EmitCallHelper(Members.DoubleToInt64Bits);
            _il.Emit(OpCodes.Ldc_I8, long.MaxValue);
            _il.Emit(OpCodes.And);
            _il.Emit(OpCodes.Ldloc, b);
            EmitCallHelper(Members.DoubleToInt64Bits);
            _il.Emit(OpCodes.Ldc_I8, long.MinValue);
            _il.Emit(OpCodes.And);
            _il.Emit(OpCodes.Or);
            EmitCallHelper(Members.Int64BitsToDouble);
        }
        else
        {
            EmitCallHelper(Members.SingleToInt32Bits);
            LdcI4(0x7FFF_FFFF);
            _il.Emit(OpCodes.And);
            _il.Emit(OpCodes.Ldloc, b);
            EmitCallHelper(Members.SingleToInt32Bits);
            LdcI4(int.MinValue);
            _il.Emit(OpCodes.And);
            _il.Emit(OpCodes.Or);
            EmitCallHelper(Members.Int32BitsToSingle);
        }
        ReturnTemp(b);
    }

    /// <summary>
    /// [a b] → a op b with Wasm's traps: division by zero, and signed division of the minimum by -1 (for
    /// remainder that case is 0: the CIL rem would fault on it, so b = -1 becomes b = 1, which gives 0 too).
    /// </summary>
    private void Divide(ValType t, OpCode op, bool signed)
    {
        Pop();
        var is64 = t.Code == ValType.I64Code;
        var clr = is64 ? typeof(long) : typeof(int);
        var b = RentTemp(clr);
        _il.Emit(OpCodes.Stloc, b);
        var nonZero = _il.DefineLabel();
        _il.Emit(OpCodes.Ldloc, b);
        _il.Emit(OpCodes.Brtrue, nonZero);
        EmitTrap(TrapCode.IntegerDivideByZero);
        _il.MarkLabel(nonZero);
        if (signed)
        {
            var notMinusOne = _il.DefineLabel();
            _il.Emit(OpCodes.Ldloc, b);
            LdcI4(-1);
            if (is64) _il.Emit(OpCodes.Conv_I8);
            _il.Emit(OpCodes.Bne_Un, notMinusOne);
            if (op == OpCodes.Div)
            {
                var a = RentTemp(clr);
                var notMin = _il.DefineLabel();
                _il.Emit(OpCodes.Stloc, a);
                _il.Emit(OpCodes.Ldloc, a);
                if (is64) _il.Emit(OpCodes.Ldc_I8, long.MinValue);
                else LdcI4(int.MinValue);
                _il.Emit(OpCodes.Bne_Un, notMin);
                EmitTrap(TrapCode.IntegerOverflow);
                _il.MarkLabel(notMin);
                _il.Emit(OpCodes.Ldloc, a);
                ReturnTemp(a);
            }
            else
            {
                LdcI4(1);
                if (is64) _il.Emit(OpCodes.Conv_I8);
                _il.Emit(OpCodes.Stloc, b);
            }
            _il.MarkLabel(notMinusOne);
        }
        _il.Emit(OpCodes.Ldloc, b);
        ReturnTemp(b);
        _il.Emit(op);
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
