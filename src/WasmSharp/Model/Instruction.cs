namespace WasmSharp.Model;

/// <summary>The shape of an instruction's immediates; drives decoding, encoding, parsing and printing.</summary>
public enum ImmediateKind : byte
{
    /// <summary>No immediates.</summary>
    None,
    /// <summary><see cref="Instruction.BlockType"/>.</summary>
    BlockType,
    /// <summary>try_table: <see cref="Instruction.BlockType"/> and <see cref="Instruction.Catches"/>.</summary>
    TryTable,
    /// <summary>A label depth in <see cref="Instruction.Index"/>.</summary>
    Label,
    /// <summary><see cref="Instruction.Labels"/>: the targets followed by the default target.</summary>
    BrTable,
    /// <summary>Function index in <see cref="Instruction.Index"/>.</summary>
    Func,
    /// <summary>Type index in <see cref="Instruction.Index"/>, table index in <see cref="Instruction.Index2"/>.</summary>
    CallIndirect,
    /// <summary>Type index in <see cref="Instruction.Index"/>.</summary>
    Type,
    /// <summary>Tag index in <see cref="Instruction.Index"/>.</summary>
    Tag,
    Local,
    Global,
    Table,
    /// <summary>Memory index in <see cref="Instruction.Index"/> (memory.size, memory.grow, memory.fill).</summary>
    Memory,
    /// <summary><see cref="Instruction.MemArg"/>.</summary>
    MemArg,
    /// <summary><see cref="Instruction.MemArg"/> and <see cref="Instruction.Lane"/>.</summary>
    MemArgLane,
    /// <summary><see cref="Instruction.Lane"/>.</summary>
    Lane,
    /// <summary>Value in <see cref="Instruction.Value"/> (sign-extended to 64 bits).</summary>
    I32,
    I64,
    /// <summary>Bit pattern in the low 32 bits of <see cref="Instruction.Value"/>.</summary>
    F32,
    /// <summary>Bit pattern in <see cref="Instruction.Value"/>.</summary>
    F64,
    /// <summary>Low 8 bytes in <see cref="Instruction.Value"/>, high 8 bytes in <see cref="Instruction.ValueHigh"/> (little-endian).</summary>
    V128,
    /// <summary>16 lane indices, laid out as for <see cref="V128"/>.</summary>
    Shuffle,
    /// <summary>select with explicit types: <see cref="Instruction.Types"/>.</summary>
    SelectT,
    /// <summary>A heap type in <see cref="Instruction.Type"/> (its nullability is implied by the opcode).</summary>
    HeapType,
    /// <summary>memory.init: data index in <see cref="Instruction.Index"/>, memory in <see cref="Instruction.Index2"/>.</summary>
    MemoryInit,
    /// <summary>Data segment index in <see cref="Instruction.Index"/>.</summary>
    Data,
    /// <summary>memory.copy: destination memory in <see cref="Instruction.Index"/>, source in <see cref="Instruction.Index2"/>.</summary>
    MemoryCopy,
    /// <summary>table.init: element index in <see cref="Instruction.Index"/>, table in <see cref="Instruction.Index2"/>.</summary>
    TableInit,
    /// <summary>Element segment index in <see cref="Instruction.Index"/>.</summary>
    Elem,
    /// <summary>table.copy: destination table in <see cref="Instruction.Index"/>, source in <see cref="Instruction.Index2"/>.</summary>
    TableCopy,
    /// <summary>atomic.fence: a reserved zero byte.</summary>
    AtomicFence,
    /// <summary>Type index in <see cref="Instruction.Index"/>, field index in <see cref="Instruction.Index2"/>.</summary>
    TypeField,
    /// <summary>array.copy: destination type in <see cref="Instruction.Index"/>, source type in <see cref="Instruction.Index2"/>.</summary>
    TypeType,
    /// <summary>Type index in <see cref="Instruction.Index"/>, data index in <see cref="Instruction.Index2"/>.</summary>
    TypeData,
    /// <summary>Type index in <see cref="Instruction.Index"/>, element index in <see cref="Instruction.Index2"/>.</summary>
    TypeElem,
    /// <summary>array.new_fixed: type index in <see cref="Instruction.Index"/>, count in <see cref="Instruction.Index2"/>.</summary>
    TypeCount,
    /// <summary>br_on_cast(_fail): label in <see cref="Instruction.Index"/>, source type in <see cref="Instruction.Type"/>, target in <see cref="Instruction.Type2"/>.</summary>
    BrOnCast,
}

/// <summary>A memory operand: alignment exponent, memory index and static offset.</summary>
/// <param name="AlignLog2">The alignment exponent (bit 6 of the binary flags, which flags a memory index, is removed).</param>
public readonly record struct MemArg(uint AlignLog2, uint MemoryIndex, ulong Offset);

public enum CatchKind : byte
{
    Catch = 0,
    CatchRef = 1,
    CatchAll = 2,
    CatchAllRef = 3,
}

/// <summary>A catch clause of try_table.</summary>
public readonly record struct Catch(CatchKind Kind, uint Tag, uint Label);

/// <summary>
/// One decoded instruction. A plain mutable struct so that the reader can fill one in place
/// without allocating; which fields are meaningful depends on <see cref="OpcodeInfo.Immediates"/>.
/// </summary>
public struct Instruction
{
    public Opcode Opcode;
    /// <summary>Byte offset of the opcode in the module binary (or in the body when decoded standalone).</summary>
    public int Offset;
    public BlockType BlockType;
    public uint Index;
    public uint Index2;
    public MemArg MemArg;
    public byte Lane;
    public ulong Value;
    public ulong ValueHigh;
    public ValType Type;
    public ValType Type2;
    public uint[]? Labels;
    public ValType[]? Types;
    public Catch[]? Catches;

    public readonly OpcodeInfo Info => OpcodeTable.Get(Opcode);
    public readonly int I32 => (int)Value;
    public readonly long I64 => (long)Value;
    public readonly uint F32Bits => (uint)Value;
    public readonly ulong F64Bits => Value;

    public override readonly string ToString() => Info.Name;
}

/// <summary>
/// Static facts about an opcode. <see cref="Params"/> and <see cref="Results"/> are set only for
/// plain value instructions whose typing needs nothing but them; they are null otherwise.
/// <see cref="MemoryBytes"/> is the natural access width of memory instructions (the alignment bound).
/// </summary>
public sealed record OpcodeInfo(Opcode Opcode, string Name, ImmediateKind Immediates, int MemoryBytes, ValType[]? Params, ValType[]? Results)
{
    public byte Prefix => (byte)((int)Opcode >> 16);
    public uint Code => (uint)Opcode & 0xFFFF;
}

public static partial class OpcodeTable
{
    private static readonly OpcodeInfo[] s_all = CreateAll();
    private static readonly Dictionary<Opcode, OpcodeInfo> s_byOpcode = BuildByOpcode();
    private static readonly Dictionary<string, OpcodeInfo[]> s_byName = BuildByName();

    public static IReadOnlyList<OpcodeInfo> All => s_all;

    public static OpcodeInfo Get(Opcode opcode) => s_byOpcode[opcode];

    public static bool TryGet(Opcode opcode, out OpcodeInfo info) => s_byOpcode.TryGetValue(opcode, out info!);

    /// <summary>Opcodes with the given text name (select, ref.test and ref.cast have two each).</summary>
    public static bool TryGetByName(string name, out OpcodeInfo[] infos) => s_byName.TryGetValue(name, out infos!);

    private static Dictionary<Opcode, OpcodeInfo> BuildByOpcode()
    {
        var d = new Dictionary<Opcode, OpcodeInfo>(s_all.Length);
        foreach (var info in s_all) d.Add(info.Opcode, info);
        return d;
    }

    private static Dictionary<string, OpcodeInfo[]> BuildByName()
    {
        var d = new Dictionary<string, OpcodeInfo[]>(StringComparer.Ordinal);
        foreach (var info in s_all)
            d[info.Name] = d.TryGetValue(info.Name, out var existing) ? [.. existing, info] : [info];
        return d;
    }
}
