#!/usr/bin/env python3
"""Differential fuzzing of the engine against binaryen's interpreter.

Needs binaryen (`apt-get install binaryen`: wasm-opt) and the .NET SDK; not part of the tests, since a fresh
machine has no binaryen. For each round, random bytes become a valid module (`wasm-opt -ttf`), binaryen runs
its exports (`--fuzz-exec`), and tools/WasmSharp.FuzzDriver runs them on WasmSharp the same way; the calls,
integer results, traps and integer logs must agree. Modules that disagree are kept in OUT/mismatches.

    scripts/fuzz-binaryen.py [--count N] [--size BYTES] [--outlining-scale X] [--out DIR] [--seed S]

--outlining-scale 0.001 outlines nearly every statement run (EngineConfig.OutliningBudgetScale), which stresses
the region methods. Known benign differences: NaN bit patterns (Wasm leaves NaN payloads nondeterministic;
binaryen canonicalizes, x64 propagates them), visible when a NaN is reinterpreted or stored and hashed.
`wasm-opt --denan IN -o OUT` removes NaNs from a module: if the mismatch goes away, it was one of those.
"""
import argparse, os, random, re, shutil, subprocess, sys

FEATURES = ["--enable-multivalue", "--enable-bulk-memory", "--enable-sign-ext",
            "--enable-nontrapping-float-to-int", "--enable-mutable-globals"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def calls(lines):
    out = []
    for line in lines:
        if line.startswith("[fuzz-exec] calling"):
            out.append([line])
        elif out and (line.startswith("[trap") or line.startswith("[fuzz-exec] note result")
                      or line.startswith("[LoggingExternalInterface") or line.startswith("[exception")
                      or line.startswith("[host limit")):
            out[-1].append("[trap]" if line.startswith("[trap") else line)
    return out


def binaryen_first_pass(text):
    """--fuzz-exec runs the exports before and after its passes; the first pass is enough."""
    lines = [l for l in text.splitlines() if l.startswith("[")]
    names = [l for l in lines if l.startswith("[fuzz-exec] calling")]
    if names:
        starts = [i for i, l in enumerate(lines) if l == names[0]]
        if len(starts) > 1:
            lines = lines[:starts[1]]
    return lines


def disagreement(expected, ours):
    """None when they agree, else a description of the first difference."""
    if any(l.startswith("[load error") for l in ours):
        return "WasmSharp rejected the module: " + ours[0]
    b, o = calls(expected), calls(ours)
    if len(b) != len(o):
        return f"{len(b)} calls in binaryen, {len(o)} in WasmSharp"
    for x, y in zip(b, o):
        if x[0] != y[0]:
            return f"{x[0]} != {y[0]}"
        if any(l.startswith("[host limit") for l in x):
            return None
        ours_has_result = any("note result" in l for l in y)
        xs = [l for l in x[1:] if "note result" not in l or ours_has_result]
        ys = y[1:]
        if len(xs) != len(ys):
            return f"different events in {x[0]}: {xs} vs {ys}"
        for a, c in zip(xs, ys):
            if c == "[LoggingExternalInterface logging FLOAT]" and a.startswith("[LoggingExternalInterface"):
                continue
            if a != c:
                return f"{a} != {c} in {x[0]}"
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--size", type=int, default=20000, help="random bytes per module (larger: bigger modules)")
    p.add_argument("--outlining-scale", default="1.0")
    p.add_argument("--out", default="/tmp/wasmsharp-fuzz")
    p.add_argument("--seed", type=int, default=None)
    a = p.parse_args()
    if shutil.which("wasm-opt") is None:
        sys.exit("wasm-opt not found: apt-get install binaryen")
    rng = random.Random(a.seed)
    os.makedirs(os.path.join(a.out, "mismatches"), exist_ok=True)
    driver = os.path.join(a.out, "driver")
    subprocess.run(["dotnet", "build", "-c", "Release", "-o", driver, "--nologo", "-v", "quiet",
                    os.path.join(ROOT, "tools/WasmSharp.FuzzDriver/WasmSharp.FuzzDriver.csproj")], check=True)
    modules, expected = [], {}
    for i in range(a.count):
        dat, wasm = os.path.join(a.out, f"m{i}.dat"), os.path.join(a.out, f"m{i}.wasm")
        with open(dat, "wb") as f:
            f.write(rng.randbytes(a.size))
        r = subprocess.run(["wasm-opt", "-ttf", dat, "-o", wasm, "--fuzz-exec"] + FEATURES,
                           capture_output=True, text=True, timeout=120)
        if r.returncode == 0:
            modules.append(wasm)
            expected[wasm] = binaryen_first_pass(r.stdout)
    r = subprocess.run(["dotnet", os.path.join(driver, "WasmSharp.FuzzDriver.dll"), "--outlining-scale",
                        a.outlining_scale] + modules, capture_output=True, text=True, timeout=3600)
    if r.returncode != 0:
        print(f"the driver died (exit {r.returncode}): a host crash is a bug\n{r.stderr[-3000:]}")
        return 1
    ours, current = {}, None
    for line in r.stdout.splitlines():
        if line.startswith("== "):
            current = line[3:]
            ours[current] = []
        elif current is not None:
            ours[current].append(line)
    bad = 0
    for wasm in modules:
        why = disagreement(expected[wasm], ours.get(wasm, ["[load error: no output]"]))
        if why:
            bad += 1
            kept = os.path.join(a.out, "mismatches", f"{os.getpid()}-{os.path.basename(wasm)}")
            shutil.copy(wasm, kept)
            print(f"MISMATCH {kept}: {why}")
    print(f"{len(modules)} modules, {bad} disagreements")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
