using System.Collections;
using System.Collections.Immutable;
using System.Security.Cryptography;

namespace WasmSharp.Wasi;

/// <summary>Fills <paramref name="buffer"/> with random bytes (the source of <c>random_get</c>).</summary>
public delegate void WasiRandomSource(Span<byte> buffer);

/// <summary>A host directory made visible to the guest under <see cref="GuestPath"/>.</summary>
public sealed record WasiPreopen(string HostPath, string GuestPath, bool ReadOnly);

/// <summary>
/// What a WASI guest is given: arguments, environment, preopened directories, stdio, a clock and a
/// source of randomness. Immutable: every <c>With...</c> method returns a new configuration. The default
/// grants nothing: no arguments, no environment, no directories, stdio connected to nothing.
/// </summary>
public sealed record WasiConfig
{
    /// <summary>The guest's argv, including argv[0] (conventionally the program's name).</summary>
    public ImmutableArray<string> Args { get; init; } = [];

    /// <summary>Variables set explicitly, in order; they override inherited ones of the same name.</summary>
    public ImmutableArray<KeyValuePair<string, string>> Environment { get; init; } = [];

    /// <summary>Whether the host's environment is passed on (read when a context is created).</summary>
    public bool InheritsEnvironment { get; init; }

    public ImmutableArray<WasiPreopen> Preopens { get; init; } = [];

    public WasiStdio Stdin { get; init; } = WasiStdio.Null;

    public WasiStdio Stdout { get; init; } = WasiStdio.Null;

    public WasiStdio Stderr { get; init; } = WasiStdio.Null;

    public WasiClock Clock { get; init; } = WasiClock.System;

    /// <summary>The source of <c>random_get</c>; by default the operating system's cryptographic generator.</summary>
    public WasiRandomSource Random { get; init; } = RandomNumberGenerator.Fill;

    /// <summary>Sets argv (argv[0] included).</summary>
    public WasiConfig WithArgs(params IEnumerable<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var list = args.ToImmutableArray();
        foreach (var a in list)
        {
            ArgumentNullException.ThrowIfNull(a, nameof(args));
            if (a.Contains('\0')) throw new ArgumentException("An argument cannot contain a NUL character.", nameof(args));
        }
        return this with { Args = list };
    }

    /// <summary>Sets one environment variable, replacing an earlier one of the same name.</summary>
    public WasiConfig WithEnvironment(string name, string value)
    {
        CheckVariable(name, value);
        for (var i = 0; i < Environment.Length; i++)
        {
            if (Environment[i].Key == name) return this with { Environment = Environment.SetItem(i, new(name, value)) };
        }
        return this with { Environment = Environment.Add(new(name, value)) };
    }

    /// <summary>Sets several environment variables (later ones replace earlier ones of the same name).</summary>
    public WasiConfig WithEnvironment(IEnumerable<KeyValuePair<string, string>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var config = this;
        foreach (var (name, value) in variables) config = config.WithEnvironment(name, value);
        return config;
    }

    /// <summary>Passes on the host's environment, read when each context is created.</summary>
    public WasiConfig InheritEnvironment() => this with { InheritsEnvironment = true };

    /// <summary>
    /// Makes <paramref name="hostPath"/> (which must be a directory when a context is created) visible as
    /// <paramref name="guestPath"/>. The guest can reach nothing outside it. With <paramref name="readOnly"/>
    /// it cannot change anything in it either.
    /// </summary>
    public WasiConfig PreopenDirectory(string hostPath, string guestPath, bool readOnly = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostPath);
        ArgumentException.ThrowIfNullOrEmpty(guestPath);
        if (guestPath.Contains('\0')) throw new ArgumentException("A guest path cannot contain a NUL character.", nameof(guestPath));
        return this with { Preopens = Preopens.Add(new WasiPreopen(hostPath, guestPath, readOnly)) };
    }

    public WasiConfig WithStdin(WasiStdio stdin)
    {
        ArgumentNullException.ThrowIfNull(stdin);
        return this with { Stdin = stdin };
    }

    public WasiConfig WithStdout(WasiStdio stdout)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        return this with { Stdout = stdout };
    }

    public WasiConfig WithStderr(WasiStdio stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        return this with { Stderr = stderr };
    }

    /// <summary>Connects stdin, stdout and stderr to the host process's own.</summary>
    public WasiConfig InheritStdio() => this with { Stdin = WasiStdio.Inherit, Stdout = WasiStdio.Inherit, Stderr = WasiStdio.Inherit };

    public WasiConfig WithClock(WasiClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return this with { Clock = clock };
    }

    public WasiConfig WithRandom(WasiRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return this with { Random = random };
    }

    /// <summary>Draws <c>random_get</c> bytes from <paramref name="random"/> (e.g. a seeded one, for reproducible runs).</summary>
    public WasiConfig WithRandom(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return WithRandom(buffer =>
        {
            lock (random) random.NextBytes(buffer);
        });
    }

    /// <summary>The environment a new context gets: inherited variables (sorted by name), then explicit ones.</summary>
    internal List<KeyValuePair<string, string>> ResolveEnvironment()
    {
        var result = new List<KeyValuePair<string, string>>();
        if (InheritsEnvironment)
        {
            var explicitNames = new HashSet<string>(Environment.Select(kv => kv.Key), StringComparer.Ordinal);
            var inherited = new List<KeyValuePair<string, string>>();
            foreach (DictionaryEntry e in System.Environment.GetEnvironmentVariables())
            {
                var name = (string)e.Key;
                var value = (string?)e.Value ?? "";
                if (explicitNames.Contains(name) || name.Contains('=') || name.Contains('\0') || value.Contains('\0')) continue;
                inherited.Add(new(name, value));
            }
            inherited.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            result.AddRange(inherited);
        }
        result.AddRange(Environment);
        return result;
    }

    private static void CheckVariable(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (name.Contains('=') || name.Contains('\0')) throw new ArgumentException("A variable name cannot contain '=' or NUL.", nameof(name));
        if (value.Contains('\0')) throw new ArgumentException("A variable value cannot contain NUL.", nameof(value));
    }
}
