using System.Reflection;
using System.Runtime.Intrinsics;
using WasmSharp.Model;

namespace WasmSharp.Compilation;

/// <summary>How a SIMD instruction maps onto one <see cref="Vector128"/> intrinsic (see <see cref="SimdIntrinsics"/>).</summary>
internal enum SimdShape : byte
{
    /// <summary>[a] → m(a).</summary>
    Unary,
    /// <summary>[a b] → m(a, b).</summary>
    Binary,
    /// <summary>[a b] → ~m(a, b).</summary>
    BinaryNot,
    /// <summary>[a n] → m(a, n &amp; mask).</summary>
    Shift,
    /// <summary>[a] → m(a, lane).</summary>
    Extract,
    /// <summary>[a x] → m(a, lane, x).</summary>
    Replace,
    /// <summary>[x] → m(x).</summary>
    Splat,
}

/// <summary>One SIMD instruction as an intrinsic call on lanes of type <see cref="Lane"/>.</summary>
internal sealed record SimdForm(SimdShape Shape, Type Lane, MethodInfo Method, int Mask = 0);

/// <summary>
/// SIMD instructions the compiler emits as direct calls of <see cref="Vector128"/> intrinsics, with
/// <c>Vector128.As</c> reinterpretations around them, instead of calls of the <see cref="SimdOps"/> helpers.
/// The JIT expands intrinsics while importing, whereas helpers have to be inlined, and it stops inlining in
/// large functions (inline budget, too many locals): an unrolled hash round of a thousand SIMD instructions
/// otherwise makes a thousand calls. Only instructions whose .NET operation has exactly Wasm's semantics are
/// here; the others stay helpers. Only true intrinsics qualify: the named arithmetic of <see cref="Vector128"/>
/// (Add, Xor, ShiftLeft...) is ordinary code around the operators, so those come from the operators.
/// </summary>
internal static class SimdIntrinsics
{
    private static readonly MethodInfo[] s_vector128Methods = typeof(Vector128).GetMethods(BindingFlags.Public | BindingFlags.Static);
    private static readonly MethodInfo s_asDefinition = GenericDefinition("As", 1, 2, allVectors: true);
    private static readonly Dictionary<(Type, Type), MethodInfo> s_as = [];
    private static readonly Dictionary<Opcode, SimdForm> s_forms = Build();

    internal static readonly MethodInfo CreateI64x2 = Exact("Create", typeof(long), typeof(long));
    internal static readonly MethodInfo ShuffleBytes = Exact("Shuffle", typeof(Vector128<byte>), typeof(Vector128<byte>));
    internal static readonly MethodInfo OrBytes = Operator("op_BitwiseOr", typeof(byte), typeof(Vector128<byte>), typeof(Vector128<byte>));
    internal static readonly MethodInfo NotBytes = Operator("op_OnesComplement", typeof(byte), typeof(Vector128<byte>));

    internal static MethodInfo GetElement(Type lane) => Generic("GetElement", lane, 2, allVectors: false);

    internal static MethodInfo WithElement(Type lane) => Generic("WithElement", lane, 3, allVectors: false);

    internal static bool TryGet(Opcode opcode, out SimdForm form) => s_forms.TryGetValue(opcode, out form!);

    /// <summary><c>Vector128.As&lt;from, to&gt;</c>, a reinterpretation the JIT compiles to nothing.</summary>
    internal static MethodInfo As(Type from, Type to)
    {
        lock (s_as)
        {
            if (!s_as.TryGetValue((from, to), out var m)) s_as[(from, to)] = m = s_asDefinition.MakeGenericMethod(from, to);
            return m;
        }
    }

    /// <summary>The lane type of a <c>Vector128&lt;T&gt;</c>, or null for any other type.</summary>
    internal static Type? LaneOf(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Vector128<>) ? type.GetGenericArguments()[0] : null;

    private static Dictionary<Opcode, SimdForm> Build()
    {
        var d = new Dictionary<Opcode, SimdForm>();
        void Add(Opcode op, SimdShape shape, Type lane, MethodInfo m, int mask = 0) => d.Add(op, new SimdForm(shape, lane, m, mask));
        void Bin(Opcode op, Type lane, string name) => Add(op, SimdShape.Binary, lane, Generic(name, lane, 2, allVectors: true));
        void Un(Opcode op, Type lane, string name) => Add(op, SimdShape.Unary, lane, Generic(name, lane, 1, allVectors: true));
        void BinOp(Opcode op, Type lane, string name) => Add(op, SimdShape.Binary, lane, Operator(name, lane, VectorOf(lane), VectorOf(lane)));
        void UnOp(Opcode op, Type lane, string name) => Add(op, SimdShape.Unary, lane, Operator(name, lane, VectorOf(lane)));

        // Bitwise: lane type does not matter.
        UnOp(Opcode.V128Not, typeof(byte), "op_OnesComplement");
        BinOp(Opcode.V128And, typeof(byte), "op_BitwiseAnd");
        BinOp(Opcode.V128Or, typeof(byte), "op_BitwiseOr");
        BinOp(Opcode.V128Xor, typeof(byte), "op_ExclusiveOr");
        Bin(Opcode.V128Andnot, typeof(byte), "AndNot");

        // Wrapping integer arithmetic, integer min/max, comparisons.
        foreach (var (lane, signed, unsigned, prefix) in new[]
        {
            (8, typeof(sbyte), typeof(byte), "I8x16"),
            (16, typeof(short), typeof(ushort), "I16x8"),
            (32, typeof(int), typeof(uint), "I32x4"),
            (64, typeof(long), typeof(ulong), "I64x2"),
        })
        {
            Opcode Op(string name) => Enum.Parse<Opcode>(prefix + name);
            BinOp(Op("Add"), signed, "op_Addition");
            BinOp(Op("Sub"), signed, "op_Subtraction");
            if (lane != 8) BinOp(Op("Mul"), signed, "op_Multiply");
            UnOp(Op("Neg"), signed, "op_UnaryNegation");
            Un(Op("Abs"), signed, "Abs");
            Bin(Op("Eq"), signed, "Equals");
            Add(Op("Ne"), SimdShape.BinaryNot, signed, Generic("Equals", signed, 2, allVectors: true));
            Bin(Op("LtS"), signed, "LessThan");
            Bin(Op("GtS"), signed, "GreaterThan");
            Bin(Op("LeS"), signed, "LessThanOrEqual");
            Bin(Op("GeS"), signed, "GreaterThanOrEqual");
            if (lane != 64)
            {
                Bin(Op("LtU"), unsigned, "LessThan");
                Bin(Op("GtU"), unsigned, "GreaterThan");
                Bin(Op("LeU"), unsigned, "LessThanOrEqual");
                Bin(Op("GeU"), unsigned, "GreaterThanOrEqual");
                Bin(Op("MinS"), signed, "Min");
                Bin(Op("MinU"), unsigned, "Min");
                Bin(Op("MaxS"), signed, "Max");
                Bin(Op("MaxU"), unsigned, "Max");
            }
            Add(Op("Shl"), SimdShape.Shift, signed, Operator("op_LeftShift", signed, VectorOf(signed), typeof(int)), lane - 1);
            Add(Op("ShrS"), SimdShape.Shift, signed, Operator("op_RightShift", signed, VectorOf(signed), typeof(int)), lane - 1);
            Add(Op("ShrU"), SimdShape.Shift, unsigned, Operator("op_UnsignedRightShift", unsigned, VectorOf(unsigned), typeof(int)), lane - 1);
        }

        // Float arithmetic and comparisons are IEEE operations on both sides (NaN results may be any NaN).
        foreach (var (lane, prefix) in new[] { (typeof(float), "F32x4"), (typeof(double), "F64x2") })
        {
            Opcode Op(string name) => Enum.Parse<Opcode>(prefix + name);
            BinOp(Op("Add"), lane, "op_Addition");
            BinOp(Op("Sub"), lane, "op_Subtraction");
            BinOp(Op("Mul"), lane, "op_Multiply");
            BinOp(Op("Div"), lane, "op_Division");
            Bin(Op("Eq"), lane, "Equals");
            Add(Op("Ne"), SimdShape.BinaryNot, lane, Generic("Equals", lane, 2, allVectors: true));
            Bin(Op("Lt"), lane, "LessThan");
            Bin(Op("Gt"), lane, "GreaterThan");
            Bin(Op("Le"), lane, "LessThanOrEqual");
            Bin(Op("Ge"), lane, "GreaterThanOrEqual");
        }

        // Widening.
        foreach (var (op, name, lane) in new[]
        {
            (Opcode.I16x8ExtendLowI8x16S, "WidenLower", typeof(sbyte)), (Opcode.I16x8ExtendHighI8x16S, "WidenUpper", typeof(sbyte)),
            (Opcode.I16x8ExtendLowI8x16U, "WidenLower", typeof(byte)), (Opcode.I16x8ExtendHighI8x16U, "WidenUpper", typeof(byte)),
            (Opcode.I32x4ExtendLowI16x8S, "WidenLower", typeof(short)), (Opcode.I32x4ExtendHighI16x8S, "WidenUpper", typeof(short)),
            (Opcode.I32x4ExtendLowI16x8U, "WidenLower", typeof(ushort)), (Opcode.I32x4ExtendHighI16x8U, "WidenUpper", typeof(ushort)),
            (Opcode.I64x2ExtendLowI32x4S, "WidenLower", typeof(int)), (Opcode.I64x2ExtendHighI32x4S, "WidenUpper", typeof(int)),
            (Opcode.I64x2ExtendLowI32x4U, "WidenLower", typeof(uint)), (Opcode.I64x2ExtendHighI32x4U, "WidenUpper", typeof(uint)),
        })
        {
            Add(op, SimdShape.Unary, lane, Exact(name, typeof(Vector128<>).MakeGenericType(lane)));
        }

        // Lanes: the lane index is a constant, so the JIT emits one extract/insert instruction.
        foreach (var (op, lane) in new[]
        {
            (Opcode.I8x16ExtractLaneS, typeof(sbyte)), (Opcode.I8x16ExtractLaneU, typeof(byte)),
            (Opcode.I16x8ExtractLaneS, typeof(short)), (Opcode.I16x8ExtractLaneU, typeof(ushort)),
            (Opcode.I32x4ExtractLane, typeof(int)), (Opcode.I64x2ExtractLane, typeof(long)),
            (Opcode.F32x4ExtractLane, typeof(float)), (Opcode.F64x2ExtractLane, typeof(double)),
        })
        {
            Add(op, SimdShape.Extract, lane, Generic("GetElement", lane, 2, allVectors: false));
        }
        foreach (var (op, lane) in new[]
        {
            (Opcode.I8x16ReplaceLane, typeof(byte)), (Opcode.I16x8ReplaceLane, typeof(short)), (Opcode.I32x4ReplaceLane, typeof(int)),
            (Opcode.I64x2ReplaceLane, typeof(long)), (Opcode.F32x4ReplaceLane, typeof(float)), (Opcode.F64x2ReplaceLane, typeof(double)),
        })
        {
            Add(op, SimdShape.Replace, lane, Generic("WithElement", lane, 3, allVectors: false));
        }
        foreach (var (op, lane) in new[]
        {
            (Opcode.I8x16Splat, typeof(byte)), (Opcode.I16x8Splat, typeof(short)), (Opcode.I32x4Splat, typeof(int)),
            (Opcode.I64x2Splat, typeof(long)), (Opcode.F32x4Splat, typeof(float)), (Opcode.F64x2Splat, typeof(double)),
        })
        {
            Add(op, SimdShape.Splat, lane, Exact("Create", lane));
        }

        // Out-of-range indices give 0 on both sides.
        Add(Opcode.I8x16Swizzle, SimdShape.Binary, typeof(byte), ShuffleBytesMethod());
        Add(Opcode.I8x16RelaxedSwizzle, SimdShape.Binary, typeof(byte), ShuffleBytesMethod());
        return d;
    }

    private static MethodInfo ShuffleBytesMethod() => Exact("Shuffle", typeof(Vector128<byte>), typeof(Vector128<byte>));

    /// <summary>
    /// <c>Vector128.name&lt;lane&gt;</c> with <paramref name="arity"/> parameters, the first a vector (all of them
    /// when <paramref name="allVectors"/>: Multiply has a vector-by-scalar overload too).
    /// </summary>
    private static MethodInfo Generic(string name, Type lane, int arity, bool allVectors) =>
        GenericDefinition(name, arity, 1, allVectors).MakeGenericMethod(lane);

    private static MethodInfo GenericDefinition(string name, int arity, int typeArguments, bool allVectors)
    {
        static bool IsVector(ParameterInfo p) => p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() == typeof(Vector128<>);
        foreach (var m in s_vector128Methods)
        {
            if (m.Name != name || !m.IsGenericMethodDefinition || m.GetGenericArguments().Length != typeArguments) continue;
            var ps = m.GetParameters();
            if (ps.Length == arity && IsVector(ps[0]) && (!allVectors || ps.All(IsVector))) return m;
        }
        throw new InvalidOperationException($"Vector128.{name}<T> with {arity} parameters not found");
    }

    private static Type VectorOf(Type lane) => typeof(Vector128<>).MakeGenericType(lane);

    /// <summary>
    /// An operator of <c>Vector128&lt;lane&gt;</c>. The named methods of <see cref="Vector128"/> for arithmetic,
    /// bitwise operations and shifts (Add, Xor, ShiftLeft...) are plain methods that call the operators and need
    /// inlining; the operators themselves are intrinsics.
    /// </summary>
    private static MethodInfo Operator(string name, Type lane, params Type[] parameters) =>
        VectorOf(lane).GetMethod(name, BindingFlags.Public | BindingFlags.Static, parameters)
        ?? throw new InvalidOperationException($"Vector128<{lane.Name}>.{name} not found");

    internal static MethodInfo Exact(string name, params Type[] parameters) =>
        typeof(Vector128).GetMethod(name, BindingFlags.Public | BindingFlags.Static, parameters)
        ?? throw new InvalidOperationException($"Vector128.{name}({string.Join(", ", parameters.Select(p => p.Name))}) not found");
}
