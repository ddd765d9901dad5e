using System.Reflection;
using System.Reflection.Emit;
using WasmSharp.Binary;
using WasmSharp.Model;

namespace WasmSharp.Compilation;

/// <summary>
/// Outlining: a body too large for the JIT to optimize (it falls back to unoptimized code past fixed limits on IL
/// instructions, basic blocks, locals and local references) has ranges of its statements moved into separate
/// methods, "regions", until what remains fits.
/// <list type="bullet">
/// <item>A region is a run of consecutive statements of one block body: a range that starts and ends with the
/// operand stack at the body's base height, in reachable code. It consumes and leaves no operands, so its call
/// needs none; values of enclosing expressions stay on the caller's CIL stack across the call.</item>
/// <item>A region method is <c>int region(T a, ref T b, ..., [ref R0 result], InstanceContext ctx)</c>: the Wasm
/// locals the region reads come by value, those it writes by reference. It copies them into IL locals of its own
/// (which the JIT can keep in registers) and writes the written ones back at every exit.</item>
/// <item>It returns -1 to fall through, or k to branch to the k-th label around it (0 = innermost); the caller
/// switches on that and takes the branch itself. The outermost label is the function's: the region has then
/// delivered the results already (the first through <c>result</c>, the others in the result slots, as a return
/// does). Regions do not branch to any other label that carries values.</item>
/// <item>A region method is compiled like a function (stack check, fuel, epochs, memory caches of its own) and
/// outlines inside itself when it is still too large.</item>
/// </list>
/// </summary>
internal sealed partial class FunctionCompiler
{
    /// <summary>An outlined range, as its caller sees it.</summary>
    private sealed class Region
    {
        /// <summary>Positions in the body's code: first instruction, and the one after the last.</summary>
        public int Start, End;

        /// <summary>How many labels enclose the region in its caller, the function's label included (the outermost).</summary>
        public int EnclosingLabels;

        /// <summary>The Wasm locals the region uses, in index order, and whether it writes them.</summary>
        public (uint Index, bool Written)[] Locals = [];

        /// <summary>The labels around the region it may branch to (depths from the region, distinct, ascending).</summary>
        public int[] ExitCodes = [];

    }

    /// <summary>When compiling a region method: the range it covers; null for a function.</summary>
    private readonly Region? _region;

    /// <summary>In a region method: the IL local of each Wasm local the region uses, by Wasm index.</summary>
    private readonly LocalBuilder?[]? _regionLocals;

    /// <summary>The range of the body this compiler emits: all of it for a function.</summary>
    private readonly int _rangeStart, _rangeEnd;

    /// <summary>The regions this compiler outlines, by start position.</summary>
    private Dictionary<int, Region> _outlined = [];

    /// <summary>In a function: where a region that returns leaves the first result.</summary>
    private LocalBuilder? _regionResult;

    private LocalBuilder? _stackProbe;

    /// <summary>Compiles a region of <paramref name="parent"/>'s function into the method behind <paramref name="il"/>.</summary>
    private FunctionCompiler(FunctionCompiler parent, Region region, ILGenerator il)
        : this(parent._m, parent._functionIndex, parent._body, il, declareLocals: false)
    {
        _region = region;
        _rangeStart = region.Start;
        _rangeEnd = region.End;
        _regionLocals = new LocalBuilder?[_localTypes.Length];
        _ctxArg = checked((short)(region.Locals.Length + (_type.Results.Length > 0 ? 1 : 0)));
    }

    private bool OutliningEnabled => _m.Config.OutlineLargeFunctions;

    /// <summary>The argument of a region method through which a return delivers the first result.</summary>
    private int RegionResultArg => _region!.Locals.Length;

    private void CompileRegion()
    {
        var region = _region!;
        for (var i = 0; i < region.Locals.Length; i++)
        {
            var (index, _) = region.Locals[i];
            _regionLocals![index] = _il.DeclareLocal(ClrTypes.Of(_localTypes[index]));
        }
        PlanOutlining();
        Prescan();
        // A region is a frame like any other, and it usually calls: it checks the stack.
        EmitStackCheck(_il.DeclareLocal(typeof(byte)));
        for (var i = 0; i < region.Locals.Length; i++)
        {
            var (index, written) = region.Locals[i];
            LdArg(i);
            if (written) _il.Emit(OpCodes.Ldobj, ClrTypes.Of(_localTypes[index]));
            _il.Emit(OpCodes.Stloc, _regionLocals![index]!);
        }
        // The labels around the region, outermost (the function's) first: branching to one leaves the method.
        for (var depth = region.EnclosingLabels - 1; depth >= 0; depth--)
        {
            var isFunction = depth == region.EnclosingLabels - 1;
            _controls.Add(new Control
            {
                Kind = ControlKind.RegionExit,
                Label = _il.DefineLabel(),
                DeliveredLabel = isFunction ? _il.DefineLabel() : default,
                IsFunctionExit = isFunction,
                ExitCode = depth,
                Results = isFunction ? _type.Results : [],
            });
        }
        EmitInstructions();
        if (!_unreachable)
        {
            if (ConsumesFuel) FlushFuel();
            EmitRegionExit(-1);
        }
        foreach (var c in _controls)
        {
            if (c.BranchedTo)
            {
                _il.MarkLabel(c.Label);
                if (c.IsFunctionExit) DeliverRegionResults();
            }
            if (c.IsFunctionExit && c.DeliveredTo) _il.MarkLabel(c.DeliveredLabel);
            if (c.BranchedTo || c.DeliveredTo) EmitRegionExit(c.ExitCode);
        }
    }

    /// <summary>With the function's results on the stack (and nothing under them): stores them where a return leaves them.</summary>
    private void DeliverRegionResults()
    {
        var results = _type.Results;
        if (results.Length == 0) return;
        for (var k = results.Length - 1; k >= 1; k--)
        {
            var tmp = RentTemp(ClrTypes.Of(results[k]));
            _il.Emit(OpCodes.Stloc, tmp);
            EmitSlotAddress(k);
            _il.Emit(OpCodes.Ldloc, tmp);
            EmitField(OpCodes.Stfld, ClrTypes.SlotField(results[k]));
            ReturnTemp(tmp);
        }
        var type = ClrTypes.Of(results[0]);
        var first = RentTemp(type);
        _il.Emit(OpCodes.Stloc, first);
        LdArg(RegionResultArg);
        _il.Emit(OpCodes.Ldloc, first);
        _il.Emit(OpCodes.Stobj, type);
        ReturnTemp(first);
    }

    /// <summary>Writes back the locals the region writes and returns <paramref name="code"/> (with an empty stack).</summary>
    private void EmitRegionExit(int code)
    {
        var region = _region!;
        for (var i = 0; i < region.Locals.Length; i++)
        {
            var (index, written) = region.Locals[i];
            if (!written) continue;
            LdArg(i);
            _il.Emit(OpCodes.Ldloc, _regionLocals![index]!);
            _il.Emit(OpCodes.Stobj, ClrTypes.Of(_localTypes[index]));
        }
        LdcI4(code);
        _il.Emit(OpCodes.Ret);
    }

    /// <summary>Emits the instructions of the range, calling the outlined regions in place of their instructions.</summary>
    private void EmitInstructions()
    {
        var reader = ReaderAt(_rangeStart);
        while (reader.TryRead(out var ins))
        {
            if (_outlined.TryGetValue(ins.Offset - _body.Offset, out var region))
            {
                // A region in dead code is skipped whole: it is balanced, so the block structure stays right.
                if (!_unreachable) EmitRegionCall(region);
                reader = ReaderAt(region.End);
                _checkedEnds.Clear();
                _previous = default;
                continue;
            }
            if (_unreachable)
            {
                if (!IsStructural(ins.Opcode)) continue;
            }
            else if (ConsumesFuel)
            {
                ChargeFuel(ins.Opcode);
            }
            TrackCheckedBounds(in ins);
            Emit(in ins);
            _previous = (ins.Opcode, ins.Index);
            if (_controls.Count == 0) break;
        }
    }

    private InstructionReader ReaderAt(int position) =>
        new(_body.Code.Span[position.._rangeEnd], _body.Offset + position);

    private void EmitRegionCall(Region region)
    {
        if (ConsumesFuel) FlushFuel();
        var method = DefineRegionMethod(region);
        if (RegionFrameEstimate(region) > CompiledModule.LargeFrame)
        {
            // The region's prologue touches its whole frame before its own stack check runs: check for room first.
            _stackProbe ??= _il.DeclareLocal(typeof(byte));
            EmitStackCheck(_stackProbe, RegionFrameEstimate(region));
        }
        foreach (var (index, written) in region.Locals)
        {
            if (written) LdLocalAddress(index);
            else LdLocal(index);
        }
        if (_type.Results.Length > 0)
        {
            if (_region is not null) LdArg(RegionResultArg);
            else _il.Emit(OpCodes.Ldloca, _regionResult ??= _il.DeclareLocal(ClrTypes.Of(_type.Results[0])));
        }
        LdCtx();
        _il.Emit(OpCodes.Call, method);
        _hasCalls = true;
        // The region may have grown a memory, directly or through a call.
        InvalidateMemoryCaches();
        if (region.ExitCodes.Length == 0)
        {
            _il.Emit(OpCodes.Pop);
            return;
        }
        var next = _il.DefineLabel();
        var targets = new Label[region.ExitCodes[^1] + 1];
        Array.Fill(targets, next);
        foreach (var code in region.ExitCodes) targets[code] = _il.DefineLabel();
        // -1 (fall through) is out of the switch's range.
        _il.Emit(OpCodes.Switch, targets);
        _il.Emit(OpCodes.Br, next);
        foreach (var code in region.ExitCodes)
        {
            _il.MarkLabel(targets[code]);
            var c = Target((uint)code);
            if (c.Kind == ControlKind.Function)
            {
                for (var i = 0; i < _stack.Count; i++) _il.Emit(OpCodes.Pop);
                if (_regionResult is not null) _il.Emit(OpCodes.Ldloc, _regionResult);
                _il.Emit(OpCodes.Ret);
            }
            else if (c.IsFunctionExit)
            {
                for (var i = 0; i < _stack.Count; i++) _il.Emit(OpCodes.Pop);
                _il.Emit(OpCodes.Br, c.DeliveredLabel);
                c.DeliveredTo = true;
            }
            else
            {
                EmitBranchTo((uint)code);
            }
        }
        _il.MarkLabel(next);
    }

    private void LdLocalAddress(uint index)
    {
        if (_regionLocals is not null) _il.Emit(OpCodes.Ldloca, _regionLocals[index]!);
        else if (index < _ctxArg) _il.Emit(OpCodes.Ldarga, (short)index);
        else _il.Emit(OpCodes.Ldloca, _locals[index - (uint)_ctxArg]);
    }

    private long RegionFrameEstimate(Region region)
    {
        long bytes = 0;
        foreach (var (index, _) in region.Locals) bytes += _localTypes[index].Code == ValType.V128Code ? 16 : 8;
        return 2 * bytes + 4096;
    }

    /// <summary>Defines the region's method and compiles it (with its own outlining, if it is still too large).</summary>
    private MethodInfo DefineRegionMethod(Region region)
    {
        var parameters = new List<Type>(region.Locals.Length + 2);
        foreach (var (index, written) in region.Locals)
        {
            var t = ClrTypes.Of(_localTypes[index]);
            parameters.Add(written ? t.MakeByRefType() : t);
        }
        if (_type.Results.Length > 0) parameters.Add(ClrTypes.Of(_type.Results[0]).MakeByRefType());
        parameters.Add(typeof(Runtime.InstanceContext));
        var method = _m.DefineRegionMethod(_functionIndex, [.. parameters]);
        new FunctionCompiler(this, region, method.GetILGenerator()).CompileRegion();
        return method;
    }

    // ---- Planning ----

    /// <summary>
    /// The estimated JIT cost of IL, in the quantities the JIT limits (see <see cref="Prescan"/>, which uses the same
    /// estimates to choose compact bounds checks).
    /// </summary>
    private struct IlCost
    {
        public int Instructions, Accesses, Branches, LocalRefs;

        public void Add(in IlCost other)
        {
            Instructions += other.Instructions;
            Accesses += other.Accesses;
            Branches += other.Branches;
            LocalRefs += other.LocalRefs;
        }

        public readonly int EstimatedInstructions => 2 * Instructions + 12 * Accesses;
        public readonly int EstimatedBlocks => 2 * Accesses + 2 * Branches;
        public readonly int EstimatedLocalRefs => LocalRefs + 3 * Accesses;

        /// <summary>The JIT's limits as these estimates see them (fitted on the sightglass modules).</summary>
        public const int InstructionLimit = 19_000, BlockLimit = 2_400, LocalRefLimit = 7_500;

        /// <summary>The largest fraction of a limit the IL uses.</summary>
        public readonly double Fraction => Math.Max(
            (double)EstimatedInstructions / InstructionLimit,
            Math.Max((double)EstimatedBlocks / BlockLimit, (double)EstimatedLocalRefs / LocalRefLimit));

        public static IlCost Of(in Instruction ins)
        {
            var c = new IlCost { Instructions = 1 };
            switch (ins.Opcode)
            {
                case Opcode.LocalGet or Opcode.LocalSet or Opcode.LocalTee:
                    c.LocalRefs = 1;
                    break;
                case Opcode.BrIf or Opcode.Br or Opcode.BrTable or Opcode.Else or Opcode.Return or Opcode.Select
                    or Opcode.I32DivS or Opcode.I32DivU or Opcode.I32RemS or Opcode.I32RemU
                    or Opcode.I64DivS or Opcode.I64DivU or Opcode.I64RemS or Opcode.I64RemU
                    or Opcode.Block or Opcode.If or Opcode.TryTable:
                    c.Branches = 1;
                    break;
                default:
                    if (HasMemArg(ins.Opcode)) c.Accesses = 1;
                    break;
            }
            return c;
        }

        /// <summary>What a region call leaves in its caller.</summary>
        public static IlCost OfCall(Region region) => new()
        {
            Instructions = 2 * region.Locals.Length + 8 + region.ExitCodes.Length,
            LocalRefs = region.Locals.Length + 1,
            Branches = region.ExitCodes.Length + 1,
        };
    }

    /// <summary>A method may use this fraction of the JIT's limits (the estimates are rough).</summary>
    private const double MethodBudget = 0.8;

    /// <summary>A region is cut once its statements reach this fraction of the budget: big enough that the call costs nothing in comparison.</summary>
    private const double RegionTarget = 0.5;

    /// <summary>A label or block body of the planner's walk.</summary>
    private sealed class PlanFrame
    {
        /// <summary>Its index in the walk's frame list (0 = outermost).</summary>
        public int Level;
        public int LabelArity;
        public bool IsFunctionLabel;
        /// <summary>Its body is a sequence of this method (false for the labels around a region).</summary>
        public bool HasBody;
        public int Base, Params, Results;
        public bool Unreachable;
        /// <summary>Start of the statement in progress, -1 before the first statement boundary.</summary>
        public int StatementStart = -1;
        public IlCost StatementCost;
        public bool StatementOutlinable = true;
        /// <summary>The run of outlinable statements being gathered into a region, -1 when none.</summary>
        public int RunStart = -1;
        public IlCost RunCost;
        /// <summary>The cost of the body that stays in the method.</summary>
        public IlCost Kept;
    }

    /// <summary>
    /// Chooses the regions to outline. The walk needs the operand stack height at every instruction to find statement
    /// boundaries; it computes heights from the stack effects of the instructions (signatures from the module),
    /// counting values rather than typing them: the body is valid, so the counts are exact wherever the code is
    /// reachable, and boundaries are only taken there. The validator knows the same, but it runs before compilation
    /// and keeps nothing per instruction. Bottom-up and greedy: in each block body, runs of consecutive outlinable
    /// statements become a region once they reach <see cref="RegionTarget"/> of the budget, so inner bodies are cut
    /// first and the enclosing statements count only the calls.
    /// </summary>
    private void PlanOutlining()
    {
        if (!OutliningEnabled) return;
        var budget = MethodBudget * _m.Config.OutliningBudgetScale;
        IlCost whole = default;
        var scan = new InstructionReader(_body.Code.Span[_rangeStart.._rangeEnd], _body.Offset + _rangeStart);
        while (scan.TryRead(out var scanned)) whole.Add(IlCost.Of(in scanned));
        if (whole.Fraction <= budget) return;
        _describeBudget = 4 * whole.Instructions;
        var chosen = new List<Region>();
        var frames = new List<PlanFrame>();
        IlCost soFar = default;
        if (_region is null)
        {
            frames.Add(new PlanFrame { Level = 0, LabelArity = _type.Results.Length, IsFunctionLabel = true, HasBody = true, Results = _type.Results.Length, StatementStart = 0 });
        }
        else
        {
            for (var depth = _region.EnclosingLabels - 1; depth >= 0; depth--)
                frames.Add(new PlanFrame { Level = frames.Count, IsFunctionLabel = depth == _region.EnclosingLabels - 1 });
            frames[^1].HasBody = true;
            frames[^1].StatementStart = _rangeStart;
        }
        var rootLevel = frames.Count - 1;
        var root = frames[^1];
        var height = 0;

        void MarkOpenStatements(int fromLevel)
        {
            for (var l = Math.Max(fromLevel, rootLevel); l < frames.Count; l++) frames[l].StatementOutlinable = false;
        }

        // The statements a branch leaves can be regions only if its label carries no values (or is the function's).
        bool LeavesUnoutlinable(uint depth)
        {
            var target = frames[frames.Count - 1 - (int)depth];
            return target.LabelArity > 0 && !target.IsFunctionLabel;
        }

        void BranchTo(uint depth)
        {
            if (LeavesUnoutlinable(depth)) MarkOpenStatements(frames.Count - 1 - (int)depth);
        }

        void FlushRun(PlanFrame f)
        {
            f.Kept.Add(f.RunCost);
            f.RunStart = -1;
            f.RunCost = default;
        }

        void EndStatement(PlanFrame f, int position)
        {
            if (f.StatementStart >= 0 && f.StatementOutlinable)
            {
                if (f.RunStart < 0) f.RunStart = f.StatementStart;
                f.RunCost.Add(f.StatementCost);
                // Never the whole range: a region that is all of its method would only move it.
                if (f.RunCost.Fraction >= RegionTarget * budget && !(f.RunStart == _rangeStart && position == _rangeEnd - (_region is null ? 1 : 0)))
                {
                    var region = new Region { Start = f.RunStart, End = position, EnclosingLabels = f.Level + 1 };
                    if (CostBetween(f.RunStart, position).Fraction <= MaxRegionShare * whole.Fraction)
                    {
                        if (DescribeRegion(region))
                        {
                            chosen.Add(region);
                            f.Kept.Add(IlCost.OfCall(region));
                            f.RunStart = -1;
                            f.RunCost = default;
                        }
                    }
                    // Not worth a region (see MaxRegionShare): it stays, and the next run starts after it.
                    if (f.RunStart >= 0) FlushRun(f);
                }
            }
            else
            {
                FlushRun(f);
                f.Kept.Add(f.StatementCost);
            }
            f.StatementStart = position;
            f.StatementCost = default;
            f.StatementOutlinable = true;
        }

        void EndBody(PlanFrame f)
        {
            FlushRun(f);
            f.Kept.Add(f.StatementCost);
            f.StatementCost = default;
            f.StatementOutlinable = true;
        }

        // The cost of everything up to each instruction boundary, for the full cost of a range.
        var positions = new List<int> { _rangeStart };
        var costs = new List<IlCost> { default };
        IlCost CostBetween(int start, int end)
        {
            var a = costs[positions.BinarySearch(start)];
            var b = costs[positions.BinarySearch(end)];
            return new IlCost
            {
                Instructions = b.Instructions - a.Instructions,
                Accesses = b.Accesses - a.Accesses,
                Branches = b.Branches - a.Branches,
                LocalRefs = b.LocalRefs - a.LocalRefs,
            };
        }

        var reader = new InstructionReader(_body.Code.Span[_rangeStart.._rangeEnd], _body.Offset + _rangeStart);
        while (reader.TryRead(out var ins))
        {
            var next = reader.Offset - _body.Offset;
            var top = frames[^1];
            var cost = IlCost.Of(in ins);
            soFar.Add(cost);
            positions.Add(next);
            costs.Add(soFar);
            top.StatementCost.Add(cost);
            switch (ins.Opcode)
            {
                case Opcode.Block or Opcode.Loop or Opcode.If:
                {
                    if (ins.Opcode == Opcode.If) height--;
                    var (blockParams, blockResults) = _m.BlockSignature(ins.BlockType);
                    var f = new PlanFrame
                    {
                        Level = frames.Count,
                        LabelArity = ins.Opcode == Opcode.Loop ? blockParams.Length : blockResults.Length,
                        HasBody = true,
                        Base = height - blockParams.Length,
                        Params = blockParams.Length,
                        Results = blockResults.Length,
                        StatementStart = blockParams.Length == 0 ? next : -1,
                    };
                    frames.Add(f);
                    continue;
                }
                case Opcode.Else:
                    EndBody(top);
                    height = top.Base + top.Params;
                    top.Unreachable = false;
                    top.StatementStart = top.Params == 0 ? next : -1;
                    continue;
                case Opcode.End:
                {
                    if (frames.Count - 1 == rootLevel)
                    {
                        EndBody(top); // the function's end
                        continue;
                    }
                    frames.RemoveAt(frames.Count - 1);
                    EndBody(top);
                    var parent = frames[^1];
                    parent.StatementCost.Add(top.Kept);
                    height = top.Base + top.Results;
                    if (!parent.Unreachable && height == parent.Base) EndStatement(parent, next);
                    continue;
                }
                case Opcode.Br: BranchTo(ins.Index); top.Unreachable = true; break;
                case Opcode.BrIf: height--; BranchTo(ins.Index); break;
                case Opcode.BrTable:
                    height--;
                {
                    // One marking for the outermost such label: a br_table can have thousands of labels as deep as its nesting.
                    var deepest = -1L;
                    foreach (var l in ins.Labels!)
                        if (LeavesUnoutlinable(l)) deepest = Math.Max(deepest, l);
                    if (deepest >= 0) BranchTo((uint)deepest);
                }
                    top.Unreachable = true;
                    break;
                case Opcode.BrOnNull: BranchTo(ins.Index); break;
                case Opcode.BrOnNonNull: height--; BranchTo(ins.Index); break;
                case Opcode.Return or Opcode.Unreachable: top.Unreachable = true; break;
                case Opcode.ReturnCall or Opcode.ReturnCallIndirect or Opcode.ReturnCallRef:
                    // A tail call replaces the frame, which a region cannot do for its function.
                    MarkOpenStatements(0);
                    top.Unreachable = true;
                    break;
                case Opcode.Call: height += StackEffect(_m.FunctionTypes[ins.Index]); break;
                case Opcode.CallIndirect or Opcode.CallRef: height += StackEffect(_m.FuncTypeAt(ins.Index)) - 1; break;
                case Opcode.Nop or Opcode.LocalTee or Opcode.RefIsNull or Opcode.RefAsNonNull or Opcode.TableGet
                    or Opcode.ElemDrop or Opcode.MemoryGrow or Opcode.DataDrop:
                    break;
                case Opcode.LocalGet or Opcode.GlobalGet or Opcode.RefNull or Opcode.RefFunc or Opcode.TableSize or Opcode.MemorySize:
                    height++;
                    break;
                case Opcode.Drop or Opcode.LocalSet or Opcode.GlobalSet or Opcode.TableGrow: height--; break;
                case Opcode.Select or Opcode.SelectT or Opcode.TableSet: height -= 2; break;
                case Opcode.TableFill or Opcode.TableCopy or Opcode.TableInit or Opcode.MemoryFill or Opcode.MemoryCopy or Opcode.MemoryInit:
                    height -= 3;
                    break;
                default:
                    // Exception handling, GC and whatever else has no fixed signature: no outlining for this body.
                    if (ins.Info.Params is not { } ps || ins.Info.Results is not { } rs) return;
                    height += rs.Length - ps.Length;
                    break;
            }
            if (!top.Unreachable && height == top.Base && top.HasBody) EndStatement(top, next);
        }
        if (_region is not null) EndBody(root);
        if (chosen.Count == 0) return;
        // Regions were chosen bottom-up, so later ones may contain earlier ones: keep the outermost (the others are
        // chosen again when the enclosing region's method is compiled).
        chosen.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
        var outlined = new Dictionary<int, Region>();
        var coveredTo = -1;
        foreach (var r in chosen)
        {
            if (r.Start < coveredTo) continue;
            outlined[r.Start] = r;
            coveredTo = r.End;
        }
        _outlined = outlined;
    }

    // A region that is nearly all of its method only moves the problem into the region's method, which then peels
    // off a little more, and so on: a switch compiled as hundreds of nested blocks gave hundreds of levels, each with
    // an exit per case, and took minutes to compile. Such a run stays in its method; inner runs are tried instead,
    // and if none qualifies the body stays whole (the JIT compiles it unoptimized, as without outlining).

    /// <summary>The largest part of its method's estimated cost one region may take.</summary>
    private const double MaxRegionShare = 0.6;

    /// <summary>The most labels outside a region it may branch to (each one is a case of the caller's switch).</summary>
    private const int MaxRegionExits = 64;

    private static int StackEffect(FuncType type) => type.Results.Length - type.Params.Length;

    /// <summary>Finds the locals a region uses and the labels around it that it branches to.</summary>
    /// <summary>How many more instructions <see cref="DescribeRegion"/> may read in this plan.</summary>
    private int _describeBudget;

    /// <summary>
    /// Fills in the locals and exits of <paramref name="region"/>; false, with the description unfinished, as soon as
    /// it has more than <see cref="MaxRegionExits"/> exits or the plan's reading budget is spent (a nest of thousands
    /// of blocks around one br_table offers a candidate at every level).
    /// </summary>
    private bool DescribeRegion(Region region)
    {
        // Candidates nest, so describing them all scans the body a few times over; a body that needs many more
        // scans (candidates at every level of a deep nest) gets no more candidates.
        if (_describeBudget <= 0) return false;
        var locals = new SortedDictionary<uint, bool>();
        var exits = new SortedSet<int>();
        var depth = 0;
        void Exit(uint label)
        {
            if (label >= depth) exits.Add((int)label - depth);
        }
        var reader = new InstructionReader(_body.Code.Span[region.Start..region.End], _body.Offset + region.Start);
        while (reader.TryRead(out var ins))
        {
            switch (ins.Opcode)
            {
                case Opcode.Block or Opcode.Loop or Opcode.If: depth++; break;
                case Opcode.End: depth--; break;
                case Opcode.LocalGet: locals.TryAdd(ins.Index, false); break;
                case Opcode.LocalSet or Opcode.LocalTee: locals[ins.Index] = true; break;
                case Opcode.Br or Opcode.BrIf or Opcode.BrOnNull or Opcode.BrOnNonNull: Exit(ins.Index); break;
                case Opcode.BrTable: foreach (var l in ins.Labels!) Exit(l); break;
                case Opcode.Return: exits.Add(region.EnclosingLabels - 1); break;
            }
            if (exits.Count > MaxRegionExits || --_describeBudget <= 0) return false;
        }
        region.Locals = [.. locals.Select(p => (p.Key, p.Value))];
        region.ExitCodes = [.. exits];
        return true;
    }
}
