namespace WasmSharp.Runtime;

/// <summary>
/// Immutable engine settings. Create variations with <c>with</c>:
/// <c>new Engine(EngineConfig.Default with { ConsumeFuel = true })</c>.
/// </summary>
public sealed record EngineConfig
{
    public static EngineConfig Default { get; } = new();

    /// <summary>
    /// The most bytes one linear memory may hold, on top of the module's own maximum: <c>memory.grow</c>
    /// past it returns -1. Defaults to 4 GiB (all of a 32-bit memory).
    /// </summary>
    public ulong MaxMemoryBytes { get; init; } = 1UL << 32;

    /// <summary>The most elements one table may hold: <c>table.grow</c> past it returns -1.</summary>
    public ulong MaxTableElements { get; init; } = 10_000_000;

    /// <summary>
    /// Bytes of each thread's stack that Wasm code leaves to the host: a call that would go deeper
    /// traps with "call stack exhausted" instead of overflowing the .NET stack.
    /// </summary>
    public int StackReserveBytes { get; init; } = 384 * 1024;

    /// <summary>
    /// Meter execution with fuel: the store's fuel drops as code runs and execution traps with
    /// "all fuel consumed" when it runs out. Off by default; when off, compiled code has no metering at all.
    /// </summary>
    public bool ConsumeFuel { get; init; }

    /// <summary>
    /// Let another thread interrupt running code with <see cref="Engine.IncrementEpoch"/> and a store
    /// deadline (<see cref="Store.SetEpochDeadline"/>). Off by default; when off, compiled code has no checks.
    /// </summary>
    public bool EpochInterruption { get; init; }

    /// <summary>
    /// Compile Wasm functions with .NET's tiered JIT: quick unoptimized code on first call, on-stack replacement
    /// for hot loops, optimized code with profile-guided optimization once a function is hot. This roughly
    /// halves the JIT time of a module's first run, so short runs finish sooner, but code can take tens of runs
    /// to reach full speed, running up to 2-3x slower meanwhile. And the runtime only tiers code it never
    /// unloads: each module's code stays in memory until the process exits, even once the module is unreferenced.
    /// Off by default: every function is compiled once, fully optimized, on its first call, and a module's
    /// code is unloaded with the module. Worth turning on for one-shot runs of short programs; leave it off for
    /// hosts that load many modules or run them many times.
    /// </summary>
    public bool TieredCompilation { get; init; }

    /// <summary>
    /// Move parts of functions too large for the .NET JIT to optimize into separate methods, so that every method
    /// stays within the JIT's limits. On by default; turning it off leaves such functions unoptimized (2-5x slower).
    /// </summary>
    public bool OutlineLargeFunctions { get; init; } = true;

    /// <summary>For tests: scales the method size at which outlining starts (small values outline small functions).</summary>
    internal double OutliningBudgetScale { get; init; } = 1.0;
}
