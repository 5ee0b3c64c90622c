using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Runs;

/// <summary>
/// The files of a run directory and the checks before one is started or continued: writable, not
/// holding another run (or holding this run, for a resume), a format this version can continue.
/// </summary>
internal static class RunDirectory
{
    /// <summary>How deep below a folder reports look for run directories (and sweeps): a reproduce folder's runs, a sweep's points.</summary>
    public static EnumerationOptions Search => new() { RecurseSubdirectories = true, MaxRecursionDepth = 3 };

    public const string ConfigFile = "config.json";
    public const string MetricsFile = "metrics.csv";
    public const string SummaryFile = "summary.json";
    public const string LogFile = "log.txt";

    /// <summary>Creates <paramref name="directory"/>; returns whether it did not exist before. Unwritable places are user errors.</summary>
    public static bool Create(string directory)
    {
        bool existed = Directory.Exists(directory);
        try
        {
            if (File.Exists(directory)) throw new IOException("it is a file");
            Directory.CreateDirectory(directory);
            // Prove the directory is writable before anything is promised: /proc, read-only mounts.
            var probe = Path.Combine(directory, $".write-test.{Environment.ProcessId}");
            File.WriteAllBytes(probe, Array.Empty<byte>());
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            if (!existed) RemoveIfEmpty(directory);
            throw new LabUserException($"--out '{directory}' cannot be written ({e.Message.TrimEnd('.')}); choose a writable directory.");
        }
        return !existed;
    }

    /// <summary>Removes <paramref name="directory"/> if it exists and is empty (a refused run leaves nothing behind).</summary>
    public static void RemoveIfEmpty(string directory)
    {
        try { if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any()) Directory.Delete(directory); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>True when a run was started in <paramref name="directory"/>.</summary>
    public static bool HoldsRun(string directory) =>
        File.Exists(Path.Combine(directory, ConfigFile)) || File.Exists(Path.Combine(directory, SummaryFile));

    /// <summary>
    /// Checks that the run in <paramref name="directory"/> may be continued with this experiment and
    /// config; returns its summary (a completed one is returned as is). Refusals name what differs.
    /// </summary>
    public static RunSummary? CheckResumable(string directory, string experimentId, JsonObject configJson, bool resume)
    {
        var stored = ReadConfig(directory);
        var summary = File.Exists(Path.Combine(directory, SummaryFile)) ? LabRunner.ReadSummary(directory) : null;
        string status = summary?.Status.ToString().ToLowerInvariant() ?? "incomplete";
        if (!resume)
        {
            string hint = summary?.Status == RunStatus.Completed
                ? "choose another --out or remove it"
                : "continue it with --resume, choose another --out, or remove it";
            throw new LabUserException($"'{directory}' already holds a run ({status}); {hint} (nothing was overwritten).");
        }
        if ((string?)stored["experiment"] is { } id && id != experimentId)
            throw new LabUserException($"'{directory}' holds a run of '{id}', not '{experimentId}'; resume it with 'run {id}' or choose another --out.");
        if (stored["format_version"] is null)
            throw new LabUserException($"'{directory}' was written by an earlier MuonSharp without checkpoints (run format 1); it cannot be resumed — start a new run in another directory (reports still read it).");
        if ((int?)stored["format_version"] != LabRunner.FormatVersion)
            throw new LabUserException($"'{directory}' has run format {(int?)stored["format_version"]}; this MuonSharp continues format {LabRunner.FormatVersion} only.");
        if (stored["config"] is JsonObject storedConfig && !JsonNode.DeepEquals(storedConfig, configJson))
            throw new LabUserException($"'{directory}' was started with a different config ({FirstDifference(storedConfig, configJson)}); resume with the options it was started with.");
        return summary;
    }

    /// <summary>Starts a new run: config.json, an empty metrics.csv and log.txt, an empty checkpoint.</summary>
    public static RunJournal Start(string directory, string experimentId, string size, ExperimentConfig config, JsonObject configJson, JsonObject machine,
        MetricsRecorder metrics, RunOptions options, Action writeRunningSummary)
    {
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), new JsonObject
        {
            ["experiment"] = experimentId,
            ["format_version"] = LabRunner.FormatVersion,
            ["size"] = size,
            ["seed"] = config.Seed,
            ["muonsharp_version"] = LabRunner.Version,
            ["machine"] = machine,
            ["config"] = configJson.DeepClone(),
        }.ToJsonString(ConfigOverrides.Json));
        var checkpoint = RunCheckpoint.Create(directory);
        var file = Runs.MetricsFile.Create(Path.Combine(directory, MetricsFile));
        metrics.AttachFile(file, Array.Empty<MetricRow>());
        checkpoint.Save(0, file.Flush());
        var log = new StreamWriter(Path.Combine(directory, LogFile), append: false, new UTF8Encoding(false));
        return new RunJournal(checkpoint, metrics, file, log, options.CheckpointInterval, writeRunningSummary, options.CheckpointFault);
    }

    /// <summary>Opens an interrupted run at its last checkpoint: metrics.csv cut back to what it covers and preloaded.</summary>
    public static RunJournal OpenForResume(string directory, MetricsRecorder metrics, RunOptions options, Action writeRunningSummary)
    {
        var checkpoint = RunCheckpoint.Load(directory);
        var path = Path.Combine(directory, MetricsFile);
        long length = File.Exists(path) ? new FileInfo(path).Length : -1;
        if (length < checkpoint.MetricsBytes)
            throw new LabUserException($"'{path}' holds {Math.Max(length, 0)} bytes but its checkpoint covers {checkpoint.MetricsBytes}: the file was truncated or replaced, so the run cannot be resumed exactly — start a new run.");
        var file = Runs.MetricsFile.Resume(path, checkpoint.MetricsBytes);
        IReadOnlyList<MetricRow> kept;
        try
        {
            kept = MuonSharp.Lab.Runs.MetricsRecorder.Read(path);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or OverflowException)
        {
            file.Dispose();
            throw new LabUserException($"'{path}' is corrupt before its last checkpoint ({e.Message}); the run cannot be resumed — start a new run.");
        }
        if (kept.Count != checkpoint.Rows)
        {
            file.Dispose();
            throw new LabUserException($"'{path}' holds {kept.Count} rows where its checkpoint says {checkpoint.Rows}; the run cannot be resumed exactly — start a new run.");
        }
        metrics.AttachFile(file, kept);
        var log = new StreamWriter(Path.Combine(directory, LogFile), append: true, new UTF8Encoding(false));
        return new RunJournal(checkpoint, metrics, file, log, options.CheckpointInterval, writeRunningSummary, options.CheckpointFault);
    }

    /// <summary>The torch thread count a run recorded in config.json, if any.</summary>
    public static int? RecordedThreads(string directory) => (int?)ReadConfig(directory)["machine"]?["torch_threads"];

    private static JsonObject ReadConfig(string directory)
    {
        var path = Path.Combine(directory, ConfigFile);
        try
        {
            return JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new JsonException("empty");
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw new LabUserException($"Cannot read '{path}': {e.Message}");
        }
    }

    private static string FirstDifference(JsonObject stored, JsonObject requested)
    {
        foreach (var key in stored.Select(p => p.Key).Union(requested.Select(p => p.Key)))
            if (!JsonNode.DeepEquals(stored[key], requested[key]))
                return $"{key}: started with {stored[key]?.ToJsonString() ?? "nothing"}, now {requested[key]?.ToJsonString() ?? "nothing"}";
        return "no key differs";
    }
}
