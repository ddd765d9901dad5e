using WasmSharp.Model;

namespace WasmSharp.Binary;

/// <summary>Options for <see cref="ModuleDecoder"/>: which post-3.0 binary extensions are accepted.</summary>
public sealed record DecodeOptions
{
    public static DecodeOptions Default { get; } = new();

    /// <summary>
    /// Accept the custom-page-sizes proposal's memory limits flag 0x08. Off by default because
    /// Wasm 3.0 (and its test suite) treats that flag as malformed.
    /// </summary>
    public bool CustomPageSizes { get; init; }

    /// <summary>Accept the threads proposal's shared memory flag 0x02.</summary>
    public bool Threads { get; init; } = true;

    /// <summary>Parse the "name" custom section into <see cref="Module.Names"/>.</summary>
    public bool ParseNames { get; init; } = true;
}

/// <summary>
/// Decodes the WebAssembly binary format (Wasm 3.0, plus legacy exceptions, threads and
/// optionally custom page sizes) into a <see cref="Module"/>. Every error is a
/// <see cref="MalformedException"/> carrying the spec test suite's wording and the byte offset.
/// Function bodies and constant expressions are checked instruction by instruction but kept as bytes.
/// </summary>
public static class ModuleDecoder
{
    public const uint Magic = 0x6D736100;
    public const uint Version = 1;

    public static Module Decode(ReadOnlySpan<byte> bytes) => Decode(new ReadOnlyMemory<byte>(bytes.ToArray()), DecodeOptions.Default);

    public static Module Decode(ReadOnlySpan<byte> bytes, DecodeOptions options) => Decode(new ReadOnlyMemory<byte>(bytes.ToArray()), options);

    /// <summary>Decodes without copying: the module's code and data slices refer to <paramref name="bytes"/>.</summary>
    public static Module Decode(byte[] bytes) => Decode(new ReadOnlyMemory<byte>(bytes), DecodeOptions.Default);

    /// <summary>Decodes without copying: the module's code and data slices refer to <paramref name="bytes"/>.</summary>
    public static Module Decode(ReadOnlyMemory<byte> bytes, DecodeOptions? options = null) =>
        new Decoder(bytes, options ?? DecodeOptions.Default).Run();

    /// <summary>The position of a section in the required order (custom sections excepted).</summary>
    internal static int OrderOf(SectionId id) => id switch
    {
        SectionId.Type => 1,
        SectionId.Import => 2,
        SectionId.Function => 3,
        SectionId.Table => 4,
        SectionId.Memory => 5,
        SectionId.Tag => 6,
        SectionId.Global => 7,
        SectionId.Export => 8,
        SectionId.Start => 9,
        SectionId.Element => 10,
        SectionId.DataCount => 11,
        SectionId.Code => 12,
        SectionId.Data => 13,
        _ => 0,
    };

    private sealed class Decoder(ReadOnlyMemory<byte> input, DecodeOptions options)
    {
        private readonly ReadOnlyMemory<byte> _input = input;
        private readonly DecodeOptions _options = options;
        private readonly Module _module = new();
        private bool _usesDataIndex;
        private int _declaredFunctions;

        public Module Run()
        {
            var r = new WasmReader(_input.Span);
            if (r.ReadFixedU32() != Magic) WasmReader.Fail("magic header not detected", 0);
            if (r.ReadFixedU32() != Version) WasmReader.Fail("unknown binary version", 4);

            var lastOrder = 0;
            var lastId = SectionId.Custom;
            while (!r.IsAtEnd)
            {
                var idPos = r.Offset;
                var idByte = r.ReadByte();
                if (idByte > (byte)SectionId.Tag) WasmReader.Fail("malformed section id", idPos);
                var id = (SectionId)idByte;
                if (id != SectionId.Custom)
                {
                    var order = OrderOf(id);
                    if (order <= lastOrder) WasmReader.Fail("unexpected content after last section", idPos);
                    lastOrder = order;
                }
                var size = r.ReadLength();
                var start = r.Position;
                switch (id)
                {
                    case SectionId.Custom: ReadCustomSection(ref r, size, lastId); break;
                    case SectionId.Type: ReadTypeSection(ref r); break;
                    case SectionId.Import: ReadImportSection(ref r); break;
                    case SectionId.Function: ReadFunctionSection(ref r); break;
                    case SectionId.Table: ReadTableSection(ref r); break;
                    case SectionId.Memory: ReadMemorySection(ref r); break;
                    case SectionId.Tag: ReadTagSection(ref r); break;
                    case SectionId.Global: ReadGlobalSection(ref r); break;
                    case SectionId.Export: ReadExportSection(ref r); break;
                    case SectionId.Start: _module.Start = r.ReadU32(); break;
                    case SectionId.Element: ReadElementSection(ref r); break;
                    case SectionId.DataCount: _module.DataCount = r.ReadU32(); break;
                    case SectionId.Code: ReadCodeSection(ref r); break;
                    case SectionId.Data: ReadDataSection(ref r); break;
                }
                if (r.Position != start + size) WasmReader.Fail("section size mismatch", start);
                if (id is not (SectionId.Custom or SectionId.Start or SectionId.DataCount) && IsEmptyVector(r.Data.Slice(start, size)))
                    _module.EmptySections.Add(id);
                if (id != SectionId.Custom) lastId = id;
            }

            var end = r.Offset;
            if (_declaredFunctions != _module.Codes.Count)
                WasmReader.Fail("function and code section have inconsistent lengths", end);
            if (_module.DataCount is { } dc && dc != (uint)_module.Data.Count)
                WasmReader.Fail("data count and data section have inconsistent lengths", end);
            if (_module.DataCount is null && _usesDataIndex)
                WasmReader.Fail("data count section required", end);
            return _module;
        }

        /// <summary>Whether an already decoded vector section has no entries (its count is 0).</summary>
        private static bool IsEmptyVector(ReadOnlySpan<byte> section)
        {
            var probe = new WasmReader(section);
            return probe.ReadU32() == 0;
        }

        // ---- custom sections ----

        private void ReadCustomSection(ref WasmReader r, int size, SectionId after)
        {
            var start = r.Position;
            var name = r.ReadName();
            // As in the reference decoder, a name running past the section makes the content length negative.
            var contentLength = size - (r.Position - start);
            var contentPos = r.Position;
            r.Skip(contentLength);
            var content = _input.Slice(contentPos, contentLength);
            _module.CustomSections.Add(new CustomSection(name, content, after));
            if (name == "name" && _options.ParseNames)
                _module.Names = NameSectionDecoder.TryDecode(content.Span, contentPos);
        }

        // ---- types ----

        private void ReadTypeSection(ref WasmReader r)
        {
            var n = r.ReadLength();
            _module.RecGroups.Capacity = n;
            for (var i = 0; i < n; i++)
            {
                if (r.PeekByte() == 0x4E)
                {
                    r.ReadByte();
                    var m = r.ReadLength();
                    var types = new SubType[m];
                    for (var j = 0; j < m; j++) types[j] = ReadSubType(ref r);
                    _module.RecGroups.Add(new RecGroup(types, IsExplicit: true));
                }
                else
                {
                    _module.RecGroups.Add(new RecGroup([ReadSubType(ref r)]));
                }
            }
        }

        private static SubType ReadSubType(ref WasmReader r)
        {
            var b = r.PeekByte();
            if (b is 0x50 or 0x4F)
            {
                r.ReadByte();
                var n = r.ReadLength();
                var supers = n == 0 ? [] : new uint[n];
                for (var i = 0; i < n; i++) supers[i] = ReadTypeUse(ref r);
                return new SubType(ReadCompositeType(ref r), Final: b == 0x4F, supers, HasExplicitSub: true);
            }
            return SubType.Plain(ReadCompositeType(ref r));
        }

        /// <summary>A type index that must fit in a signed 32-bit integer, as in the reference decoder.</summary>
        private static uint ReadTypeUse(ref WasmReader r)
        {
            var p = r.Offset;
            var x = r.ReadU32();
            if (x > int.MaxValue) WasmReader.Fail("malformed type index", p);
            return x;
        }

        private static CompositeType ReadCompositeType(ref WasmReader r)
        {
            var p = r.Offset;
            var b = r.ReadByte();
            switch (b)
            {
                case 0x60:
                    return new FuncType(ReadResultType(ref r), ReadResultType(ref r));
                case 0x5F:
                {
                    var n = r.ReadLength();
                    var fields = n == 0 ? [] : new FieldType[n];
                    for (var i = 0; i < n; i++) fields[i] = ReadFieldType(ref r);
                    return new StructType(fields);
                }
                case 0x5E:
                    return new ArrayType(ReadFieldType(ref r));
            }
            if ((b & 0x80) != 0) WasmReader.Fail(WasmReader.TooLong, p + 1);
            WasmReader.Fail("malformed definition type", p);
            return null!;
        }

        private static ValType[] ReadResultType(ref WasmReader r)
        {
            var n = r.ReadLength();
            if (n == 0) return [];
            var types = new ValType[n];
            for (var i = 0; i < n; i++) types[i] = r.ReadValType();
            return types;
        }

        private static FieldType ReadFieldType(ref WasmReader r)
        {
            var t = r.ReadStorageType();
            return new FieldType(t, ReadMutability(ref r));
        }

        private static bool ReadMutability(ref WasmReader r)
        {
            var p = r.Offset;
            var b = r.ReadByte();
            if (b > 1) WasmReader.Fail("malformed mutability", p);
            return b == 1;
        }

        private Limits ReadLimits(ref WasmReader r, bool isMemory, out int pageSizeLog2)
        {
            var p = r.Offset;
            var flags = r.ReadByte();
            var allowed = 0x05;
            if (isMemory)
            {
                if (_options.Threads) allowed |= 0x02;
                if (_options.CustomPageSizes) allowed |= 0x08;
            }
            if ((flags & ~allowed) != 0) WasmReader.Fail("malformed limits flags", p);
            var min = r.ReadU64();
            ulong? max = (flags & 0x01) != 0 ? r.ReadU64() : null;
            pageSizeLog2 = 16;
            if ((flags & 0x08) != 0)
            {
                var log2Pos = r.Offset;
                var log2 = r.ReadU32();
                // Page sizes must fit in 64 bits; which ones are allowed is up to validation.
                if (log2 >= 64) WasmReader.Fail("invalid custom page size", log2Pos);
                pageSizeLog2 = (int)log2;
            }
            return new Limits(min, max, Is64: (flags & 0x04) != 0, Shared: (flags & 0x02) != 0);
        }

        private TableType ReadTableType(ref WasmReader r)
        {
            var elem = r.ReadRefType();
            return new TableType(elem, ReadLimits(ref r, isMemory: false, out _));
        }

        private MemoryType ReadMemoryType(ref WasmReader r)
        {
            var limits = ReadLimits(ref r, isMemory: true, out var log2);
            return new MemoryType(limits, log2);
        }

        private static GlobalType ReadGlobalType(ref WasmReader r)
        {
            var t = r.ReadValType();
            return new GlobalType(t, ReadMutability(ref r));
        }

        private static TagType ReadTagType(ref WasmReader r)
        {
            r.Expect(0x00, "zero byte expected");
            return new TagType(ReadTypeUse(ref r));
        }

        // ---- sections ----

        private void ReadImportSection(ref WasmReader r)
        {
            var n = r.ReadLength();
            _module.Imports.Capacity = n;
            for (var i = 0; i < n; i++)
            {
                var moduleName = r.ReadName();
                var name = r.ReadName();
                var p = r.Offset;
                var kind = r.ReadByte();
                ImportDescriptor desc = kind switch
                {
                    0x00 => ImportDescriptor.ForFunc(ReadTypeUse(ref r)),
                    0x01 => ImportDescriptor.ForTable(ReadTableType(ref r)),
                    0x02 => ImportDescriptor.ForMemory(ReadMemoryType(ref r)),
                    0x03 => ImportDescriptor.ForGlobal(ReadGlobalType(ref r)),
                    0x04 => ImportDescriptor.ForTag(ReadTagType(ref r)),
                    _ => null!,
                };
                if (desc is null) WasmReader.Fail("malformed import kind", p);
                _module.Imports.Add(new Import(moduleName, name, desc));
            }
        }

        private void ReadFunctionSection(ref WasmReader r)
        {
            var n = r.ReadLength();
            _module.Functions.Capacity = n;
            for (var i = 0; i < n; i++) _module.Functions.Add(r.ReadU32());
            _declaredFunctions = n;
        }

        private void ReadTableSection(ref WasmReader r)
        {
            var n = r.ReadLength();
            _module.Tables.Capacity = n;
            for (var i = 0; i < n; i++)
            {
                if (r.PeekByte() == 0x40)
                {
                    var p = r.Offset;
                    try
                    {
                        r.ReadByte();
                        r.Expect(0x00, "zero byte expected");
                        var type = ReadTableType(ref r);
                        _module.Tables.Add(new Table(type, ReadConstExpr(ref r)));
                    }
                    catch (MalformedException)
                    {
                        // The reference decoder then falls back to a plain table type, whose first byte 0x40 is no reference type.
                        WasmReader.Fail("malformed reference type", p);
                    }
                }
                else
                {
                    _module.Tables.Add(new Table(ReadTableType(ref r)));
                }
            }
        }

        private void ReadMemorySection(ref WasmReader r)
        {
            var n = r.ReadLength();
            _module.Memories.Capacity = n;
            for (var i = 0; i < n; i++) _module.Memories.Add(ReadMemoryType(ref r));
        }

        private void ReadTagSection(ref WasmReader r)
        {
            var n = r.ReadLength();
            _module.Tags.Capacity = n;
            for (var i = 0; i < n; i++) _module.Tags.Add(ReadTagType(ref r));
        }

        private void ReadGlobalSection(ref WasmReader r)
        {
            var n = r.ReadLength();
            _module.Globals.Capacity = n;
            for (var i = 0; i < n; i++)
            {
                var type = ReadGlobalType(ref r);
                _module.Globals.Add(new Global(type, ReadConstExpr(ref r)));
            }
        }

        private void ReadExportSection(ref WasmReader r)
        {
            var n = r.ReadLength();
            _module.Exports.Capacity = n;
            for (var i = 0; i < n; i++)
            {
                var name = r.ReadName();
                var p = r.Offset;
                var kind = r.ReadByte();
                if (kind > 4) WasmReader.Fail("malformed export kind", p);
                _module.Exports.Add(new Export(name, (ExternalKind)kind, r.ReadU32()));
            }
        }

        private void ReadElementSection(ref WasmReader r)
        {
            var n = r.ReadLength();
            _module.Elements.Capacity = n;
            for (var i = 0; i < n; i++) _module.Elements.Add(ReadElementSegment(ref r));
        }

        private ElementSegment ReadElementSegment(ref WasmReader r)
        {
            var p = r.Offset;
            var flags = r.ReadU32();
            if (flags > 7) WasmReader.Fail("malformed elements segment kind", p);
            var mode = (flags & 1) == 0 ? SegmentMode.Active : (flags & 2) == 0 ? SegmentMode.Passive : SegmentMode.Declarative;
            uint table = 0;
            ConstExpr? offset = null;
            if (mode == SegmentMode.Active)
            {
                if ((flags & 2) != 0) table = r.ReadU32();
                offset = ReadConstExpr(ref r);
            }
            var usesExpressions = (flags & 4) != 0;
            ValType type;
            if ((flags & 3) == 0)
            {
                // Flags 0 and 4 have no element kind or type: funcs are (ref func), expressions funcref.
                type = usesExpressions ? ValType.FuncRef : ValType.Ref(HeapType.Func, nullable: false);
            }
            else if (usesExpressions)
            {
                type = r.ReadRefType();
            }
            else
            {
                r.Expect(0x00, "malformed element kind");
                type = ValType.Ref(HeapType.Func, nullable: false);
            }

            var count = r.ReadLength();
            if (usesExpressions)
            {
                var exprs = count == 0 ? [] : new ConstExpr[count];
                for (var i = 0; i < count; i++) exprs[i] = ReadConstExpr(ref r);
                return new ElementSegment(mode, type) { TableIndex = table, Offset = offset, Expressions = exprs, Flags = (byte)flags };
            }
            var funcs = count == 0 ? [] : new uint[count];
            for (var i = 0; i < count; i++) funcs[i] = r.ReadU32();
            return new ElementSegment(mode, type) { TableIndex = table, Offset = offset, FunctionIndices = funcs, Flags = (byte)flags };
        }

        private void ReadCodeSection(ref WasmReader r)
        {
            var n = r.ReadLength();
            _module.Codes.Capacity = n;
            for (var i = 0; i < n; i++)
            {
                var size = r.ReadLength();
                var start = r.Position;
                var locals = ReadLocals(ref r);
                var codeStart = r.Position;
                CodeScanner.Scan(ref r, ref _usesDataIndex);
                if (r.Position != start + size) WasmReader.Fail("section size mismatch", start);
                _module.Codes.Add(new FunctionBody(locals, _input.Slice(codeStart, r.Position - codeStart), codeStart));
            }
        }

        private static LocalGroup[] ReadLocals(ref WasmReader r)
        {
            var p = r.Offset;
            var n = r.ReadLength();
            if (n == 0) return [];
            var groups = new LocalGroup[n];
            ulong total = 0;
            for (var i = 0; i < n; i++)
            {
                var count = r.ReadU32();
                groups[i] = new LocalGroup(count, r.ReadValType());
                total += count;
            }
            if (total > uint.MaxValue) WasmReader.Fail("too many locals", p);
            return groups;
        }

        private void ReadDataSection(ref WasmReader r)
        {
            var n = r.ReadLength();
            _module.Data.Capacity = n;
            for (var i = 0; i < n; i++)
            {
                var p = r.Offset;
                var flags = r.ReadU32();
                if (flags > 2) WasmReader.Fail("malformed data segment kind", p);
                uint memory = 0;
                ConstExpr? offset = null;
                if (flags != 1)
                {
                    if (flags == 2) memory = r.ReadU32();
                    offset = ReadConstExpr(ref r);
                }
                var length = r.ReadLength();
                var bytesPos = r.Position;
                r.Skip(length);
                var mode = flags == 1 ? SegmentMode.Passive : SegmentMode.Active;
                _module.Data.Add(new DataSegment(mode, _input.Slice(bytesPos, length)) { MemoryIndex = memory, Offset = offset, Flags = (byte)flags });
            }
        }

        private ConstExpr ReadConstExpr(ref WasmReader r)
        {
            var start = r.Position;
            // Only function bodies count towards "data count section required", as in the reference decoder.
            var usesData = false;
            CodeScanner.Scan(ref r, ref usesData);
            return new ConstExpr(_input.Slice(start, r.Position - start), start);
        }
    }
}
