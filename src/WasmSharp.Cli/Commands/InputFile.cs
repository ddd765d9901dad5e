using System.Text;
using WasmSharp.Binary;
using WasmSharp.Model;
using WasmSharp.Text;

namespace WasmSharp.Cli.Commands;

/// <summary>A file named on the command line (or standard input for <c>-</c>), read whole.</summary>
internal sealed class InputFile
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private InputFile(string displayName, byte[] bytes)
    {
        DisplayName = displayName;
        Bytes = bytes;
    }

    /// <summary>The name as given on the command line; "&lt;stdin&gt;" for <c>-</c>.</summary>
    public string DisplayName { get; }
    public byte[] Bytes { get; }

    /// <summary>True when the file starts with the Wasm magic number; otherwise it is treated as text.</summary>
    public bool IsBinary => Bytes.AsSpan().StartsWith("\0asm"u8);

    public static InputFile Read(string path, CliConsole console)
    {
        if (path == "-")
        {
            using var buffer = new MemoryStream();
            console.StandardInput.CopyTo(buffer);
            return new InputFile("<stdin>", buffer.ToArray());
        }
        try
        {
            return new InputFile(path, File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException(path, e);
        }
    }

    /// <summary>The file as text; WAT is UTF-8, so any other encoding is malformed.</summary>
    public string Text
    {
        get
        {
            try
            {
                var bytes = Bytes.AsSpan();
                if (bytes.StartsWith("\xEF\xBB\xBF"u8)) bytes = bytes[3..];
                return s_strictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException e)
            {
                throw new MalformedException("malformed UTF-8 encoding", SourceLocation.AtOffset(e.Index));
            }
        }
    }

    /// <summary>Decodes a binary module or parses a text one, whichever the file holds; does not validate.</summary>
    public Module ReadModule() => IsBinary ? ModuleDecoder.Decode(Bytes) : WatParser.ParseModule(Text);
}

/// <summary>A file could not be read or written; carries the name the user gave.</summary>
internal sealed class CliInputException(string path, Exception inner) : Exception(Describe(path, inner), inner)
{
    public string Path { get; } = path;

    private static string Describe(string path, Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => $"{path}: no such file or directory",
        UnauthorizedAccessException => $"{path}: permission denied",
        _ => $"{path}: {e.Message}",
    };
}
