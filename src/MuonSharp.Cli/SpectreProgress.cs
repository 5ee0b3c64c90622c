using MuonSharp.Lab.Runs;
using Spectre.Console;

namespace MuonSharp.Cli;

/// <summary>Shows the lab's progress tasks as Spectre.Console bars with percentage and time remaining.</summary>
internal sealed class SpectreProgress : IRunProgress
{
    private readonly ProgressContext _context;

    public SpectreProgress(ProgressContext context) => _context = context;

    public IProgressTask Start(string description, double total) =>
        new Task(_context.AddTask(Markup.Escape(description), maxValue: Math.Max(total, 1)));

    /// <summary>Runs <paramref name="work"/> with progress bars (plain lines when output is not a terminal).</summary>
    public static T Run<T>(Func<IRunProgress, T> work) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => work(new SpectreProgress(context)));

    private sealed class Task : IProgressTask
    {
        private readonly ProgressTask _task;
        public Task(ProgressTask task) => _task = task;
        public void Advance(double amount = 1) => _task.Increment(amount);
        public void Dispose() => _task.StopTask();
    }
}
