using WasmSharp.Binary;

namespace WasmSharp.Tests.Binary;

/// <summary>
/// Runs every <c>(module binary ...)</c> of the spec suite through the decoder: modules must decode,
/// assert_malformed modules must fail with a message containing the expected text.
/// </summary>
public class SpecBinaryTests
{
    // The custom-descriptors proposal adds type and instruction encodings the decoder does not implement.
    private static bool IsSupported(string relative) => !relative.Contains("custom-descriptors", StringComparison.Ordinal);

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(BinaryTestPaths.Spec, "*.wast", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(BinaryTestPaths.Spec, f).Replace('\\', '/');
            if (IsSupported(relative) && File.ReadAllText(f).Contains("binary", StringComparison.Ordinal)) data.Add(relative);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void BinaryModules(string file)
    {
        var options = file.Contains("custom-page-sizes", StringComparison.Ordinal)
            ? DecodeOptions.Default with { CustomPageSizes = true }
            : DecodeOptions.Default;
        var failures = new List<string>();
        foreach (var c in WastBinaryCases.Extract(Path.Combine(BinaryTestPaths.Spec, file)))
        {
            string? error = null;
            try
            {
                ModuleDecoder.Decode(c.Bytes, options);
            }
            catch (MalformedException e)
            {
                error = e.Reason;
            }
            var ok = c.Expectation == BinaryExpectation.Decodes ? error is null : error is not null && error.Contains(c.Message!, StringComparison.Ordinal);
            if (!ok) failures.Add($"{c}: expected {c.Message ?? "success"}, got {error ?? "success"}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void SuiteHasManyBinaryCases()
    {
        // Guards the extractor: if it silently found nothing, BinaryModules would pass vacuously.
        var count = 0;
        foreach (var f in new[] { "binary.wast", "binary-leb128.wast" })
            count += WastBinaryCases.Extract(Path.Combine(BinaryTestPaths.Spec, f)).Count();
        Assert.True(count > 200, $"only {count} binary cases found");
    }
}
