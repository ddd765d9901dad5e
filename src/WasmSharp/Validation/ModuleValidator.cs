using System.Globalization;
using WasmSharp.Model;

namespace WasmSharp.Validation;

/// <summary>
/// Validates a module against the WebAssembly 3.0 rules (plus threads, wide arithmetic, custom page
/// sizes and the legacy exception instructions). Errors are <see cref="InvalidException"/>s whose
/// reason is the wording of the spec test suite.
/// </summary>
public static class ModuleValidator
{
    /// <summary>Validates <paramref name="module"/> with a private type registry.</summary>
    public static void Validate(Module module) => Validate(module, new TypeRegistry());

    /// <summary>
    /// Validates <paramref name="module"/>, canonicalising its types into <paramref name="registry"/>
    /// (share one registry across the modules of a store), and returns the module's canonical types.
    /// </summary>
    public static ModuleTypes Validate(Module module, TypeRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(registry);
        var types = ModuleTypes.Create(module, registry);
        var ctx = new ModuleContext(module, types);
        new Checker(ctx).Run();
        return types;
    }

    private sealed class Checker(ModuleContext ctx)
    {
        private readonly Module _m = ctx.Module;
        private readonly ModuleTypes _types = ctx.Types;
        private readonly TypeRegistry _registry = ctx.Registry;
        private CodeValidator? _code;

        private CodeValidator Code => _code ??= new CodeValidator(ctx);

        // Below this much code, starting workers costs more than it saves.
        private const long ParallelThresholdBytes = 256 * 1024;

        private static InvalidException Invalid(string reason, int offset = -1) =>
            new(reason, offset >= 0 ? SourceLocation.AtOffset(offset) : SourceLocation.None);

        private static string Str(ulong value) => value.ToString(CultureInfo.InvariantCulture);

        public void Run()
        {
            // Imports first: they open every index space.
            foreach (var import in _m.Imports)
            {
                var d = import.Descriptor;
                switch (d.Kind)
                {
                    case ExternalKind.Func:
                        ctx.Functions.Add(FuncTypeId(d.FuncTypeIndex));
                        break;
                    case ExternalKind.Table:
                        ctx.Tables.Add(CheckTableType(d.Table!));
                        break;
                    case ExternalKind.Memory:
                        ctx.Memories.Add(CheckMemoryType(d.Memory!));
                        break;
                    case ExternalKind.Global:
                        ctx.Globals.Add(new GlobalInfo(CanonValType(d.Global.Type), d.Global.Mutable));
                        break;
                    case ExternalKind.Tag:
                        ctx.Tags.Add(CheckTagType(d.Tag));
                        break;
                    default:
                        throw Invalid("malformed import kind");
                }
            }
            var importedGlobals = ctx.Globals.Count;

            foreach (var tag in _m.Tags) ctx.Tags.Add(CheckTagType(tag));
            foreach (var typeIndex in _m.Functions) ctx.Functions.Add(FuncTypeId(typeIndex));
            if (_m.Functions.Count != _m.Codes.Count)
                throw new MalformedException("function and code section have inconsistent lengths", SourceLocation.None);
            ctx.DeclaredFunctions = new bool[ctx.Functions.Count];

            foreach (var memory in _m.Memories) ctx.Memories.Add(CheckMemoryType(memory));

            foreach (var table in _m.Tables)
            {
                var info = CheckTableType(table.Type);
                if (table.Init is not null)
                    Code.ValidateConstant(table.Init, info.ElementType, importedGlobals);
                else if (!info.ElementType.IsNullable)
                    throw Invalid($"type mismatch: table of non-nullable type {table.Type.ElementType} needs an initialiser");
                ctx.Tables.Add(info);
            }

            foreach (var global in _m.Globals)
            {
                var t = CanonValType(global.Type.Type);
                Code.ValidateConstant(global.Init, t, ctx.Globals.Count);
                ctx.Globals.Add(new GlobalInfo(t, global.Type.Mutable));
            }

            ctx.DataCount = _m.Data.Count;
            foreach (var data in _m.Data)
            {
                if (data.Mode != SegmentMode.Active) continue;
                var memory = MemoryAt(data.MemoryIndex);
                Code.ValidateConstant(data.Offset ?? throw Invalid("active data segment without offset"), memory.AddressType, ctx.Globals.Count);
            }

            foreach (var elem in _m.Elements) ctx.Elements.Add(CheckElement(elem));

            // Functions referenced outside function bodies may be referenced inside them (C.refs).
            foreach (var export in _m.Exports)
                if (export.Kind == ExternalKind.Func && export.Index < (uint)ctx.DeclaredFunctions.Length)
                    ctx.DeclaredFunctions[export.Index] = true;

            ValidateBodies(ctx.Functions.Count - _m.Functions.Count);

            if (_m.Start is { } start)
            {
                if (start >= (uint)ctx.Functions.Count) throw Invalid($"unknown function {Str(start)}");
                var f = _registry[ctx.Functions[(int)start]].Func!;
                if (f.Params.Length != 0 || f.Results.Length != 0)
                    throw Invalid("start function must not have parameters or results");
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var export in _m.Exports)
            {
                var count = export.Kind switch
                {
                    ExternalKind.Func => ctx.Functions.Count,
                    ExternalKind.Table => ctx.Tables.Count,
                    ExternalKind.Memory => ctx.Memories.Count,
                    ExternalKind.Global => ctx.Globals.Count,
                    ExternalKind.Tag => ctx.Tags.Count,
                    _ => throw Invalid("malformed export kind"),
                };
                if (export.Index >= (uint)count)
                {
                    var what = export.Kind switch
                    {
                        ExternalKind.Func => "function",
                        ExternalKind.Table => "table",
                        ExternalKind.Memory => "memory",
                        ExternalKind.Global => "global",
                        _ => "tag",
                    };
                    throw Invalid($"unknown {what} {Str(export.Index)}");
                }
                if (!names.Add(export.Name)) throw Invalid($"duplicate export name \"{export.Name}\"");
            }
        }

        private void ValidateBodies(int importedFuncs)
        {
            var codes = _m.Codes;
            long totalBytes = 0;
            foreach (var c in codes) totalBytes += c.Code.Length;
            var workers = Math.Min(Environment.ProcessorCount, 8);
            if (workers < 2 || codes.Count < 8 || totalBytes < ParallelThresholdBytes)
            {
                for (var i = 0; i < codes.Count; i++) Code.ValidateFunction(importedFuncs + i, codes[i]);
                return;
            }

            // Bodies only read the context, so they can be checked concurrently, each worker with its own
            // stacks. Chunks of similar byte size keep the workers busy; the error reported is the one of the
            // lowest function index, as a sequential pass would report it.
            var chunkCount = Math.Min(codes.Count, workers * 8);
            var starts = new int[chunkCount + 1];
            long acc = 0;
            var next = 1;
            for (var i = 0; i < codes.Count && next < chunkCount; i++)
            {
                acc += codes[i].Code.Length;
                if (acc * chunkCount >= totalBytes * next) starts[next++] = i + 1;
            }
            while (next <= chunkCount) starts[next++] = codes.Count;

            var firstFailure = int.MaxValue;
            var failures = new System.Runtime.ExceptionServices.ExceptionDispatchInfo?[chunkCount];
            var failedAt = new int[chunkCount];
            Parallel.For(
                0,
                chunkCount,
                new ParallelOptions { MaxDegreeOfParallelism = workers },
                () => new CodeValidator(ctx),
                (chunk, _, validator) =>
                {
                    for (var i = starts[chunk]; i < starts[chunk + 1]; i++)
                    {
                        if (i > Volatile.Read(ref firstFailure)) break;
                        try
                        {
                            validator.ValidateFunction(importedFuncs + i, codes[i]);
                        }
                        catch (Exception e)
                        {
                            failures[chunk] = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
                            failedAt[chunk] = i;
                            int seen;
                            while (i < (seen = Volatile.Read(ref firstFailure)) && Interlocked.CompareExchange(ref firstFailure, i, seen) != seen) { }
                            break;
                        }
                    }
                    return validator;
                },
                _ => { });

            System.Runtime.ExceptionServices.ExceptionDispatchInfo? first = null;
            var firstIndex = int.MaxValue;
            for (var c = 0; c < chunkCount; c++)
            {
                if (failures[c] is { } f && failedAt[c] < firstIndex)
                {
                    first = f;
                    firstIndex = failedAt[c];
                }
            }
            first?.Throw();
        }

        private ValType CanonValType(ValType t)
        {
            ModuleTypes.CheckValType(t, _types.Count);
            return _types.Canonicalize(t);
        }

        private CanonicalType TypeAt(uint index)
        {
            if (index >= (uint)_types.Count) throw Invalid($"unknown type {Str(index)}");
            return _types.Get(index);
        }

        private int FuncTypeId(uint typeIndex)
        {
            var t = TypeAt(typeIndex);
            if (t.Kind != CompositeKind.Func) throw Invalid($"non-function type {Str(typeIndex)}");
            return t.Id;
        }

        private int CheckTagType(TagType tag)
        {
            var id = FuncTypeId(tag.TypeIndex);
            if (_registry[id].Func!.Results.Length != 0) throw Invalid("non-empty tag result type");
            return id;
        }

        private MemoryInfo MemoryAt(uint index)
        {
            if (index >= (uint)ctx.Memories.Count) throw Invalid($"unknown memory {Str(index)}");
            return ctx.Memories[(int)index];
        }

        private TableInfo TableAt(uint index)
        {
            if (index >= (uint)ctx.Tables.Count) throw Invalid($"unknown table {Str(index)}");
            return ctx.Tables[(int)index];
        }

        private static void CheckLimits(Limits limits, ulong bound, string message)
        {
            if (limits.Min > bound) throw Invalid(message);
            if (limits.Max is { } max)
            {
                if (max > bound) throw Invalid(message);
                if (limits.Min > max) throw Invalid("size minimum must not be greater than maximum");
            }
        }

        private static MemoryInfo CheckMemoryType(MemoryType memory)
        {
            var log2 = memory.PageSizeLog2;
            if (log2 is not (0 or 16)) throw Invalid("invalid custom page size");
            var limits = memory.Limits;
            ulong bound;
            string message;
            if (!limits.Is64)
            {
                // 4 GiB of address space; with 1-byte pages the count itself must still fit in a u32.
                bound = log2 == 0 ? uint.MaxValue : 1UL << (32 - log2);
                message = log2 == 16 ? "memory size must be at most 65536 pages (4GiB)" : $"memory size must be at most {Str(bound)} pages";
            }
            else
            {
                bound = log2 == 0 ? ulong.MaxValue : 1UL << (64 - log2);
                message = log2 == 16 ? "memory size must be at most 2^48 pages (256TiB)" : $"memory size must be at most {Str(bound)} pages";
            }
            CheckLimits(limits, bound, message);
            if (limits.Shared && limits.Max is null) throw Invalid("shared memory must have maximum");
            return new MemoryInfo(limits.Is64, limits.Shared);
        }

        private TableInfo CheckTableType(TableType table)
        {
            if (!table.ElementType.IsRef) throw Invalid("malformed reference type");
            var elem = CanonValType(table.ElementType);
            if (table.Limits.Is64) CheckLimits(table.Limits, ulong.MaxValue, "table size must be at most 2^64-1");
            else CheckLimits(table.Limits, uint.MaxValue, "table size must be at most 2^32-1");
            return new TableInfo(elem, table.Limits.Is64);
        }

        private ValType CheckElement(ElementSegment elem)
        {
            if (!elem.Type.IsRef) throw Invalid("malformed reference type");
            var rt = CanonValType(elem.Type);
            if (elem.FunctionIndices is { } funcs)
            {
                foreach (var f in funcs)
                {
                    if (f >= (uint)ctx.Functions.Count) throw Invalid($"unknown function {Str(f)}");
                    ctx.DeclaredFunctions[f] = true;
                    if (!_registry.IsSubtype(ValType.Ref(new HeapType(ctx.Functions[(int)f]), nullable: false), rt))
                        throw Invalid($"type mismatch: function {Str(f)} does not match element type {elem.Type}");
                }
            }
            if (elem.Expressions is { } exprs)
                foreach (var e in exprs) Code.ValidateConstant(e, rt, ctx.Globals.Count);
            if (elem.Mode == SegmentMode.Active)
            {
                var table = TableAt(elem.TableIndex);
                if (!_registry.IsSubtype(rt, table.ElementType))
                    throw Invalid($"type mismatch: element segment's type {elem.Type} does not match table's element type");
                Code.ValidateConstant(elem.Offset ?? throw Invalid("active element segment without offset"), table.AddressType, ctx.Globals.Count);
            }
            return rt;
        }
    }
}
