using WasmSharp.Binary;
using WasmSharp.Model;

namespace WasmSharp.Text;

public static partial class WatPrinter
{
    private sealed partial class ModuleWriter
    {
        /// <summary>The label of each enclosing block, innermost last; null for an unnamed label.</summary>
        private readonly List<string?> _labels = [];
        private Dictionary<uint, string>? _labelNames;
        private uint _labelCount;
        private NameTable _localNames = NameTable.Empty;

        // ---- Function bodies ----

        private void WriteFunctionBody(uint funcIndex, FunctionBody body, NameTable localNames)
        {
            BeginCode(localNames, _names is not null && _names.Labels.TryGetValue(funcIndex, out var labels) ? labels : null);
            var reader = new InstructionReader(body.Code.Span, body.Offset);
            while (reader.TryRead(out var ins))
            {
                switch (ins.Opcode)
                {
                    case Opcode.End:
                        if (_labels.Count == 0) return; // the function's own end
                        _labels.RemoveAt(_labels.Count - 1);
                        NewLine(2 + _labels.Count);
                        _w.Write("end");
                        break;
                    case Opcode.Else:
                    case Opcode.Catch:
                    case Opcode.CatchAll:
                        NewLine(1 + _labels.Count);
                        WriteInstruction(ref ins);
                        break;
                    case Opcode.Delegate:
                        // delegate closes the try and its label counts from outside the try.
                        if (_labels.Count > 0) _labels.RemoveAt(_labels.Count - 1);
                        NewLine(2 + _labels.Count);
                        WriteInstruction(ref ins);
                        break;
                    default:
                        NewLine(2 + _labels.Count);
                        WriteInstruction(ref ins);
                        break;
                }
            }
        }

        private void BeginCode(NameTable localNames, Dictionary<uint, string>? labelNames)
        {
            _labels.Clear();
            _labelCount = 0;
            _labelNames = labelNames;
            _localNames = localNames;
        }

        // ---- Constant expressions ----

        /// <summary>Writes a constant expression after a space, each plain instruction folded as <c>(op imm)</c>.</summary>
        private void WriteConstExpr(ConstExpr expr)
        {
            BeginCode(NameTable.Empty, null);
            var reader = new InstructionReader(expr.Code.Span, expr.Offset);
            while (reader.TryRead(out var ins))
            {
                if (ins.Opcode == Opcode.End && _labels.Count == 0) break;
                _w.Write(' ');
                WriteInlineInstruction(ref ins);
            }
        }

        /// <summary>An active segment's offset: <c>(op imm)</c> when it is one plain instruction, else <c>(offset ...)</c>.</summary>
        private void WriteOffset(ConstExpr expr)
        {
            if (IsSingleFoldable(expr))
            {
                WriteConstExpr(expr);
                return;
            }
            _w.Write(" (offset");
            WriteConstExpr(expr);
            _w.Write(')');
        }

        private void WriteElemItem(ConstExpr expr)
        {
            if (IsSingleFoldable(expr))
            {
                WriteConstExpr(expr);
                return;
            }
            _w.Write(" (item");
            WriteConstExpr(expr);
            _w.Write(')');
        }

        private static bool IsSingleFoldable(ConstExpr expr)
        {
            var reader = new InstructionReader(expr.Code.Span, expr.Offset);
            if (!reader.TryRead(out var first) || !IsFoldable(first.Opcode)) return false;
            return reader.TryRead(out var second) && second.Opcode == Opcode.End && !reader.TryRead(out _);
        }

        private static bool IsFoldable(Opcode opcode) => opcode switch
        {
            Opcode.Block or Opcode.Loop or Opcode.If or Opcode.Else or Opcode.End or Opcode.Try or Opcode.TryTable
                or Opcode.Catch or Opcode.CatchAll or Opcode.Delegate => false,
            _ => true,
        };

        private void WriteInlineInstruction(ref Instruction ins)
        {
            // Structured instructions cannot be folded one at a time; they stay flat.
            switch (ins.Opcode)
            {
                case Opcode.End:
                    if (_labels.Count > 0) _labels.RemoveAt(_labels.Count - 1);
                    _w.Write("end");
                    return;
                case Opcode.Delegate:
                    if (_labels.Count > 0) _labels.RemoveAt(_labels.Count - 1);
                    WriteInstruction(ref ins);
                    return;
            }
            if (!IsFoldable(ins.Opcode))
            {
                WriteInstruction(ref ins);
                return;
            }
            _w.Write('(');
            WriteInstruction(ref ins);
            _w.Write(')');
        }

        // ---- One instruction ----

        /// <summary>Writes the instruction's name and immediates; block starts push their label.</summary>
        private void WriteInstruction(ref Instruction ins)
        {
            var info = OpcodeTable.Get(ins.Opcode);
            _w.Write(info.Name);
            switch (info.Immediates)
            {
                case ImmediateKind.None:
                case ImmediateKind.AtomicFence:
                    break;
                case ImmediateKind.BlockType:
                    WriteBlockStart(ins.BlockType);
                    break;
                case ImmediateKind.TryTable:
                    WriteTryTable(ref ins);
                    break;
                case ImmediateKind.Label:
                    _w.Write(' ');
                    WriteLabel(ins.Index);
                    break;
                case ImmediateKind.BrTable:
                    foreach (var label in ins.Labels ?? [])
                    {
                        _w.Write(' ');
                        WriteLabel(label);
                    }
                    break;
                case ImmediateKind.Func:
                    _w.Write(' ');
                    WriteIndex(_funcNames, ins.Index);
                    break;
                case ImmediateKind.CallIndirect:
                    if (ins.Index2 != 0)
                    {
                        _w.Write(' ');
                        WriteIndex(_tableNames, ins.Index2);
                    }
                    _w.Write(" (type ");
                    WriteTypeIndex(ins.Index);
                    _w.Write(')');
                    break;
                case ImmediateKind.Type:
                    _w.Write(' ');
                    WriteTypeIndex(ins.Index);
                    break;
                case ImmediateKind.Tag:
                    _w.Write(' ');
                    WriteIndex(_tagNames, ins.Index);
                    break;
                case ImmediateKind.Local:
                    _w.Write(' ');
                    WriteIndex(_localNames, ins.Index);
                    break;
                case ImmediateKind.Global:
                    _w.Write(' ');
                    WriteIndex(_globalNames, ins.Index);
                    break;
                case ImmediateKind.Table:
                    _w.Write(' ');
                    WriteIndex(_tableNames, ins.Index);
                    break;
                case ImmediateKind.Memory:
                    WriteMemoryIndexIfNonZero(ins.Index);
                    break;
                case ImmediateKind.MemArg:
                    WriteMemArg(ins.MemArg, info.MemoryBytes);
                    break;
                case ImmediateKind.MemArgLane:
                    WriteMemArg(ins.MemArg, info.MemoryBytes);
                    _w.Write(' ');
                    WriteNumber((ulong)ins.Lane);
                    break;
                case ImmediateKind.Lane:
                    _w.Write(' ');
                    WriteNumber((ulong)ins.Lane);
                    break;
                case ImmediateKind.I32:
                    _w.Write(' ');
                    WriteNumber((long)ins.I32);
                    break;
                case ImmediateKind.I64:
                    _w.Write(' ');
                    WriteNumber(ins.I64);
                    break;
                case ImmediateKind.F32:
                    _w.Write(' ');
                    _w.Write(NumericLiterals.FormatF32(ins.F32Bits));
                    break;
                case ImmediateKind.F64:
                    _w.Write(' ');
                    _w.Write(NumericLiterals.FormatF64(ins.F64Bits));
                    break;
                case ImmediateKind.V128:
                    _w.Write(" i32x4");
                    WriteHex32((uint)ins.Value);
                    WriteHex32((uint)(ins.Value >> 32));
                    WriteHex32((uint)ins.ValueHigh);
                    WriteHex32((uint)(ins.ValueHigh >> 32));
                    break;
                case ImmediateKind.Shuffle:
                    for (var i = 0; i < 16; i++)
                    {
                        var half = i < 8 ? ins.Value : ins.ValueHigh;
                        _w.Write(' ');
                        WriteNumber((half >> (8 * (i & 7))) & 0xFF);
                    }
                    break;
                case ImmediateKind.SelectT:
                    _w.Write(" (result");
                    foreach (var t in ins.Types ?? [])
                    {
                        _w.Write(' ');
                        WriteValType(t);
                    }
                    _w.Write(')');
                    break;
                case ImmediateKind.HeapType:
                    _w.Write(' ');
                    switch (ins.Opcode)
                    {
                        case Opcode.RefTest or Opcode.RefCast:
                            WriteValType(ValType.Ref(ins.Type.Heap, nullable: false));
                            break;
                        case Opcode.RefTestNull or Opcode.RefCastNull:
                            WriteValType(ValType.Ref(ins.Type.Heap, nullable: true));
                            break;
                        default:
                            WriteHeapType(ins.Type.Heap);
                            break;
                    }
                    break;
                case ImmediateKind.MemoryInit:
                    WriteMemoryIndexIfNonZero(ins.Index2);
                    _w.Write(' ');
                    WriteIndex(_dataNames, ins.Index);
                    break;
                case ImmediateKind.Data:
                    _w.Write(' ');
                    WriteIndex(_dataNames, ins.Index);
                    break;
                case ImmediateKind.MemoryCopy:
                    if (ins.Index != 0 || ins.Index2 != 0)
                    {
                        _w.Write(' ');
                        WriteIndex(_memoryNames, ins.Index);
                        _w.Write(' ');
                        WriteIndex(_memoryNames, ins.Index2);
                    }
                    break;
                case ImmediateKind.TableInit:
                    if (ins.Index2 != 0)
                    {
                        _w.Write(' ');
                        WriteIndex(_tableNames, ins.Index2);
                    }
                    _w.Write(' ');
                    WriteIndex(_elemNames, ins.Index);
                    break;
                case ImmediateKind.Elem:
                    _w.Write(' ');
                    WriteIndex(_elemNames, ins.Index);
                    break;
                case ImmediateKind.TableCopy:
                    if (ins.Index != 0 || ins.Index2 != 0)
                    {
                        _w.Write(' ');
                        WriteIndex(_tableNames, ins.Index);
                        _w.Write(' ');
                        WriteIndex(_tableNames, ins.Index2);
                    }
                    break;
                case ImmediateKind.TypeField:
                    _w.Write(' ');
                    WriteTypeIndex(ins.Index);
                    _w.Write(' ');
                    WriteIndex(FieldNames(ins.Index), ins.Index2);
                    break;
                case ImmediateKind.TypeType:
                    _w.Write(' ');
                    WriteTypeIndex(ins.Index);
                    _w.Write(' ');
                    WriteTypeIndex(ins.Index2);
                    break;
                case ImmediateKind.TypeData:
                    _w.Write(' ');
                    WriteTypeIndex(ins.Index);
                    _w.Write(' ');
                    WriteIndex(_dataNames, ins.Index2);
                    break;
                case ImmediateKind.TypeElem:
                    _w.Write(' ');
                    WriteTypeIndex(ins.Index);
                    _w.Write(' ');
                    WriteIndex(_elemNames, ins.Index2);
                    break;
                case ImmediateKind.TypeCount:
                    _w.Write(' ');
                    WriteTypeIndex(ins.Index);
                    _w.Write(' ');
                    WriteNumber((ulong)ins.Index2);
                    break;
                case ImmediateKind.BrOnCast:
                    _w.Write(' ');
                    WriteLabel(ins.Index);
                    _w.Write(' ');
                    WriteValType(ins.Type);
                    _w.Write(' ');
                    WriteValType(ins.Type2);
                    break;
                default:
                    throw new NotSupportedException($"Cannot print immediates of kind {info.Immediates}.");
            }
        }

        private void WriteBlockStart(BlockType blockType)
        {
            var label = NextLabel();
            if (label is not null)
            {
                _w.Write(' ');
                _w.Write(label);
            }
            WriteBlockType(blockType);
            _labels.Add(label);
        }

        private void WriteTryTable(ref Instruction ins)
        {
            var label = NextLabel();
            if (label is not null)
            {
                _w.Write(' ');
                _w.Write(label);
            }
            WriteBlockType(ins.BlockType);
            // Catch targets are resolved outside the try_table's own label.
            foreach (var c in ins.Catches ?? [])
            {
                switch (c.Kind)
                {
                    case CatchKind.Catch:
                        _w.Write(" (catch ");
                        WriteIndex(_tagNames, c.Tag);
                        break;
                    case CatchKind.CatchRef:
                        _w.Write(" (catch_ref ");
                        WriteIndex(_tagNames, c.Tag);
                        break;
                    case CatchKind.CatchAll:
                        _w.Write(" (catch_all");
                        break;
                    case CatchKind.CatchAllRef:
                        _w.Write(" (catch_all_ref");
                        break;
                    default:
                        throw new NotSupportedException($"Cannot print catch kind {c.Kind}.");
                }
                _w.Write(' ');
                WriteLabel(c.Label);
                _w.Write(')');
            }
            _labels.Add(label);
        }

        private void WriteBlockType(BlockType blockType)
        {
            switch (blockType.Kind)
            {
                case BlockTypeKind.Value:
                    _w.Write(" (result ");
                    WriteValType(blockType.ValueType);
                    _w.Write(')');
                    break;
                case BlockTypeKind.TypeIndex:
                    // Always by index: a [] -> [t] type written as (result t) would encode differently.
                    WriteTypeUse(blockType.TypeIndex);
                    break;
            }
        }

        /// <summary>The identifier for the next block's label from the name section, if any.</summary>
        private string? NextLabel()
        {
            var index = _labelCount++;
            if (_labelNames is null || !_labelNames.TryGetValue(index, out var name) || name.Length == 0) return null;
            return FormatId(name);
        }

        /// <summary>Writes a branch target by name when that name resolves to it (no inner label shadows it), else by depth.</summary>
        private void WriteLabel(uint depth)
        {
            if (depth < (uint)_labels.Count)
            {
                var target = _labels.Count - 1 - (int)depth;
                var name = _labels[target];
                if (name is not null)
                {
                    var shadowed = false;
                    for (var i = target + 1; i < _labels.Count && !shadowed; i++)
                        shadowed = _labels[i] == name;
                    if (!shadowed)
                    {
                        _w.Write(name);
                        return;
                    }
                }
            }
            WriteNumber((ulong)depth);
        }

        private void WriteMemoryIndexIfNonZero(uint memory)
        {
            if (memory == 0) return;
            _w.Write(' ');
            WriteIndex(_memoryNames, memory);
        }

        private void WriteMemArg(MemArg memArg, int naturalBytes)
        {
            WriteMemoryIndexIfNonZero(memArg.MemoryIndex);
            if (memArg.Offset != 0)
            {
                _w.Write(" offset=");
                WriteNumber(memArg.Offset);
            }
            var align = memArg.AlignLog2 < 64 ? 1UL << (int)memArg.AlignLog2 : 0;
            if (align != (ulong)naturalBytes)
            {
                _w.Write(" align=");
                WriteNumber(align);
            }
        }

        private void WriteHex32(uint value)
        {
            _w.Write(" 0x");
            value.TryFormat(_scratch, out var n, "x8", System.Globalization.CultureInfo.InvariantCulture);
            _w.Write(_scratch, 0, n);
        }
    }
}
