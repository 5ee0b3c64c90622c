using System.Text.Json;
using System.Text.Json.Serialization;

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

/// <summary>
/// What an experiment writes to while it runs: metrics, log, plots, progress — and the units of work
/// that make a run resumable. An experiment wraps each piece of work it can redo on its own
/// (seed × optimizer, a tuning point) in <see cref="Unit{T}"/>: when a run is resumed, finished units
/// are skipped and return their recorded result, and the metrics they recorded are already on disk.
/// </summary>
public sealed class RunContext
{
    /// <summary>
    /// How unit results are stored: fields included (tuples), NaN and ±∞ as named literals, doubles
    /// in shortest round-trip form, so a result read back equals the one computed.
    /// </summary>
    public static readonly JsonSerializerOptions UnitJson = new()
    {
        IncludeFields = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly List<string> _log = new();
    private readonly Action<string>? _echo;
    private readonly HashSet<string> _unitKeys = new(StringComparer.Ordinal);
    private RunJournal? _journal;
    private string? _currentUnit;
    private Data.DatasetStore? _data;

    /// <summary>Creates a context that keeps everything in memory and writes plots under <paramref name="plotsDirectory"/>.</summary>
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

    /// <summary>The run directory (for files such as saved model weights); null when the context is not backed by one.</summary>
    public string? RunDirectory { get; private set; }

    /// <summary>
    /// The datasets (MNIST, Fashion-MNIST, text), the user's own files first, else the cache, fetched on
    /// first use. A context not made by LabRunner reads the environment (tests run offline).
    /// </summary>
    public Data.DatasetStore Data => _data ??= MuonSharp.Lab.Data.DatasetStore.FromEnvironment();

    /// <summary>Folder for plots (created on first use).</summary>
    public string PlotsDirectory { get; }

    /// <summary>Progress bars.</summary>
    public IRunProgress Progress { get; }

    /// <summary>Cancelled on user interrupt; experiments check it between steps (or call <see cref="StepBoundary"/>).</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Plot files written so far (relative to the run directory).</summary>
    public List<string> Plots { get; } = new();

    /// <summary>Lines logged by this attempt so far.</summary>
    public IReadOnlyList<string> LogLines { get { lock (_log) return _log.ToList(); } }

    /// <summary>Appends a line to log.txt.</summary>
    /// <param name="line">Text.</param>
    public void Log(string line)
    {
        lock (_log)
        {
            _log.Add(line);
            _journal?.Log(line);
        }
        _echo?.Invoke(line);
    }

    /// <summary>
    /// Runs one unit of work once per run. In a resumed run a unit that finished before is skipped and
    /// its recorded result returned; otherwise <paramref name="compute"/> runs and a checkpoint is
    /// written when it returns. The result always comes back through a JSON round trip (see
    /// <see cref="UnitJson"/>), so a fresh and a resumed run continue from identical values: it must
    /// be plain data (records, arrays, lists; no tensors, no <c>double[,]</c>).
    /// </summary>
    /// <typeparam name="T">The unit's result.</typeparam>
    /// <param name="key">Unique within the run, e.g. <c>muon/seed-3</c>.</param>
    /// <param name="compute">The work; every random draw in it must come from generators derived from fixed values (seed streams), not from state a previous unit left behind.</param>
    public T Unit<T>(string key, Func<T> compute)
    {
        if (_currentUnit is not null) throw new InvalidOperationException($"Unit '{key}' started inside unit '{_currentUnit}': units do not nest.");
        if (!_unitKeys.Add(key)) throw new InvalidOperationException($"Unit key '{key}' is used twice in one run: keys must be unique.");
        if (_journal?.Checkpoint.Finished(key) is { } finished)
        {
            Metrics.Skip(finished.Rows);
            return Deserialize<T>(key, _journal.Checkpoint.ReadResult(finished));
        }

        int startRow = Metrics.Cursor;
        _currentUnit = key;
        string json;
        try
        {
            var result = compute();
            try
            {
                json = JsonSerializer.Serialize(result, UnitJson);
            }
            catch (Exception e) when (e is NotSupportedException or JsonException)
            {
                throw new InvalidOperationException($"The result of unit '{key}' cannot be stored as JSON ({e.Message}); unit results must be plain data.", e);
            }
        }
        finally
        {
            _currentUnit = null;
        }
        _journal?.FinishUnit(key, json, Metrics.Cursor - startRow);
        return Deserialize<T>(key, json);
    }

    /// <summary>Runs one unit of work that has no result (see <see cref="Unit{T}"/>).</summary>
    /// <param name="key">Unique within the run.</param>
    /// <param name="compute">The work.</param>
    public void Unit(string key, Action compute) => Unit(key, () => { compute(); return true; });

    /// <summary>
    /// Inside a unit: the folder holding the state this unit saved (through <see cref="StepBoundary"/>)
    /// in an earlier, interrupted attempt. Getting true obliges the caller to restore from it: the
    /// metrics the unit had recorded up to that state are on disk and are not recorded again.
    /// </summary>
    /// <param name="stateDirectory">The folder to read.</param>
    public bool TryResume(out string stateDirectory)
    {
        stateDirectory = "";
        if (_currentUnit is null || _journal?.Checkpoint.InProgress is not { } saved || saved.Key != _currentUnit) return false;
        _journal.Checkpoint.TakeInProgress();
        Metrics.JumpTo(saved.Rows);
        stateDirectory = _journal.Checkpoint.StatePath(saved);
        return true;
    }

    /// <summary>
    /// Call between steps. When the run is being stopped (Ctrl+C, SIGTERM) it saves the unit's state
    /// through <paramref name="saveState"/>, when given, and throws <see cref="OperationCanceledException"/>;
    /// otherwise it saves the state when a checkpoint is due. <paramref name="saveState"/> writes into the
    /// fresh folder it receives whatever <see cref="TryResume"/>'s caller needs to continue exactly.
    /// </summary>
    /// <param name="saveState">Writes the unit's state into a folder; null for units cheap enough to redo.</param>
    public void StepBoundary(Action<string>? saveState = null)
    {
        bool stopping = Cancellation.IsCancellationRequested;
        if (saveState is not null && _currentUnit is { } key && _journal is { CanSaveState: true } journal && (stopping || journal.Due))
            journal.SaveState(key, saveState);
        if (stopping) throw new OperationCanceledException(Cancellation);
    }

    /// <summary>Backs this context with a run directory's journal (LabRunner does this).</summary>
    internal void Attach(string runDirectory, RunJournal journal, Data.DatasetStore data)
    {
        RunDirectory = runDirectory;
        _journal = journal;
        _data = data;
    }

    private static T Deserialize<T>(string key, string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, UnitJson)!;
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"The result of unit '{key}' does not read back from JSON ({e.Message}); unit results must be plain data.", e);
        }
    }
}
