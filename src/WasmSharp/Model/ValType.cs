using System.Diagnostics;

namespace WasmSharp.Model;

/// <summary>
/// A heap type: either an abstract heap type (negative <see cref="Code"/>, equal to its binary
/// encoding read as a signed LEB128 s33, e.g. <c>func</c> = 0x70 = -0x10) or a concrete type index (&gt;= 0).
/// </summary>
public readonly record struct HeapType(int Code)
{
    public static readonly HeapType NoExn = new(-0x0C);   // 0x74
    public static readonly HeapType NoFunc = new(-0x0D);  // 0x73
    public static readonly HeapType NoExtern = new(-0x0E); // 0x72
    public static readonly HeapType None = new(-0x0F);    // 0x71
    public static readonly HeapType Func = new(-0x10);    // 0x70
    public static readonly HeapType Extern = new(-0x11);  // 0x6F
    public static readonly HeapType Any = new(-0x12);     // 0x6E
    public static readonly HeapType Eq = new(-0x13);      // 0x6D
    public static readonly HeapType I31 = new(-0x14);     // 0x6C
    public static readonly HeapType Struct = new(-0x15);  // 0x6B
    public static readonly HeapType Array = new(-0x16);   // 0x6A
    public static readonly HeapType Exn = new(-0x17);     // 0x69

    public bool IsConcrete => Code >= 0;
    public bool IsAbstract => Code < 0;

    /// <summary>The type index of a concrete heap type.</summary>
    public uint TypeIndex
    {
        get
        {
            Debug.Assert(IsConcrete);
            return (uint)Code;
        }
    }

    public static HeapType Concrete(uint typeIndex) => new(checked((int)typeIndex));

    /// <summary>The single byte that encodes an abstract heap type (0x69..0x74).</summary>
    public byte AbstractByte => (byte)(Code & 0x7F);

    /// <summary>Returns the abstract heap type for a byte in 0x69..0x74, or null.</summary>
    public static HeapType? FromAbstractByte(byte b) => b is >= 0x69 and <= 0x74 ? new HeapType(b - 0x80) : null;

    /// <summary>Text-format keyword for an abstract heap type ("func", "extern", ...).</summary>
    public string? AbstractName => Code switch
    {
        -0x0C => "noexn",
        -0x0D => "nofunc",
        -0x0E => "noextern",
        -0x0F => "none",
        -0x10 => "func",
        -0x11 => "extern",
        -0x12 => "any",
        -0x13 => "eq",
        -0x14 => "i31",
        -0x15 => "struct",
        -0x16 => "array",
        -0x17 => "exn",
        _ => null,
    };

    public override string ToString() => AbstractName ?? Code.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A value type. <see cref="Code"/> is the binary type constructor: 0x7F i32, 0x7E i64, 0x7D f32,
/// 0x7C f64, 0x7B v128, 0x64 <c>(ref ht)</c>, 0x63 <c>(ref null ht)</c>. Reference shorthands such as
/// <c>funcref</c> (0x70) are always normalised to 0x63 with the matching heap type.
/// Packed storage types i8 (0x78) and i16 (0x77) also use this struct, inside struct and array fields only.
/// </summary>
public readonly record struct ValType(byte Code, HeapType Heap)
{
    public const byte I32Code = 0x7F, I64Code = 0x7E, F32Code = 0x7D, F64Code = 0x7C, V128Code = 0x7B;
    public const byte I8Code = 0x78, I16Code = 0x77;
    public const byte RefCode = 0x64, RefNullCode = 0x63;

    public static readonly ValType I32 = new(I32Code, default);
    public static readonly ValType I64 = new(I64Code, default);
    public static readonly ValType F32 = new(F32Code, default);
    public static readonly ValType F64 = new(F64Code, default);
    public static readonly ValType V128 = new(V128Code, default);
    public static readonly ValType I8 = new(I8Code, default);
    public static readonly ValType I16 = new(I16Code, default);
    public static readonly ValType FuncRef = Ref(HeapType.Func, nullable: true);
    public static readonly ValType ExternRef = Ref(HeapType.Extern, nullable: true);
    public static readonly ValType AnyRef = Ref(HeapType.Any, nullable: true);
    public static readonly ValType EqRefNullable = Ref(HeapType.Eq, nullable: true);
    public static readonly ValType ExnRef = Ref(HeapType.Exn, nullable: true);

    public static ValType Ref(HeapType heap, bool nullable) => new(nullable ? RefNullCode : RefCode, heap);

    public bool IsRef => Code is RefCode or RefNullCode;
    public bool IsNullable => Code == RefNullCode;
    public bool IsNum => Code is I32Code or I64Code or F32Code or F64Code;
    public bool IsVec => Code == V128Code;
    public bool IsPacked => Code is I8Code or I16Code;

    /// <summary>Same reference type with the given nullability.</summary>
    public ValType WithNullable(bool nullable) => IsRef ? Ref(Heap, nullable) : this;

    /// <summary>Width in bytes of the value when stored (packed types are 1 and 2).</summary>
    public int ByteWidth => Code switch
    {
        I32Code or F32Code => 4,
        I64Code or F64Code => 8,
        V128Code => 16,
        I8Code => 1,
        I16Code => 2,
        _ => 8,
    };

    public override string ToString() => Code switch
    {
        I32Code => "i32",
        I64Code => "i64",
        F32Code => "f32",
        F64Code => "f64",
        V128Code => "v128",
        I8Code => "i8",
        I16Code => "i16",
        RefNullCode => $"(ref null {Heap})",
        RefCode => $"(ref {Heap})",
        _ => $"<invalid type 0x{Code:X2}>",
    };
}

/// <summary>The type of a block, loop, if or try_table: empty, one result, or a type index.</summary>
public readonly record struct BlockType
{
    private BlockType(BlockTypeKind kind, ValType value, uint typeIndex)
    {
        Kind = kind;
        ValueType = value;
        TypeIndex = typeIndex;
    }

    public BlockTypeKind Kind { get; }
    /// <summary>The single result type when <see cref="Kind"/> is <see cref="BlockTypeKind.Value"/>.</summary>
    public ValType ValueType { get; }
    /// <summary>The function type index when <see cref="Kind"/> is <see cref="BlockTypeKind.TypeIndex"/>.</summary>
    public uint TypeIndex { get; }

    public static BlockType Empty => default;
    public static BlockType FromValue(ValType type) => new(BlockTypeKind.Value, type, 0);
    public static BlockType FromTypeIndex(uint index) => new(BlockTypeKind.TypeIndex, default, index);
}

public enum BlockTypeKind : byte
{
    Empty,
    Value,
    TypeIndex,
}
