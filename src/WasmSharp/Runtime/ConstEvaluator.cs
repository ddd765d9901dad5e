using System.Runtime.Intrinsics;
using WasmSharp.Binary;
using WasmSharp.Model;
using WasmSharp.Validation;

namespace WasmSharp.Runtime;

/// <summary>
/// Evaluates constant expressions (global initialisers, segment offsets and items, table initialisers)
/// at instantiation. They are short and run once, so a small interpreter beats compiling them.
/// Covers Wasm 2.0 plus extended constants (i32/i64 add, sub, mul).
/// </summary>
internal static class ConstEvaluator
{
    internal static Value Evaluate(ConstExpr expr, InstanceContext context, ModuleTypes types)
    {
        var stack = new List<Value>(4);
        var reader = new InstructionReader(expr.Code.Span, expr.Offset);
        while (reader.TryRead(out var ins))
        {
            switch (ins.Opcode)
            {
                case Opcode.I32Const: stack.Add(Value.I32(ins.I32)); break;
                case Opcode.I64Const: stack.Add(Value.I64(ins.I64)); break;
                case Opcode.F32Const: stack.Add(Value.F32Bits(ins.F32Bits)); break;
                case Opcode.F64Const: stack.Add(Value.F64Bits(ins.F64Bits)); break;
                case Opcode.V128Const: stack.Add(Value.V128(Vector128.Create(ins.Value, ins.ValueHigh).AsByte())); break;
                case Opcode.RefNull: stack.Add(Value.Ref(types.Canonicalize(ins.Type), null)); break;
                case Opcode.RefFunc:
                {
                    var f = context.GetFunction((int)ins.Index);
                    stack.Add(Value.Ref(ValType.Ref(new HeapType(f.TypeId), nullable: false), f));
                    break;
                }
                case Opcode.GlobalGet: stack.Add(context.Globals[ins.Index].Value); break;
                case Opcode.I32Add: Binary32(stack, static (a, b) => a + b); break;
                case Opcode.I32Sub: Binary32(stack, static (a, b) => a - b); break;
                case Opcode.I32Mul: Binary32(stack, static (a, b) => a * b); break;
                case Opcode.I64Add: Binary64(stack, static (a, b) => a + b); break;
                case Opcode.I64Sub: Binary64(stack, static (a, b) => a - b); break;
                case Opcode.I64Mul: Binary64(stack, static (a, b) => a * b); break;
                case Opcode.End:
                    return stack[^1];
                default:
                    throw Compilation.Unsupported.Exception(ins.Opcode, "constant instruction");
            }
        }
        throw new InvalidOperationException("constant expression without end");
    }

    private static void Binary32(List<Value> stack, Func<int, int, int> op)
    {
        var b = stack[^1].RawI32;
        var a = stack[^2].RawI32;
        stack.RemoveAt(stack.Count - 1);
        stack[^1] = Value.I32(unchecked(op(a, b)));
    }

    private static void Binary64(List<Value> stack, Func<long, long, long> op)
    {
        var b = stack[^1].RawI64;
        var a = stack[^2].RawI64;
        stack.RemoveAt(stack.Count - 1);
        stack[^1] = Value.I64(unchecked(op(a, b)));
    }
}
