using System.Security.Cryptography;

namespace WasmSharp.Wasi.Tests;

/// <summary>
/// A temporary directory per test: <see cref="Inside"/> is what the guest gets (preopened as "."), and
/// <see cref="Outside"/>, its sibling, holds things the guest must never reach. <see cref="AssertOutsideUnchanged"/>
/// compares everything outside the preopen (names, types, link targets, sizes, contents, modification times) with the
/// snapshot taken when the sandbox was made.
/// </summary>
internal sealed class Sandbox : IDisposable
{
    private readonly Dictionary<string, string> _snapshot;

    public Sandbox()
    {
        Root = Directory.CreateTempSubdirectory("wasmsharp-wasi-").FullName;
        Inside = Path.Combine(Root, "inside");
        Outside = Path.Combine(Root, "outside");
        Directory.CreateDirectory(Inside);
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Outside, "secret.txt"), "the secret");
        Directory.CreateDirectory(Path.Combine(Outside, "dir"));
        File.WriteAllText(Path.Combine(Outside, "dir", "nested.txt"), "nested secret");
        File.WriteAllText(Path.Combine(Root, "beside.txt"), "beside the preopen");
        _snapshot = Snapshot();
    }

    public string Root { get; }

    public string Inside { get; }

    public string Outside { get; }

    public WasiConfig Config(bool readOnly = false) => new WasiConfig().PreopenDirectory(Inside, ".", readOnly);

    public TestGuest Guest(bool readOnly = false) => new(Config(readOnly));

    public string In(string relative) => Path.Combine(Inside, relative);

    public void AssertOutsideUnchanged()
    {
        var now = Snapshot();
        Assert.Equal(_snapshot.Keys.Order(), now.Keys.Order());
        foreach (var (path, state) in _snapshot) Assert.True(state == now[path], $"{path} changed: {state} -> {now[path]}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Dictionary<string, string> Snapshot()
    {
        var result = new Dictionary<string, string>();
        Walk(new DirectoryInfo(Root));
        return result;

        void Walk(DirectoryInfo dir)
        {
            foreach (var info in dir.EnumerateFileSystemInfos())
            {
                if (info.FullName == Inside) continue;
                var key = Path.GetRelativePath(Root, info.FullName);
                if (info.LinkTarget is { } target) result[key] = "link " + target;
                else if (info is DirectoryInfo d)
                {
                    result[key] = $"dir {d.LastWriteTimeUtc.Ticks}";
                    Walk(d);
                }
                else
                {
                    var f = (FileInfo)info;
                    result[key] = $"file {f.Length} {f.LastWriteTimeUtc.Ticks} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f.FullName)))}";
                }
            }
        }
    }
}
