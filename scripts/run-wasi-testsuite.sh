#!/usr/bin/env bash
# Runs the official wasi-testsuite preview1 tests (72: tests/testsuite/wasi/{assemblyscript,c,rust})
# through the official Python runner (tests/testsuite/wasi/test-runner, vendored) and our adapter
# (tests/testsuite/wasi/adapters/wasmsharp.py), which drives `wasmsharp run`.
#
#   scripts/run-wasi-testsuite.sh [--cli PATH/WasmSharp.Cli.dll] [--keep] [--json FILE] [SUITE...]
#
# SUITE: assemblyscript, c, rust (default: all three). The CLI is published once in Release (see
# scripts/lib/cli.sh) unless --cli names a built one. The tests run on a fresh copy of the vendored
# folders, in a temp directory (the runner writes into the fixture folders); --keep leaves it there.
# Needs Python 3.12+ (default: `PYENV_VERSION=3.12.1 python3`, or $PYTHON) with colorama; when that
# Python lacks colorama it is borrowed from another python3's site-packages through PYTHONPATH.
# Exit code: 0 when every test passed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/lib/cli.sh"

SUITES=()
KEEP=0
JSON=
while (($#)); do
  case $1 in
    --cli) WASMSHARP_DLL=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --json) JSON=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    assemblyscript|c|rust) SUITES+=("$1"); shift ;;
    *) echo "error: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
((${#SUITES[@]})) || SUITES=(assemblyscript c rust)
[[ -z $JSON || $JSON = /* ]] || JSON=$PWD/$JSON

WORK=$(mktemp -d "${TMPDIR:-/tmp}/wasmsharp-wasi-testsuite.XXXXXX")
if ((KEEP)); then echo "Work directory: $WORK" >&2; else trap 'rm -rf "$WORK"' EXIT; fi

# --- the CLI -------------------------------------------------------------------------------------
wasmsharp_cli "$WORK/cli"
if ! wasmsharp_has_run; then
  echo "error: $WASMSHARP_DLL has no 'run' command" >&2
  exit 1
fi

# --- Python 3.12 with colorama ------------------------------------------------------------------
if [[ -n ${PYTHON:-} ]]; then
  PY=("$PYTHON")
else
  PY=(env PYENV_VERSION="${PYENV_VERSION:-3.12.1}" python3)
fi
if ! "${PY[@]}" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
  echo "error: the runner needs Python 3.12+; '${PY[*]}' is $("${PY[@]}" --version 2>&1)" >&2
  exit 1
fi
PYDEPS=$WORK/pydeps
mkdir -p "$PYDEPS"
for pkg in colorama requests; do
  "${PY[@]}" -c "import $pkg" 2>/dev/null && continue
  # Borrow the package (pure Python) from another interpreter: link only it, not its whole
  # site-packages. requests is optional: only the HTTP tests (none in preview1) import it.
  src=$(env -u PYENV_VERSION python3 -c "import $pkg, os; print(os.path.dirname($pkg.__file__))" 2>/dev/null || true)
  if [[ -n $src ]]; then
    ln -s "$src" "$PYDEPS/$pkg"
    if [[ $pkg = requests ]]; then
      for dep in urllib3 idna certifi charset_normalizer; do
        d=$(env -u PYENV_VERSION python3 -c "import $dep, os; print(os.path.dirname($dep.__file__))" 2>/dev/null || true)
        [[ -n $d ]] && ln -s "$d" "$PYDEPS/$dep"
      done
    fi
  elif [[ $pkg = colorama ]]; then
    echo "error: no colorama for ${PY[*]} (pip install colorama)" >&2
    exit 1
  fi
done
export PYTHONPATH=$PYDEPS${PYTHONPATH:+:$PYTHONPATH}

# --- a fresh copy of the tests -------------------------------------------------------------------
TESTS=()
for s in "${SUITES[@]}"; do
  mkdir -p "$WORK/tests/$s"
  cp -r "$ROOT/tests/testsuite/wasi/$s/wasm32-wasip1" "$WORK/tests/$s/"
  TESTS+=("$WORK/tests/$s/wasm32-wasip1")
done

# --- run ------------------------------------------------------------------------------------------
export WASMSHARP="dotnet $(printf '%q' "$WASMSHARP_DLL")"   # read by the adapter
RESULTS=${JSON:-$WORK/results.json}
echo "Runner: ${PY[*]} ($("${PY[@]}" --version 2>&1)); CLI: $WASMSHARP" >&2
started=$(date +%s%N)
status=0
(cd "$WORK" && "${PY[@]}" "$ROOT/tests/testsuite/wasi/test-runner/wasi_test_runner.py" \
    -t "${TESTS[@]}" \
    -r "$ROOT/tests/testsuite/wasi/adapters/wasmsharp.py" \
    --json-output-location "$RESULTS" --disable-colors) || status=$?
elapsed_ms=$((($(date +%s%N) - started) / 1000000))

# --- summary --------------------------------------------------------------------------------------
if [[ ! -f $RESULTS ]]; then
  echo "error: the runner wrote no results (exit code $status)" >&2
  exit 1
fi
"${PY[@]}" - "$RESULTS" "$elapsed_ms" <<'PYEOF'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
total = {"passed": 0, "failed": 0, "skipped": 0}
print("===== Summary =====")
for suite in results:
    for k in total:
        total[k] += suite[k]
    print(f"{suite['name']}: {suite['passed']} passed, {suite['failed']} failed, "
          f"{suite['skipped']} skipped ({suite['duration_s']:.1f} s)")
    for t in suite["tests"]:
        if t["failures"]:
            print(f"  FAILED {t['name']}: " + " | ".join(f.replace("\n", " ")[:300] for f in t["failures"]))
n = total["passed"] + total["failed"] + total["skipped"]
print(f"Total: {total['passed']}/{n} passed, {total['failed']} failed, {total['skipped']} skipped; "
      f"wall time {int(sys.argv[2]) / 1000:.1f} s")
PYEOF
exit "$status"
