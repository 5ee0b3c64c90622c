// The muonsharp command line: parses arguments, shows progress and tables, calls the lab.
// It holds no science: experiments, claims and reports live in MuonSharp.Lab.
using MuonSharp.Cli;
using Spectre.Console;

// Piped or captured output has no terminal width; Spectre would wrap at 80 columns and split the
// one-line error messages (and claim tables) that scripts and CI logs read. Tables still size to content.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 4096;
return LabCommands.Invoke(args);
