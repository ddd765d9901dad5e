using System.Reflection.Emit;
using WasmSharp.Model;

namespace WasmSharp.Compilation;

/// <summary>
/// Fuel metering and epoch interruption. Both are compile-time options of the engine: when off, not a
/// single instruction is emitted for them. Fuel is charged one unit per instruction, summed over each
/// straight-line stretch and subtracted from the store before control can leave it; the remaining
/// fuel and the epoch deadline are checked at function entry and at every loop head, which bounds the
/// work done between checks.
/// </summary>
internal sealed partial class FunctionCompiler
{
    private bool ConsumesFuel => _m.Config.ConsumeFuel;

    private bool ChecksEpoch => _m.Config.EpochInterruption;

    private long _pendingFuel;

    private void EmitEntryChecks() => EmitInterruptionChecks();

    private void EmitLoopHeaderChecks() => EmitInterruptionChecks();

    private void EmitInterruptionChecks()
    {
        if (ConsumesFuel)
        {
            var ok = _il.DefineLabel();
            LdCtx();
            EmitField(OpCodes.Ldfld, Members.CtxStore);
            EmitField(OpCodes.Ldfld, Members.StoreFuel);
            _il.Emit(OpCodes.Ldc_I4_0);
            _il.Emit(OpCodes.Conv_I8);
            _il.Emit(OpCodes.Bge, ok);
            EmitTrap(Runtime.TrapCode.OutOfFuel);
            _il.MarkLabel(ok);
        }
        if (ChecksEpoch)
        {
            var ok = _il.DefineLabel();
            LdCtx();
            EmitField(OpCodes.Ldfld, Members.CtxStore);
            EmitField(OpCodes.Ldfld, Members.StoreEngineEpoch);
            _il.Emit(OpCodes.Volatile);
            EmitField(OpCodes.Ldfld, Members.EpochValue);
            LdCtx();
            EmitField(OpCodes.Ldfld, Members.CtxStore);
            _il.Emit(OpCodes.Volatile);
            EmitField(OpCodes.Ldfld, Members.StoreEpochDeadline);
            _il.Emit(OpCodes.Blt, ok);
            EmitTrap(Runtime.TrapCode.Interrupted);
            _il.MarkLabel(ok);
        }
    }

    /// <summary>Charges the instruction about to be emitted, and settles the stretch if it can transfer control.</summary>
    private void ChargeFuel(Opcode op)
    {
        if (op is not (Opcode.Block or Opcode.Loop or Opcode.End or Opcode.Else or Opcode.Nop)) _pendingFuel++;
        if (EndsStretch(op)) FlushFuel();
    }

    private static bool EndsStretch(Opcode op) => op is Opcode.Loop or Opcode.If or Opcode.Else or Opcode.End
        or Opcode.Br or Opcode.BrIf or Opcode.BrTable or Opcode.Return or Opcode.Unreachable
        or Opcode.Call or Opcode.CallIndirect or Opcode.CallRef or Opcode.ReturnCall or Opcode.ReturnCallIndirect or Opcode.ReturnCallRef
        or Opcode.BrOnNull or Opcode.BrOnNonNull or Opcode.TryTable or Opcode.Throw or Opcode.ThrowRef
        or Opcode.Try or Opcode.Catch or Opcode.CatchAll or Opcode.Delegate or Opcode.Rethrow;

    private void FlushFuel()
    {
        if (_pendingFuel == 0) return;
        LdCtx();
        EmitField(OpCodes.Ldfld, Members.CtxStore);
        _il.Emit(OpCodes.Dup);
        EmitField(OpCodes.Ldfld, Members.StoreFuel);
        _il.Emit(OpCodes.Ldc_I8, _pendingFuel);
        _il.Emit(OpCodes.Sub);
        EmitField(OpCodes.Stfld, Members.StoreFuel);
        _pendingFuel = 0;
    }
}
