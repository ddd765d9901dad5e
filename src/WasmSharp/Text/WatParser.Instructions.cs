using System.Buffers.Binary;
using System.Numerics;
using WasmSharp.Binary;
using WasmSharp.Model;

namespace WasmSharp.Text;

internal sealed partial class ModuleParser
{
    private static readonly Dictionary<string, OpcodeInfo[]> s_opcodesByName = BuildOpcodesByName();
    private static readonly Dictionary<string, OpcodeInfo[]>.AlternateLookup<ReadOnlySpan<char>> s_opcodeLookup =
        s_opcodesByName.GetAlternateLookup<ReadOnlySpan<char>>();

    private static Dictionary<string, OpcodeInfo[]> BuildOpcodesByName()
    {
        var d = new Dictionary<string, OpcodeInfo[]>(StringComparer.Ordinal);
        foreach (var info in OpcodeTable.All)
        {
            // Structured instructions and their clauses are parsed by their own rules.
            if (info.Opcode is Opcode.Block or Opcode.Loop or Opcode.If or Opcode.Else or Opcode.End or Opcode.Try
                or Opcode.Catch or Opcode.CatchAll or Opcode.Delegate or Opcode.TryTable)
                continue;
            d[info.Name] = d.TryGetValue(info.Name, out var existing) ? [.. existing, info] : [info];
        }
        return d;
    }

    private WasmWriter _w = new();
    private List<string?> _labels = [];
    private bool _usesDataIndex;
    private int _emitted;
    /// <summary>Blocks entered so far in the current function body, which number its labels in the name section.</summary>
    private uint _blockCount;
    private Instruction _lastEmitted;

    private void Emit(in Instruction instruction)
    {
        InstructionEncoder.Write(_w, instruction);
        _emitted++;
        _lastEmitted = instruction;
    }

    private void EmitOp(Opcode opcode) => Emit(new Instruction { Opcode = opcode });

    // ---------------------------------------------------------------- bodies and constant expressions

    private byte[] ParseBody()
    {
        _w = new WasmWriter(64);
        _labels = [null];
        _blockCount = 0;
        ParseInstrList();
        EmitOp(Opcode.End);
        return _w.ToArray();
    }

    /// <summary>Parses instructions up to the closing parenthesis; <paramref name="single"/> is the only instruction, if there is exactly one.</summary>
    private ConstExpr ParseConstExpr(out Instruction? single)
    {
        var (saved, savedLabels) = (_w, _labels);
        _w = new WasmWriter(16);
        _labels = [];
        var before = _emitted;
        ParseInstrList();
        single = _emitted - before == 1 ? _lastEmitted : null;
        EmitOp(Opcode.End);
        var expr = new ConstExpr(_w.ToArray());
        (_w, _labels) = (saved, savedLabels);
        return expr;
    }

    /// <summary>Parses one folded instruction as a constant expression.</summary>
    private ConstExpr ParseFoldedConstExpr(out Instruction? single)
    {
        var (saved, savedLabels) = (_w, _labels);
        _w = new WasmWriter(16);
        _labels = [];
        var before = _emitted;
        ParseFolded();
        single = _emitted - before == 1 ? _lastEmitted : null;
        EmitOp(Opcode.End);
        var expr = new ConstExpr(_w.ToArray());
        (_w, _labels) = (saved, savedLabels);
        return expr;
    }

    // ---------------------------------------------------------------- instruction sequences

    /// <summary>Parses plain and folded instructions up to a closing parenthesis or a keyword that ends a block.</summary>
    private void ParseInstrList()
    {
        while (true)
        {
            var kind = _t[_pos].Kind;
            if (kind == TokenKind.LParen)
            {
                ParseFolded();
            }
            else if (kind == TokenKind.Keyword)
            {
                if (Span(_pos) is "end" or "else" or "catch" or "catch_all" or "delegate") return;
                ParsePlain();
            }
            else if (kind is TokenKind.RParen or TokenKind.Eof)
            {
                return;
            }
            else
            {
                throw UnexpectedAt(_pos);
            }
        }
    }

    private void ParsePlain()
    {
        var hint = TakeHint(_pos);
        switch (Span(_pos))
        {
            case "block":
                _pos++;
                PlainBlock(Opcode.Block, hint);
                return;
            case "loop":
                _pos++;
                PlainBlock(Opcode.Loop, hint);
                return;
            case "if":
                _pos++;
                PlainIf(hint);
                return;
            case "try_table":
                _pos++;
                PlainBlock(Opcode.TryTable, hint);
                return;
            case "try":
                _pos++;
                PlainTry(hint);
                return;
        }
        var instruction = ParseOperation();
        RecordHint(hint, _currentFuncIndex);
        Emit(instruction);
    }

    private void ParseFolded()
    {
        ExpectLParen();
        if (_t[_pos].Kind != TokenKind.Keyword) throw UnexpectedAt(_pos);
        var hint = TakeHint(_pos);
        switch (Span(_pos))
        {
            case "block":
                _pos++;
                FoldedBlock(Opcode.Block, hint);
                return;
            case "loop":
                _pos++;
                FoldedBlock(Opcode.Loop, hint);
                return;
            case "if":
                _pos++;
                FoldedIf(hint);
                return;
            case "try_table":
                _pos++;
                FoldedBlock(Opcode.TryTable, hint);
                return;
            case "try":
                _pos++;
                FoldedTry(hint);
                return;
        }
        var instruction = ParseOperation();
        while (_t[_pos].Kind == TokenKind.LParen) ParseFolded();
        ExpectRParen();
        RecordHint(hint, _currentFuncIndex);
        Emit(instruction);
    }

    // ---------------------------------------------------------------- blocks

    private (string? Label, int Token) ParseBlockLabel()
    {
        var token = _pos;
        return (TryId(), token);
    }

    /// <summary>An identifier after <c>end</c> or <c>else</c> must repeat the block's label.</summary>
    private void CheckEndLabel(string? label)
    {
        if (_t[_pos].Kind != TokenKind.Id) return;
        var name = IdName(_ts, _t[_pos]);
        if (label is null || name != label) Defer(_pos, "mismatching label");
        _pos++;
    }

    private BlockType ParseBlockType()
    {
        var use = ParseTypeUse(allowNames: false);
        // An explicit type use stays a type index, as the reference interpreter and wasm-tools encode it.
        if (use.Index is not null) return BlockType.FromTypeIndex(ResolveTypeUse(use));
        if (use.Params.Count == 0 && use.Results.Count == 0) return BlockType.Empty;
        if (use.Params.Count == 0 && use.Results.Count == 1) return BlockType.FromValue(use.Results[0]);
        return BlockType.FromTypeIndex(FindOrAddFuncType(new FuncType([.. use.Params], [.. use.Results])));
    }

    /// <summary>Enters a block; a named block of a function body is recorded in the name section's label names.</summary>
    private void PushLabel(string? label)
    {
        _labels.Add(label);
        if (_currentFuncField < 0) return;
        if (label is not null) NameMap(Names.Labels, _currentFuncIndex)[_blockCount] = label;
        _blockCount++;
    }

    private void PopLabel() => _labels.RemoveAt(_labels.Count - 1);

    /// <summary>
    /// The opening of a block, loop, if, try_table or try: label, block type, try_table's catch clauses and
    /// (folded if) the condition, then the opcode, and the label entered. Returns the label for the end.
    /// </summary>
    private string? BeginBlock(Opcode opcode, Annotation? hint, bool foldedCondition = false)
    {
        var (label, _) = ParseBlockLabel();
        var blockType = ParseBlockType();
        var catches = opcode == Opcode.TryTable ? ParseCatchClauses() : null;
        if (foldedCondition)
        {
            while (_t[_pos].Kind == TokenKind.LParen && !IsKeyword(_pos + 1, "then")) ParseFolded();
        }
        RecordHint(hint, _currentFuncIndex);
        Emit(new Instruction { Opcode = opcode, BlockType = blockType, Catches = catches });
        PushLabel(label);
        return label;
    }

    /// <summary><c>end</c> of a plain block, with its optional repeated label.</summary>
    private void EndPlainBlock(string? label)
    {
        ExpectKeyword("end");
        CheckEndLabel(label);
        EndBlock();
    }

    private void EndBlock()
    {
        PopLabel();
        EmitOp(Opcode.End);
    }

    /// <summary>block, loop and try_table.</summary>
    private void PlainBlock(Opcode opcode, Annotation? hint)
    {
        var label = BeginBlock(opcode, hint);
        ParseInstrList();
        EndPlainBlock(label);
    }

    private void PlainIf(Annotation? hint)
    {
        var label = BeginBlock(Opcode.If, hint);
        ParseInstrList();
        if (TryKeyword("else"))
        {
            CheckEndLabel(label);
            if (!AtKeyword("end")) EmitOp(Opcode.Else);
            ParseInstrList();
        }
        EndPlainBlock(label);
    }

    private Catch[] ParseCatchClauses()
    {
        List<Catch>? catches = null;
        while (_t[_pos].Kind == TokenKind.LParen)
        {
            CatchKind kind;
            if (IsKeyword(_pos + 1, "catch")) kind = CatchKind.Catch;
            else if (IsKeyword(_pos + 1, "catch_ref")) kind = CatchKind.CatchRef;
            else if (IsKeyword(_pos + 1, "catch_all")) kind = CatchKind.CatchAll;
            else if (IsKeyword(_pos + 1, "catch_all_ref")) kind = CatchKind.CatchAllRef;
            else break;
            _pos += 2;
            uint tag = 0;
            if (kind is CatchKind.Catch or CatchKind.CatchRef) tag = ParseIndex(_tags);
            var label = ParseLabel();
            ExpectRParen();
            (catches ??= []).Add(new Catch(kind, tag, label));
        }
        return catches is null ? [] : [.. catches];
    }

    /// <summary>The legacy exception-handling <c>try</c>: catch clauses, or a delegate.</summary>
    private void PlainTry(Annotation? hint)
    {
        var label = BeginBlock(Opcode.Try, hint);
        ParseInstrList();
        if (TryKeyword("delegate"))
        {
            // The delegate target does not count the try block itself.
            PopLabel();
            Emit(new Instruction { Opcode = Opcode.Delegate, Index = ParseLabel() });
            return;
        }
        while (TryKeyword("catch"))
        {
            Emit(new Instruction { Opcode = Opcode.Catch, Index = ParseIndex(_tags) });
            ParseInstrList();
        }
        if (TryKeyword("catch_all"))
        {
            EmitOp(Opcode.CatchAll);
            ParseInstrList();
        }
        EndPlainBlock(label);
    }

    /// <summary>Folded block, loop and try_table.</summary>
    private void FoldedBlock(Opcode opcode, Annotation? hint)
    {
        BeginBlock(opcode, hint);
        ParseInstrList();
        ExpectRParen();
        EndBlock();
    }

    private void FoldedIf(Annotation? hint)
    {
        BeginBlock(Opcode.If, hint, foldedCondition: true);
        if (!TryLParenKeyword("then")) throw UnexpectedAt(_pos);
        ParseInstrList();
        ExpectRParen();
        if (TryLParenKeyword("else"))
        {
            if (_t[_pos].Kind != TokenKind.RParen) EmitOp(Opcode.Else);
            ParseInstrList();
            ExpectRParen();
        }
        ExpectRParen();
        EndBlock();
    }

    private void FoldedTry(Annotation? hint)
    {
        BeginBlock(Opcode.Try, hint);
        if (!TryLParenKeyword("do")) throw UnexpectedAt(_pos);
        ParseInstrList();
        ExpectRParen();
        if (TryLParenKeyword("delegate"))
        {
            PopLabel();
            Emit(new Instruction { Opcode = Opcode.Delegate, Index = ParseLabel() });
            ExpectRParen();
            ExpectRParen();
            return;
        }
        while (TryLParenKeyword("catch"))
        {
            Emit(new Instruction { Opcode = Opcode.Catch, Index = ParseIndex(_tags) });
            ParseInstrList();
            ExpectRParen();
        }
        if (TryLParenKeyword("catch_all"))
        {
            EmitOp(Opcode.CatchAll);
            ParseInstrList();
            ExpectRParen();
        }
        ExpectRParen();
        EndBlock();
    }

    private uint ParseLabel()
    {
        var token = _t[_pos];
        if (token.Kind == TokenKind.Nat) return ReadU32(_pos++);
        if (token.Kind != TokenKind.Id) throw UnexpectedAt(_pos);
        var name = IdName(_ts, token);
        for (var i = _labels.Count - 1; i >= 0; i--)
        {
            if (_labels[i] == name)
            {
                _pos++;
                return (uint)(_labels.Count - 1 - i);
            }
        }
        Defer(_pos, $"unknown label {PrintId(name)}");
        _pos++;
        return 0;
    }

    // ---------------------------------------------------------------- plain operations

    /// <summary>Parses an operation's keyword (at the cursor) and immediates.</summary>
    private Instruction ParseOperation()
    {
        var keyword = _pos;
        if (_t[keyword].Kind != TokenKind.Keyword || !s_opcodeLookup.TryGetValue(Span(keyword), out var infos))
            throw UnexpectedAt(keyword);
        _pos++;
        var info = infos[0];
        var ins = new Instruction { Opcode = info.Opcode };
        switch (info.Immediates)
        {
            case ImmediateKind.None:
                if (info.Opcode == Opcode.Select && AtLParenKeyword("result"))
                {
                    var types = new List<ValType>();
                    while (TryLParenKeyword("result"))
                    {
                        ParseValTypes(types);
                        ExpectRParen();
                    }
                    ins.Opcode = Opcode.SelectT;
                    ins.Types = [.. types];
                }
                break;
            case ImmediateKind.Label:
                ins.Index = ParseLabel();
                break;
            case ImmediateKind.BrTable:
            {
                var labels = new List<uint>();
                while (AtIndex) labels.Add(ParseLabel());
                if (labels.Count == 0) throw UnexpectedAt(_pos);
                ins.Labels = [.. labels];
                break;
            }
            case ImmediateKind.Func:
                ins.Index = ParseIndex(_funcs);
                break;
            case ImmediateKind.CallIndirect:
                ins.Index2 = ParseOptionalIndex(_tables);
                ins.Index = ResolveTypeUse(ParseTypeUse(allowNames: false));
                break;
            case ImmediateKind.Type:
                ins.Index = ParseIndex(_typeSpace);
                break;
            case ImmediateKind.Tag:
                ins.Index = ParseIndex(_tags);
                break;
            case ImmediateKind.Local:
                ins.Index = ParseIndex(_locals);
                break;
            case ImmediateKind.Global:
                ins.Index = ParseIndex(_globals);
                break;
            case ImmediateKind.Table:
                ins.Index = ParseOptionalIndex(_tables);
                break;
            case ImmediateKind.Memory:
                ins.Index = ParseOptionalIndex(_memories);
                break;
            case ImmediateKind.MemArg:
                ins.MemArg = ParseMemArg(info, AtIndex ? ParseIndex(_memories) : 0);
                break;
            case ImmediateKind.MemArgLane:
            {
                uint memory = 0;
                if (_t[_pos].Kind == TokenKind.Id
                    || (_t[_pos].Kind == TokenKind.Nat && (_t[_pos + 1].Kind == TokenKind.Nat || IsMemArgKeyword(_pos + 1))))
                    memory = ParseIndex(_memories);
                ins.MemArg = ParseMemArg(info, memory);
                ins.Lane = ParseLaneIndex();
                break;
            }
            case ImmediateKind.Lane:
                ins.Lane = ParseLaneIndex();
                break;
            case ImmediateKind.I32:
            {
                var token = ExpectNumber();
                if (!NumericLiterals.TryParseI32(Span(token), out var value)) Defer(token, "constant out of range");
                ins.Value = (ulong)(long)value;
                break;
            }
            case ImmediateKind.I64:
            {
                var token = ExpectNumber();
                if (!NumericLiterals.TryParseI64(Span(token), out var value)) Defer(token, "constant out of range");
                ins.Value = (ulong)value;
                break;
            }
            case ImmediateKind.F32:
            {
                var token = ExpectNumber();
                if (!NumericLiterals.TryParseF32Bits(Span(token), out var bits)) Defer(token, "constant out of range");
                ins.Value = bits;
                break;
            }
            case ImmediateKind.F64:
            {
                var token = ExpectNumber();
                if (!NumericLiterals.TryParseF64Bits(Span(token), out var bits)) Defer(token, "constant out of range");
                ins.Value = bits;
                break;
            }
            case ImmediateKind.V128:
                (ins.Value, ins.ValueHigh) = ParseV128Literal(keyword);
                break;
            case ImmediateKind.Shuffle:
            {
                Span<byte> lanes = stackalloc byte[16];
                var count = 0;
                while (_t[_pos].Kind is TokenKind.Nat or TokenKind.Int or TokenKind.Float)
                {
                    if (count < 16)
                    {
                        if (!NumericLiterals.TryParseU32(Span(_pos), out var lane) || lane > 255)
                            Defer(_pos, "i8 constant out of range");
                        lanes[count] = (byte)lane;
                    }
                    count++;
                    _pos++;
                }
                if (count != 16) Defer(keyword, "invalid lane length");
                ins.Value = BinaryPrimitives.ReadUInt64LittleEndian(lanes);
                ins.ValueHigh = BinaryPrimitives.ReadUInt64LittleEndian(lanes[8..]);
                break;
            }
            case ImmediateKind.HeapType:
                if (info.Opcode == Opcode.RefNull)
                {
                    ins.Type = ValType.Ref(ParseHeapType(), nullable: true);
                }
                else
                {
                    var type = ParseRefType();
                    ins.Type = type;
                    ins.Opcode = info.Opcode switch
                    {
                        Opcode.RefTest or Opcode.RefTestNull => type.IsNullable ? Opcode.RefTestNull : Opcode.RefTest,
                        _ => type.IsNullable ? Opcode.RefCastNull : Opcode.RefCast,
                    };
                }
                break;
            case ImmediateKind.MemoryInit:
                if (AtIndex && _t[_pos + 1].Kind is TokenKind.Nat or TokenKind.Id) ins.Index2 = ParseIndex(_memories);
                ins.Index = ParseIndex(_datas);
                _usesDataIndex = true;
                break;
            case ImmediateKind.Data:
                ins.Index = ParseIndex(_datas);
                _usesDataIndex = true;
                break;
            case ImmediateKind.MemoryCopy:
                if (AtIndex)
                {
                    ins.Index = ParseIndex(_memories);
                    ins.Index2 = ParseIndex(_memories);
                }
                break;
            case ImmediateKind.TableInit:
                if (AtIndex && _t[_pos + 1].Kind is TokenKind.Nat or TokenKind.Id) ins.Index2 = ParseIndex(_tables);
                ins.Index = ParseIndex(_elems);
                break;
            case ImmediateKind.Elem:
                ins.Index = ParseIndex(_elems);
                break;
            case ImmediateKind.TableCopy:
                if (AtIndex)
                {
                    ins.Index = ParseIndex(_tables);
                    ins.Index2 = ParseIndex(_tables);
                }
                break;
            case ImmediateKind.AtomicFence:
                break;
            case ImmediateKind.TypeField:
                ins.Index = ParseIndex(_typeSpace);
                ins.Index2 = ParseFieldIndex(ins.Index);
                break;
            case ImmediateKind.TypeType:
                ins.Index = ParseIndex(_typeSpace);
                ins.Index2 = ParseIndex(_typeSpace);
                break;
            case ImmediateKind.TypeData:
                ins.Index = ParseIndex(_typeSpace);
                ins.Index2 = ParseIndex(_datas);
                _usesDataIndex = true;
                break;
            case ImmediateKind.TypeElem:
                ins.Index = ParseIndex(_typeSpace);
                ins.Index2 = ParseIndex(_elems);
                break;
            case ImmediateKind.TypeCount:
                ins.Index = ParseIndex(_typeSpace);
                ins.Index2 = ReadNat32();
                break;
            case ImmediateKind.BrOnCast:
                ins.Index = ParseLabel();
                ins.Type = ParseRefType();
                ins.Type2 = ParseRefType();
                break;
            default:
                throw UnexpectedAt(keyword);
        }
        return ins;
    }

    private int ExpectNumber()
    {
        if (_t[_pos].Kind is not (TokenKind.Nat or TokenKind.Int or TokenKind.Float)) throw UnexpectedAt(_pos);
        return _pos++;
    }

    private bool IsMemArgKeyword(int i) =>
        _t[i].Kind == TokenKind.Keyword && (Span(i).StartsWith("offset=") || Span(i).StartsWith("align="));

    private MemArg ParseMemArg(OpcodeInfo info, uint memory)
    {
        ulong offset = 0;
        if (_t[_pos].Kind == TokenKind.Keyword && Span(_pos).StartsWith("offset="))
        {
            if (!NumericLiterals.TryParseU64(Span(_pos)[7..], out offset)) throw Error(_pos, "i64 constant out of range");
            _pos++;
        }
        var alignLog2 = (uint)BitOperations.Log2((uint)Math.Max(info.MemoryBytes, 1));
        if (_t[_pos].Kind == TokenKind.Keyword && Span(_pos).StartsWith("align="))
        {
            if (!NumericLiterals.TryParseU64(Span(_pos)[6..], out var align)) throw Error(_pos, "i64 constant out of range");
            if (align == 0 || (align & (align - 1)) != 0) throw Error(_pos, "alignment must be a power of two");
            alignLog2 = (uint)BitOperations.Log2(align);
            _pos++;
        }
        return new MemArg(alignLog2, memory, offset);
    }

    private byte ParseLaneIndex()
    {
        if (_t[_pos].Kind != TokenKind.Nat) throw UnexpectedAt(_pos);
        if (!NumericLiterals.TryParseU32(Span(_pos), out var lane) || lane > 255) throw Error(_pos, "i8 constant out of range");
        _pos++;
        return (byte)lane;
    }

    private uint ParseFieldIndex(uint typeIndex)
    {
        var token = _t[_pos];
        if (token.Kind == TokenKind.Nat) return ReadU32(_pos++);
        if (token.Kind != TokenKind.Id) throw UnexpectedAt(_pos);
        var name = IdName(_ts, token);
        uint index = 0;
        if (!_fieldNames.TryGetValue(typeIndex, out var names) || !names.TryGetValue(name, out index))
            Defer(_pos, $"unknown field {PrintId(name)}");
        _pos++;
        return index;
    }

    /// <summary>The lane shape of a v128 literal: lane count and lane width in bytes.</summary>
    private static bool TryShape(ReadOnlySpan<char> s, out int lanes, out int width)
    {
        (lanes, width) = s switch
        {
            "i8x16" => (16, 1),
            "i16x8" => (8, 2),
            "i32x4" => (4, 4),
            "i64x2" => (2, 8),
            "f32x4" => (4, 4),
            "f64x2" => (2, 8),
            _ => (0, 0),
        };
        return lanes > 0;
    }

    /// <summary>Parses <c>shape lane*</c> of v128.const into its little-endian halves.</summary>
    private (ulong Low, ulong High) ParseV128Literal(int keyword)
    {
        if (_t[_pos].Kind != TokenKind.Keyword || !TryShape(Span(_pos), out var lanes, out var width)) throw UnexpectedAt(_pos);
        var shape = _pos++;
        var first = _pos;
        while (_t[_pos].Kind is TokenKind.Nat or TokenKind.Int or TokenKind.Float) _pos++;
        if (_pos - first != lanes)
        {
            Defer(keyword, "wrong number of lane literals");
            return (0, 0);
        }
        Span<byte> bytes = stackalloc byte[16];
        var isFloat = Span(shape)[0] == 'f';
        for (var i = 0; i < lanes; i++)
        {
            var text = Span(first + i);
            var dest = bytes.Slice(i * width, width);
            var ok = true;
            switch (width)
            {
                case 1:
                    ok = NumericLiterals.TryParseI8(text, out var b);
                    dest[0] = b;
                    break;
                case 2:
                    ok = NumericLiterals.TryParseI16(text, out var h);
                    BinaryPrimitives.WriteUInt16LittleEndian(dest, h);
                    break;
                case 4 when isFloat:
                    ok = NumericLiterals.TryParseF32Bits(text, out var f);
                    BinaryPrimitives.WriteUInt32LittleEndian(dest, f);
                    break;
                case 4:
                    ok = NumericLiterals.TryParseI32(text, out var w);
                    BinaryPrimitives.WriteInt32LittleEndian(dest, w);
                    break;
                case 8 when isFloat:
                    ok = NumericLiterals.TryParseF64Bits(text, out var d);
                    BinaryPrimitives.WriteUInt64LittleEndian(dest, d);
                    break;
                default:
                    ok = NumericLiterals.TryParseI64(text, out var l);
                    BinaryPrimitives.WriteInt64LittleEndian(dest, l);
                    break;
            }
            if (!ok) Defer(first + i, "constant out of range");
        }
        return (BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));
    }
}
