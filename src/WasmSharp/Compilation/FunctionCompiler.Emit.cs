using System.Reflection.Emit;
using WasmSharp.Model;
using WasmSharp.Runtime;

namespace WasmSharp.Compilation;

internal sealed partial class FunctionCompiler
{
    private void Emit(in Instruction ins)
    {
        switch (ins.Opcode)
        {
            // ---- Control ----
            case Opcode.Unreachable:
                EmitTrap(TrapCode.Unreachable);
                _unreachable = true;
                return;
            case Opcode.Nop:
                return;
            case Opcode.Block:
                EmitBlock(in ins, ControlKind.Block);
                return;
            case Opcode.Loop:
                EmitBlock(in ins, ControlKind.Loop);
                return;
            case Opcode.If:
                EmitBlock(in ins, ControlKind.If);
                return;
            case Opcode.Else:
                EmitElse();
                return;
            case Opcode.End:
                EmitEnd();
                return;
            case Opcode.Br:
                EmitBr(ins.Index);
                return;
            case Opcode.BrIf:
                EmitBrIf(ins.Index);
                return;
            case Opcode.BrTable:
                EmitBrTable(ins.Labels!);
                return;
            case Opcode.Return:
                EmitReturnInstruction();
                _unreachable = true;
                return;
            case Opcode.Call:
                EmitCall(ins.Index, tail: false);
                return;
            case Opcode.ReturnCall:
                EmitCall(ins.Index, tail: true);
                return;
            case Opcode.CallIndirect:
                EmitCallIndirect(ins.Index, ins.Index2, tail: false);
                return;
            case Opcode.ReturnCallIndirect:
                EmitCallIndirect(ins.Index, ins.Index2, tail: true);
                return;
            case Opcode.CallRef:
                EmitCallRef(ins.Index, tail: false);
                return;
            case Opcode.ReturnCallRef:
                EmitCallRef(ins.Index, tail: true);
                return;

            // ---- Parametric ----
            case Opcode.Drop:
                Pop();
                _il.Emit(OpCodes.Pop);
                return;
            case Opcode.Select:
            case Opcode.SelectT:
                EmitSelect();
                return;

            // ---- Variables ----
            case Opcode.LocalGet:
                EmitLocalGet(ins.Index);
                return;
            case Opcode.LocalSet:
                EmitLocalSet(ins.Index);
                return;
            case Opcode.LocalTee:
                // Store and load again rather than dup: the JIT turns a dup of an expression into a temporary
                // of its own, and those pile up into spills in long straight-line code (11% smaller code on ed25519).
                EmitLocalSet(ins.Index);
                EmitLocalGet(ins.Index);
                return;
            case Opcode.GlobalGet:
                EmitGlobalGet(ins.Index);
                return;
            case Opcode.GlobalSet:
                EmitGlobalSet(ins.Index);
                return;

            // ---- Constants ----
            case Opcode.I32Const:
                LdcI4(ins.I32);
                Push(ValType.I32);
                return;
            case Opcode.I64Const:
                LdcI8(ins.I64);
                Push(ValType.I64);
                return;
            case Opcode.F32Const:
                EmitF32Const(ins.F32Bits);
                Push(ValType.F32);
                return;
            case Opcode.F64Const:
                EmitF64Const(ins.F64Bits);
                Push(ValType.F64);
                return;
            case Opcode.V128Const:
                EmitV128Const(ins.Value, ins.ValueHigh);
                Push(ValType.V128);
                return;

            // ---- References ----
            case Opcode.RefNull:
                _il.Emit(OpCodes.Ldnull);
                Push(ins.Type);
                return;
            case Opcode.RefIsNull:
                Pop();
                _il.Emit(OpCodes.Ldnull);
                _il.Emit(OpCodes.Ceq);
                Push(ValType.I32);
                return;
            case Opcode.RefFunc:
                LdCtx();
                LdcI4((int)ins.Index);
                _il.Emit(OpCodes.Call, Members.CtxGetFunction);
                Push(ValType.Ref(HeapType.Concrete(_m.FunctionTypeIndices[ins.Index]), nullable: false));
                return;
            case Opcode.RefAsNonNull:
            {
                var t = Pop();
                _il.Emit(OpCodes.Dup);
                var ok = _il.DefineLabel();
                _il.Emit(OpCodes.Brtrue, ok);
                EmitTrap(TrapCode.NullReference);
                _il.MarkLabel(ok);
                Push(t.WithNullable(false));
                return;
            }
            case Opcode.TryTable:
                EmitTryTable(in ins);
                return;
            case Opcode.Throw:
                EmitThrow(ins.Index);
                return;
            case Opcode.ThrowRef:
                EmitThrowRef();
                return;
            case Opcode.Try:
                EmitLegacyTry(in ins);
                return;
            case Opcode.Catch or Opcode.CatchAll:
                EmitLegacyCatch();
                return;
            case Opcode.Delegate:
                EmitDelegate();
                return;
            case Opcode.Rethrow:
                EmitRethrow(ins.Index);
                return;
            case Opcode.BrOnNull:
                EmitBrOnNull(ins.Index);
                return;
            case Opcode.BrOnNonNull:
                EmitBrOnNonNull(ins.Index);
                return;
        }

        if (TryEmitNumeric(in ins)) return;
        if (TryEmitMemory(in ins)) return;
        if (TryEmitTable(in ins)) return;
        if (TryEmitSimdDirect(in ins)) return;
        if (OpHelpers.TryGet(ins.Opcode, out var helper))
        {
            EmitHelperOp(in ins, helper);
            return;
        }
        EmitUnsupported(in ins);
    }

    /// <summary>
    /// The JIT keeps float constants as doubles, which quiets a signalling NaN, and it folds x - 0, x * 1
    /// and x / 1 to x, which lets a signalling NaN through unquieted. So signalling NaNs come from an
    /// opaque call and 0 and 1 from fields the JIT cannot treat as constants.
    /// </summary>
    private void EmitF32Const(uint bits)
    {
        var value = BitConverter.UInt32BitsToSingle(bits);
        if (float.IsNaN(value) && (bits & 0x0040_0000) == 0)
        {
            LdcI4((int)bits);
            EmitCallHelper(Members.Method(typeof(NumericOps), nameof(NumericOps.OpaqueF32)));
        }
        else if (value is 0f or 1f or -1f)
        {
            EmitField(OpCodes.Ldsfld, Members.Field(typeof(NumericOps), (bits & 0x8000_0000) != 0
                ? (value == 0 ? nameof(NumericOps.F32NegZero) : nameof(NumericOps.F32NegOne))
                : (value == 0 ? nameof(NumericOps.F32Zero) : nameof(NumericOps.F32One))));
        }
        else
        {
            _il.Emit(OpCodes.Ldc_R4, value);
        }
    }

    private void EmitF64Const(ulong bits)
    {
        var value = BitConverter.UInt64BitsToDouble(bits);
        if (value is 0.0 or 1.0 or -1.0)
        {
            EmitField(OpCodes.Ldsfld, Members.Field(typeof(NumericOps), (bits >> 63) != 0
                ? (value == 0 ? nameof(NumericOps.F64NegZero) : nameof(NumericOps.F64NegOne))
                : (value == 0 ? nameof(NumericOps.F64Zero) : nameof(NumericOps.F64One))));
        }
        else
        {
            _il.Emit(OpCodes.Ldc_R8, value);
        }
    }

    /// <summary>Calls the helper of a plain value instruction, passing lane or shuffle immediates after the operands.</summary>
    private void EmitHelperOp(in Instruction ins, System.Reflection.MethodInfo helper)
    {
        var info = ins.Info;
        if (info.Params is null || info.Results is null) throw new InvalidOperationException($"{info.Name} has no fixed signature");
        switch (info.Immediates)
        {
            case ImmediateKind.Lane:
                LdcI4(ins.Lane);
                break;
            case ImmediateKind.Shuffle:
                _il.Emit(OpCodes.Ldc_I8, (long)ins.Value);
                _il.Emit(OpCodes.Ldc_I8, (long)ins.ValueHigh);
                break;
        }
        EmitCallHelper(helper);
        Pop(info.Params.Length);
        PushAll(info.Results);
    }

    /// <summary>An instruction the compiler does not handle: the function compiles, and traps if it gets here.</summary>
    private void EmitUnsupported(in Instruction ins)
    {
        _il.Emit(OpCodes.Ldstr, Unsupported.Exception(ins.Opcode, "instruction").Message);
        _il.Emit(OpCodes.Newobj, typeof(NotSupportedException).GetConstructor([typeof(string)])!);
        _il.Emit(OpCodes.Throw);
        _unreachable = true;
    }

    /// <summary>
    /// [a b cond] → cond ? a : b, through locals: with nothing left on the IL stack across the branch, the JIT
    /// can turn the diamond into a conditional move (values left on the stack would be spilled instead).
    /// </summary>
    private void EmitSelect()
    {
        Pop();
        var t = Pop();
        var type = ClrTypes.Of(t);
        var cond = RentTemp(typeof(int));
        var b = RentTemp(type);
        var result = RentTemp(type);
        var done = _il.DefineLabel();
        _il.Emit(OpCodes.Stloc, cond);
        _il.Emit(OpCodes.Stloc, b);
        _il.Emit(OpCodes.Stloc, result);
        _il.Emit(OpCodes.Ldloc, cond);
        _il.Emit(OpCodes.Brtrue, done);
        _il.Emit(OpCodes.Ldloc, b);
        _il.Emit(OpCodes.Stloc, result);
        _il.MarkLabel(done);
        _il.Emit(OpCodes.Ldloc, result);
        ReturnTemp(cond);
        ReturnTemp(b);
        ReturnTemp(result);
    }

    private void EmitBrOnNull(uint depth)
    {
        // [.. ref] -> branch without the ref when null, else keep it (now non-null).
        var t = Pop();
        var notNull = _il.DefineLabel();
        _il.Emit(OpCodes.Dup);
        _il.Emit(OpCodes.Brtrue, notNull);
        _il.Emit(OpCodes.Pop);
        EmitBranchTo(depth);
        _il.MarkLabel(notNull);
        Push(t.WithNullable(false));
    }

    private void EmitBrOnNonNull(uint depth)
    {
        // [.. ref] -> branch with the ref when non-null, else drop it.
        var t = Pop();
        var isNull = _il.DefineLabel();
        _il.Emit(OpCodes.Dup);
        _il.Emit(OpCodes.Brfalse, isNull);
        Push(t.WithNullable(false));
        EmitBranchTo(depth);
        Pop();
        _il.MarkLabel(isNull);
        _il.Emit(OpCodes.Pop);
    }

    // ---- Locals and globals ----

    private void EmitLocalGet(uint index)
    {
        LdLocal(index);
        Push(_localTypes[index]);
    }

    /// <summary>Loads a Wasm local (an argument or an IL local).</summary>
    private void LdLocal(uint index)
    {
        if (_regionLocals is not null) _il.Emit(OpCodes.Ldloc, _regionLocals[index]!);
        else if (index < _ctxArg) LdArg((int)index);
        else _il.Emit(OpCodes.Ldloc, _locals[index - (uint)_ctxArg]);
    }

    private void EmitLocalSet(uint index)
    {
        Pop();
        if (_regionLocals is not null) _il.Emit(OpCodes.Stloc, _regionLocals[index]!);
        else if (index < _ctxArg) StArg((int)index);
        else _il.Emit(OpCodes.Stloc, _locals[index - (uint)_ctxArg]);
    }

    private void LdGlobalCell(uint index)
    {
        LdCtx();
        EmitField(OpCodes.Ldfld, Members.CtxGlobals);
        LdcI4((int)index);
        _il.Emit(OpCodes.Ldelem_Ref);
    }

    private void EmitGlobalGet(uint index)
    {
        var t = _m.Globals[index].Type;
        LdGlobalCell(index);
        EmitField(OpCodes.Ldfld, ClrTypes.GlobalField(t));
        Push(t);
    }

    private void EmitGlobalSet(uint index)
    {
        var t = Pop();
        var tmp = RentTemp(ClrTypes.Of(t));
        _il.Emit(OpCodes.Stloc, tmp);
        LdGlobalCell(index);
        _il.Emit(OpCodes.Ldloc, tmp);
        ReturnTemp(tmp);
        EmitField(OpCodes.Stfld, ClrTypes.GlobalField(_m.Globals[index].Type));
    }
}
