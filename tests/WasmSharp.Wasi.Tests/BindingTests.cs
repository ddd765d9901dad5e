using WasmSharp.Runtime;

namespace WasmSharp.Wasi.Tests;

/// <summary>The Linker binding: Wasm signatures, the caller's memory, exit codes, per-store state.</summary>
public sealed class BindingTests
{
    /// <summary>Every preview1 import with its signature from wasi_snapshot_preview1.witx.</summary>
    private const string AllImports = """
        (import "wasi_snapshot_preview1" "args_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "args_sizes_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "environ_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "environ_sizes_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "clock_res_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_advise" (func (param i32 i64 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_allocate" (func (param i32 i64 i64) (result i32)))
        (import "wasi_snapshot_preview1" "fd_close" (func (param i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_datasync" (func (param i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_fdstat_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_fdstat_set_rights" (func (param i32 i64 i64) (result i32)))
        (import "wasi_snapshot_preview1" "fd_filestat_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func (param i32 i64) (result i32)))
        (import "wasi_snapshot_preview1" "fd_filestat_set_times" (func (param i32 i64 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_pread" (func (param i32 i32 i32 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_prestat_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func (param i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_pwrite" (func (param i32 i32 i32 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_read" (func (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_readdir" (func (param i32 i32 i32 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_renumber" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_seek" (func (param i32 i64 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_sync" (func (param i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_tell" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_create_directory" (func (param i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_filestat_get" (func (param i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_filestat_set_times" (func (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_link" (func (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_readlink" (func (param i32 i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_remove_directory" (func (param i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_rename" (func (param i32 i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_symlink" (func (param i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_unlink_file" (func (param i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "poll_oneoff" (func (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
        (import "wasi_snapshot_preview1" "proc_raise" (func (param i32) (result i32)))
        (import "wasi_snapshot_preview1" "sched_yield" (func (result i32)))
        (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "sock_recv" (func (param i32 i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "sock_send" (func (param i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "sock_shutdown" (func (param i32 i32) (result i32)))
        """;

    [Fact]
    public void EveryFunctionHasItsWitxSignature()
    {
        var engine = new Engine();
        var module = Module.FromText(engine, $"(module {AllImports} (memory (export \"memory\") 1))");
        Assert.Equal(46, module.Imports.Count);
        var linker = new Linker(engine).DefineWasi(new WasiConfig());
        using var store = new Store(engine);
        linker.Instantiate(store, module);
    }

    private const string Hello = """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "hello, wasi\n")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 16))
            (i32.store (i32.const 4) (i32.const 12))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (drop (call $args_sizes_get (i32.const 32) (i32.const 36)))
            ;; exit with the number of arguments
            (call $proc_exit (i32.load (i32.const 32)))
            unreachable))
        """;

    [Fact]
    public void AGuestWritesAndExits()
    {
        var engine = new Engine();
        var module = Module.FromText(engine, Hello);
        var stdout = new WasiOutputBuffer();
        var linker = new Linker(engine).DefineWasi(new WasiConfig().WithArgs("hello", "a", "b").WithStdout(stdout));
        using var store = new Store(engine);
        Assert.Equal(3, linker.Instantiate(store, module).RunWasiCommand());
        Assert.Equal("hello, wasi\n", stdout.GetString());
    }

    [Fact]
    public void EachStoreGetsItsOwnContext()
    {
        var engine = new Engine();
        var module = Module.FromText(engine, """
            (module
              (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "close_stdout") (result i32) (call $fd_close (i32.const 1))))
            """);
        var linker = new Linker(engine).DefineWasi(new WasiConfig());
        using var first = new Store(engine);
        using var second = new Store(engine);
        var close1 = linker.Instantiate(first, module).GetFunction<int>("close_stdout");
        var close2 = linker.Instantiate(second, module).GetFunction<int>("close_stdout");
        Assert.Equal(0, close1());
        Assert.Equal((int)WasiErrno.Badf, close1());
        Assert.Equal(0, close2());
    }

    [Fact]
    public void AGuestUsesAPreopenThroughTheEngine()
    {
        using var box = new Sandbox();
        var engine = new Engine();
        var module = Module.FromText(engine, """
            (module
              (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 100) "made-by-wasm.txt")
              (data (i32.const 200) "written from wasm")
              (func (export "make") (param $path i32) (param $len i32) (result i32)
                (local $err i32)
                (local.set $err (call $open (i32.const 3) (i32.const 0) (local.get $path) (local.get $len)
                  (i32.const 1) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 0)))
                (if (local.get $err) (then (return (local.get $err))))
                (i32.store (i32.const 8) (i32.const 200))
                (i32.store (i32.const 12) (i32.const 17))
                (call $write (i32.load (i32.const 0)) (i32.const 8) (i32.const 1) (i32.const 16))))
            """);
        var linker = new Linker(engine).DefineWasi(box.Config());
        using var store = new Store(engine);
        var make = linker.Instantiate(store, module).GetFunction<int, int, int>("make");
        Assert.Equal(0, make(100, 16));
        Assert.Equal("written from wasm", File.ReadAllText(box.In("made-by-wasm.txt")));
        // A path pointer beyond memory is EFAULT, not a host exception.
        Assert.Equal((int)WasiErrno.Fault, make(65530, 16));
        box.AssertOutsideUnchanged();
    }

    [Fact]
    public void AModuleWithoutMemoryTraps()
    {
        var engine = new Engine();
        var module = Module.FromText(engine, """
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (func (export "_start") (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))))
            """);
        var linker = new Linker(engine).DefineWasi(new WasiConfig());
        using var store = new Store(engine);
        var e = Assert.Throws<TrapException>(() => linker.Instantiate(store, module).RunWasiCommand());
        Assert.Contains("memory", e.Message);
    }

    [Fact]
    public void MissingPreopenFailsWhenDefining()
    {
        var linker = new Linker(new Engine());
        Assert.Throws<DirectoryNotFoundException>(() => linker.DefineWasi(new WasiConfig().PreopenDirectory("/nonexistent/wasmsharp", "x")));
        Assert.Throws<DirectoryNotFoundException>(() => new WasiContext(new WasiConfig().PreopenDirectory("/nonexistent/wasmsharp", "x")));
    }
}
