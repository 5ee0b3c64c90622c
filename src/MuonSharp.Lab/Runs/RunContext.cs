namespace MuonSharp.Lab.Runs;

/// <summary>Reports progress of long loops; the command line shows it as bars with ETA.</summary>
public interface IRunProgress
{
    /// <summary>Starts a task of <paramref name="total"/> units and returns a handle to advance it.</summary>
    /// <param name="description">What is being done, e.g. "muon seed 2".</param>
    /// <param name="total">Units of work (steps).</param>
    IProgressTask Start(string description, double total);
}

/// <summary>One progress bar.</summary>
public interface IProgressTask : IDisposable
{
    /// <summary>Adds <paramref name="amount"/> units of finished work.</summary>
    /// <param name="amount">Units.</param>
    void Advance(double amount = 1);
}

/// <summary>Progress that goes nowhere (tests, library use).</summary>
public sealed class SilentProgress : IRunProgress
{
    /// <summary>The shared instance.</summary>
    public static readonly SilentProgress Instance = new();

    /// <inheritdoc />
    public IProgressTask Start(string description, double total) => new Task();

    private sealed class Task : IProgressTask
    {
        public void Advance(double amount = 1) { }
        public void Dispose() { }
    }
}

/// <summary>What an experiment writes to while it runs.</summary>
public sealed class RunContext
{
    private readonly List<string> _log = new();
    private readonly Action<string>? _echo;

    /// <summary>Creates a context writing plots under <paramref name="plotsDirectory"/>.</summary>
    /// <param name="plotsDirectory">Folder for PNG/SVG plots.</param>
    /// <param name="progress">Progress sink.</param>
    /// <param name="cancellation">Cancelled when the user interrupts.</param>
    /// <param name="echo">Optional echo of log lines.</param>
    public RunContext(string plotsDirectory, IRunProgress progress, CancellationToken cancellation, Action<string>? echo = null)
    {
        PlotsDirectory = plotsDirectory;
        Progress = progress;
        Cancellation = cancellation;
        _echo = echo;
    }

    /// <summary>Long-format metrics of this run.</summary>
    public MetricsRecorder Metrics { get; } = new();

    /// <summary>Folder for plots (created on first use).</summary>
    public string PlotsDirectory { get; }

    /// <summary>Progress bars.</summary>
    public IRunProgress Progress { get; }

    /// <summary>Cancelled on user interrupt; experiments check it between steps.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Plot files written so far (relative to the run directory).</summary>
    public List<string> Plots { get; } = new();

    /// <summary>Lines of log.txt so far.</summary>
    public IReadOnlyList<string> LogLines { get { lock (_log) return _log.ToList(); } }

    /// <summary>Appends a line to log.txt.</summary>
    /// <param name="line">Text.</param>
    public void Log(string line)
    {
        lock (_log) _log.Add(line);
        _echo?.Invoke(line);
    }
}
