using System.Diagnostics;
using WasmSharp.Binary;
using WasmSharp.Model;

namespace WasmSharp.Tests.Binary;

/// <summary>
/// Mutates valid modules (bit flips, truncation, inflated LEBs, huge counts, spliced bytes) and checks
/// that decoding either succeeds or throws one of WasmSharp's own exceptions, quickly.
/// </summary>
public class RobustnessTests
{
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(6);

    private static IEnumerable<byte[]> Seeds()
    {
        yield return ModuleEncoder.Encode(RoundTripTests.Everything());
        foreach (var f in BinaryTestPaths.CorpusFiles)
        {
            var bytes = File.ReadAllBytes(f);
            if (bytes.Length <= 40_000) yield return bytes;
        }
    }

    private static byte[] Mutate(byte[] input, Random rng)
    {
        var data = new List<byte>(input);
        var edits = 1 + rng.Next(4);
        for (var e = 0; e < edits; e++)
        {
            var pos = data.Count == 0 ? 0 : rng.Next(data.Count);
            switch (rng.Next(8))
            {
                case 0: // bit flip
                    if (data.Count > 0) data[pos] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1: // random byte
                    if (data.Count > 0) data[pos] = (byte)rng.Next(256);
                    break;
                case 2: // truncate
                    data.RemoveRange(pos, data.Count - pos);
                    break;
                case 3: // inflate a LEB: set the continuation bit and add a zero byte
                    if (data.Count > 0)
                    {
                        data[pos] |= 0x80;
                        data.Insert(pos + 1, 0x00);
                    }
                    break;
                case 4: // a huge count or length
                    data.InsertRange(pos, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
                    break;
                case 5: // delete a few bytes
                    data.RemoveRange(pos, Math.Min(data.Count - pos, 1 + rng.Next(8)));
                    break;
                case 6: // duplicate a span
                {
                    var len = Math.Min(data.Count - pos, 1 + rng.Next(32));
                    data.InsertRange(rng.Next(data.Count + 1), data.GetRange(pos, len));
                    break;
                }
                default: // interesting bytes
                    byte[] interesting = [0x00, 0x0B, 0x05, 0x40, 0x7F, 0x80, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF, 0x4E, 0x50, 0x63];
                    data.Insert(pos, interesting[rng.Next(interesting.Length)]);
                    break;
            }
        }
        return [.. data];
    }

    [Fact]
    public void MutatedModulesOnlyThrowWasmExceptions()
    {
        var rng = new Random(20240601);
        var seeds = Seeds().ToList();
        var watch = Stopwatch.StartNew();
        var runs = 0;
        var decoded = 0;
        var slowest = TimeSpan.Zero;
        while (watch.Elapsed < s_budget && runs < 200_000)
        {
            var input = Mutate(seeds[runs % seeds.Count], rng);
            runs++;
            var one = Stopwatch.StartNew();
            Module m;
            try
            {
                m = ModuleDecoder.Decode(input);
            }
            catch (WasmException)
            {
                continue;
            }
            catch (Exception e)
            {
                Assert.Fail($"run {runs}: {e.GetType().Name}: {e.Message}\ninput: {Convert.ToHexString(input)}\n{e.StackTrace}");
                return;
            }
            finally
            {
                if (one.Elapsed > slowest) slowest = one.Elapsed;
            }
            decoded++;
            // Whatever decodes must encode, and every expression the decoder accepted must read instruction by instruction.
            ModuleEncoder.Encode(m);
            foreach (var body in m.Codes) ReadAll(body.Code.Span, body.Offset);
            foreach (var g in m.Globals) ReadAll(g.Init.Code.Span, g.Init.Offset);
        }
        Assert.True(runs > 100, $"only {runs} runs");
        Assert.True(slowest < TimeSpan.FromSeconds(1), $"slowest input took {slowest}");
    }

    private static void ReadAll(ReadOnlySpan<byte> code, int offset)
    {
        var reader = new InstructionReader(code, offset);
        Instruction last = default;
        while (reader.TryRead(out var ins)) last = ins;
        Assert.Equal(Opcode.End, last.Opcode);
    }

    [Fact]
    public void RandomBytesThroughTheInstructionReader()
    {
        var rng = new Random(7);
        var buffer = new byte[64];
        for (var i = 0; i < 50_000; i++)
        {
            rng.NextBytes(buffer);
            var length = rng.Next(buffer.Length);
            try
            {
                var reader = new InstructionReader(buffer.AsSpan(0, length), 0);
                while (reader.TryRead(out _)) { }
            }
            catch (MalformedException)
            {
            }
        }
    }

    [Fact]
    public void EveryTruncationOfAModuleIsMalformed()
    {
        var bytes = ModuleEncoder.Encode(RoundTripTests.Everything());
        for (var n = 0; n < bytes.Length; n++)
        {
            var prefix = bytes.AsSpan(0, n).ToArray();
            try
            {
                ModuleDecoder.Decode(prefix);
            }
            catch (MalformedException)
            {
            }
        }
        // A prefix that ends on a section boundary is a valid module; the others must be malformed.
        Assert.Throws<MalformedException>(() => ModuleDecoder.Decode(bytes.AsSpan(0, bytes.Length - 1)));
    }

    [Fact]
    public void HugeDeclaredCountsFailFast()
    {
        // A tiny input claiming 2^32-1 types, imports, functions, locals or data bytes.
        byte[][] inputs =
        [
            [.. ModuleBuilder.Header, 0x01, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
            [.. ModuleBuilder.Header, 0x02, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00],
            [.. ModuleBuilder.Header, 0x03, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
            [.. ModuleBuilder.Header, 0x0A, 0x09, 0x01, 0x07, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x0B],
            [.. ModuleBuilder.Header, 0x0B, 0x08, 0x01, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
            [.. ModuleBuilder.Header, 0x00, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
        ];
        foreach (var input in inputs)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Assert.Throws<MalformedException>(() => ModuleDecoder.Decode(input));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100_000);
        }
    }
}
