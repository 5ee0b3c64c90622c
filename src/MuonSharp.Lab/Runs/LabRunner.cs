using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Runs;

/// <summary>Options of one run besides the experiment's config.</summary>
public sealed record RunOptions
{
    /// <summary>Progress sink (Spectre.Console bars in the CLI).</summary>
    public IRunProgress Progress { get; init; } = SilentProgress.Instance;
    /// <summary>Cancelled when the user interrupts (Ctrl+C, SIGTERM): the run stops at the next step boundary.</summary>
    public CancellationToken Cancellation { get; init; }
    /// <summary>Also write TensorBoard event files under <c>tensorboard/</c>.</summary>
    public bool TensorBoard { get; init; }
    /// <summary>Echo of log lines (the CLI prints them).</summary>
    public Action<string>? Echo { get; init; }
    /// <summary>
    /// libtorch intra-op threads during the run (default 1). The papers' experiments use matrices of
    /// at most a few hundred rows, where thread synchronization costs more than it saves — measured
    /// here on 2 busy cores: a 40×40 SVD about 50× and a 32×32 Muon step 20× slower with two threads
    /// than with one — and one thread fixes the order of every reduction. The caller's setting is
    /// restored afterwards; config.json records the value used.
    /// </summary>
    public int TorchThreads { get; init; } = 1;
    /// <summary>
    /// Continue the run already in the directory from its last checkpoint (the config must be the one it
    /// was started with); an empty or missing directory simply starts a run. Without it, a directory
    /// that holds a run is refused.
    /// </summary>
    public bool Resume { get; init; }
    /// <summary>
    /// Longest time between checkpoints inside a long unit of work (units that save state; every
    /// finished unit is checkpointed anyway). Default 60 s.
    /// </summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>
    /// A folder of the user's own dataset files (<c>--data-dir</c>; <c>MUONSHARP_DATA_DIR</c> when null),
    /// taking precedence over the cache (see <see cref="Data.DatasetStore"/>).
    /// </summary>
    public string? DataDirectory { get; init; }
    /// <summary>Test hook: called between a checkpoint's data and its manifest (to simulate a crash there).</summary>
    internal Action<string>? CheckpointFault { get; init; }
}

/// <summary>
/// Runs one experiment into its own directory: <c>config.json</c>, <c>metrics.csv</c> (streamed),
/// <c>summary.json</c> (rewritten at every checkpoint, then with the verdicts), <c>plots/</c>,
/// <c>log.txt</c>, <c>checkpoint/</c>. The directory is locked while written; an interrupted, failed or
/// killed run keeps what it checkpointed and continues from there with <see cref="RunOptions.Resume"/>,
/// ending with the same <c>metrics.csv</c>, byte for byte, as an uninterrupted run.
/// </summary>
public static class LabRunner
{
    /// <summary>
    /// Version of the run directory layout, written to config.json. 1: directories written before
    /// checkpoints existed (no <c>format_version</c>; reports still read them, they cannot be resumed);
    /// 2: streamed metrics, <c>checkpoint/</c>, <c>run.lock</c>.
    /// </summary>
    public const int FormatVersion = 2;

    /// <summary>The library's version, recorded in every run.</summary>
    public static string Version => typeof(MuonSharp.Optim).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Runs (or, with <see cref="RunOptions.Resume"/>, continues) <paramref name="experiment"/> into <paramref name="directory"/>.</summary>
    /// <param name="experiment">The experiment.</param>
    /// <param name="config">A config of its type (validated here).</param>
    /// <param name="directory">The run directory; must not already hold a run unless resuming.</param>
    /// <param name="options">Progress, cancellation, threads, resume.</param>
    public static RunSummary Run(IExperiment experiment, ExperimentConfig config, string directory, RunOptions? options = null)
    {
        options ??= new RunOptions();
        if (options.TorchThreads < 1) throw new LabUserException($"--threads {options.TorchThreads}: must be a whole number ≥ 1.");
        ConfigOverrides.Validated(config);
        foreach (var name in config.Optimizers)
            if (!experiment.KnownOptimizers.Contains(name))
                throw new LabUserException($"Experiment '{experiment.Id}' does not know optimizer '{name}'. Known: {string.Join(", ", experiment.KnownOptimizers)}.");

        var data = Data.DatasetStore.FromEnvironment(options.DataDirectory);   // a bad --data-dir is refused before anything is written

        bool created = RunDirectory.Create(directory);
        RunLock runLock;
        try
        {
            runLock = RunLock.Acquire(directory, warning => options.Echo?.Invoke("warning: " + warning));
        }
        catch
        {
            if (created) RunDirectory.RemoveIfEmpty(directory);
            throw;
        }

        using (runLock)
        {
            var configJson = JsonSerializer.SerializeToNode(config, config.GetType(), ConfigOverrides.Json)!.AsObject();
            bool resuming = RunDirectory.HoldsRun(directory);
            if (resuming)
            {
                var existing = RunDirectory.CheckResumable(directory, experiment.Id, configJson, options.Resume);
                if (existing is { Status: RunStatus.Completed }) return existing;
            }

            int callerThreads = TorchSharp.torch.get_num_threads();
            TorchSharp.torch.set_num_threads(options.TorchThreads);
            try
            {
                return RunIn(experiment, config, configJson, directory, options, resuming, data);
            }
            finally
            {
                TorchSharp.torch.set_num_threads(callerThreads);
            }
        }
    }

    private static RunSummary RunIn(IExperiment experiment, ExperimentConfig config, JsonObject configJson, string directory, RunOptions options, bool resuming, Data.DatasetStore data)
    {
        var wall = Stopwatch.StartNew();
        double earlierSeconds = resuming && File.Exists(Path.Combine(directory, RunDirectory.SummaryFile)) ? ReadSummary(directory).WallSeconds ?? 0 : 0;
        var size = SizeOf(experiment, configJson);
        var context = new RunContext(Path.Combine(directory, "plots"), options.Progress, options.Cancellation, options.Echo);
        var plots = context.Plots;
        RunSummary WriteSummary(RunStatus status, IReadOnlyList<Claims.ClaimResult> claims)
        {
            var summary = new RunSummary(experiment.Id, experiment.Description, experiment.Source, status, configJson, claims, plots.ToList(),
                size, Math.Round(earlierSeconds + wall.Elapsed.TotalSeconds, 1));
            AtomicFile.WriteAllText(Path.Combine(directory, RunDirectory.SummaryFile), JsonSerializer.Serialize(summary, ConfigOverrides.Json));
            return summary;
        }

        using var journal = resuming
            ? RunDirectory.OpenForResume(directory, context.Metrics, options, () => WriteSummary(RunStatus.Running, Array.Empty<Claims.ClaimResult>()))
            : RunDirectory.Start(directory, experiment.Id, size, config, configJson, Machine(options.TorchThreads), context.Metrics, options,
                () => WriteSummary(RunStatus.Running, Array.Empty<Claims.ClaimResult>()));
        context.Attach(directory, journal, data);
        data.Progress = options.Progress;
        data.Warn = line => context.Log("warning: " + line);
        context.Metrics.OnReplayMismatch = line => context.Log("warning: " + line);
        WriteSummary(RunStatus.Running, Array.Empty<Claims.ClaimResult>());
        using var tensorboard = options.TensorBoard ? new TensorBoardMirror(Path.Combine(directory, "tensorboard"), context.Metrics) : null;

        if (resuming)
        {
            context.Log($"resumed at {DateTime.UtcNow:u}: {journal.Checkpoint.Rows} metric rows kept" +
                        (journal.Checkpoint.InProgress is { } s ? $", unit '{s.Key}' continues from its saved state" : ""));
            var recorded = RunDirectory.RecordedThreads(directory);
            if (recorded is { } t && t != options.TorchThreads)
                context.Log($"warning: the run started with {t} torch thread(s) and continues with {options.TorchThreads}; numbers may differ in their last digits from an uninterrupted run");
        }
        else
        {
            context.Log($"{experiment.Id}: {experiment.Description} ({experiment.Source})");
            context.Log($"optimizers {string.Join(", ", config.Optimizers)}; seeds {config.Seed}..{config.Seed + config.Seeds - 1}; steps {config.Steps}");
        }

        var status = RunStatus.Completed;
        IReadOnlyList<Claims.ClaimResult> claims = Array.Empty<Claims.ClaimResult>();
        Exception? failure = null;
        try
        {
            claims = experiment.Run(context, config);
            foreach (var c in claims)
                context.Log($"claim {c.Id}: {c.Verdict}{(c.Verdict == Claims.Verdict.Inconclusive && c.Note is { } why ? $" ({why})" : "")} — {string.Join(", ", c.Measured.Select(m => $"{m.Key}={m.Value:G4}"))}");
        }
        catch (OperationCanceledException)
        {
            status = RunStatus.Interrupted;
            context.Log($"interrupted: metrics up to the last checkpoint are kept; continue with --resume");
        }
        catch (Exception e)
        {
            status = RunStatus.Failed;
            failure = e;
            context.Log(e is LabUserException ? $"stopped: {e.Message}" : $"failed: {e}");
        }

        context.Log($"checkpointing {journal.CheckpointOverhead.Elapsed.TotalSeconds:F3} s and metrics streaming {journal.MetricsOverhead.TotalSeconds:F3} s " +
                    $"of {wall.Elapsed.TotalSeconds:F1} s wall ({100 * (journal.CheckpointOverhead.Elapsed + journal.MetricsOverhead).TotalSeconds / Math.Max(wall.Elapsed.TotalSeconds, 1e-9):F2}%)");
        journal.Dispose();
        RunSummary? written = null;
        try
        {
            written = WriteSummary(status, claims);
        }
        catch (IOException e)
        {
            failure ??= e;
        }
        if (failure is LabUserException user) throw user;
        if (failure is IOException or UnauthorizedAccessException)
            throw new LabUserException($"Could not write the run directory '{directory}' ({failure.Message.TrimEnd('.')}): is the disk full or read-only? " +
                                       "What was checkpointed is intact; make room and continue with --resume.");
        if (failure is not null) throw new InvalidOperationException($"Experiment '{experiment.Id}' failed: {failure.Message} (details in {Path.Combine(directory, RunDirectory.LogFile)}; continue with --resume).", failure);
        return written!;
    }

    /// <summary>
    /// The config the run in <paramref name="directory"/> was started with, when it is a run of
    /// <paramref name="experiment"/>; null when the directory holds no run (or one of another experiment,
    /// which <see cref="Run"/> then refuses with a message).
    /// </summary>
    /// <param name="directory">A run directory.</param>
    /// <param name="experiment">The experiment expected there.</param>
    public static ExperimentConfig? StoredConfig(string directory, IExperiment experiment)
    {
        var path = Path.Combine(directory, RunDirectory.ConfigFile);
        if (!File.Exists(path)) return null;
        try
        {
            var stored = JsonNode.Parse(File.ReadAllText(path));
            if ((string?)stored?["experiment"] != experiment.Id || stored?["config"] is not JsonObject config) return null;
            return (ExperimentConfig?)config.Deserialize(experiment.ConfigType, ConfigOverrides.Json);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new LabUserException($"Cannot read '{path}': {e.Message}");
        }
    }

    /// <summary><c>paper</c> or <c>quick</c> when <paramref name="configJson"/> is that size's defaults, else <c>custom</c>.</summary>
    /// <param name="experiment">The experiment.</param>
    /// <param name="configJson">The resolved config as JSON.</param>
    public static string SizeOf(IExperiment experiment, JsonObject configJson)
    {
        foreach (var size in new[] { ExperimentSize.Paper, ExperimentSize.Quick })
        {
            var defaults = experiment.DefaultConfig(size);
            if (JsonNode.DeepEquals(JsonSerializer.SerializeToNode(defaults, defaults.GetType(), ConfigOverrides.Json), configJson))
                return size.ToString().ToLowerInvariant();
        }
        return "custom";
    }

    /// <summary>Reads a run's summary.json.</summary>
    /// <param name="directory">A run directory.</param>
    public static RunSummary ReadSummary(string directory)
    {
        var path = Path.Combine(directory, RunDirectory.SummaryFile);
        try
        {
            return JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(path), ConfigOverrides.Json)
                   ?? throw new LabUserException($"'{path}' is empty.");
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new LabUserException($"Cannot read '{path}': {e.Message}");
        }
    }

    private static JsonObject Machine(int torchThreads) => new()
    {
        ["os"] = RuntimeInformation.OSDescription,
        ["architecture"] = RuntimeInformation.OSArchitecture.ToString(),
        ["processors"] = Environment.ProcessorCount,
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["torch_threads"] = torchThreads,
    };
}
