using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using WasmSharp.Binary;
using WasmSharp.Model;

namespace WasmSharp.Validation;

/// <summary>
/// Validates function bodies and constant expressions with the spec's algorithm (appendix "Validation
/// Algorithm"): an operand stack of canonical value types, a control stack, and an initialisation stack
/// for non-defaultable locals. A default <see cref="ValType"/> (code 0) is the bottom type that popping
/// from an unreachable, empty frame produces. All stacks are arrays reused from one body to the next.
/// </summary>
[SkipLocalsInit]
internal sealed class CodeValidator
{
    private struct Frame
    {
        public Opcode Kind;
        public int StartIndex;
        public int StartCount;
        public int EndIndex;
        public int EndCount;
        public int Height;
        public int InitHeight;
        public bool Unreachable;
    }

    private static readonly ValType s_bottom = default;
    private static readonly ValType s_refBottom = ValType.Ref(new HeapType(TypeRegistry.BottomHeapCode), nullable: false);
    private static readonly ValType s_exnRefNonNull = ValType.Ref(HeapType.Exn, nullable: false);
    private static readonly ValType s_funcRef = ValType.FuncRef;
    private static readonly ValType s_eqRef = ValType.Ref(HeapType.Eq, nullable: true);
    private static readonly ValType s_i31Ref = ValType.Ref(HeapType.I31, nullable: true);
    private static readonly ValType s_i31RefNonNull = ValType.Ref(HeapType.I31, nullable: false);
    private static readonly ValType s_arrayRef = ValType.Ref(HeapType.Array, nullable: true);

    private readonly ModuleContext _ctx;
    private readonly TypeRegistry _registry;
    private readonly int[] _typeIds;

    private ValType[] _vals = new ValType[64];
    private int _valCount;
    private Frame[] _ctrls = new Frame[16];
    private int _ctrlCount;
    private ValType[] _pool = new ValType[64];
    private int _poolCount;
    // Cached operand stack height of the innermost frame.
    private int _height;

    private ValType[] _localTypes = new ValType[16];
    private bool[] _localInit = new bool[16];
    private int[] _inits = new int[16];
    private int _initCount;
    private int _localCount;

    // Wasmtime's limit; each local costs a slot here and a local in the compiled method.
    private const int MaxLocals = 50_000;

    private bool _constMode;
    private int _visibleGlobals;
    private int _offset;

    public CodeValidator(ModuleContext ctx)
    {
        _ctx = ctx;
        _registry = ctx.Registry;
        _typeIds = ctx.Types.CanonicalIds.ToArray();
    }

    // ---------------------------------------------------------------- entry points

    public void ValidateFunction(int funcIndex, FunctionBody body)
    {
        var type = _registry[_ctx.Functions[funcIndex]].Func!;
        _constMode = false;
        _visibleGlobals = _ctx.Globals.Count;
        _offset = body.Offset;
        SetUpLocals(type.Params, body.Locals);
        Reset();
        var end = AllocPool(type.Results.Length);
        type.Results.CopyTo(_pool, end);
        PushFrame(Opcode.Block, end, 0, end, type.Results.Length);
        Run(body.Code.Span, body.Offset);
    }

    /// <summary>Validates a constant expression producing <paramref name="expected"/> (canonical), seeing only the first <paramref name="visibleGlobals"/> globals.</summary>
    public void ValidateConstant(ConstExpr expr, ValType expected, int visibleGlobals)
    {
        _constMode = true;
        _visibleGlobals = visibleGlobals;
        _offset = expr.Offset;
        _localCount = 0;
        Reset();
        var end = AllocPool(1);
        _pool[end] = expected;
        PushFrame(Opcode.Block, end, 0, end, 1);
        Run(expr.Code.Span, expr.Offset);
    }

    private void Reset()
    {
        _valCount = 0;
        _ctrlCount = 0;
        _poolCount = 0;
        _initCount = 0;
        _height = 0;
    }

    private void Run(ReadOnlySpan<byte> code, int baseOffset)
    {
        var reader = new InstructionReader(code, baseOffset);
        while (reader.TryRead(out var ins))
        {
            if (_ctrlCount == 0)
                throw new MalformedException("operators remaining after end of function", SourceLocation.AtOffset(ins.Offset));
            _offset = ins.Offset;
            Step(ref ins);
        }
        if (_ctrlCount != 0)
            throw new MalformedException("END opcode expected", SourceLocation.AtOffset(reader.Offset));
    }

    private void SetUpLocals(ValType[] parameters, LocalGroup[] groups)
    {
        ulong total = (ulong)parameters.Length;
        foreach (var g in groups) total += g.Count;
        if (total > MaxLocals)
            throw new ImplementationLimitException("too many locals", SourceLocation.AtOffset(_offset));
        var n = (int)total;
        if (_localTypes.Length < n)
        {
            var size = Math.Max(n, _localTypes.Length * 2);
            _localTypes = new ValType[size];
            _localInit = new bool[size];
            _inits = new int[size];
        }
        var i = 0;
        foreach (var p in parameters)
        {
            _localTypes[i] = p;
            _localInit[i] = true;
            i++;
        }
        foreach (var g in groups)
        {
            var t = CanonValType(g.Type);
            var defaultable = !t.IsRef || t.IsNullable;
            for (uint k = 0; k < g.Count; k++)
            {
                _localTypes[i] = t;
                _localInit[i] = defaultable;
                i++;
            }
        }
        _localCount = n;
    }

    // ---------------------------------------------------------------- errors

    [DoesNotReturn]
    private void Fail(string reason) => throw new InvalidException(reason, SourceLocation.AtOffset(_offset));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FailUnknown(string what, uint index) => Fail($"unknown {what} {Str(index)}");

    private static string Str(uint value) => value.ToString(CultureInfo.InvariantCulture);

    private static string TypeName(ValType t) => t.Code == 0 ? "bot" : t.IsRef && t.Heap.Code == TypeRegistry.BottomHeapCode ? "(ref something)" : t.ToString();

    private static string TypeList(ReadOnlySpan<ValType> types)
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < types.Length; i++)
        {
            if (i > 0) sb.Append(' ');
            sb.Append(TypeName(types[i]));
        }
        return sb.Append(']').ToString();
    }

    [DoesNotReturn]
    private void FailPop(ReadOnlySpan<ValType> expected, int stackTop)
    {
        var available = stackTop - _height;
        var shown = Math.Min(available, expected.Length);
        Fail($"type mismatch: instruction requires {TypeList(expected)} but stack has {TypeList(_vals.AsSpan(stackTop - shown, shown))}");
    }

    // ---------------------------------------------------------------- operand stack

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Same(ValType a, ValType b) => a.Code == b.Code && a.Heap.Code == b.Heap.Code;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Matches(ValType actual, ValType expected) => Same(actual, expected) || _registry.IsSubtype(actual, expected);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Push(ValType t)
    {
        if (_valCount == _vals.Length) Array.Resize(ref _vals, _vals.Length * 2);
        _vals[_valCount++] = t;
    }

    private void PushTypes(ReadOnlySpan<ValType> types)
    {
        if (_valCount + types.Length > _vals.Length) Array.Resize(ref _vals, Math.Max(_vals.Length * 2, _valCount + types.Length));
        types.CopyTo(_vals.AsSpan(_valCount));
        _valCount += types.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ValType PopAny()
    {
        var n = _valCount;
        if (n > _height)
        {
            _valCount = n - 1;
            return _vals[n - 1];
        }
        if (!_ctrls[_ctrlCount - 1].Unreachable) Fail("type mismatch: instruction requires a value but stack has []");
        return s_bottom;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Pop(ValType expected)
    {
        var n = _valCount;
        if (n > _height && Same(_vals[n - 1], expected))
        {
            _valCount = n - 1;
            return;
        }
        PopSlow(expected);
    }

    private void PopSlow(ValType expected)
    {
        var n = _valCount;
        if (n == _height)
        {
            if (_ctrls[_ctrlCount - 1].Unreachable) return;
            FailPop([expected], n);
        }
        if (!_registry.IsSubtype(_vals[n - 1], expected)) FailPop([expected], n);
        _valCount = n - 1;
    }

    /// <summary>Pops a sequence of operands whose types must match <paramref name="expected"/> (last on top).</summary>
    private void PopTypes(ReadOnlySpan<ValType> expected)
    {
        var n = _valCount;
        var k = expected.Length;
        if (n - k >= _height)
        {
            var start = n - k;
            for (var i = 0; i < k; i++)
                if (!Matches(_vals[start + i], expected[i])) FailPop(expected, n);
            _valCount = start;
            return;
        }
        if (!_ctrls[_ctrlCount - 1].Unreachable) FailPop(expected, n);
        var available = n - _height;
        for (var i = 0; i < available; i++)
            if (!Matches(_vals[_height + i], expected[k - available + i])) FailPop(expected, n);
        _valCount = _height;
    }

    /// <summary>Pops an operand that must be a reference; the bottom type yields <c>(ref bot)</c>.</summary>
    private ValType PopRef()
    {
        var t = PopAny();
        if (t.Code == 0) return s_refBottom;
        if (!t.IsRef) Fail($"type mismatch: instruction requires reference type but stack has {TypeName(t)}");
        return t;
    }

    private void SetUnreachable()
    {
        _valCount = _height;
        _ctrls[_ctrlCount - 1].Unreachable = true;
    }

    // ---------------------------------------------------------------- control stack

    private int AllocPool(int count)
    {
        var index = _poolCount;
        if (index + count > _pool.Length) Array.Resize(ref _pool, Math.Max(_pool.Length * 2, index + count));
        _poolCount = index + count;
        return index;
    }

    private void PushFrame(Opcode kind, int startIndex, int startCount, int endIndex, int endCount)
    {
        if (_ctrlCount == _ctrls.Length) Array.Resize(ref _ctrls, _ctrls.Length * 2);
        ref var f = ref _ctrls[_ctrlCount++];
        f.Kind = kind;
        f.StartIndex = startIndex;
        f.StartCount = startCount;
        f.EndIndex = endIndex;
        f.EndCount = endCount;
        f.Height = _valCount;
        f.InitHeight = _initCount;
        f.Unreachable = false;
        _height = _valCount;
        PushTypes(_pool.AsSpan(startIndex, startCount));
    }

    /// <summary>Checks the end types of the innermost frame and resets the locals initialised inside it.</summary>
    private void CloseFrame()
    {
        ref var f = ref _ctrls[_ctrlCount - 1];
        PopTypes(_pool.AsSpan(f.EndIndex, f.EndCount));
        if (_valCount != f.Height) FailLeftover(ref f);
        while (_initCount > f.InitHeight) _localInit[_inits[--_initCount]] = false;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FailLeftover(ref Frame f) =>
        Fail($"type mismatch: block requires {TypeList(_pool.AsSpan(f.EndIndex, f.EndCount))} but stack has " +
             $"{TypeList(_vals.AsSpan(f.Height, _valCount - f.Height + f.EndCount))}");

    private void PopFrame()
    {
        _ctrlCount--;
        _poolCount = _ctrls[_ctrlCount].StartIndex;
        _height = _ctrlCount > 0 ? _ctrls[_ctrlCount - 1].Height : 0;
    }

    private ref Frame Label(uint depth)
    {
        if (depth >= (uint)_ctrlCount) FailUnknown("label", depth);
        return ref _ctrls[_ctrlCount - 1 - (int)depth];
    }

    private ReadOnlySpan<ValType> LabelTypes(ref Frame f) =>
        f.Kind == Opcode.Loop ? _pool.AsSpan(f.StartIndex, f.StartCount) : _pool.AsSpan(f.EndIndex, f.EndCount);

    /// <summary>Writes a block type's parameters and results to the pool.</summary>
    private void ResolveBlockType(in BlockType bt, out int start, out int startCount, out int end, out int endCount)
    {
        switch (bt.Kind)
        {
            case BlockTypeKind.Empty:
                start = end = _poolCount;
                startCount = endCount = 0;
                return;
            case BlockTypeKind.Value:
            {
                var t = CanonValType(bt.ValueType);
                start = _poolCount;
                startCount = 0;
                end = AllocPool(1);
                endCount = 1;
                _pool[end] = t;
                return;
            }
            default:
            {
                var f = FuncTypeAt(bt.TypeIndex);
                start = AllocPool(f.Params.Length);
                f.Params.CopyTo(_pool, start);
                startCount = f.Params.Length;
                end = AllocPool(f.Results.Length);
                f.Results.CopyTo(_pool, end);
                endCount = f.Results.Length;
                return;
            }
        }
    }

    private void EnterBlock(Opcode kind, in BlockType bt, bool condition = false)
    {
        ResolveBlockType(bt, out var start, out var startCount, out var end, out var endCount);
        if (condition) Pop(ValType.I32);
        PopTypes(_pool.AsSpan(start, startCount));
        PushFrame(kind, start, startCount, end, endCount);
    }

    // ---------------------------------------------------------------- context lookups

    private ValType CanonValType(ValType t)
    {
        if (t.IsRef)
        {
            var code = t.Heap.Code;
            if (code >= 0)
            {
                if (code >= _typeIds.Length) Fail($"unknown type {Str((uint)code)}");
                return new ValType(t.Code, new HeapType(_typeIds[code]));
            }
            if (t.Heap.AbstractName is null) Fail("malformed heap type");
        }
        return t;
    }

    private CanonicalType TypeAt(uint index)
    {
        if (index >= (uint)_typeIds.Length) FailUnknown("type", index);
        return _registry[_typeIds[index]];
    }

    private FuncType FuncTypeAt(uint index) => TypeAt(index).Func ?? FailWith<FuncType>($"non-function type {Str(index)}");

    private StructType StructTypeAt(uint index) => TypeAt(index).Struct ?? FailWith<StructType>($"non-structure type {Str(index)}");

    private ArrayType ArrayTypeAt(uint index) => TypeAt(index).Array ?? FailWith<ArrayType>($"non-array type {Str(index)}");

    private T FailWith<T>(string reason)
    {
        Fail(reason);
        return default!;
    }

    private ValType RefTo(uint typeIndex, bool nullable) => ValType.Ref(new HeapType(_typeIds[typeIndex]), nullable);

    private FuncType FunctionAt(uint index)
    {
        if (index >= (uint)_ctx.Functions.Count) FailUnknown("function", index);
        return _registry[_ctx.Functions[(int)index]].Func!;
    }

    private TableInfo TableAt(uint index)
    {
        if (index >= (uint)_ctx.Tables.Count) FailUnknown("table", index);
        return _ctx.Tables[(int)index];
    }

    private MemoryInfo MemoryAt(uint index)
    {
        if (index >= (uint)_ctx.Memories.Count) FailUnknown("memory", index);
        return _ctx.Memories[(int)index];
    }

    private GlobalInfo GlobalAt(uint index)
    {
        if (index >= (uint)_visibleGlobals) FailUnknown("global", index);
        return _ctx.Globals[(int)index];
    }

    private FuncType TagAt(uint index)
    {
        if (index >= (uint)_ctx.Tags.Count) FailUnknown("tag", index);
        return _registry[_ctx.Tags[(int)index]].Func!;
    }

    private ValType ElemAt(uint index)
    {
        if (index >= (uint)_ctx.Elements.Count) FailUnknown("elem segment", index);
        return _ctx.Elements[(int)index];
    }

    private void CheckData(uint index)
    {
        if (index >= (uint)_ctx.DataCount) FailUnknown("data segment", index);
    }

    private void CheckLocal(uint index)
    {
        if (index >= (uint)_localCount) FailUnknown("local", index);
    }

    private static ValType Unpacked(ValType storage) => storage.IsPacked ? ValType.I32 : storage;

    private static bool Defaultable(ValType t) => !t.IsRef || t.IsNullable;

    private void CheckReturnResults(FuncType callee)
    {
        ref var outer = ref _ctrls[0];
        var results = _pool.AsSpan(outer.EndIndex, outer.EndCount);
        var ok = callee.Results.Length == results.Length;
        for (var i = 0; ok && i < results.Length; i++) ok = Matches(callee.Results[i], results[i]);
        if (!ok)
            Fail($"type mismatch: current function requires result type {TypeList(results)} but callee returns {TypeList(callee.Results)}");
    }

    // ---------------------------------------------------------------- instructions

    private void Step(ref Instruction ins)
    {
        var sig = OpcodeSignatures.Get(ins.Opcode);
        if (_constMode && !sig.Constant) Fail("constant expression required");
        if (sig.Simple)
        {
            var ps = sig.Params!;
            for (var i = ps.Length - 1; i >= 0; i--) Pop(ps[i]);
            var rs = sig.Results!;
            for (var i = 0; i < rs.Length; i++) Push(rs[i]);
            return;
        }
        switch (sig.Immediates)
        {
            case ImmediateKind.MemArg:
            case ImmediateKind.MemArgLane:
                MemoryAccess(ref ins, sig);
                return;
            case ImmediateKind.Lane:
                if (ins.Lane >= sig.Lanes) Fail("invalid lane index");
                PopPush(sig);
                return;
            case ImmediateKind.Shuffle:
                for (var i = 0; i < 8; i++)
                {
                    if ((byte)(ins.Value >> (8 * i)) >= 32 || (byte)(ins.ValueHigh >> (8 * i)) >= 32)
                        Fail("invalid lane index");
                }
                PopPush(sig);
                return;
        }
        switch (ins.Opcode)
        {
            case Opcode.Unreachable:
                SetUnreachable();
                break;
            case Opcode.Nop:
                break;

            case Opcode.Block:
            case Opcode.Loop:
            case Opcode.Try:
                EnterBlock(ins.Opcode, ins.BlockType);
                break;
            case Opcode.If:
                EnterBlock(Opcode.If, ins.BlockType, condition: true);
                break;
            case Opcode.End:
                EndFrame();
                break;

            case Opcode.Br:
                PopTypes(LabelTypes(ref Label(ins.Index)));
                SetUnreachable();
                break;
            case Opcode.BrIf:
            {
                Pop(ValType.I32);
                var types = LabelTypes(ref Label(ins.Index));
                PopTypes(types);
                PushTypes(types);
                break;
            }
            case Opcode.Return:
            {
                ref var outer = ref _ctrls[0];
                PopTypes(_pool.AsSpan(outer.EndIndex, outer.EndCount));
                SetUnreachable();
                break;
            }
            case Opcode.Call:
            {
                var f = FunctionAt(ins.Index);
                PopTypes(f.Params);
                PushTypes(f.Results);
                break;
            }
            case Opcode.Drop:
                PopAny();
                break;
            case Opcode.Select:
                SelectUntyped();
                break;

            case Opcode.LocalGet:
            {
                var x = ins.Index;
                CheckLocal(x);
                if (!_localInit[x]) Fail("uninitialized local");
                Push(_localTypes[x]);
                break;
            }
            case Opcode.LocalSet:
            {
                var x = ins.Index;
                CheckLocal(x);
                Pop(_localTypes[x]);
                InitLocal(x);
                break;
            }
            case Opcode.LocalTee:
            {
                var x = ins.Index;
                CheckLocal(x);
                var t = _localTypes[x];
                Pop(t);
                InitLocal(x);
                Push(t);
                break;
            }
            case Opcode.GlobalGet:
            {
                var g = GlobalAt(ins.Index);
                if (_constMode && g.Mutable) Fail("constant expression required");
                Push(g.Type);
                break;
            }
            case Opcode.GlobalSet:
            {
                var g = GlobalAt(ins.Index);
                if (!g.Mutable) Fail("immutable global");
                Pop(g.Type);
                break;
            }

            default:
                Rare(ref ins);
                break;
        }
    }

    private void PopPush(OpcodeSignature sig)
    {
        var ps = sig.Params!;
        for (var i = ps.Length - 1; i >= 0; i--) Pop(ps[i]);
        var rs = sig.Results!;
        for (var i = 0; i < rs.Length; i++) Push(rs[i]);
    }

    private void MemoryAccess(ref Instruction ins, OpcodeSignature sig)
    {
        var mem = MemoryAt(ins.MemArg.MemoryIndex);
        var align = ins.MemArg.AlignLog2;
        if (sig.Atomic)
        {
            if (align != (uint)sig.NaturalAlignLog2) Fail("atomic alignment must be natural");
        }
        else if (align > (uint)sig.NaturalAlignLog2)
        {
            Fail("alignment must not be larger than natural");
        }
        if (!mem.Is64 && ins.MemArg.Offset > uint.MaxValue) Fail("offset out of range");
        if (sig.Immediates == ImmediateKind.MemArgLane && ins.Lane >= 16 / sig.MemoryBytes) Fail("invalid lane index");
        var ps = sig.Params!;
        for (var i = ps.Length - 1; i >= 1; i--) Pop(ps[i]);
        Pop(mem.AddressType);
        var rs = sig.Results!;
        for (var i = 0; i < rs.Length; i++) Push(rs[i]);
    }

    private void Rare(ref Instruction ins)
    {
        switch (ins.Opcode)
        {
            case Opcode.AtomicFence:
                break;

            // ---- blocks
            case Opcode.TryTable:
                TryTable(ref ins);
                break;
            case Opcode.Else:
            {
                ref var f = ref _ctrls[_ctrlCount - 1];
                if (f.Kind != Opcode.If) Fail("else without matching if");
                CloseFrame();
                f.Kind = Opcode.Else;
                f.Unreachable = false;
                PushTypes(_pool.AsSpan(f.StartIndex, f.StartCount));
                break;
            }
            // ---- legacy exception handling
            case Opcode.Catch:
            {
                ref var f = ref _ctrls[_ctrlCount - 1];
                if (f.Kind is not (Opcode.Try or Opcode.Catch)) Fail("catch found outside of a try block");
                CloseFrame();
                var tag = TagAt(ins.Index);
                f.Kind = Opcode.Catch;
                f.Unreachable = false;
                PushTypes(tag.Params);
                break;
            }
            case Opcode.CatchAll:
            {
                ref var f = ref _ctrls[_ctrlCount - 1];
                if (f.Kind is not (Opcode.Try or Opcode.Catch)) Fail("catch_all found outside of a try block");
                CloseFrame();
                f.Kind = Opcode.CatchAll;
                f.Unreachable = false;
                break;
            }
            case Opcode.Delegate:
            {
                ref var f = ref _ctrls[_ctrlCount - 1];
                if (f.Kind != Opcode.Try) Fail("delegate found outside of a try block");
                CloseFrame();
                var endIndex = f.EndIndex;
                var endCount = f.EndCount;
                PopFrame();
                Label(ins.Index);
                PushTypes(_pool.AsSpan(endIndex, endCount));
                break;
            }
            case Opcode.Rethrow:
            {
                ref var f = ref Label(ins.Index);
                if (f.Kind is not (Opcode.Catch or Opcode.CatchAll)) Fail("invalid rethrow label");
                SetUnreachable();
                break;
            }
            case Opcode.Throw:
                PopTypes(TagAt(ins.Index).Params);
                SetUnreachable();
                break;
            case Opcode.ThrowRef:
                Pop(ValType.ExnRef);
                SetUnreachable();
                break;

            // ---- branches
            case Opcode.BrTable:
                BrTable(ref ins);
                break;
            case Opcode.BrOnNull:
            {
                var rt = PopRef();
                var types = LabelTypes(ref Label(ins.Index));
                PopTypes(types);
                PushTypes(types);
                Push(ValType.Ref(rt.Heap, nullable: false));
                break;
            }
            case Opcode.BrOnNonNull:
            {
                var types = LabelTypes(ref Label(ins.Index));
                if (types.Length == 0 || !types[^1].IsRef)
                    Fail($"type mismatch: instruction requires reference type but label has {TypeList(types)}");
                Pop(ValType.Ref(types[^1].Heap, nullable: true));
                var rest = types[..^1];
                PopTypes(rest);
                PushTypes(rest);
                break;
            }
            case Opcode.BrOnCast:
            case Opcode.BrOnCastFail:
                BrOnCast(ref ins);
                break;

            // ---- calls
            case Opcode.ReturnCall:
            {
                var f = FunctionAt(ins.Index);
                CheckReturnResults(f);
                PopTypes(f.Params);
                SetUnreachable();
                break;
            }
            case Opcode.CallIndirect:
            case Opcode.ReturnCallIndirect:
            {
                var table = TableAt(ins.Index2);
                var f = FuncTypeAt(ins.Index);
                if (!_registry.IsSubtype(table.ElementType, s_funcRef))
                    Fail($"type mismatch: instruction requires table of function type but table has element type {TypeName(table.ElementType)}");
                if (ins.Opcode == Opcode.ReturnCallIndirect) CheckReturnResults(f);
                Pop(table.AddressType);
                PopTypes(f.Params);
                if (ins.Opcode == Opcode.ReturnCallIndirect) SetUnreachable();
                else PushTypes(f.Results);
                break;
            }
            case Opcode.CallRef:
            case Opcode.ReturnCallRef:
            {
                var f = FuncTypeAt(ins.Index);
                if (ins.Opcode == Opcode.ReturnCallRef) CheckReturnResults(f);
                Pop(RefTo(ins.Index, nullable: true));
                PopTypes(f.Params);
                if (ins.Opcode == Opcode.ReturnCallRef) SetUnreachable();
                else PushTypes(f.Results);
                break;
            }

            // ---- parametric
            case Opcode.SelectT:
            {
                var types = ins.Types!;
                if (types.Length != 1) Fail("invalid result arity");
                var t = CanonValType(types[0]);
                Pop(ValType.I32);
                Pop(t);
                Pop(t);
                Push(t);
                break;
            }

            // ---- memories
            case Opcode.MemorySize:
                Push(MemoryAt(ins.Index).AddressType);
                break;
            case Opcode.MemoryGrow:
            {
                var at = MemoryAt(ins.Index).AddressType;
                Pop(at);
                Push(at);
                break;
            }
            case Opcode.MemoryFill:
            {
                var at = MemoryAt(ins.Index).AddressType;
                Pop(at);
                Pop(ValType.I32);
                Pop(at);
                break;
            }
            case Opcode.MemoryCopy:
            {
                var dst = MemoryAt(ins.Index);
                var src = MemoryAt(ins.Index2);
                Pop(dst.Is64 && src.Is64 ? ValType.I64 : ValType.I32);
                Pop(src.AddressType);
                Pop(dst.AddressType);
                break;
            }
            case Opcode.MemoryInit:
            {
                var mem = MemoryAt(ins.Index2);
                CheckData(ins.Index);
                Pop(ValType.I32);
                Pop(ValType.I32);
                Pop(mem.AddressType);
                break;
            }
            case Opcode.DataDrop:
                CheckData(ins.Index);
                break;

            // ---- tables
            case Opcode.TableGet:
            {
                var t = TableAt(ins.Index);
                Pop(t.AddressType);
                Push(t.ElementType);
                break;
            }
            case Opcode.TableSet:
            {
                var t = TableAt(ins.Index);
                Pop(t.ElementType);
                Pop(t.AddressType);
                break;
            }
            case Opcode.TableSize:
                Push(TableAt(ins.Index).AddressType);
                break;
            case Opcode.TableGrow:
            {
                var t = TableAt(ins.Index);
                Pop(t.AddressType);
                Pop(t.ElementType);
                Push(t.AddressType);
                break;
            }
            case Opcode.TableFill:
            {
                var t = TableAt(ins.Index);
                Pop(t.AddressType);
                Pop(t.ElementType);
                Pop(t.AddressType);
                break;
            }
            case Opcode.TableCopy:
            {
                var dst = TableAt(ins.Index);
                var src = TableAt(ins.Index2);
                if (!_registry.IsSubtype(src.ElementType, dst.ElementType))
                    Fail($"type mismatch: source element type {TypeName(src.ElementType)} does not match destination element type {TypeName(dst.ElementType)}");
                Pop(dst.Is64 && src.Is64 ? ValType.I64 : ValType.I32);
                Pop(src.AddressType);
                Pop(dst.AddressType);
                break;
            }
            case Opcode.TableInit:
            {
                var t = TableAt(ins.Index2);
                var e = ElemAt(ins.Index);
                if (!_registry.IsSubtype(e, t.ElementType))
                    Fail($"type mismatch: element segment's type {TypeName(e)} does not match table's element type {TypeName(t.ElementType)}");
                Pop(ValType.I32);
                Pop(ValType.I32);
                Pop(t.AddressType);
                break;
            }
            case Opcode.ElemDrop:
                ElemAt(ins.Index);
                break;

            // ---- references
            case Opcode.RefNull:
                Push(CanonValType(ValType.Ref(ins.Type.Heap, nullable: true)));
                break;
            case Opcode.RefIsNull:
                PopRef();
                Push(ValType.I32);
                break;
            case Opcode.RefAsNonNull:
                Push(ValType.Ref(PopRef().Heap, nullable: false));
                break;
            case Opcode.RefFunc:
            {
                var x = ins.Index;
                FunctionAt(x);
                if (_constMode) _ctx.DeclaredFunctions[x] = true;
                else if (!_ctx.DeclaredFunctions[x]) Fail($"undeclared function reference {Str(x)}");
                Push(ValType.Ref(new HeapType(_ctx.Functions[(int)x]), nullable: false));
                break;
            }
            case Opcode.RefEq:
                Pop(s_eqRef);
                Pop(s_eqRef);
                Push(ValType.I32);
                break;
            case Opcode.RefTest:
            case Opcode.RefTestNull:
            {
                var rt = CanonValType(ins.Type);
                Pop(ValType.Ref(_registry.TopOf(rt.Heap), nullable: true));
                Push(ValType.I32);
                break;
            }
            case Opcode.RefCast:
            case Opcode.RefCastNull:
            {
                var rt = CanonValType(ins.Type);
                Pop(ValType.Ref(_registry.TopOf(rt.Heap), nullable: true));
                Push(rt);
                break;
            }
            case Opcode.RefI31:
                Pop(ValType.I32);
                Push(s_i31RefNonNull);
                break;
            case Opcode.I31GetS:
            case Opcode.I31GetU:
                Pop(s_i31Ref);
                Push(ValType.I32);
                break;
            case Opcode.AnyConvertExtern:
            case Opcode.ExternConvertAny:
            {
                var from = ins.Opcode == Opcode.AnyConvertExtern ? HeapType.Extern : HeapType.Any;
                var to = ins.Opcode == Opcode.AnyConvertExtern ? HeapType.Any : HeapType.Extern;
                var rt = PopRef();
                if (!_registry.IsHeapSubtype(rt.Heap, from))
                    Fail($"type mismatch: instruction requires {TypeName(ValType.Ref(from, rt.IsNullable))} but stack has {TypeName(rt)}");
                Push(ValType.Ref(to, rt.IsNullable));
                break;
            }

            // ---- aggregates
            case Opcode.StructNew:
            {
                var st = StructTypeAt(ins.Index);
                for (var i = st.Fields.Length - 1; i >= 0; i--) Pop(Unpacked(st.Fields[i].StorageType));
                Push(RefTo(ins.Index, nullable: false));
                break;
            }
            case Opcode.StructNewDefault:
            {
                var st = StructTypeAt(ins.Index);
                foreach (var field in st.Fields)
                    if (!Defaultable(field.StorageType)) Fail("field type is not defaultable");
                Push(RefTo(ins.Index, nullable: false));
                break;
            }
            case Opcode.StructGet:
            case Opcode.StructGetS:
            case Opcode.StructGetU:
            {
                var st = StructTypeAt(ins.Index);
                if (ins.Index2 >= (uint)st.Fields.Length) FailUnknown("field", ins.Index2);
                var field = st.Fields[ins.Index2];
                var packed = field.StorageType.IsPacked;
                if (ins.Opcode == Opcode.StructGet && packed) Fail("field is packed");
                if (ins.Opcode != Opcode.StructGet && !packed) Fail("field is unpacked");
                Pop(RefTo(ins.Index, nullable: true));
                Push(Unpacked(field.StorageType));
                break;
            }
            case Opcode.StructSet:
            {
                var st = StructTypeAt(ins.Index);
                if (ins.Index2 >= (uint)st.Fields.Length) FailUnknown("field", ins.Index2);
                var field = st.Fields[ins.Index2];
                if (!field.Mutable) Fail("immutable field");
                Pop(Unpacked(field.StorageType));
                Pop(RefTo(ins.Index, nullable: true));
                break;
            }
            case Opcode.ArrayNew:
            {
                var at = ArrayTypeAt(ins.Index);
                Pop(ValType.I32);
                Pop(Unpacked(at.Element.StorageType));
                Push(RefTo(ins.Index, nullable: false));
                break;
            }
            case Opcode.ArrayNewDefault:
            {
                var at = ArrayTypeAt(ins.Index);
                if (!Defaultable(at.Element.StorageType)) Fail("array type is not defaultable");
                Pop(ValType.I32);
                Push(RefTo(ins.Index, nullable: false));
                break;
            }
            case Opcode.ArrayNewFixed:
            {
                var at = ArrayTypeAt(ins.Index);
                var t = Unpacked(at.Element.StorageType);
                for (var n = ins.Index2; n > 0; n--)
                {
                    // A polymorphic stack supplies any number of operands; no need to count them one by one.
                    if (_valCount == _height && _ctrls[_ctrlCount - 1].Unreachable) break;
                    Pop(t);
                }
                Push(RefTo(ins.Index, nullable: false));
                break;
            }
            case Opcode.ArrayNewData:
            {
                var at = ArrayTypeAt(ins.Index);
                var t = Unpacked(at.Element.StorageType);
                if (!t.IsNum && !t.IsVec) Fail("array type is not numeric or vector");
                CheckData(ins.Index2);
                Pop(ValType.I32);
                Pop(ValType.I32);
                Push(RefTo(ins.Index, nullable: false));
                break;
            }
            case Opcode.ArrayNewElem:
            {
                var at = ArrayTypeAt(ins.Index);
                var e = ElemAt(ins.Index2);
                if (!_registry.IsSubtype(e, Unpacked(at.Element.StorageType)))
                    Fail($"type mismatch: element segment's type {TypeName(e)} does not match array's field type {TypeName(at.Element.StorageType)}");
                Pop(ValType.I32);
                Pop(ValType.I32);
                Push(RefTo(ins.Index, nullable: false));
                break;
            }
            case Opcode.ArrayGet:
            case Opcode.ArrayGetS:
            case Opcode.ArrayGetU:
            {
                var at = ArrayTypeAt(ins.Index);
                var packed = at.Element.StorageType.IsPacked;
                if (ins.Opcode == Opcode.ArrayGet && packed) Fail("array is packed");
                if (ins.Opcode != Opcode.ArrayGet && !packed) Fail("array is unpacked");
                Pop(ValType.I32);
                Pop(RefTo(ins.Index, nullable: true));
                Push(Unpacked(at.Element.StorageType));
                break;
            }
            case Opcode.ArraySet:
            {
                var at = ArrayTypeAt(ins.Index);
                if (!at.Element.Mutable) Fail("immutable array");
                Pop(Unpacked(at.Element.StorageType));
                Pop(ValType.I32);
                Pop(RefTo(ins.Index, nullable: true));
                break;
            }
            case Opcode.ArrayLen:
                Pop(s_arrayRef);
                Push(ValType.I32);
                break;
            case Opcode.ArrayFill:
            {
                var at = ArrayTypeAt(ins.Index);
                if (!at.Element.Mutable) Fail("immutable array");
                Pop(ValType.I32);
                Pop(Unpacked(at.Element.StorageType));
                Pop(ValType.I32);
                Pop(RefTo(ins.Index, nullable: true));
                break;
            }
            case Opcode.ArrayCopy:
            {
                var dst = ArrayTypeAt(ins.Index);
                var src = ArrayTypeAt(ins.Index2);
                if (!dst.Element.Mutable) Fail("immutable array");
                if (!_registry.IsStorageSubtype(src.Element.StorageType, dst.Element.StorageType)) Fail("array types do not match");
                Pop(ValType.I32);
                Pop(ValType.I32);
                Pop(RefTo(ins.Index2, nullable: true));
                Pop(ValType.I32);
                Pop(RefTo(ins.Index, nullable: true));
                break;
            }
            case Opcode.ArrayInitData:
            {
                var at = ArrayTypeAt(ins.Index);
                if (!at.Element.Mutable) Fail("immutable array");
                CheckData(ins.Index2);
                var t = Unpacked(at.Element.StorageType);
                if (!t.IsNum && !t.IsVec) Fail("array type is not numeric or vector");
                Pop(ValType.I32);
                Pop(ValType.I32);
                Pop(ValType.I32);
                Pop(RefTo(ins.Index, nullable: true));
                break;
            }
            case Opcode.ArrayInitElem:
            {
                var at = ArrayTypeAt(ins.Index);
                if (!at.Element.Mutable) Fail("immutable array");
                var e = ElemAt(ins.Index2);
                if (!_registry.IsSubtype(e, Unpacked(at.Element.StorageType)))
                    Fail($"type mismatch: element segment's type {TypeName(e)} does not match array's field type {TypeName(at.Element.StorageType)}");
                Pop(ValType.I32);
                Pop(ValType.I32);
                Pop(ValType.I32);
                Pop(RefTo(ins.Index, nullable: true));
                break;
            }

            // ---- wide arithmetic
            case Opcode.I64Add128:
            case Opcode.I64Sub128:
                Pop(ValType.I64);
                Pop(ValType.I64);
                Pop(ValType.I64);
                Pop(ValType.I64);
                Push(ValType.I64);
                Push(ValType.I64);
                break;
            case Opcode.I64MulWideS:
            case Opcode.I64MulWideU:
                Pop(ValType.I64);
                Pop(ValType.I64);
                Push(ValType.I64);
                Push(ValType.I64);
                break;

            default:
                Fail($"unsupported instruction {OpcodeTable.Get(ins.Opcode).Name}");
                break;
        }
    }

    private void EndFrame()
    {
        ref var f = ref _ctrls[_ctrlCount - 1];
        CloseFrame();
        if (f.Kind == Opcode.If)
        {
            // An if without else has an empty else branch, which must turn the parameters into the results.
            var ok = f.StartCount == f.EndCount;
            for (var i = 0; ok && i < f.StartCount; i++) ok = Matches(_pool[f.StartIndex + i], _pool[f.EndIndex + i]);
            if (!ok)
                Fail($"type mismatch: block requires {TypeList(_pool.AsSpan(f.EndIndex, f.EndCount))} but stack has {TypeList(_pool.AsSpan(f.StartIndex, f.StartCount))}");
        }
        var endIndex = f.EndIndex;
        var endCount = f.EndCount;
        PopFrame();
        // The pool slots just released still hold the end types; nothing is allocated before they are pushed.
        PushTypes(_pool.AsSpan(endIndex, endCount));
    }

    private void SelectUntyped()
    {
        Pop(ValType.I32);
        var t1 = PopAny();
        var t2 = PopAny();
        var numeric = (t1.Code == 0 || t1.IsNum) && (t2.Code == 0 || t2.IsNum);
        var vector = (t1.Code == 0 || t1.IsVec) && (t2.Code == 0 || t2.IsVec);
        if (!numeric && !vector)
            Fail($"type mismatch: instruction requires numeric or vector type but stack has {TypeName(t1.Code == 0 || t1.IsNum || t1.IsVec ? t2 : t1)}");
        if (!Same(t1, t2) && t1.Code != 0 && t2.Code != 0)
            Fail($"type mismatch: instruction requires [{TypeName(t1)} {TypeName(t1)} i32] but stack has [{TypeName(t2)} {TypeName(t1)} i32]");
        Push(t1.Code == 0 ? t2 : t1);
    }

    private void InitLocal(uint x)
    {
        if (_localInit[x]) return;
        _localInit[x] = true;
        _inits[_initCount++] = (int)x;
    }

    private void BrTable(ref Instruction ins)
    {
        Pop(ValType.I32);
        var labels = ins.Labels!;
        var arity = LabelTypes(ref Label(labels[^1])).Length;
        var unreachable = _ctrls[_ctrlCount - 1].Unreachable;
        var available = _valCount - _height;
        if (available < arity && !unreachable)
            FailPop(LabelTypes(ref Label(labels[^1])), _valCount);
        foreach (var l in labels)
        {
            var types = LabelTypes(ref Label(l));
            if (types.Length != arity)
                Fail($"type mismatch: instruction requires {TypeList(types)} but label has arity {arity}");
            for (var i = 0; i < arity; i++)
            {
                var depth = arity - i; // 1 is the top of the stack
                if (depth > available) continue; // bottom
                if (!Matches(_vals[_valCount - depth], types[i])) FailPop(types, _valCount);
            }
        }
        SetUnreachable();
    }

    private void BrOnCast(ref Instruction ins)
    {
        var rt1 = CanonValType(ins.Type);
        var rt2 = CanonValType(ins.Type2);
        if (!_registry.IsSubtype(rt2, rt1))
            Fail($"type mismatch on cast: type {TypeName(rt2)} does not match {TypeName(rt1)}");
        // The spec's diff: what is left of rt1 once rt2 has been taken out.
        var diff = rt2.IsNullable ? ValType.Ref(rt1.Heap, nullable: false) : rt1;
        var onBranch = ins.Opcode == Opcode.BrOnCast ? rt2 : diff;
        var onFall = ins.Opcode == Opcode.BrOnCast ? diff : rt2;
        var types = LabelTypes(ref Label(ins.Index));
        if (types.Length == 0 || !Matches(onBranch, types[^1]))
            Fail($"type mismatch: instruction requires type {TypeName(onBranch)} but label has {TypeList(types)}");
        Pop(rt1);
        var rest = types[..^1];
        PopTypes(rest);
        PushTypes(rest);
        Push(onFall);
    }

    private void TryTable(ref Instruction ins)
    {
        foreach (var c in ins.Catches!)
        {
            var types = LabelTypes(ref Label(c.Label));
            ReadOnlySpan<ValType> tagParams = [];
            if (c.Kind is CatchKind.Catch or CatchKind.CatchRef) tagParams = TagAt(c.Tag).Params;
            var withRef = c.Kind is CatchKind.CatchRef or CatchKind.CatchAllRef;
            var ok = types.Length == tagParams.Length + (withRef ? 1 : 0);
            for (var i = 0; ok && i < tagParams.Length; i++) ok = Matches(tagParams[i], types[i]);
            if (ok && withRef) ok = Matches(s_exnRefNonNull, types[^1]);
            if (!ok) Fail($"type mismatch: catch handler requires {TypeList(types)}");
        }
        EnterBlock(Opcode.TryTable, ins.BlockType);
    }
}
