using System.Reflection.Emit;
using WasmSharp.Model;
using WasmSharp.Runtime;

namespace WasmSharp.Compilation;

/// <summary>
/// Exception handling. A Wasm exception is a <see cref="ThrownException"/> thrown with the CIL <c>throw</c>; an
/// exnref is a reference to it. A try_table with catch clauses is a CIL try block with one handler per clause,
/// in clause order: <c>catch</c>/<c>catch_ref</c> are filter handlers comparing the exception's tag with the
/// instance's tag object, <c>catch_all</c>/<c>catch_all_ref</c> typed handlers for <see cref="ThrownException"/>,
/// so traps and host exceptions never match, and an exception no clause matches keeps unwinding from where it was
/// thrown (no catch and rethrow).
/// <para>
/// The CLI constrains protected regions: the evaluation stack is empty where a try starts, control leaves a try
/// or a handler only with <c>leave</c> (which empties the stack), and <c>ret</c> and <c>tail.</c> calls are not
/// allowed inside. So the operand stack under a try_table is stored in locals (<see cref="Control.Spills"/>) and
/// its parameters are reloaded inside; each region has its own CIL stack base (the try_table's height). A branch
/// to a label outside the current region (its end included, and a catch clause's branch) stores the label's
/// values in locals and leaves to an <see cref="ExitPad"/> placed after the outermost try_table it crosses,
/// which reloads the stack under the target and the values and branches, or returns, or makes the tail call.
/// </para>
/// </summary>
internal sealed partial class FunctionCompiler
{
    /// <summary>The innermost try_table or legacy try whose protected body is being emitted, or null.</summary>
    private Control? _tryRegion;

    /// <summary>
    /// Where the branches that leave a try_table for one target land, after the outermost try_table they cross,
    /// in the target's region: the label values come in <see cref="Values"/>. A tail call from a try_table has
    /// a pad of its own that makes the call (<see cref="Body"/>), and so does a legacy delegate, whose pad throws
    /// the exception again inside the target region (see FunctionCompiler.LegacyExceptions).
    /// </summary>
    private sealed class ExitPad
    {
        public Label Label;
        public Control? Target;
        public LocalBuilder[] Values = [];
        /// <summary>Some branch comes with stale memory caches (every catch does: the exception may come from a call).</summary>
        public bool Stale;
        public Action? Body;
    }

    private void EmitTryTable(in Instruction ins)
    {
        var catches = ins.Catches!;
        if (_unreachable || catches.Length == 0)
        {
            // Nothing to catch: a plain block, without the cost and constraints of a protected region.
            EmitBlock(in ins, ControlKind.Block);
            return;
        }
        var targets = new Control[catches.Length];
        for (var i = 0; i < catches.Length; i++) targets[i] = Target(catches[i].Label);
        var t = NewRegionControl(ControlKind.TryTable, ins.BlockType);
        t.Catches = catches;
        t.CatchTargets = targets;
        BeginRegion(t);
    }

    /// <summary>The control of a try_table or try that becomes a CIL protected region inside the current one.</summary>
    private Control NewRegionControl(ControlKind kind, BlockType blockType)
    {
        var (ps, rs) = _m.BlockSignature(blockType);
        var c = NewControl(kind, ps, rs);
        c.SpillBase = _tryRegion?.Height ?? 0;
        return c;
    }

    /// <summary>
    /// Opens the CIL try block of try_table or legacy try <paramref name="t"/>: the stack under its parameters goes to
    /// <see cref="Control.Spills"/> (a try starts with an empty evaluation stack), the parameters are reloaded inside.
    /// </summary>
    private void BeginRegion(Control t)
    {
        var ps = t.Params;
        var parameters = new LocalBuilder[ps.Length];
        for (var i = ps.Length - 1; i >= 0; i--)
        {
            parameters[i] = RentTemp(ClrTypes.Of(ps[i]));
            _il.Emit(OpCodes.Stloc, parameters[i]);
        }
        t.Spills = new LocalBuilder[t.Height - t.SpillBase];
        for (var i = t.Height - 1; i >= t.SpillBase; i--)
        {
            var spill = RentTemp(ClrTypes.Of(_stack[i]));
            t.Spills[i - t.SpillBase] = spill;
            _il.Emit(OpCodes.Stloc, spill);
        }
        // ILGenerator's max-stack count leaves out the exception object a catch handler starts with: in a method
        // whose only stack use is a handler storing or dropping it, the JIT would reject the body as invalid
        // (try_catch.wast's "break-try-catch_all", and a try_table with only catch_all). One dead push counts it; the JIT removes it.
        _il.Emit(OpCodes.Ldnull);
        _il.Emit(OpCodes.Pop);
        _il.BeginExceptionBlock();
        foreach (var p in parameters)
        {
            _il.Emit(OpCodes.Ldloc, p);
            ReturnTemp(p);
        }
        _controls.Add(t);
        _tryRegion = t;
    }

    /// <summary>The end of a try_table (already removed from the control stack): its handlers, its pads, and the code after it.</summary>
    private void EndTryTable(Control t)
    {
        if (!_unreachable) EmitLeaveTo(t);
        for (var i = 0; i < t.Catches.Length; i++)
        {
            var clause = t.Catches[i];
            var withTag = clause.Kind is CatchKind.Catch or CatchKind.CatchRef;
            if (withTag)
            {
                _il.BeginExceptFilterBlock();
                LdCtx();
                LdcI4((int)clause.Tag);
                _il.Emit(OpCodes.Call, Members.Method(typeof(ExceptionOps), nameof(ExceptionOps.HasTag)));
                _il.BeginCatchBlock(null);
            }
            else
            {
                _il.BeginCatchBlock(typeof(ThrownException));
            }
            var pad = PadFor(t.CatchTargets[i]);
            pad.Stale = true;
            var withRef = clause.Kind is CatchKind.CatchRef or CatchKind.CatchAllRef;
            if (withTag)
            {
                var payload = _m.FuncTypeAt(_m.Tags[clause.Tag].TypeIndex).Params;
                var exception = RentTemp(typeof(ThrownException));
                _il.Emit(OpCodes.Castclass, typeof(ThrownException));
                _il.Emit(OpCodes.Stloc, exception);
                for (var k = 0; k < payload.Length; k++)
                {
                    EmitLoadPayloadValue(exception, k, payload[k]);
                    _il.Emit(OpCodes.Stloc, pad.Values[k]);
                }
                if (withRef)
                {
                    _il.Emit(OpCodes.Ldloc, exception);
                    _il.Emit(OpCodes.Stloc, pad.Values[^1]);
                }
                ReturnTemp(exception);
            }
            else if (withRef)
            {
                _il.Emit(OpCodes.Stloc, pad.Values[0]);
            }
            else
            {
                _il.Emit(OpCodes.Pop);
            }
            _il.Emit(OpCodes.Leave, pad.Label);
        }
        _il.EndExceptionBlock();
        _tryRegion = t.TryRegion;
        EmitPads(t);
        _il.MarkLabel(t.Label);
        foreach (var spill in t.Spills) ReturnTemp(spill);
        _stack.RemoveRange(t.Height, _stack.Count - t.Height);
        PushAll(t.Results);
        _unreachable = !t.BranchedTo;
        _cacheStale = t.StaleIn;
    }

    /// <summary>Pushes value <paramref name="k"/> (of type <paramref name="type"/>) of the payload of the exception in <paramref name="exception"/>.</summary>
    private void EmitLoadPayloadValue(LocalBuilder exception, int k, ValType type)
    {
        _il.Emit(OpCodes.Ldloc, exception);
        EmitField(OpCodes.Ldfld, Members.Field(typeof(ThrownException), nameof(ThrownException.Payload)));
        LdcI4(k);
        _il.Emit(OpCodes.Ldelema, typeof(Value));
        StubFactory.EmitFromValueRef(_il, type);
    }

    /// <summary>
    /// Branches to <paramref name="target"/>, a label outside the current region, with its values on top of the
    /// stack: they go to the pad's locals and <c>leave</c> goes to the pad (the type stack is left alone).
    /// </summary>
    private void EmitLeaveTo(Control target)
    {
        var pad = PadFor(target);
        for (var i = pad.Values.Length - 1; i >= 0; i--) _il.Emit(OpCodes.Stloc, pad.Values[i]);
        _il.Emit(OpCodes.Leave, pad.Label);
        pad.Stale |= _cacheStale;
    }

    /// <summary>The pad for leaving the current region for <paramref name="target"/>, shared by every branch there.</summary>
    private ExitPad PadFor(Control target)
    {
        // The pad goes after the outermost try_table between here and the target: the first place in the target's region.
        var outermost = _tryRegion!;
        while (outermost.TryRegion != target.TryRegion) outermost = outermost.TryRegion!;
        outermost.Pads ??= [];
        foreach (var existing in outermost.Pads)
            if (existing.Target == target) return existing;
        var types = target.LabelTypes;
        var pad = new ExitPad { Label = _il.DefineLabel(), Target = target, Values = new LocalBuilder[types.Length] };
        for (var i = 0; i < types.Length; i++) pad.Values[i] = RentTemp(ClrTypes.Of(types[i]));
        outermost.Pads.Add(pad);
        return pad;
    }

    /// <summary>After try_table <paramref name="t"/>, in the region around it: the pads of the branches that left it.</summary>
    private void EmitPads(Control t)
    {
        if (t.Pads is null) return;
        foreach (var pad in t.Pads)
        {
            _il.MarkLabel(pad.Label);
            if (pad.Body is not null)
            {
                pad.Body();
                continue;
            }
            var target = pad.Target!;
            if (target.Kind != ControlKind.Function)
            {
                for (var i = t.SpillBase; i < target.Height; i++) _il.Emit(OpCodes.Ldloc, t.Spills[i - t.SpillBase]);
            }
            foreach (var value in pad.Values)
            {
                _il.Emit(OpCodes.Ldloc, value);
                ReturnTemp(value);
            }
            if (target.Kind == ControlKind.Function)
            {
                EmitReturn(below: 0);
                continue;
            }
            _il.Emit(OpCodes.Br, target.Label);
            target.BranchedTo = true;
            target.StaleIn |= pad.Stale;
        }
    }

    /// <summary>
    /// return_call* inside a try_table. The tail call replaces this frame, so this function's handlers must not
    /// catch the callee's exceptions (try_table.wast tests it), and the CLI forbids <c>tail.</c> in a protected
    /// region anyway: the arguments (and the resolved callee) go to locals, and the call is made from a pad after
    /// the outermost try_table, outside every region.
    /// </summary>
    private void EmitTailCallOutsideTry(FuncType type, LocalBuilder? callee, Action emitCall)
    {
        var args = new LocalBuilder[type.Params.Length];
        for (var i = args.Length - 1; i >= 0; i--)
        {
            args[i] = RentTemp(ClrTypes.Of(type.Params[i]));
            _il.Emit(OpCodes.Stloc, args[i]);
        }
        var outermost = _tryRegion!;
        while (outermost.TryRegion is not null) outermost = outermost.TryRegion;
        var pad = new ExitPad { Label = _il.DefineLabel() };
        pad.Body = () =>
        {
            foreach (var arg in args)
            {
                _il.Emit(OpCodes.Ldloc, arg);
                ReturnTemp(arg);
            }
            if (callee is not null)
            {
                _il.Emit(OpCodes.Ldloc, callee);
                ReturnTemp(callee);
            }
            emitCall();
            _il.Emit(OpCodes.Ret);
        };
        (outermost.Pads ??= []).Add(pad);
        _il.Emit(OpCodes.Leave, pad.Label);
        Pop(type.Params.Length);
        _unreachable = true;
    }

    /// <summary>throw: the payload values into a <see cref="Value"/> array, then the CIL <c>throw</c> of a new <see cref="ThrownException"/>.</summary>
    private void EmitThrow(uint tagIndex)
    {
        var payload = _m.FuncTypeAt(_m.Tags[tagIndex].TypeIndex).Params;
        if (payload.Length == 0)
        {
            _il.Emit(OpCodes.Ldnull);
        }
        else
        {
            var values = RentTemp(typeof(Value[]));
            LdcI4(payload.Length);
            _il.Emit(OpCodes.Newarr, typeof(Value));
            _il.Emit(OpCodes.Stloc, values);
            for (var k = payload.Length - 1; k >= 0; k--)
            {
                var tmp = RentTemp(ClrTypes.Of(payload[k]));
                _il.Emit(OpCodes.Stloc, tmp);
                _il.Emit(OpCodes.Ldloc, values);
                LdcI4(k);
                _il.Emit(OpCodes.Ldelema, typeof(Value));
                _il.Emit(OpCodes.Ldloc, tmp);
                StubFactory.EmitToValue(_il, payload[k]);
                _il.Emit(OpCodes.Stobj, typeof(Value));
                ReturnTemp(tmp);
                Pop();
            }
            _il.Emit(OpCodes.Ldloc, values);
            ReturnTemp(values);
        }
        LdCtx();
        LdcI4((int)tagIndex);
        _il.Emit(OpCodes.Call, Members.Method(typeof(ExceptionOps), nameof(ExceptionOps.Create)));
        _il.Emit(OpCodes.Throw);
        _unreachable = true;
    }

    /// <summary>throw_ref: rethrows the exception object itself (a null exnref traps).</summary>
    private void EmitThrowRef()
    {
        Pop();
        EmitCallHelper(Members.Method(typeof(ExceptionOps), nameof(ExceptionOps.FromReference)));
        _il.Emit(OpCodes.Throw);
        _unreachable = true;
    }
}
