using System.Reflection;
using System.Reflection.Emit;
using WasmSharp.Model;
using WasmSharp.Runtime;

namespace WasmSharp.Compilation;

internal sealed partial class FunctionCompiler
{
    private void EmitBlock(in Instruction ins, ControlKind kind)
    {
        if (_unreachable)
        {
            if (kind == ControlKind.Loop) _loopCount++;
            _controls.Add(new Control { Kind = kind, Dead = true });
            return;
        }
        var (ps, rs) = _m.BlockSignature(ins.BlockType);
        if (kind == ControlKind.If) Pop();
        var c = NewControl(kind, ps, rs);
        if (kind == ControlKind.If)
        {
            c.ElseLabel = _il.DefineLabel();
            c.StaleAtIf = _cacheStale;
            _il.Emit(OpCodes.Brfalse, c.ElseLabel);
        }
        _controls.Add(c);
        if (kind == ControlKind.Loop)
        {
            EnterLoopForCaches();
            _il.MarkLabel(c.Label);
            EmitLoopHeaderChecks();
        }
    }

    private void EmitElse()
    {
        var c = _controls[^1];
        if (c.Dead) return;
        if (!_unreachable)
        {
            _il.Emit(OpCodes.Br, c.Label);
            c.BranchedTo = true;
            c.StaleIn |= _cacheStale;
        }
        _il.MarkLabel(c.ElseLabel);
        _cacheStale = c.StaleAtIf;
        c.HasElse = true;
        _stack.RemoveRange(c.Height, _stack.Count - c.Height);
        PushAll(c.Params);
        _unreachable = false;
    }

    private void EmitEnd()
    {
        var c = _controls[^1];
        _controls.RemoveAt(_controls.Count - 1);
        if (c.Dead) return;
        if (c.Kind == ControlKind.Function)
        {
            if (!_unreachable) EmitReturn();
            return;
        }
        if (c.Kind == ControlKind.TryTable)
        {
            EndTryTable(c);
            return;
        }
        if (c.Kind == ControlKind.Try)
        {
            EndLegacyTry(c);
            return;
        }
        var reachable = !_unreachable;
        var stale = reachable && _cacheStale;
        if (c.Kind == ControlKind.If && !c.HasElse)
        {
            // The implicit else passes the parameters through; validation made them the results.
            _il.MarkLabel(c.ElseLabel);
            reachable = true;
            stale |= c.StaleAtIf;
        }
        if (c.Kind != ControlKind.Loop)
        {
            _il.MarkLabel(c.Label);
            reachable |= c.BranchedTo;
            stale |= c.StaleIn;
        }
        _cacheStale = stale;
        _stack.RemoveRange(c.Height, _stack.Count - c.Height);
        PushAll(c.Results);
        _unreachable = !reachable;
    }

    /// <summary>A block's control with its parameters on top of the stack, inside the current try region.</summary>
    private Control NewControl(ControlKind kind, ValType[] ps, ValType[] rs) => new()
    {
        Kind = kind,
        Label = _il.DefineLabel(),
        Params = ps,
        Results = rs,
        Height = _stack.Count - ps.Length,
        TryRegion = _tryRegion,
    };

    private Control Target(uint depth) => _controls[_controls.Count - 1 - (int)depth];

    /// <summary>Branches to the label at <paramref name="depth"/> with the operand stack as it is now.</summary>
    private void EmitBranchTo(uint depth)
    {
        var c = Target(depth);
        if (c.TryRegion != _tryRegion)
        {
            EmitLeaveTo(c);
            return;
        }
        if (c.Kind == ControlKind.Function)
        {
            EmitReturn();
            return;
        }
        var arity = c.LabelTypes.Length;
        EmitDropUnder(arity, _stack.Count - arity - c.Height);
        _il.Emit(OpCodes.Br, c.Label);
        c.BranchedTo = true;
        c.StaleIn |= _cacheStale;
    }

    private void EmitBr(uint depth)
    {
        EmitBranchTo(depth);
        _unreachable = true;
    }

    private void EmitBrIf(uint depth)
    {
        Pop();
        var c = Target(depth);
        if (c.Kind != ControlKind.Function && c.TryRegion == _tryRegion && _stack.Count - c.LabelTypes.Length == c.Height)
        {
            _il.Emit(OpCodes.Brtrue, c.Label);
            c.BranchedTo = true;
            c.StaleIn |= _cacheStale;
            return;
        }
        var skip = _il.DefineLabel();
        _il.Emit(OpCodes.Brfalse, skip);
        EmitBranchTo(depth);
        _il.MarkLabel(skip);
    }

    private void EmitBrTable(uint[] labels)
    {
        Pop();
        var direct = true;
        foreach (var depth in labels)
        {
            var c = Target(depth);
            if (c.Kind == ControlKind.Function || c.TryRegion != _tryRegion || _stack.Count - c.LabelTypes.Length != c.Height) direct = false;
        }
        var n = labels.Length - 1;
        if (direct)
        {
            var targets = new Label[n];
            for (var i = 0; i < n; i++)
            {
                var c = Target(labels[i]);
                targets[i] = c.Label;
                c.BranchedTo = true;
                c.StaleIn |= _cacheStale;
            }
            _il.Emit(OpCodes.Switch, targets);
            var d = Target(labels[n]);
            _il.Emit(OpCodes.Br, d.Label);
            d.BranchedTo = true;
            d.StaleIn |= _cacheStale;
        }
        else
        {
            // Each target may have to drop a different number of values: one small trampoline per distinct target.
            var trampolines = new Dictionary<uint, Label>();
            Label TrampolineFor(uint depth)
            {
                if (!trampolines.TryGetValue(depth, out var l)) trampolines[depth] = l = _il.DefineLabel();
                return l;
            }
            var targets = new Label[n];
            for (var i = 0; i < n; i++) targets[i] = TrampolineFor(labels[i]);
            _il.Emit(OpCodes.Switch, targets);
            _il.Emit(OpCodes.Br, TrampolineFor(labels[n]));
            foreach (var (depth, label) in trampolines)
            {
                _il.MarkLabel(label);
                EmitBranchTo(depth);
            }
        }
        _unreachable = true;
    }

    /// <summary>The return instruction: a CIL <c>ret</c> cannot be inside a protected region, so in a try_table it leaves first.</summary>
    private void EmitReturnInstruction()
    {
        if (_tryRegion is null) EmitReturn();
        else EmitLeaveTo(_controls[0]);
    }

    /// <summary>Returns with the function's results on top of the stack, dropping whatever lies under them.</summary>
    private void EmitReturn() => EmitReturn(_stack.Count - _type.Results.Length);

    /// <summary>Returns with the function's results on top of the <paramref name="below"/> values to drop.</summary>
    private void EmitReturn(int below)
    {
        if (_region is not null)
        {
            // In a region method the function's label is the outermost region exit.
            EmitBranchTo((uint)(_controls.Count - 1));
            return;
        }
        var results = _type.Results;
        var n = results.Length;
        if (n == 0)
        {
            for (var i = 0; i < below; i++) _il.Emit(OpCodes.Pop);
            _il.Emit(OpCodes.Ret);
            return;
        }
        // Results 1..n-1 go to the result slots, the first is the CIL return value.
        for (var k = n - 1; k >= 1; k--)
        {
            var t = results[k];
            var tmp = RentTemp(ClrTypes.Of(t));
            _il.Emit(OpCodes.Stloc, tmp);
            EmitSlotAddress(k);
            _il.Emit(OpCodes.Ldloc, tmp);
            EmitField(OpCodes.Stfld, ClrTypes.SlotField(t));
            ReturnTemp(tmp);
        }
        if (below > 0)
        {
            var tmp = RentTemp(ClrTypes.Of(results[0]));
            _il.Emit(OpCodes.Stloc, tmp);
            for (var i = 0; i < below; i++) _il.Emit(OpCodes.Pop);
            _il.Emit(OpCodes.Ldloc, tmp);
            ReturnTemp(tmp);
        }
        _il.Emit(OpCodes.Ret);
    }

    private void EmitSlotAddress(int k)
    {
        LdCtx();
        EmitField(OpCodes.Ldfld, Members.CtxResults);
        LdcI4(k);
        _il.Emit(OpCodes.Ldelema, typeof(ResultSlot));
    }

    // ---- Calls ----

    private void EmitCall(uint functionIndex, bool tail)
    {
        var type = _m.FunctionTypes[functionIndex];
        if (tail && _tryRegion is not null)
        {
            EmitTailCallOutsideTry(type, null, () => EmitCallInstruction(functionIndex, type, tail: true));
            return;
        }
        if (tail) EmitDropUnder(type.Params.Length, _stack.Count - type.Params.Length);
        EmitCallInstruction(functionIndex, type, tail);
        AfterCall(type, tail);
    }

    /// <summary>With the arguments on the stack: the call itself (the context, then a direct call or one through the import's Function).</summary>
    private void EmitCallInstruction(uint functionIndex, FuncType type, bool tail)
    {
        if (functionIndex >= _m.ImportedFunctionCount)
        {
            LdCtx();
            if (tail) _il.Emit(OpCodes.Tailcall);
            _il.Emit(OpCodes.Call, _m.Methods[functionIndex - _m.ImportedFunctionCount]);
        }
        else
        {
            // An import may belong to another instance or to the host: call through its Function object.
            LdCtx();
            EmitField(OpCodes.Ldfld, Members.CtxFunctions);
            LdcI4((int)functionIndex);
            _il.Emit(OpCodes.Ldelem_Ref);
            EmitCallFunctionObject(type, tail);
        }
    }

    private void EmitCallIndirect(uint typeIndex, uint tableIndex, bool tail)
    {
        var type = _m.FuncTypeAt(typeIndex);
        var table = _m.Tables[tableIndex];
        Pop();
        if (!table.Limits.Is64) _il.Emit(OpCodes.Conv_U8);
        LdTable(tableIndex);
        LdcI4(_m.Types.GetCanonicalId(typeIndex));
        EmitCallHelper(TableOps.ResolveIndirectMethod);
        EmitCallResolved(type, tail);
    }

    private void EmitCallRef(uint typeIndex, bool tail)
    {
        var type = _m.FuncTypeAt(typeIndex);
        Pop();
        EmitCallHelper(Members.Method(typeof(TableOps), nameof(TableOps.CheckFunctionRef)));
        EmitCallResolved(type, tail);
    }

    /// <summary>call_indirect and call_ref once the callee is resolved: with the arguments and then the <see cref="Function"/> on the stack.</summary>
    private void EmitCallResolved(FuncType type, bool tail)
    {
        if (tail)
        {
            var f = RentTemp(typeof(Function));
            _il.Emit(OpCodes.Stloc, f);
            if (_tryRegion is not null)
            {
                EmitTailCallOutsideTry(type, f, () => EmitCallFunctionObject(type, tail: true));
                return;
            }
            EmitDropUnder(type.Params.Length, _stack.Count - type.Params.Length);
            _il.Emit(OpCodes.Ldloc, f);
            ReturnTemp(f);
        }
        EmitCallFunctionObject(type, tail);
        AfterCall(type, tail);
    }

    /// <summary>With the arguments and then a <see cref="Function"/> on the stack: calls it.</summary>
    private void EmitCallFunctionObject(FuncType type, bool tail)
    {
        var f = RentTemp(typeof(Function));
        _il.Emit(OpCodes.Stloc, f);
        // Host functions find their Wasm caller here (for Caller); cheaper than an extra argument on every call.
        LdCtx();
        EmitField(OpCodes.Ldfld, Members.CtxStore);
        LdCtx();
        EmitField(OpCodes.Ldfld, Members.CtxIndex);
        EmitField(OpCodes.Stfld, Members.StoreCurrentCallerIndex);
        _il.Emit(OpCodes.Ldloc, f);
        EmitField(OpCodes.Ldfld, Members.FunctionContext);
        _il.Emit(OpCodes.Ldloc, f);
        EmitField(OpCodes.Ldfld, Members.FunctionCode);
        ReturnTemp(f);
        if (tail) _il.Emit(OpCodes.Tailcall);
        _il.EmitCalli(OpCodes.Calli, CallingConventions.Standard, ClrTypes.ReturnOf(type), ClrTypes.ParametersOf(type), null);
    }

    private void AfterCall(FuncType type, bool tail)
    {
        if (tail)
        {
            _il.Emit(OpCodes.Ret);
            _unreachable = true;
            return;
        }
        Pop(type.Params.Length);
        PushAll(type.Results);
        for (var k = 1; k < type.Results.Length; k++)
        {
            EmitSlotAddress(k);
            EmitField(OpCodes.Ldfld, ClrTypes.SlotField(type.Results[k]));
        }
        InvalidateMemoryCaches();
    }
}
