// The muonsharp command line: parses arguments, shows progress and tables, calls the lab.
// It holds no science: experiments, claims and reports live in MuonSharp.Lab.
using MuonSharp.Cli;

return LabCommands.Invoke(args);
