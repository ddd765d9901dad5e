using WasmSharp.Model;

namespace WasmSharp.Binary;

/// <summary>
/// Dense tables from binary opcode to immediate shape, built once from <see cref="OpcodeTable"/>
/// so decoding an instruction costs an array index rather than a dictionary lookup.
/// </summary>
internal static class OpcodeLookup
{
    /// <summary>Marks a byte or sub-opcode that is not an instruction.</summary>
    public const byte Illegal = 0xFF;

    private static readonly byte[] s_single = new byte[256];
    private static readonly byte[] s_fb;
    private static readonly byte[] s_fc;
    private static readonly byte[] s_fd;
    private static readonly byte[] s_fe;

    static OpcodeLookup()
    {
        Array.Fill(s_single, Illegal);
        int maxFb = 0, maxFc = 0, maxFd = 0, maxFe = 0;
        foreach (var info in OpcodeTable.All)
        {
            var code = (int)info.Code;
            switch (info.Prefix)
            {
                case 0xFB: maxFb = Math.Max(maxFb, code); break;
                case 0xFC: maxFc = Math.Max(maxFc, code); break;
                case 0xFD: maxFd = Math.Max(maxFd, code); break;
                case 0xFE: maxFe = Math.Max(maxFe, code); break;
            }
        }
        s_fb = NewTable(maxFb + 1);
        s_fc = NewTable(maxFc + 1);
        s_fd = NewTable(maxFd + 1);
        s_fe = NewTable(maxFe + 1);
        foreach (var info in OpcodeTable.All)
        {
            var table = info.Prefix switch
            {
                0 => s_single,
                0xFB => s_fb,
                0xFC => s_fc,
                0xFD => s_fd,
                0xFE => s_fe,
                _ => null,
            };
            if (table is not null) table[info.Code] = (byte)info.Immediates;
        }
    }

    private static byte[] NewTable(int length)
    {
        var t = new byte[length];
        Array.Fill(t, Illegal);
        return t;
    }

    public static bool IsPrefix(byte b) => b >= 0xFB && b <= 0xFE;

    /// <summary>The immediate kind of a single-byte opcode, or <see cref="Illegal"/> (also for prefixes).</summary>
    public static byte Single(byte b) => s_single[b];

    /// <summary>The immediate kind of a prefixed opcode, or <see cref="Illegal"/>.</summary>
    public static byte Prefixed(byte prefix, uint sub)
    {
        var table = prefix switch
        {
            0xFB => s_fb,
            0xFC => s_fc,
            0xFD => s_fd,
            0xFE => s_fe,
            _ => null,
        };
        return table is not null && sub < (uint)table.Length ? table[sub] : Illegal;
    }

    public static string IllegalMessage(byte b) => $"illegal opcode {b:x2}";

    public static string IllegalMessage(byte prefix, uint sub) => $"illegal opcode {prefix:x2} {sub:x2}";
}
