using WasmSharp.Runtime;
using RuntimeModule = WasmSharp.Runtime.Module;

namespace WasmSharp.Tests.Runtime;

/// <summary>Instantiating a module from text with whatever engine, linker and store a test already has.</summary>
internal static class TestModules
{
    internal static Instance Instantiate(string wat, Linker? linker = null, Store? store = null, Engine? engine = null)
    {
        engine ??= linker?.Engine ?? store?.Engine ?? new Engine();
        linker ??= new Linker(engine);
        store ??= new Store(engine);
        return linker.Instantiate(store, RuntimeModule.FromText(engine, wat));
    }
}
