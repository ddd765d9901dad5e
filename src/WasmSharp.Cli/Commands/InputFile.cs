using System.Text;
using WasmSharp.Binary;
using WasmSharp.Model;
using WasmSharp.Text;
using WasmSharp.Validation;

namespace WasmSharp.Cli.Commands;

/// <summary>A file named on the command line (or standard input for <c>-</c>), read whole.</summary>
internal sealed class InputFile
{
    private static readonly DecodeOptions s_textEncoding = DecodeOptions.Default with { CustomPageSizes = true };
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
        if (Directory.Exists(path)) throw new CliRejection($"{path}: is a directory");
        try
        {
            return new InputFile(path, File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliRejection.ForFile(path, e);
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
    public Module ReadModule(DecodeOptions options) => IsBinary ? ModuleDecoder.Decode(Bytes, options) : WatParser.ParseModule(Text);

    /// <summary>
    /// Validates a module read from this file. Code parsed from text has no byte offsets of its own, so
    /// an error in a text module is located again in the module's binary encoding: the offset that
    /// <c>wat2wasm</c> output and <c>inspect</c> show.
    /// </summary>
    public void Validate(Module module)
    {
        try
        {
            ModuleValidator.Validate(module);
        }
        catch (InvalidException e) when (!IsBinary)
        {
            var reason = e.Reason.ReplaceLineEndings(" ");
            throw LocateInEncoding(module) is { } offset
                ? new CliRejection($"{DisplayName}: offset 0x{offset:x} of its binary encoding: {reason}", e)
                : new CliRejection($"{DisplayName}: {reason}", e);
        }
    }

    private static int? LocateInEncoding(Module module)
    {
        try
        {
            // The parser accepts (pagesize n) as written, so its encoding is decoded with the proposal on.
            ModuleValidator.Validate(ModuleDecoder.Decode(ModuleEncoder.Encode(module), s_textEncoding));
            return null;
        }
        catch (WasmException e)
        {
            return e is InvalidException && e.Location.Offset >= 0 && !e.Location.IsText ? e.Location.Offset : null;
        }
    }
}

/// <summary>The input was rejected for a reason already phrased for the user (an unreadable file, an error located by the CLI).</summary>
internal sealed class CliRejection(string message, Exception? inner = null) : Exception(message, inner)
{
    public static CliRejection ForFile(string path, Exception e) => new(e switch
    {
        FileNotFoundException or DirectoryNotFoundException => $"{path}: no such file or directory",
        UnauthorizedAccessException => $"{path}: permission denied",
        _ => $"{path}: {e.Message.ReplaceLineEndings(" ")}",
    }, e);
}

/// <summary>The command line asked for something impossible in a way the parser cannot see (e.g. a wrong number of arguments for --invoke).</summary>
internal sealed class CliUsageError(string message) : Exception(message);
