using System.Reflection.Emit;
using WasmSharp.Binary;
using WasmSharp.Model;

namespace WasmSharp.Compilation;

/// <summary>
/// Compiles one Wasm function body to the CIL of one static method
/// <c>R f(P0 .. Pn-1, InstanceContext ctx)</c>, in a single pass over the instructions:
/// <list type="bullet">
/// <item>Wasm parameters are the CIL arguments, Wasm locals are CIL locals.</item>
/// <item>The operand stack is the CIL evaluation stack, value for value; a type stack mirrors it so that
/// branches can drop the values a label does not carry (through temporaries) and so that untyped
/// instructions (select, drop) know what they handle.</item>
/// <item>Blocks, loops and ifs become labels; code after an unconditional branch is not emitted
/// (the CLI requires a known stack shape everywhere, and the code is dead anyway).</item>
/// <item>The first result is the CIL return value; further results go to the store's result slots
/// (<see cref="Runtime.ResultSlot"/>), which keeps tail calls possible for every signature.</item>
/// <item>The context argument is last, so call arguments already on the stack need no shuffling.</item>
/// </list>
/// </summary>
internal sealed partial class FunctionCompiler
{
    private readonly ModuleCompilation _m;
    private readonly int _functionIndex;
    private readonly FunctionBody _body;
    private readonly ILGenerator _il;
    private readonly FuncType _type;
    private readonly short _ctxArg;
    private readonly ValType[] _localTypes;
    private readonly LocalBuilder[] _locals;
    private readonly List<ValType> _stack = new(16);
    private readonly List<Control> _controls = new(16);
    private readonly Dictionary<Type, Stack<LocalBuilder>> _temps = [];
    private bool _unreachable;

    /// <summary>
    /// The instruction emitted just before the current one (default after a region call): a load whose address
    /// is a local.get, or a rotate whose count is a constant, is compiled differently.
    /// </summary>
    private (Opcode Opcode, uint Index) _previous;

    /// <summary>
    /// The body is so large that inline bounds checks would push it past the JIT's limits for optimizing a
    /// method (set by <see cref="Prescan"/>): its memory accesses call <see cref="MemoryOps.Address32"/> instead.
    /// </summary>
    private bool _large;

    internal FunctionCompiler(ModuleCompilation module, int functionIndex, FunctionBody body, ILGenerator il)
        : this(module, functionIndex, body, il, declareLocals: true)
    {
    }

    private FunctionCompiler(ModuleCompilation module, int functionIndex, FunctionBody body, ILGenerator il, bool declareLocals)
    {
        _m = module;
        _functionIndex = functionIndex;
        _body = body;
        _il = il;
        _type = module.FunctionTypes[functionIndex];
        _ctxArg = checked((short)_type.Params.Length);
        var localCount = body.LocalCount;
        if (localCount + (ulong)_type.Params.Length > MaxLocals)
            throw new ImplementationLimitException($"function {functionIndex} has more than {MaxLocals} locals", SourceLocation.AtOffset(body.Offset));
        _localTypes = new ValType[_type.Params.Length + (int)localCount];
        _type.Params.CopyTo(_localTypes, 0);
        var n = _type.Params.Length;
        foreach (var group in body.Locals)
            for (var i = 0u; i < group.Count; i++) _localTypes[n++] = group.Type;
        _locals = declareLocals ? new LocalBuilder[localCount] : [];
        _rangeEnd = body.Code.Length;
    }

    /// <summary>The CLI addresses at most 65535 locals; keep room for temporaries.</summary>
    private const ulong MaxLocals = 50_000;

    private enum ControlKind : byte
    {
        Function,
        Block,
        Loop,
        If,
        /// <summary>In a region method: a label around the region; branching to it returns its exit code.</summary>
        RegionExit,
        /// <summary>A try_table with catch clauses: a CIL try block (one without catches is compiled as a Block).</summary>
        TryTable,
        /// <summary>
        /// A legacy try with catch clauses or a delegate that skips a region: its body is a CIL try block, its catch
        /// bodies ordinary code after it (see FunctionCompiler.LegacyExceptions). One without either is compiled as a Block.
        /// </summary>
        Try,
    }

    private sealed class Control
    {
        public ControlKind Kind;
        public Label Label;
        public Label ElseLabel;
        public bool HasElse;
        public ValType[] Params = [];
        public ValType[] Results = [];
        /// <summary>Height of the type stack below the block's parameters.</summary>
        public int Height;
        /// <summary>The block was entered in dead code: nothing of it is emitted.</summary>
        public bool Dead;
        /// <summary>Some branch targets the block's end.</summary>
        public bool BranchedTo;
        /// <summary>Some branch to the block's end comes with stale memory caches.</summary>
        public bool StaleIn;
        /// <summary>For an if: whether the caches were stale at the if (the state the else branch starts in).</summary>
        public bool StaleAtIf;
        /// <summary>
        /// The innermost try_table or legacy try whose protected body holds this block's label, null when none does. A branch
        /// to a label of another region must <c>leave</c> (see FunctionCompiler.Exceptions).
        /// </summary>
        public Control? TryRegion;
        /// <summary>For a try_table: its catch clauses and their targets (resolved when the try_table starts).</summary>
        public Catch[] Catches = [];
        public Control[] CatchTargets = [];
        /// <summary>
        /// For a try_table: the operand stack from <see cref="SpillBase"/> (the base of the enclosing region's
        /// CIL stack) up to <see cref="Height"/>, stored in these locals before the CIL try, which must start
        /// with an empty evaluation stack.
        /// </summary>
        public int SpillBase;
        public LocalBuilder[] Spills = [];
        /// <summary>For a legacy try: its catch clauses (found by a scan ahead), the label of each catch body, and which one is being emitted (-1 in the body).</summary>
        public LegacyClause[] LegacyClauses = [];
        public Label[] ClauseLabels = [];
        public int CurrentClause = -1;
        /// <summary>For a legacy try: the exception its handlers caught, for the catch bodies' payload and for rethrow.</summary>
        public LocalBuilder? CaughtException;
        /// <summary>For a legacy try ending in delegate: the region whose handlers get its exceptions (null: the caller).</summary>
        public bool Delegates;
        public Control? DelegateRegion;
        /// <summary>For a try_table: the landing pads of branches that leave it, emitted after it (see <see cref="ExitPad"/>).</summary>
        public List<ExitPad>? Pads;

        /// <summary>For a region exit: the code the region method returns for it.</summary>
        public int ExitCode;
        /// <summary>For a region exit: the function's label (the results go to the caller as a return leaves them).</summary>
        public bool IsFunctionExit;
        /// <summary>For the function's region exit: where branches with the results already delivered (by an inner region) go.</summary>
        public Label DeliveredLabel;
        public bool DeliveredTo;

        public ValType[] LabelTypes => Kind == ControlKind.Loop ? Params : Results;
    }

    internal void Compile()
    {
        for (var i = 0; i < _locals.Length; i++) _locals[i] = _il.DeclareLocal(ClrTypes.Of(_localTypes[_type.Params.Length + i]));

        PlanOutlining();
        Prescan();
        if (!IsSmallLeaf) EmitStackCheck(_il.DeclareLocal(typeof(byte)));
        EmitZeroLocals();
        EmitEntryChecks();

        _controls.Add(new Control { Kind = ControlKind.Function, Label = _il.DefineLabel(), Results = _type.Results, Height = 0 });
        EmitInstructions();
    }

    /// <summary>
    /// Zeroes the Wasm locals. Compiled methods do not ask the JIT to zero their frame (InitLocals off): that
    /// would also zero the stack-check local at every call. Float zeros come from fields for the reason given
    /// at <see cref="EmitF32Const"/>; stores the body overwrites before any read, the JIT removes.
    /// </summary>
    private void EmitZeroLocals()
    {
        for (var i = 0; i < _locals.Length; i++)
        {
            var t = _localTypes[_type.Params.Length + i];
            switch (t.Code)
            {
                case ValType.I32Code: _il.Emit(OpCodes.Ldc_I4_0); break;
                case ValType.I64Code: _il.Emit(OpCodes.Ldc_I4_0); _il.Emit(OpCodes.Conv_I8); break;
                case ValType.F32Code: EmitField(OpCodes.Ldsfld, Members.F32Zero); break;
                case ValType.F64Code: EmitField(OpCodes.Ldsfld, Members.F64Zero); break;
                case ValType.V128Code:
                    _il.Emit(OpCodes.Ldloca, _locals[i]);
                    _il.Emit(OpCodes.Initobj, typeof(System.Runtime.Intrinsics.Vector128<byte>));
                    continue;
                default: _il.Emit(OpCodes.Ldnull); break;
            }
            _il.Emit(OpCodes.Stloc, _locals[i]);
        }
    }

    /// <summary>
    /// A function that calls nothing and has a small body needs no stack check: the stack limit keeps
    /// <see cref="Runtime.EngineConfig.StackReserveBytes"/> free below the deepest checked frame, and one small
    /// frame more fits in it. The check would cost a frame slot and a compare at every call of the hottest
    /// helpers (a 128-bit multiply, a hash step).
    /// </summary>
    private bool IsSmallLeaf => !_hasCalls && _outlined.Count == 0 && _body.Code.Length <= 4096 && _locals.Length <= 256 && _m.Config.StackReserveBytes >= 64 * 1024;

    private static bool IsStructural(Opcode op) => op is Opcode.Block or Opcode.Loop or Opcode.If or Opcode.Else or Opcode.End or Opcode.TryTable
        or Opcode.Try or Opcode.Catch or Opcode.CatchAll or Opcode.Delegate;

    /// <summary>
    /// Traps before the .NET stack overflows: the address of a local is the stack pointer, compared with
    /// the limit the store computed for this thread. One compare per call, no counter to undo on return.
    /// </summary>
    private void EmitStackCheck(LocalBuilder dummy, long frameBytes = 0)
    {
        var ok = _il.DefineLabel();
        _il.Emit(OpCodes.Ldloca, dummy);
        _il.Emit(OpCodes.Conv_U);
        if (frameBytes != 0)
        {
            _il.Emit(OpCodes.Ldc_I8, frameBytes);
            _il.Emit(OpCodes.Conv_U);
            _il.Emit(OpCodes.Sub);
        }
        LdCtx();
        EmitField(OpCodes.Ldfld, Members.CtxStackLimit);
        _il.Emit(OpCodes.Bge_Un, ok);
        EmitTrap(Runtime.TrapCode.CallStackExhausted);
        _il.MarkLabel(ok);
    }

    // ---- Type stack ----

    private void Push(ValType t) => _stack.Add(t);

    private ValType Pop()
    {
        var t = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return t;
    }

    private void Pop(int n) => _stack.RemoveRange(_stack.Count - n, n);

    private ValType Peek(int depth = 0) => _stack[_stack.Count - 1 - depth];

    private void PushAll(ValType[] types)
    {
        foreach (var t in types) _stack.Add(t);
    }

    // ---- IL helpers ----

    private void LdCtx() => LdArg(_ctxArg);

    private void LdArg(int index)
    {
        switch (index)
        {
            case 0: _il.Emit(OpCodes.Ldarg_0); break;
            case 1: _il.Emit(OpCodes.Ldarg_1); break;
            case 2: _il.Emit(OpCodes.Ldarg_2); break;
            case 3: _il.Emit(OpCodes.Ldarg_3); break;
            case <= byte.MaxValue: _il.Emit(OpCodes.Ldarg_S, (byte)index); break;
            default: _il.Emit(OpCodes.Ldarg, (short)index); break;
        }
    }

    private void StArg(int index)
    {
        if (index <= byte.MaxValue) _il.Emit(OpCodes.Starg_S, (byte)index);
        else _il.Emit(OpCodes.Starg, (short)index);
    }

    private void LdcI4(int value)
    {
        switch (value)
        {
            case -1: _il.Emit(OpCodes.Ldc_I4_M1); break;
            case 0: _il.Emit(OpCodes.Ldc_I4_0); break;
            case 1: _il.Emit(OpCodes.Ldc_I4_1); break;
            case 2: _il.Emit(OpCodes.Ldc_I4_2); break;
            case 3: _il.Emit(OpCodes.Ldc_I4_3); break;
            case 4: _il.Emit(OpCodes.Ldc_I4_4); break;
            case 5: _il.Emit(OpCodes.Ldc_I4_5); break;
            case 6: _il.Emit(OpCodes.Ldc_I4_6); break;
            case 7: _il.Emit(OpCodes.Ldc_I4_7); break;
            case 8: _il.Emit(OpCodes.Ldc_I4_8); break;
            default:
                if (value is >= sbyte.MinValue and <= sbyte.MaxValue) _il.Emit(OpCodes.Ldc_I4_S, (sbyte)value);
                else _il.Emit(OpCodes.Ldc_I4, value);
                break;
        }
    }

    /// <summary>An i64 constant; one that fits in 32 bits as ldc.i4 and a widening, 3 or 6 bytes of IL instead of 9.</summary>
    private void LdcI8(long value)
    {
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            LdcI4((int)value);
            _il.Emit(OpCodes.Conv_I8);
        }
        else
        {
            _il.Emit(OpCodes.Ldc_I8, value);
        }
    }

    private LocalBuilder RentTemp(Type type)
    {
        if (_temps.TryGetValue(type, out var free) && free.Count > 0) return free.Pop();
        return _il.DeclareLocal(type);
    }

    private void ReturnTemp(LocalBuilder local)
    {
        if (!_temps.TryGetValue(local.LocalType, out var free)) _temps[local.LocalType] = free = new Stack<LocalBuilder>();
        free.Push(local);
    }

    /// <summary>
    /// Removes the <paramref name="drop"/> values lying under the top <paramref name="keep"/> values
    /// of the CIL stack (the type stack is left alone: callers are about to leave this code path).
    /// </summary>
    private void EmitDropUnder(int keep, int drop)
    {
        if (drop == 0) return;
        if (keep == 0)
        {
            for (var i = 0; i < drop; i++) _il.Emit(OpCodes.Pop);
            return;
        }
        var saved = new LocalBuilder[keep];
        for (var i = 0; i < keep; i++)
        {
            saved[i] = RentTemp(ClrTypes.Of(Peek(i)));
            _il.Emit(OpCodes.Stloc, saved[i]);
        }
        for (var i = 0; i < drop; i++) _il.Emit(OpCodes.Pop);
        for (var i = keep - 1; i >= 0; i--)
        {
            _il.Emit(OpCodes.Ldloc, saved[i]);
            ReturnTemp(saved[i]);
        }
    }

    /// <summary>
    /// Calls a static method. One that takes one value and returns one goes through the module's token cache: the
    /// raw-token Emit leaves ILGenerator's stack-depth bookkeeping unchanged, which is only right for those.
    /// </summary>
    private void EmitCallHelper(System.Reflection.MethodInfo method)
    {
        var token = _m.UnaryCallToken(method);
        if (token != 0) _il.Emit(OpCodes.Call, token);
        else _il.Emit(OpCodes.Call, method);
    }

    /// <summary>A field access through the module's token cache (opcodes whose stack effect does not depend on the token).</summary>
    private void EmitField(OpCode op, System.Reflection.FieldInfo field) => _il.Emit(op, _m.TokenOf(field));

    /// <summary>
    /// Throws a trap. The explicit CIL <c>throw</c> (rather than a call to a throwing helper) tells the JIT
    /// that nothing is live afterwards, so checks do not cost register spills on the fast path.
    /// </summary>
    private void EmitTrap(Runtime.TrapCode code)
    {
        LdcI4((int)code);
        _il.Emit(OpCodes.Call, _m.UnaryCallToken(Members.TrapCreate));
        _il.Emit(OpCodes.Throw);
    }
}
