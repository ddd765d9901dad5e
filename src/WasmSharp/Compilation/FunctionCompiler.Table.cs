using System.Reflection.Emit;
using WasmSharp.Model;

namespace WasmSharp.Compilation;

internal sealed partial class FunctionCompiler
{
    private bool TryEmitTable(in Instruction ins)
    {
        switch (ins.Opcode)
        {
            case Opcode.TableGet:
                WidenOperands(1, 0b1);
                LdTable(ins.Index);
                EmitCallHelper(Members.Method(typeof(TableOps), nameof(TableOps.Get)));
                Push(_m.Tables[ins.Index].ElementType);
                return true;
            case Opcode.TableSet:
                WidenOperands(2, 0b01);
                LdTable(ins.Index);
                EmitCallHelper(Members.Method(typeof(TableOps), nameof(TableOps.Set)));
                return true;
            case Opcode.TableSize:
                LdTable(ins.Index);
                EmitCallHelper(Members.Method(typeof(TableOps), nameof(TableOps.Size)));
                PushIndex(ins.Index);
                return true;
            case Opcode.TableGrow:
                WidenOperands(2, 0b10);
                LdTable(ins.Index);
                EmitCallHelper(Members.Method(typeof(TableOps), nameof(TableOps.Grow)));
                PushIndex(ins.Index);
                return true;
            case Opcode.TableFill:
                WidenOperands(3, 0b101);
                LdTable(ins.Index);
                EmitCallHelper(Members.Method(typeof(TableOps), nameof(TableOps.Fill)));
                return true;
            case Opcode.TableCopy:
                WidenOperands(3, 0b111);
                LdTable(ins.Index);
                LdTable(ins.Index2);
                EmitCallHelper(Members.Method(typeof(TableOps), nameof(TableOps.Copy)));
                return true;
            case Opcode.TableInit:
                WidenOperands(3, 0b111);
                LdTable(ins.Index2);
                LdCtx();
                LdcI4((int)ins.Index);
                EmitCallHelper(Members.Method(typeof(TableOps), nameof(TableOps.Init)));
                return true;
            case Opcode.ElemDrop:
                LdCtx();
                LdcI4((int)ins.Index);
                EmitCallHelper(Members.Method(typeof(TableOps), nameof(TableOps.ElemDrop)));
                return true;
            default:
                return false;
        }
    }

    /// <summary>Pushes a long result of a table helper as the table's index type.</summary>
    private void PushIndex(uint table)
    {
        if (_m.Tables[table].Limits.Is64)
        {
            Push(ValType.I64);
        }
        else
        {
            _il.Emit(OpCodes.Conv_I4);
            Push(ValType.I32);
        }
    }

    private void LdTable(uint index)
    {
        LdCtx();
        if (index == 0)
        {
            EmitField(OpCodes.Ldfld, Members.CtxTable0);
            return;
        }
        EmitField(OpCodes.Ldfld, Members.CtxTables);
        LdcI4((int)index);
        _il.Emit(OpCodes.Ldelem_Ref);
    }
}
