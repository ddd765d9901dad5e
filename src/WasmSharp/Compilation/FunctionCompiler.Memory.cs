using System.Reflection.Emit;
using WasmSharp.Binary;
using WasmSharp.Model;
using WasmSharp.Runtime;

namespace WasmSharp.Compilation;

internal sealed partial class FunctionCompiler
{
    // Per memory index, for memories this function loads from or stores to: the Memory object, and its
    // base and length cached in locals. A call or memory.grow may move or resize a memory, so it makes the
    // cache stale; the next access reloads it. Staleness is tracked along control flow (see Control.StaleIn),
    // so straight-line code reloads once after a run of calls, and a loop without calls never reloads inside.
    private LocalBuilder?[] _memoryObject = [];
    private LocalBuilder?[] _memoryBase = [];
    private LocalBuilder?[] _memoryLength = [];

    /// <summary>
    /// Per memory, for the most frequent access ends (offset + size) of the body: a local holding length - end,
    /// reloaded with the caches. The bounds check becomes one signed compare of the address with it, and the
    /// JIT keeps it in a register across a loop instead of adding the end to every address.
    /// </summary>
    private Dictionary<long, LocalBuilder>?[] _limits = [];

    /// <summary>At most this many limit locals per memory: each one is a value the JIT has to keep somewhere.</summary>
    private const int MaxLimits = 4;

    /// <summary>Whether the body calls a function (see <see cref="IsSmallLeaf"/>).</summary>
    private bool _hasCalls;

    /// <summary>
    /// Bounds already checked in straight-line code: for (memory, local), the end (offset + size) up to which an
    /// access through the local's current value has been checked. A later load through the same unchanged local
    /// that ends no further needs no check of its own; a check only ever moves earlier in this sense, never a trap.
    /// Cleared where paths join (block ends, loop heads, else), per local when the local is written.
    /// </summary>
    private readonly Dictionary<long, long> _checkedEnds = [];

    /// <summary>Forgets the bounds facts that <paramref name="ins"/> makes untrue (see <see cref="_checkedEnds"/>), before it is emitted.</summary>
    private void TrackCheckedBounds(in Instruction ins)
    {
        if (_checkedEnds.Count == 0) return;
        switch (ins.Opcode)
        {
            case Opcode.Loop or Opcode.Else or Opcode.End or Opcode.TryTable or Opcode.Try or Opcode.Catch or Opcode.CatchAll or Opcode.Delegate:
                _checkedEnds.Clear();
                break;
            case Opcode.LocalSet or Opcode.LocalTee:
                for (var m = 0; m < _m.Memories.Length; m++) _checkedEnds.Remove(((long)m << 32) | ins.Index);
                break;
        }
    }

    private bool _hasMemoryCache;
    private bool _cacheStale;

    /// <summary>For each loop of the body in order: whether its body may move a memory (a call or memory.grow).</summary>
    private readonly List<bool> _loopInvalidates = [];
    private int _loopCount;

    /// <summary>
    /// One quick decoding pass before emission: which memories the body accesses (their caches are loaded
    /// here, in the prologue), which loops contain calls, which bounds-check limits are worth locals, and
    /// whether the body is large enough to need compact bounds checks (see <see cref="_large"/>).
    /// </summary>
    private void Prescan()
    {
        var count = _m.Memories.Length;
        _memoryObject = new LocalBuilder?[count];
        _memoryBase = new LocalBuilder?[count];
        _memoryLength = new LocalBuilder?[count];
        _limits = new Dictionary<long, LocalBuilder>?[count];
        List<(int Memory, long End, int Loop)>? ends = null;
        var openLoops = new Stack<int>();
        var blocks = new Stack<int>();
        var reader = ReaderAt(_rangeStart);
        IlCost cost = default;
        while (reader.TryRead(out var ins))
        {
            if (_outlined.TryGetValue(ins.Offset - _body.Offset, out var region))
            {
                // A region call is a call: it may move memory.
                _hasCalls = true;
                foreach (var loop in openLoops) _loopInvalidates[loop] = true;
                cost.Add(IlCost.OfCall(region));
                reader = ReaderAt(region.End);
                continue;
            }
            cost.Add(IlCost.Of(in ins));
            switch (ins.Opcode)
            {
                case Opcode.Block or Opcode.If or Opcode.TryTable or Opcode.Try:
                    blocks.Push(-1);
                    continue;
                case Opcode.Loop:
                    blocks.Push(_loopInvalidates.Count);
                    openLoops.Push(_loopInvalidates.Count);
                    _loopInvalidates.Add(false);
                    continue;
                case Opcode.End or Opcode.Delegate:
                    if (blocks.Count > 0 && blocks.Pop() >= 0) openLoops.Pop();
                    continue;
                case Opcode.Call or Opcode.CallIndirect or Opcode.CallRef or Opcode.MemoryGrow:
                    _hasCalls |= ins.Opcode != Opcode.MemoryGrow;
                    foreach (var loop in openLoops) _loopInvalidates[loop] = true;
                    continue;
                case Opcode.ReturnCall or Opcode.ReturnCallIndirect or Opcode.ReturnCallRef:
                    _hasCalls = true;
                    continue;
            }
            if (!HasMemArg(ins.Opcode)) continue;
            var m = (int)ins.MemArg.MemoryIndex;
            if (openLoops.Count > 0 && !_m.Memories[m].Limits.Is64 && ins.MemArg.Offset <= uint.MaxValue)
            {
                ends ??= [];
                ends.Add((m, (long)ins.MemArg.Offset + ins.Info.MemoryBytes, openLoops.Peek()));
            }
            if (_memoryObject[m] is not null) continue;
            _hasMemoryCache = true;
            _memoryObject[m] = _il.DeclareLocal(typeof(Memory));
            _memoryBase[m] = _il.DeclareLocal(typeof(nint));
            _memoryLength[m] = _il.DeclareLocal(typeof(ulong));
            LdMemoryObject((uint)m);
            _il.Emit(OpCodes.Stloc, _memoryObject[m]!);
        }
        // The JIT compiles a method without optimizations when it has more than 20,000 IL instructions, 2,000
        // basic blocks, 2,000 locals or 8,000 local references. An inline bounds check costs about 12 instructions, 2 blocks
        // and 3 references, twice what a call of MemoryOps.Address32 costs: a body that would cross a limit with
        // inline checks gets the calls, which keeps it optimized (with the calls inlined as far as the JIT's
        // inlining budget goes) or at least makes its unoptimized code cheaper. The estimates were fitted to the
        // JIT's decisions on the sightglass modules.
        var localCount = _region is null ? _locals.Length : _region.Locals.Length;
        _large = cost.EstimatedInstructions > IlCost.InstructionLimit || cost.EstimatedBlocks > IlCost.BlockLimit
            || cost.EstimatedLocalRefs > IlCost.LocalRefLimit || localCount > 1_900;
        if (ends is not null && !_large)
        {
            // Only accesses in loops without calls count: there the limits stay in registers for the whole loop,
            // elsewhere they would be recomputed after every call for little gain.
            var counts = ends.Where(e => !_loopInvalidates[e.Loop]).CountBy(e => (e.Memory, e.End));
            foreach (var group in counts.GroupBy(e => e.Key.Memory))
            {
                var limits = _limits[group.Key] = [];
                foreach (var e in group.OrderByDescending(e => e.Value).Take(MaxLimits)) limits[e.Key.End] = _il.DeclareLocal(typeof(long));
            }
        }
        ReloadMemoryCaches();
    }

    private static bool HasMemArg(Opcode op)
    {
        var v = (int)op;
        return (v >= (int)Opcode.I32Load && v <= (int)Opcode.I64Store32)
            || (v >= (int)Opcode.V128Load && v <= (int)Opcode.V128Store)
            || (v >= (int)Opcode.V128Load8Lane && v <= (int)Opcode.V128Load64Zero);
    }

    private void ReloadMemoryCaches()
    {
        _cacheStale = false;
        for (var m = 0; m < _memoryObject.Length; m++)
        {
            if (_memoryObject[m] is not { } obj) continue;
            _il.Emit(OpCodes.Ldloc, obj);
            EmitField(OpCodes.Ldfld, Members.MemoryBase);
            _il.Emit(OpCodes.Stloc, _memoryBase[m]!);
            _il.Emit(OpCodes.Ldloc, obj);
            EmitField(OpCodes.Ldfld, Members.MemoryLength);
            _il.Emit(OpCodes.Stloc, _memoryLength[m]!);
            if (_limits[m] is { } limits)
            {
                foreach (var (end, local) in limits)
                {
                    _il.Emit(OpCodes.Ldloc, _memoryLength[m]!);
                    LdcI8(end);
                    _il.Emit(OpCodes.Sub);
                    _il.Emit(OpCodes.Stloc, local);
                }
            }
        }
    }

    /// <summary>After anything that may move a memory.</summary>
    private void InvalidateMemoryCaches() => _cacheStale = _hasMemoryCache;

    /// <summary>At a loop head: a loop that may move memory starts each iteration stale; one that cannot is entered fresh.</summary>
    private void EnterLoopForCaches()
    {
        var invalidates = _loopInvalidates[_loopCount++];
        if (!_hasMemoryCache) return;
        if (_cacheStale && !invalidates) ReloadMemoryCaches();
        _cacheStale = invalidates;
    }

    /// <summary>
    /// With an address operand on the stack (its type already popped): checks that <paramref name="size"/>
    /// bytes at address + offset lie inside the memory, trapping otherwise, and leaves the native pointer.
    /// </summary>
    private void EmitEffectiveAddress(MemArg memArg, int size, long addressLocal = -1)
    {
        if (_cacheStale) ReloadMemoryCaches();
        var m = (int)memArg.MemoryIndex;
        var end = (long)memArg.Offset + size;
        var fact = addressLocal < 0 || _m.Memories[m].Limits.Is64 || _large ? -1 : ((long)m << 32) | addressLocal;
        if (fact >= 0 && _checkedEnds.TryGetValue(fact, out var checkedEnd) && checkedEnd >= end)
        {
            // An earlier check of the same local's value covered this access, and memories never shrink.
            _il.Emit(OpCodes.Conv_U8);
            EmitNativeAddress(m, memArg.Offset);
            return;
        }
        if (fact >= 0) _checkedEnds[fact] = end;
        if (_m.Memories[m].Limits.Is64)
        {
            _il.Emit(OpCodes.Ldc_I8, (long)memArg.Offset);
            LdcI4(size);
            _il.Emit(OpCodes.Ldloc, _memoryLength[m]!);
            EmitCallHelper(Members.Method(typeof(MemoryOps), nameof(MemoryOps.Check64)));
            _il.Emit(OpCodes.Conv_U);
            _il.Emit(OpCodes.Ldloc, _memoryBase[m]!);
            _il.Emit(OpCodes.Add);
            return;
        }
        if (_large)
        {
            // Half the IL of an inline check, no branches; the JIT inlines the call where its budget allows.
            LdcI8((long)memArg.Offset);
            LdcI4(size);
            _il.Emit(OpCodes.Ldloc, _memoryLength[m]!);
            _il.Emit(OpCodes.Ldloc, _memoryBase[m]!);
            EmitCallHelper(Members.Method(typeof(MemoryOps), nameof(MemoryOps.Address32)));
            return;
        }
        var ok = _il.DefineLabel();
        _il.Emit(OpCodes.Conv_U8);
        _il.Emit(OpCodes.Dup);
        if (_limits[m] is { } limits && limits.TryGetValue((long)memArg.Offset + size, out var limit))
        {
            // Both sides below 2^63, and length - end is negative when the memory is smaller than end: a signed compare is exact.
            _il.Emit(OpCodes.Ldloc, limit);
            _il.Emit(OpCodes.Ble, ok);
        }
        else
        {
            // A 32-bit address plus a 32-bit offset plus the size fits in 64 bits: one unsigned compare.
            LdcI8((long)(memArg.Offset + (ulong)size));
            _il.Emit(OpCodes.Add);
            _il.Emit(OpCodes.Ldloc, _memoryLength[m]!);
            _il.Emit(OpCodes.Ble_Un, ok);
        }
        EmitTrap(TrapCode.MemoryOutOfBounds);
        _il.MarkLabel(ok);
        EmitNativeAddress(m, memArg.Offset);
    }

    /// <summary>[checked 64-bit address] → memory <paramref name="m"/>'s base + address + <paramref name="offset"/>.</summary>
    private void EmitNativeAddress(int m, ulong offset)
    {
        _il.Emit(OpCodes.Conv_U);
        _il.Emit(OpCodes.Ldloc, _memoryBase[m]!);
        _il.Emit(OpCodes.Add);
        if (offset != 0)
        {
            LdcI8((long)offset);
            _il.Emit(OpCodes.Conv_U);
            _il.Emit(OpCodes.Add);
        }
    }

    private void Load(in Instruction ins, int size, ValType result, OpCode load, OpCode? widen = null)
    {
        Pop();
        // The address comes straight from a local when the instruction before the load was its local.get.
        EmitEffectiveAddress(ins.MemArg, size, _previous.Opcode == Opcode.LocalGet ? _previous.Index : -1);
        _il.Emit(OpCodes.Unaligned, (byte)1);
        _il.Emit(load);
        if (widen is { } w) _il.Emit(w);
        Push(result);
    }

    private void Store(in Instruction ins, int size, OpCode store, OpCode? narrow = null)
    {
        var t = Pop();
        Pop();
        var value = RentTemp(ClrTypes.Of(t));
        _il.Emit(OpCodes.Stloc, value);
        EmitEffectiveAddress(ins.MemArg, size);
        _il.Emit(OpCodes.Ldloc, value);
        ReturnTemp(value);
        if (narrow is { } n) _il.Emit(n);
        _il.Emit(OpCodes.Unaligned, (byte)1);
        _il.Emit(store);
    }

    private bool TryEmitMemory(in Instruction ins)
    {
        switch (ins.Opcode)
        {
            case Opcode.I32Load: Load(in ins, 4, ValType.I32, OpCodes.Ldind_I4); return true;
            case Opcode.I64Load: Load(in ins, 8, ValType.I64, OpCodes.Ldind_I8); return true;
            case Opcode.F32Load: Load(in ins, 4, ValType.F32, OpCodes.Ldind_R4); return true;
            case Opcode.F64Load: Load(in ins, 8, ValType.F64, OpCodes.Ldind_R8); return true;
            case Opcode.I32Load8S: Load(in ins, 1, ValType.I32, OpCodes.Ldind_I1); return true;
            case Opcode.I32Load8U: Load(in ins, 1, ValType.I32, OpCodes.Ldind_U1); return true;
            case Opcode.I32Load16S: Load(in ins, 2, ValType.I32, OpCodes.Ldind_I2); return true;
            case Opcode.I32Load16U: Load(in ins, 2, ValType.I32, OpCodes.Ldind_U2); return true;
            case Opcode.I64Load8S: Load(in ins, 1, ValType.I64, OpCodes.Ldind_I1, OpCodes.Conv_I8); return true;
            case Opcode.I64Load8U: Load(in ins, 1, ValType.I64, OpCodes.Ldind_U1, OpCodes.Conv_U8); return true;
            case Opcode.I64Load16S: Load(in ins, 2, ValType.I64, OpCodes.Ldind_I2, OpCodes.Conv_I8); return true;
            case Opcode.I64Load16U: Load(in ins, 2, ValType.I64, OpCodes.Ldind_U2, OpCodes.Conv_U8); return true;
            case Opcode.I64Load32S: Load(in ins, 4, ValType.I64, OpCodes.Ldind_I4, OpCodes.Conv_I8); return true;
            case Opcode.I64Load32U: Load(in ins, 4, ValType.I64, OpCodes.Ldind_U4, OpCodes.Conv_U8); return true;
            case Opcode.I32Store: Store(in ins, 4, OpCodes.Stind_I4); return true;
            case Opcode.I64Store: Store(in ins, 8, OpCodes.Stind_I8); return true;
            case Opcode.F32Store: Store(in ins, 4, OpCodes.Stind_R4); return true;
            case Opcode.F64Store: Store(in ins, 8, OpCodes.Stind_R8); return true;
            case Opcode.I32Store8: Store(in ins, 1, OpCodes.Stind_I1); return true;
            case Opcode.I32Store16: Store(in ins, 2, OpCodes.Stind_I2); return true;
            case Opcode.I64Store8: Store(in ins, 1, OpCodes.Stind_I1, OpCodes.Conv_I4); return true;
            case Opcode.I64Store16: Store(in ins, 2, OpCodes.Stind_I2, OpCodes.Conv_I4); return true;
            case Opcode.I64Store32: Store(in ins, 4, OpCodes.Stind_I4, OpCodes.Conv_I4); return true;

            case Opcode.MemorySize:
            {
                LdMemoryObject(ins.Index);
                EmitCallHelper(Members.Method(typeof(MemoryOps), nameof(MemoryOps.Size)));
                var t = AddressType(ins.Index);
                if (t.Code == ValType.I32Code) _il.Emit(OpCodes.Conv_I4);
                Push(t);
                return true;
            }
            case Opcode.MemoryGrow:
            {
                var t = Pop();
                if (t.Code == ValType.I32Code) _il.Emit(OpCodes.Conv_U8);
                LdMemoryObject(ins.Index);
                EmitCallHelper(Members.Method(typeof(MemoryOps), nameof(MemoryOps.Grow)));
                if (t.Code == ValType.I32Code) _il.Emit(OpCodes.Conv_I4);
                Push(t);
                InvalidateMemoryCaches();
                return true;
            }
            case Opcode.MemoryFill:
                WidenOperands(3, 0b101);
                LdMemoryObject(ins.Index);
                EmitCallHelper(Members.Method(typeof(MemoryOps), nameof(MemoryOps.Fill)));
                return true;
            case Opcode.MemoryCopy:
                WidenOperands(3, 0b111);
                LdMemoryObject(ins.Index);
                LdMemoryObject(ins.Index2);
                EmitCallHelper(Members.Method(typeof(MemoryOps), nameof(MemoryOps.Copy)));
                return true;
            case Opcode.MemoryInit:
                WidenOperands(3, 0b111);
                LdMemoryObject(ins.Index2);
                LdCtx();
                LdcI4((int)ins.Index);
                EmitCallHelper(Members.Method(typeof(MemoryOps), nameof(MemoryOps.Init)));
                return true;
            case Opcode.DataDrop:
                LdCtx();
                LdcI4((int)ins.Index);
                EmitCallHelper(Members.Method(typeof(MemoryOps), nameof(MemoryOps.DataDrop)));
                return true;
            default:
                return TryEmitSimdMemory(in ins);
        }
    }

    private ValType AddressType(uint memoryIndex) => _m.Memories[memoryIndex].Limits.Is64 ? ValType.I64 : ValType.I32;

    private void LdMemoryObject(uint index)
    {
        LdCtx();
        if (index == 0)
        {
            EmitField(OpCodes.Ldfld, Members.CtxMemory0);
            return;
        }
        EmitField(OpCodes.Ldfld, Members.CtxMemories);
        LdcI4((int)index);
        _il.Emit(OpCodes.Ldelem_Ref);
    }

    /// <summary>
    /// Pops the top <paramref name="count"/> operands and pushes them back with every i32 among those selected by
    /// <paramref name="mask"/> (bit 0 = deepest) zero-extended to 64 bits, so helpers can take addresses and lengths as ulong.
    /// </summary>
    private void WidenOperands(int count, int mask)
    {
        var types = new ValType[count];
        for (var i = 0; i < count; i++) types[i] = _stack[_stack.Count - count + i];
        Pop(count);
        var needed = false;
        for (var i = 0; i < count; i++) needed |= (mask & (1 << i)) != 0 && types[i].Code == ValType.I32Code;
        if (!needed) return;
        var temps = new LocalBuilder[count];
        for (var i = count - 1; i >= 0; i--)
        {
            temps[i] = RentTemp(ClrTypes.Of(types[i]));
            _il.Emit(OpCodes.Stloc, temps[i]);
        }
        for (var i = 0; i < count; i++)
        {
            _il.Emit(OpCodes.Ldloc, temps[i]);
            if ((mask & (1 << i)) != 0 && types[i].Code == ValType.I32Code) _il.Emit(OpCodes.Conv_U8);
            ReturnTemp(temps[i]);
        }
    }
}
