#!/usr/bin/env bash
# Runs every sightglass module (benchmarks/sightglass: each *.wasm of each folder except hex-simd,
# rust-protobuf, image-classification and splay; 114 modules) as a WASI command, the way the
# sightglass protocol runs it, and checks its output:
#
#   wasmsharp: dotnet WasmSharp.Cli.dll run --preload bench=bench.wasm --dir .::. MODULE.wasm
#   node:      node --no-warnings scripts/sightglass/node-run.mjs MODULE.wasm   (node:wasi, Node 20)
#
# Each run gets a fresh copy of the module's folder in a temp directory as its working directory
# (preopened as "."), empty stdin, and argv[0] = the module's file name. bench.wasm
# (scripts/sightglass/bench.wat, built with `wasmsharp wat2wasm`) exports no-op `start` and `end`;
# node-run.mjs provides the same no-ops. A run is "ok" when it exits with 0 and its stdout and
# stderr equal NAME.stdout.expected / NAME.stderr.expected (default.*.expected when the folder has
# no per-module file), trailing blanks of each line and blank lines at the end ignored. hashset and
# richards have no expected files: there the two runtimes' outputs are compared with each other,
# numbers masked (hashset prints its own timing), when both ran.
#
#   scripts/run-sightglass-cli.sh [--cli PATH/WasmSharp.Cli.dll] [--runtime wasmsharp|node|both]
#                                 [--filter TEXT]... [--timeout SECONDS] [--keep] [--node-flag FLAG]...
#                                 [--interleave] [--suite DIR]
#
# By default the whole loop runs under wasmsharp, then under node; --interleave runs each module
# under both before the next, which is fairer on a machine whose load changes.
# --suite: another folder laid out like sightglass's benchmarks/ (default: benchmarks/sightglass).
# --filter keeps the modules whose name (FOLDER or FOLDER/STEM) contains TEXT. --timeout: per run
# (default 900). --node-flag passes a flag to node (e.g. --single-threaded-gc, which avoids an
# intermittent SIGSEGV of Node 20 in the libsodium pwhash_argon2 modules). --keep leaves the temp
# directory (outputs under out/RUNTIME/). The CLI is published once in Release
# (scripts/lib/cli.sh) unless --cli names a built one. The wall time of a run is
# from process start to exit (copying the folder and comparing are outside it); "total" is the sum
# over the modules. Exit code: 0 when every run was ok.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/lib/cli.sh"
SUITE=$ROOT/benchmarks/sightglass
EXCLUDED=" hex-simd rust-protobuf image-classification splay "

RUNTIMES=(wasmsharp node)
FILTERS=() NODE_FLAGS=()
TIMEOUT=900
KEEP=0 INTERLEAVE=0
while (($#)); do
  case $1 in
    --cli) WASMSHARP_DLL=$2; shift 2 ;;
    --runtime)
      case $2 in
        both) RUNTIMES=(wasmsharp node) ;;
        wasmsharp|node) RUNTIMES=("$2") ;;
        *) echo "error: --runtime: wasmsharp, node or both" >&2; exit 2 ;;
      esac
      shift 2 ;;
    --filter) FILTERS+=("$2"); shift 2 ;;
    --node-flag) NODE_FLAGS+=("$2"); shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --suite) SUITE=$(cd "$2" && pwd); shift 2 ;;
    --interleave) INTERLEAVE=1; shift ;;
    -h|--help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/wasmsharp-sightglass.XXXXXX")
if ((KEEP)); then echo "Work directory: $WORK" >&2; else trap 'rm -rf "$WORK"' EXIT; fi

# --- the modules ---------------------------------------------------------------------------------
NAMES=() DIRS=() STEMS=()
for dir in "$SUITE"/*/; do
  dir=${dir%/}
  folder=$(basename "$dir")
  if [[ $EXCLUDED == *" $folder "* ]]; then continue; fi
  for wasm in "$dir"/*.wasm; do
    if [[ ! -e $wasm ]]; then continue; fi
    stem=$(basename "$wasm" .wasm)
    if [[ $stem == benchmark ]]; then name=$folder; else name=$folder/$stem; fi
    if ((${#FILTERS[@]})); then
      keep=0
      for f in "${FILTERS[@]}"; do if [[ ${name,,} == *"${f,,}"* ]]; then keep=1; fi; done
      ((keep)) || continue
    fi
    NAMES+=("$name") DIRS+=("$dir") STEMS+=("$stem")
  done
done
echo "${#NAMES[@]} modules." >&2

# --- the runtimes --------------------------------------------------------------------------------
for rt in "${RUNTIMES[@]}"; do
  case $rt in
    wasmsharp)
      wasmsharp_cli "$WORK/cli"
      if ! wasmsharp_has_run; then
        echo "error: $WASMSHARP_DLL has no 'run' command" >&2
        exit 1
      fi
      "${WASMSHARP_CMD[@]}" wat2wasm "$ROOT/scripts/sightglass/bench.wat" -o "$WORK/bench.wasm"
      echo "wasmsharp: ${WASMSHARP_CMD[*]}" >&2 ;;
    node)
      NODE=${NODE:-node}
      echo "node: $NODE $("$NODE" --version) ${NODE_FLAGS[*]}" >&2 ;;
  esac
done

command_for() { # RUNTIME STEM -> CMD
  case $1 in
    wasmsharp) CMD=("${WASMSHARP_CMD[@]}" run --preload "bench=$WORK/bench.wasm" --dir .::. "$2.wasm") ;;
    node) CMD=("$NODE" --no-warnings ${NODE_FLAGS[@]+"${NODE_FLAGS[@]}"} "$ROOT/scripts/sightglass/node-run.mjs" "$2.wasm") ;;
  esac
}

# Trailing blanks of each line and blank lines at the end dropped (CRs too).
normalize() {
  awk '{ sub(/[ \t\r]+$/, ""); if ($0 == "") blank++; else { for (; blank > 0; blank--) print ""; print } }' "$1"
}
mask_numbers() { normalize "$1" | sed -E 's/[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/#/g'; }

expected_file() { # DIR STEM STREAM
  local prefix
  for prefix in "$2" default; do
    if [[ -f $1/$prefix.$3.expected ]]; then echo "$1/$prefix.$3.expected"; return 0; fi
  done
  return 0
}

# Where two files first differ (after normalizing), briefly.
first_difference() { # EXPECTED ACTUAL
  { diff <(normalize "$1") <(normalize "$2") || true; } | head -4 | cut -c1-160 | sed 's/^/        /'
}

declare -A STATUS UNCHECKED TOTAL_MS OK
FAILURES=() SUMMARY=()

run_one() { # RUNTIME INDEX: runs one module on a fresh copy, checks it, prints its line
  local rt=$1 i=$2
  local name=${NAMES[$i]} dir=${DIRS[$i]} stem=${STEMS[$i]}
  local out=$WORK/out/$rt/${name//\//__}
  local started code ms status detail exp stream bad
  rm -rf "$WORK/run"
  cp -r "$dir" "$WORK/run"
  command_for "$rt" "$stem"
  started=$(date +%s%N)
  code=0
  { (cd "$WORK/run" && exec timeout "$TIMEOUT" "${CMD[@]}" </dev/null >"$out.stdout" 2>"$out.stderr") || code=$?; } 2>/dev/null
  ms=$((($(date +%s%N) - started) / 1000000))
  TOTAL_MS[$rt]=$((${TOTAL_MS[$rt]:-0} + ms))

  status=ok detail=
  if ((code == 124)); then
    status="TIMEOUT (${TIMEOUT} s)"
  elif ((code > 128)); then
    status="EXIT $code (128+SIG$(kill -l $((code - 128)) 2>/dev/null || echo "?"); a signal, or a trap under wasmsharp)"
    detail=$(tail -n 3 "$out.stderr" | cut -c1-200 | sed 's/^/        /')
  elif ((code != 0)); then
    status="EXIT $code"
    detail=$(tail -n 3 "$out.stderr" | cut -c1-200 | sed 's/^/        /')
  else
    bad=()
    for stream in stdout stderr; do
      exp=$(expected_file "$dir" "$stem" "$stream")
      if [[ -n $exp ]]; then
        if ! cmp -s <(normalize "$exp") <(normalize "$out.$stream"); then
          bad+=("$stream")
          detail+="      $stream differs from $(basename "$exp"):"$'\n'"$(first_difference "$exp" "$out.$stream")"$'\n'
        fi
      fi
    done
    if ((${#bad[@]})); then status="MISMATCH (${bad[*]})"; fi
    if [[ -z $(expected_file "$dir" "$stem" stdout) && $status == ok ]]; then
      status="ok (no expected output)"
      UNCHECKED[$name]=1
    fi
  fi
  STATUS[$rt,$name]=$status
  if [[ $status == ok* ]]; then OK[$rt]=$((${OK[$rt]:-0} + 1)); else FAILURES+=("$rt $name: $status"); fi
  printf '%-10s %-48s %9.3f s  %s\n' "$rt" "$name" "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')" "$status"
  if [[ -n $detail && $status != ok* ]]; then printf '%s\n' "$detail"; fi
}

seconds() { awk -v m="$1" 'BEGIN { printf "%.1f", m / 1000 }'; }

for rt in "${RUNTIMES[@]}"; do mkdir -p "$WORK/out/$rt"; done
if ((INTERLEAVE)); then
  echo
  echo "== ${RUNTIMES[*]}, interleaved =="
  loop_started=$(date +%s%N)
  for i in "${!NAMES[@]}"; do
    for rt in "${RUNTIMES[@]}"; do run_one "$rt" "$i"; done
  done
  loop_ms=$((($(date +%s%N) - loop_started) / 1000000))
  for rt in "${RUNTIMES[@]}"; do
    SUMMARY+=("$(printf '%-10s %d/%d ok; total wall time of the runs %s s' "$rt" "${OK[$rt]:-0}" "${#NAMES[@]}" "$(seconds "${TOTAL_MS[$rt]:-0}")")")
  done
  SUMMARY+=("(whole interleaved loop with copies and checks $(seconds "$loop_ms") s)")
else
  for rt in "${RUNTIMES[@]}"; do
    echo
    echo "== $rt =="
    loop_started=$(date +%s%N)
    for i in "${!NAMES[@]}"; do run_one "$rt" "$i"; done
    loop_ms=$((($(date +%s%N) - loop_started) / 1000000))
    SUMMARY+=("$(printf '%-10s %d/%d ok; total wall time of the runs %s s (whole loop with copies and checks %s s)' \
      "$rt" "${OK[$rt]:-0}" "${#NAMES[@]}" "$(seconds "${TOTAL_MS[$rt]:-0}")" "$(seconds "$loop_ms")")")
  done
fi
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"

# Modules without expected output: the runtimes against each other, numbers masked.
if ((${#RUNTIMES[@]} == 2)); then
  for name in "${NAMES[@]}"; do
    [[ -n ${UNCHECKED[$name]:-} ]] || continue
    [[ ${STATUS[wasmsharp,$name]} == ok* && ${STATUS[node,$name]} == ok* ]] || continue
    a=$WORK/out/wasmsharp/${name//\//__} b=$WORK/out/node/${name//\//__}
    if cmp -s <(mask_numbers "$a.stdout") <(mask_numbers "$b.stdout") \
        && cmp -s <(mask_numbers "$a.stderr") <(mask_numbers "$b.stderr"); then
      echo "$name: no expected output; wasmsharp and node printed the same (numbers masked)"
    else
      echo "$name: no expected output; wasmsharp and node printed DIFFERENT output (numbers masked):"
      diff <(mask_numbers "$b.stdout") <(mask_numbers "$a.stdout") | head -6 | sed 's/^/    /' || true
      FAILURES+=("$name: wasmsharp's output differs from node's (no expected output)")
    fi
  done
fi

echo
echo "===== Summary ====="
printf '%s\n' "${SUMMARY[@]}"
if ((${#FAILURES[@]})); then
  echo "Not ok:"
  printf '  %s\n' "${FAILURES[@]}"
  exit 1
fi
