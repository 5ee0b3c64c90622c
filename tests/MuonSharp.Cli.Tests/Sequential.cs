// The command line tests swap AnsiConsole.Console and set environment variables, both process-wide:
// they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
