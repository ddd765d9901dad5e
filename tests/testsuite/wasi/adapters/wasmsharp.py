# wasi-testsuite adapter for WasmSharp (`wasmsharp run`).
#
#   python3 test-runner/wasi_test_runner.py -t rust/wasm32-wasip1 -r adapters/wasmsharp.py
#
# (from tests/testsuite/wasi, on a copy: the runner writes into the fixture folders;
# scripts/run-wasi-testsuite.sh does all of it). WASMSHARP names the command to run (default:
# `wasmsharp`), e.g. WASMSHARP="dotnet /path/to/WasmSharp.Cli.dll".
import os
import shlex
import subprocess
from pathlib import Path
from typing import Dict, List, Tuple

WASMSHARP = shlex.split(os.getenv("WASMSHARP", "wasmsharp"), posix=(os.name != "nt"))


def get_name() -> str:
    return "wasmsharp"


def get_version() -> str:
    result = subprocess.run(WASMSHARP + ["--version"], encoding="UTF-8",
                            capture_output=True, check=True)
    return result.stdout.strip().splitlines()[0].split(" ")[-1].split("+")[0]


def get_wasi_versions() -> List[str]:
    return ["wasm32-wasip1"]


def get_wasi_worlds() -> List[str]:
    return ["wasi:cli/command"]


def compute_argv(test_path: str,
                 args_env_dirs: Tuple[List[str], Dict[str, str], List[Tuple[Path, str]]],
                 proposals: List[str],
                 wasi_world: str,
                 wasi_version: str) -> List[str]:
    args, env, dirs = args_env_dirs
    argv = WASMSHARP + ["run"]
    for k, v in env.items():
        argv += ["--env", f"{k}={v}"]
    for host, guest in dirs:
        argv += ["--dir", f"{host}::{guest}"]  # noqa: E231
    argv += [test_path]
    argv += args
    return argv
