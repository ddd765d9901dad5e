using System.Text;

namespace WasmSharp.Wasi.Tests;

public sealed class ArgsEnvironmentTests
{
    [Fact]
    public void ArgsAreLaidOutAsPointersAndNulTerminatedStrings()
    {
        string[] args = ["prog.wasm", "a b", "the \"second\" arg", "ünïcode", ""];
        using var g = new TestGuest(new WasiConfig().WithArgs(args));
        var count = g.Alloc(4);
        var size = g.Alloc(4);
        Assert.Equal(WasiErrno.Success, g.Wasi.ArgsSizesGet(g.Memory, count, size));
        Assert.Equal((uint)args.Length, g.U32(count));
        var expectedSize = args.Sum(a => Encoding.UTF8.GetByteCount(a) + 1);
        Assert.Equal((uint)expectedSize, g.U32(size));

        var argv = g.Alloc(4 * args.Length);
        var buf = g.Alloc(expectedSize, 1);
        Assert.Equal(WasiErrno.Success, g.Wasi.ArgsGet(g.Memory, argv, buf));
        var at = (uint)buf;
        for (var i = 0; i < args.Length; i++)
        {
            // Each pointer is the start of its string, the strings packed one after another.
            Assert.Equal(at, g.U32(argv + 4 * i));
            var bytes = Encoding.UTF8.GetBytes(args[i]);
            Assert.Equal(bytes, g.Memory.AsSpan((int)at, bytes.Length).ToArray());
            Assert.Equal(0, g.Memory[(int)at + bytes.Length]);
            at += (uint)bytes.Length + 1;
        }
        // Nothing is written past the buffer the sizes asked for.
        Assert.Equal(0, g.Memory[buf + expectedSize]);
    }

    [Fact]
    public void NoArgsAndNoEnvironmentByDefault()
    {
        using var g = new TestGuest(new WasiConfig());
        var count = g.Alloc(4);
        var size = g.Alloc(4);
        g.SetU32(count, 99);
        Assert.Equal(WasiErrno.Success, g.Wasi.ArgsSizesGet(g.Memory, count, size));
        Assert.Equal((0u, 0u), (g.U32(count), g.U32(size)));
        Assert.Equal(WasiErrno.Success, g.Wasi.EnvironSizesGet(g.Memory, count, size));
        Assert.Equal((0u, 0u), (g.U32(count), g.U32(size)));
    }

    [Fact]
    public void EnvironmentIsNameEqualsValue()
    {
        var config = new WasiConfig().WithEnvironment("A", "text").WithEnvironment("B", "x=y").WithEnvironment("C", "new\nline").WithEnvironment("A", "replaced");
        using var g = new TestGuest(config);
        var count = g.Alloc(4);
        var size = g.Alloc(4);
        Assert.Equal(WasiErrno.Success, g.Wasi.EnvironSizesGet(g.Memory, count, size));
        Assert.Equal(3u, g.U32(count));
        var environ = g.Alloc(12);
        var buf = g.Alloc((int)g.U32(size), 1);
        Assert.Equal(WasiErrno.Success, g.Wasi.EnvironGet(g.Memory, environ, buf));
        var strings = Enumerable.Range(0, 3).Select(i => ReadCString(g, (int)g.U32(environ + 4 * i))).ToArray();
        Assert.Equal(["A=replaced", "B=x=y", "C=new\nline"], strings);
    }

    [Fact]
    public void InheritedEnvironmentIsOverriddenByExplicitVariables()
    {
        var name = "WASMSHARP_WASI_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, "from host");
        try
        {
            using (var g = new TestGuest(new WasiConfig().InheritEnvironment()))
                Assert.Contains($"{name}=from host", ReadEnvironment(g));
            using (var g = new TestGuest(new WasiConfig().InheritEnvironment().WithEnvironment(name, "explicit")))
            {
                var env = ReadEnvironment(g);
                Assert.Contains($"{name}=explicit", env);
                Assert.DoesNotContain($"{name}=from host", env);
            }
            using (var g = new TestGuest(new WasiConfig()))
                Assert.Empty(ReadEnvironment(g));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void PointersOutsideMemoryFaultWithoutWriting()
    {
        using var g = new TestGuest(new WasiConfig().WithArgs("prog", "arg"), memorySize: 4096);
        var snapshot = g.Memory.ToArray();
        Assert.Equal(WasiErrno.Fault, g.Wasi.ArgsGet(g.Memory, 4094, 100));
        Assert.Equal(WasiErrno.Fault, g.Wasi.ArgsGet(g.Memory, 100, 4090));
        Assert.Equal(WasiErrno.Fault, g.Wasi.ArgsGet(g.Memory, -4, 100));
        Assert.Equal(WasiErrno.Fault, g.Wasi.ArgsSizesGet(g.Memory, 100, 4093));
        Assert.Equal(WasiErrno.Fault, g.Wasi.EnvironSizesGet(g.Memory, int.MaxValue, 0));
        Assert.Equal(snapshot, g.Memory);
    }

    private static string ReadCString(TestGuest g, int ptr)
    {
        var end = Array.IndexOf(g.Memory, (byte)0, ptr);
        return Encoding.UTF8.GetString(g.Memory, ptr, end - ptr);
    }

    private static List<string> ReadEnvironment(TestGuest g)
    {
        var count = g.Alloc(4);
        var size = g.Alloc(4);
        Assert.Equal(WasiErrno.Success, g.Wasi.EnvironSizesGet(g.Memory, count, size));
        var n = (int)g.U32(count);
        var environ = g.Alloc(4 * Math.Max(n, 1));
        var buf = g.Alloc(Math.Max((int)g.U32(size), 1), 1);
        Assert.Equal(WasiErrno.Success, g.Wasi.EnvironGet(g.Memory, environ, buf));
        return [.. Enumerable.Range(0, n).Select(i => ReadCString(g, (int)g.U32(environ + 4 * i)))];
    }
}
