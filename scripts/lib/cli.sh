# Sourced by the scripts in scripts/: finds or builds the wasmsharp CLI once.
#
#   wasmsharp_cli OUTDIR    sets WASMSHARP_DLL and WASMSHARP_CMD (the command, as an array)
#
# With WASMSHARP_DLL already set (e.g. by --cli), that WasmSharp.Cli.dll is used as it is.
# Otherwise the CLI is published in Release into OUTDIR (an incremental build: the projects' own
# obj/ and bin/Release/ are reused) and run as `dotnet OUTDIR/WasmSharp.Cli.dll`, so no build
# time is ever counted in a timing. On Linux x64/arm64 it is published for that runtime, which
# makes it ReadyToRun (precompiled: ~0.1 s less start-up per run, see WasmSharp.Cli.csproj).

wasmsharp_cli() {
  local out=$1
  if [[ -n ${WASMSHARP_DLL:-} ]]; then
    if [[ ! -f $WASMSHARP_DLL ]]; then
      echo "error: no CLI at '$WASMSHARP_DLL'" >&2
      return 1
    fi
  else
    local started=$SECONDS
    echo "Publishing the CLI (Release) into $out ..." >&2
    local rid=()
    case "$(uname -s)/$(uname -m)" in
      Linux/x86_64) rid=(-r linux-x64 --self-contained false) ;;
      Linux/aarch64) rid=(-r linux-arm64 --self-contained false) ;;
    esac
    if ! dotnet publish "$ROOT/src/WasmSharp.Cli/WasmSharp.Cli.csproj" -c Release "${rid[@]}" -o "$out" \
        --nologo -v quiet -clp:ErrorsOnly >"$out.log" 2>&1; then
      cat "$out.log" >&2
      echo "error: dotnet publish failed (log above)" >&2
      return 1
    fi
    echo "Published in $((SECONDS - started)) s." >&2
    WASMSHARP_DLL=$out/WasmSharp.Cli.dll
  fi
  WASMSHARP_DLL=$(cd "$(dirname "$WASMSHARP_DLL")" && pwd)/$(basename "$WASMSHARP_DLL")
  WASMSHARP_CMD=(dotnet "$WASMSHARP_DLL")
}

# Whether this CLI has the `run` command (wired in by the CLI work; absent from older builds).
wasmsharp_has_run() {
  "${WASMSHARP_CMD[@]}" run --help >/dev/null 2>&1
}
