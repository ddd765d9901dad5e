using System.Reflection.Emit;
using WasmSharp.Model;
using WasmSharp.Runtime;

namespace WasmSharp.Compilation;

/// <summary>
/// The legacy exception instructions: <c>try</c>, <c>catch</c>, <c>catch_all</c>, <c>rethrow</c>, <c>delegate</c>.
/// A try's body is a CIL try block (opened as a try_table's is, see FunctionCompiler.Exceptions); its handlers only
/// store the exception in <see cref="Control.CaughtException"/> and <c>leave</c> to the catch body, which is ordinary
/// code after the protected region, in the region around it. So branches in catch bodies need no <c>leave</c>, an
/// exception thrown in a catch body is not caught by its own try, and rethrow is a plain <c>throw</c> of the stored
/// exception. The handlers must be emitted when the region closes (at the first catch), before the catch
/// instructions are read: a scan of the body ahead (<see cref="ScanLegacyTries"/>) finds every try's clauses.
/// <para>
/// <c>try ... delegate d</c> hands the exceptions of its body to the handlers around label d (d's own when d is a
/// try or try_table still in its body, the caller's when d is the function): a catch of every Wasm exception
/// stores it and leaves to a pad that throws it again, placed after the outermost region the delegate skips,
/// that is inside the target region and outside the regions in between. A delegate whose target region is the one
/// the try is in anyway changes nothing and compiles as a plain block.
/// </para>
/// </summary>
internal sealed partial class FunctionCompiler
{
    /// <summary>A catch clause of a legacy try: <c>catch_all</c>, or <c>catch</c> of <see cref="Tag"/>.</summary>
    private readonly record struct LegacyClause(bool All, uint Tag);

    /// <summary>What the scan ahead found for one legacy try: its clauses, or the depth its delegate names.</summary>
    private sealed class LegacyTryShape
    {
        public readonly List<LegacyClause> Clauses = [];
        public uint? DelegateDepth;
    }

    /// <summary>The shape of every legacy try of the body, by the try's offset (built at the first try).</summary>
    private Dictionary<int, LegacyTryShape>? _legacyTries;

    private Dictionary<int, LegacyTryShape> ScanLegacyTries()
    {
        var shapes = new Dictionary<int, LegacyTryShape>();
        // One entry per open block: the shape for a try, null for any other block.
        var open = new Stack<LegacyTryShape?>();
        var reader = ReaderAt(_rangeStart);
        while (reader.TryRead(out var ins))
        {
            switch (ins.Opcode)
            {
                case Opcode.Block or Opcode.Loop or Opcode.If or Opcode.TryTable:
                    open.Push(null);
                    break;
                case Opcode.Try:
                    var shape = new LegacyTryShape();
                    shapes[ins.Offset] = shape;
                    open.Push(shape);
                    break;
                case Opcode.Catch:
                    open.Peek()!.Clauses.Add(new LegacyClause(false, ins.Index));
                    break;
                case Opcode.CatchAll:
                    open.Peek()!.Clauses.Add(new LegacyClause(true, 0));
                    break;
                case Opcode.Delegate:
                    open.Pop()!.DelegateDepth = ins.Index;
                    break;
                case Opcode.End:
                    // The function's own end finds the stack empty.
                    if (open.Count > 0) open.Pop();
                    break;
            }
        }
        return shapes;
    }

    /// <summary>The innermost region whose handlers see an exception thrown directly in the body of <paramref name="label"/>'s block.</summary>
    private static Control? RegionInside(Control label) =>
        label.Kind == ControlKind.TryTable || (label.Kind == ControlKind.Try && label.CurrentClause < 0) ? label : label.TryRegion;

    private void EmitLegacyTry(in Instruction ins)
    {
        if (_unreachable)
        {
            EmitBlock(in ins, ControlKind.Block);
            return;
        }
        _legacyTries ??= ScanLegacyTries();
        var shape = _legacyTries[ins.Offset];
        var delegates = false;
        Control? delegateRegion = null;
        if (shape.DelegateDepth is { } depth)
        {
            // The depth counts from outside the try, which is not on the control stack yet.
            delegateRegion = RegionInside(Target(depth));
            delegates = delegateRegion != _tryRegion;
        }
        if (shape.Clauses.Count == 0 && !delegates)
        {
            // Nothing to catch or redirect: a plain block, without the cost and constraints of a protected region.
            EmitBlock(in ins, ControlKind.Block);
            return;
        }
        var t = NewRegionControl(ControlKind.Try, ins.BlockType);
        t.LegacyClauses = [.. shape.Clauses];
        t.Delegates = delegates;
        t.DelegateRegion = delegateRegion;
        t.CaughtException = RentTemp(typeof(ThrownException));
        t.ClauseLabels = new Label[t.LegacyClauses.Length];
        for (var i = 0; i < t.ClauseLabels.Length; i++) t.ClauseLabels[i] = _il.DefineLabel();
        BeginRegion(t);
    }

    /// <summary>catch and catch_all: closes the try's body (at the first clause) or the previous catch body, and starts the next.</summary>
    private void EmitLegacyCatch()
    {
        var t = _controls[^1];
        if (t.Dead) return;
        if (t.CurrentClause < 0) CloseLegacyRegion(t);
        else EndCatchBody(t);
        t.CurrentClause++;
        BeginCatchBody(t);
    }

    private void EmitDelegate()
    {
        var t = _controls[^1];
        if (t.Kind != ControlKind.Try)
        {
            // A dead try, or one whose delegate changes nothing: it ends as a block.
            EmitEnd();
            return;
        }
        _controls.RemoveAt(_controls.Count - 1);
        CloseLegacyRegion(t);
        FinishLegacyTry(t);
    }

    /// <summary>The end of a legacy try with catch clauses (already removed from the control stack).</summary>
    private void EndLegacyTry(Control t)
    {
        EndCatchBody(t);
        FinishLegacyTry(t);
    }

    /// <summary>rethrow: throws the exception caught by the try whose catch body is at depth <paramref name="depth"/>, the same object.</summary>
    private void EmitRethrow(uint depth)
    {
        _il.Emit(OpCodes.Ldloc, Target(depth).CaughtException!);
        _il.Emit(OpCodes.Throw);
        _unreachable = true;
    }

    /// <summary>
    /// The end of the try's body: a normal exit leaves to the try's end, then come the handlers (one per clause,
    /// in clause order as the spec matches them; or the delegate's catch-all) and the pads of the branches that left.
    /// </summary>
    private void CloseLegacyRegion(Control t)
    {
        if (!_unreachable) EmitLeaveTo(t);
        var exception = t.CaughtException!;
        if (t.Delegates)
        {
            // Typed on ThrownException: traps and host exceptions pass a delegate as they pass any handler.
            _il.BeginCatchBlock(typeof(ThrownException));
            _il.Emit(OpCodes.Stloc, exception);
            var host = t;
            while (host.TryRegion != t.DelegateRegion) host = host.TryRegion!;
            var pad = new ExitPad { Label = _il.DefineLabel() };
            pad.Body = () =>
            {
                _il.Emit(OpCodes.Ldloc, exception);
                _il.Emit(OpCodes.Throw);
                ReturnTemp(exception);
            };
            (host.Pads ??= []).Add(pad);
            _il.Emit(OpCodes.Leave, pad.Label);
            // The pad returns the local when it is emitted.
            t.CaughtException = null;
        }
        else
        {
            for (var i = 0; i < t.LegacyClauses.Length; i++)
            {
                var clause = t.LegacyClauses[i];
                if (clause.All)
                {
                    _il.BeginCatchBlock(typeof(ThrownException));
                }
                else
                {
                    // A filter, as for try_table's catch: an exception no clause matches is never caught here.
                    _il.BeginExceptFilterBlock();
                    LdCtx();
                    LdcI4((int)clause.Tag);
                    _il.Emit(OpCodes.Call, Members.Method(typeof(ExceptionOps), nameof(ExceptionOps.HasTag)));
                    _il.BeginCatchBlock(null);
                    _il.Emit(OpCodes.Castclass, typeof(ThrownException));
                }
                _il.Emit(OpCodes.Stloc, exception);
                _il.Emit(OpCodes.Leave, t.ClauseLabels[i]);
            }
        }
        _il.EndExceptionBlock();
        _tryRegion = t.TryRegion;
        EmitPads(t);
    }

    /// <summary>Where a handler left to: the stack under the try, then the payload of a catch (none for catch_all).</summary>
    private void BeginCatchBody(Control t)
    {
        _il.MarkLabel(t.ClauseLabels[t.CurrentClause]);
        foreach (var spill in t.Spills) _il.Emit(OpCodes.Ldloc, spill);
        _stack.RemoveRange(t.Height, _stack.Count - t.Height);
        var clause = t.LegacyClauses[t.CurrentClause];
        if (!clause.All)
        {
            var payload = _m.FuncTypeAt(_m.Tags[clause.Tag].TypeIndex).Params;
            for (var k = 0; k < payload.Length; k++) EmitLoadPayloadValue(t.CaughtException!, k, payload[k]);
            PushAll(payload);
        }
        _unreachable = false;
        // The exception may come from a callee that grew or moved memory.
        InvalidateMemoryCaches();
    }

    /// <summary>The end of a catch body: on to the try's end, in the same region.</summary>
    private void EndCatchBody(Control t)
    {
        if (_unreachable) return;
        _il.Emit(OpCodes.Br, t.Label);
        t.BranchedTo = true;
        t.StaleIn |= _cacheStale;
    }

    private void FinishLegacyTry(Control t)
    {
        _il.MarkLabel(t.Label);
        foreach (var spill in t.Spills) ReturnTemp(spill);
        if (t.CaughtException is not null) ReturnTemp(t.CaughtException);
        _stack.RemoveRange(t.Height, _stack.Count - t.Height);
        PushAll(t.Results);
        _unreachable = !t.BranchedTo;
        _cacheStale = t.StaleIn;
    }
}
