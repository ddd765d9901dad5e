using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Intrinsics;
using WasmSharp.Model;

namespace WasmSharp.Compilation;

internal sealed partial class FunctionCompiler
{
    // SIMD instructions with an exact Vector128 counterpart become intrinsic calls (SimdIntrinsics); loads,
    // stores, constants and shuffles are spelled out here; everything else is a helper call (SimdOps).

    private static readonly Type s_v128 = typeof(Vector128<byte>);

    private bool TryEmitSimdMemory(in Instruction ins)
    {
        switch (ins.Opcode)
        {
            case Opcode.V128Load:
                SimdLoad(in ins, 16);
                _il.Emit(OpCodes.Unaligned, (byte)1);
                _il.Emit(OpCodes.Ldobj, s_v128);
                Push(ValType.V128);
                return true;
            case Opcode.V128Load8x8S: SimdLoadWiden(in ins, typeof(sbyte)); return true;
            case Opcode.V128Load8x8U: SimdLoadWiden(in ins, typeof(byte)); return true;
            case Opcode.V128Load16x4S: SimdLoadWiden(in ins, typeof(short)); return true;
            case Opcode.V128Load16x4U: SimdLoadWiden(in ins, typeof(ushort)); return true;
            case Opcode.V128Load32x2S: SimdLoadWiden(in ins, typeof(int)); return true;
            case Opcode.V128Load32x2U: SimdLoadWiden(in ins, typeof(uint)); return true;
            case Opcode.V128Load8Splat: SimdLoadScalar(in ins, typeof(byte), "Create"); return true;
            case Opcode.V128Load16Splat: SimdLoadScalar(in ins, typeof(ushort), "Create"); return true;
            case Opcode.V128Load32Splat: SimdLoadScalar(in ins, typeof(uint), "Create"); return true;
            case Opcode.V128Load64Splat: SimdLoadScalar(in ins, typeof(ulong), "Create"); return true;
            case Opcode.V128Load32Zero: SimdLoadScalar(in ins, typeof(uint), "CreateScalar"); return true;
            case Opcode.V128Load64Zero: SimdLoadScalar(in ins, typeof(ulong), "CreateScalar"); return true;
            case Opcode.V128Store:
            {
                var v = SimdAddressUnderVector(in ins, 16);
                _il.Emit(OpCodes.Ldloc, v);
                ReturnTemp(v);
                _il.Emit(OpCodes.Unaligned, (byte)1);
                _il.Emit(OpCodes.Stobj, s_v128);
                return true;
            }
            case Opcode.V128Load8Lane: SimdLoadLane(in ins, typeof(byte)); return true;
            case Opcode.V128Load16Lane: SimdLoadLane(in ins, typeof(ushort)); return true;
            case Opcode.V128Load32Lane: SimdLoadLane(in ins, typeof(uint)); return true;
            case Opcode.V128Load64Lane: SimdLoadLane(in ins, typeof(ulong)); return true;
            case Opcode.V128Store8Lane: SimdStoreLane(in ins, typeof(byte)); return true;
            case Opcode.V128Store16Lane: SimdStoreLane(in ins, typeof(ushort)); return true;
            case Opcode.V128Store32Lane: SimdStoreLane(in ins, typeof(uint)); return true;
            case Opcode.V128Store64Lane: SimdStoreLane(in ins, typeof(ulong)); return true;
            default: return false;
        }
    }

    /// <summary>[address] → the checked native address of a <paramref name="size"/>-byte access.</summary>
    private void SimdLoad(in Instruction ins, int size)
    {
        Pop();
        EmitEffectiveAddress(ins.MemArg, size);
    }

    /// <summary>[address, vector] → [native address], the vector in the returned temporary (the caller returns it).</summary>
    private LocalBuilder SimdAddressUnderVector(in Instruction ins, int size)
    {
        Pop();
        Pop();
        var v = RentTemp(s_v128);
        _il.Emit(OpCodes.Stloc, v);
        EmitEffectiveAddress(ins.MemArg, size);
        return v;
    }

    private void LoadScalar(Type t)
    {
        _il.Emit(OpCodes.Unaligned, (byte)1);
        if (t == typeof(byte)) _il.Emit(OpCodes.Ldind_U1);
        else if (t == typeof(ushort)) _il.Emit(OpCodes.Ldind_U2);
        else if (t == typeof(uint)) _il.Emit(OpCodes.Ldind_U4);
        else _il.Emit(OpCodes.Ldind_I8);
    }

    private void StoreScalar(Type t)
    {
        _il.Emit(OpCodes.Unaligned, (byte)1);
        if (t == typeof(byte)) _il.Emit(OpCodes.Stind_I1);
        else if (t == typeof(ushort)) _il.Emit(OpCodes.Stind_I2);
        else if (t == typeof(uint)) _il.Emit(OpCodes.Stind_I4);
        else _il.Emit(OpCodes.Stind_I8);
    }

    private static int ScalarSize(Type t) => t == typeof(byte) ? 1 : t == typeof(ushort) ? 2 : t == typeof(uint) ? 4 : 8;

    /// <summary>Splat or zero-extended scalar load: Vector128.Create or CreateScalar of the value read.</summary>
    private void SimdLoadScalar(in Instruction ins, Type t, string create)
    {
        SimdLoad(in ins, ScalarSize(t));
        LoadScalar(t);
        EmitCallHelper(SimdIntrinsics.Exact(create, t));
        FromLane(t);
        Push(ValType.V128);
    }

    /// <summary>Eight bytes read, their lanes of type <paramref name="t"/> widened to twice the width.</summary>
    private void SimdLoadWiden(in Instruction ins, Type t)
    {
        SimdLoad(in ins, 8);
        LoadScalar(typeof(ulong));
        EmitCallHelper(SimdIntrinsics.Exact("CreateScalar", typeof(ulong)));
        EmitCallHelper(SimdIntrinsics.As(typeof(ulong), t));
        var widen = SimdIntrinsics.Exact("WidenLower", typeof(Vector128<>).MakeGenericType(t));
        EmitCallHelper(widen);
        FromLane(SimdIntrinsics.LaneOf(widen.ReturnType)!);
        Push(ValType.V128);
    }

    private void SimdLoadLane(in Instruction ins, Type t)
    {
        var v = SimdAddressUnderVector(in ins, ScalarSize(t));
        LoadScalar(t);
        var x = RentTemp(t == typeof(ulong) ? typeof(long) : typeof(int));
        _il.Emit(OpCodes.Stloc, x);
        _il.Emit(OpCodes.Ldloc, v);
        ToLane(t);
        LdcI4(ins.Lane);
        _il.Emit(OpCodes.Ldloc, x);
        EmitCallHelper(SimdIntrinsics.WithElement(t));
        FromLane(t);
        ReturnTemp(x);
        ReturnTemp(v);
        Push(ValType.V128);
    }

    private void SimdStoreLane(in Instruction ins, Type t)
    {
        var v = SimdAddressUnderVector(in ins, ScalarSize(t));
        _il.Emit(OpCodes.Ldloc, v);
        ReturnTemp(v);
        ToLane(t);
        LdcI4(ins.Lane);
        EmitCallHelper(SimdIntrinsics.GetElement(t));
        StoreScalar(t);
    }

    /// <summary>Reinterprets the Vector128&lt;byte&gt; on top of the stack as lanes of <paramref name="lane"/>.</summary>
    private void ToLane(Type lane)
    {
        if (lane != typeof(byte)) EmitCallHelper(SimdIntrinsics.As(typeof(byte), lane));
    }

    /// <summary>Reinterprets the vector of <paramref name="lane"/> on top of the stack as Vector128&lt;byte&gt;.</summary>
    private void FromLane(Type lane)
    {
        if (lane != typeof(byte)) EmitCallHelper(SimdIntrinsics.As(lane, typeof(byte)));
    }

    private void EmitV128Const(ulong low, ulong high)
    {
        _il.Emit(OpCodes.Ldc_I8, (long)low);
        _il.Emit(OpCodes.Ldc_I8, (long)high);
        EmitCallHelper(SimdIntrinsics.CreateI64x2);
        FromLane(typeof(long));
    }

    /// <summary>A SIMD value instruction as intrinsic calls, when it has an exact .NET counterpart.</summary>
    private bool TryEmitSimdDirect(in Instruction ins)
    {
        if (ins.Opcode == Opcode.I8x16Shuffle)
        {
            EmitShuffle(ins.Value, ins.ValueHigh);
            Pop();
            return true;
        }
        if (!SimdIntrinsics.TryGet(ins.Opcode, out var form)) return false;
        var info = ins.Info;
        var m = form.Method;
        var lane = form.Lane;
        switch (form.Shape)
        {
            case SimdShape.Unary:
                ToLane(lane);
                EmitCallHelper(m);
                FromLane(SimdIntrinsics.LaneOf(m.ReturnType)!);
                break;
            case SimdShape.Binary:
            case SimdShape.BinaryNot:
                if (lane == typeof(byte))
                {
                    EmitCallHelper(m);
                }
                else
                {
                    var b = RentTemp(s_v128);
                    _il.Emit(OpCodes.Stloc, b);
                    ToLane(lane);
                    _il.Emit(OpCodes.Ldloc, b);
                    ToLane(lane);
                    ReturnTemp(b);
                    EmitCallHelper(m);
                    FromLane(SimdIntrinsics.LaneOf(m.ReturnType)!);
                }
                if (form.Shape == SimdShape.BinaryNot) EmitCallHelper(SimdIntrinsics.NotBytes);
                break;
            case SimdShape.Shift:
            {
                LdcI4(form.Mask);
                _il.Emit(OpCodes.And);
                var n = RentTemp(typeof(int));
                _il.Emit(OpCodes.Stloc, n);
                ToLane(lane);
                _il.Emit(OpCodes.Ldloc, n);
                ReturnTemp(n);
                EmitCallHelper(m);
                FromLane(lane);
                break;
            }
            case SimdShape.Extract:
                ToLane(lane);
                LdcI4(ins.Lane);
                EmitCallHelper(m);
                break;
            case SimdShape.Replace:
            {
                var x = RentTemp(ClrTypes.Of(info.Params![1]));
                _il.Emit(OpCodes.Stloc, x);
                ToLane(lane);
                LdcI4(ins.Lane);
                _il.Emit(OpCodes.Ldloc, x);
                ReturnTemp(x);
                NarrowTo(lane);
                EmitCallHelper(m);
                FromLane(lane);
                break;
            }
            case SimdShape.Splat:
                NarrowTo(lane);
                EmitCallHelper(m);
                FromLane(lane);
                break;
        }
        Pop(info.Params!.Length);
        PushAll(info.Results!);
        return true;
    }

    /// <summary>Truncates an i32 on the stack to a byte or short lane value (the call would do it implicitly).</summary>
    private void NarrowTo(Type lane)
    {
        if (lane == typeof(byte)) _il.Emit(OpCodes.Conv_U1);
        else if (lane == typeof(short)) _il.Emit(OpCodes.Conv_I2);
    }

    /// <summary>
    /// [a b] → i8x16.shuffle with the 16 lane indices in <paramref name="low"/> and <paramref name="high"/>: a byte
    /// shuffle of each operand with a constant mask (indices out of its range give 0), or'ed; one shuffle when
    /// every index picks from the same operand. The type stack loses one operand (the caller pops the other).
    /// </summary>
    private void EmitShuffle(ulong low, ulong high)
    {
        Span<byte> indices = stackalloc byte[16];
        BitConverter.TryWriteBytes(indices, low);
        BitConverter.TryWriteBytes(indices[8..], high);
        bool fromA = false, fromB = false;
        foreach (var i in indices)
        {
            if (i < 16) fromA = true;
            else fromB = true;
        }
        Span<byte> shifted = stackalloc byte[16];
        for (var i = 0; i < 16; i++) shifted[i] = unchecked((byte)(indices[i] - 16));
        var lowB = BitConverter.ToUInt64(shifted);
        var highB = BitConverter.ToUInt64(shifted[8..]);
        if (!fromB)
        {
            _il.Emit(OpCodes.Pop);
            EmitV128Const(low, high);
            EmitCallHelper(SimdIntrinsics.ShuffleBytes);
            return;
        }
        var b = RentTemp(s_v128);
        _il.Emit(OpCodes.Stloc, b);
        if (!fromA)
        {
            _il.Emit(OpCodes.Pop);
            _il.Emit(OpCodes.Ldloc, b);
            EmitV128Const(lowB, highB);
            EmitCallHelper(SimdIntrinsics.ShuffleBytes);
        }
        else
        {
            EmitV128Const(low, high);
            EmitCallHelper(SimdIntrinsics.ShuffleBytes);
            _il.Emit(OpCodes.Ldloc, b);
            EmitV128Const(lowB, highB);
            EmitCallHelper(SimdIntrinsics.ShuffleBytes);
            EmitCallHelper(SimdIntrinsics.OrBytes);
        }
        ReturnTemp(b);
    }
}
