using WasmSharp.Cli;

return CliApp.Run(args, CliConsole.FromProcess());
