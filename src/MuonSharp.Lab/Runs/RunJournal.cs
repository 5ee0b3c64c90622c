using System.Diagnostics;

namespace MuonSharp.Lab.Runs;

/// <summary>
/// What a run directory records while the experiment runs: metrics streamed to <c>metrics.csv</c>,
/// log lines appended to <c>log.txt</c>, and checkpoints — at every finished unit, and inside long
/// units at least every <see cref="RunOptions.CheckpointInterval"/> — each followed by a
/// <c>summary.json</c> that says the run is still going.
/// </summary>
internal sealed class RunJournal : IDisposable
{
    private readonly MetricsRecorder _metrics;
    private readonly MetricsFile _file;
    private readonly StreamWriter _log;
    private readonly Action _writeRunningSummary;
    private readonly TimeSpan _interval;
    private long _lastCheckpoint = Stopwatch.GetTimestamp();
    private bool _disposed;

    public RunJournal(RunCheckpoint checkpoint, MetricsRecorder metrics, MetricsFile file, StreamWriter log,
        TimeSpan interval, Action writeRunningSummary, Action<string>? fault)
    {
        Checkpoint = checkpoint;
        Checkpoint.Fault = fault;
        _metrics = metrics;
        _file = file;
        _log = log;
        _interval = interval;
        _writeRunningSummary = writeRunningSummary;
    }

    /// <summary>The checkpoint folder.</summary>
    public RunCheckpoint Checkpoint { get; }

    /// <summary>Time spent writing checkpoints and summaries.</summary>
    public Stopwatch CheckpointOverhead { get; } = new();

    /// <summary>Time spent streaming metrics.</summary>
    public TimeSpan MetricsOverhead => _file.Overhead.Elapsed;

    /// <summary>True when the last checkpoint is older than the cadence.</summary>
    public bool Due => Stopwatch.GetElapsedTime(_lastCheckpoint) >= _interval;

    /// <summary>
    /// False while a re-executed part of the run is still replaying rows already on disk: a state
    /// saved then would not match the metrics it claims to cover.
    /// </summary>
    public bool CanSaveState => _metrics.Cursor >= _metrics.Preloaded;

    /// <summary>Appends one line to log.txt (flushed: log lines are rare and tell what happened before a kill).</summary>
    public void Log(string line)
    {
        try
        {
            _log.Write(line + "\n");
            _log.Flush();
        }
        catch (IOException)
        {
            // A full disk: the next checkpoint write fails too and stops the run with a message;
            // losing a log line must not hide that failure behind another one.
        }
    }

    /// <summary>Checkpoints a finished unit.</summary>
    public void FinishUnit(string key, string resultJson, int unitRows) =>
        Timed(() => Checkpoint.Finish(key, resultJson, unitRows, _metrics.Cursor, _file.Flush()));

    /// <summary>Checkpoints the running unit's state.</summary>
    public void SaveState(string key, Action<string> write) =>
        Timed(() => Checkpoint.SaveState(key, write, _metrics.Cursor, _file.Flush()));

    private void Timed(Action checkpoint)
    {
        CheckpointOverhead.Start();
        try
        {
            checkpoint();
            _writeRunningSummary();
        }
        finally
        {
            CheckpointOverhead.Stop();
            _lastCheckpoint = Stopwatch.GetTimestamp();
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _file.Dispose();
        try { _log.Dispose(); } catch (IOException) { }
    }
}
