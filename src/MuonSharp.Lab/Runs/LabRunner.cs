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
    /// <summary>Cancelled when the user interrupts.</summary>
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
}

/// <summary>
/// Runs one experiment into its own directory: <c>config.json</c>, <c>metrics.csv</c>,
/// <c>summary.json</c>, <c>plots/</c>, <c>log.txt</c>, every file written atomically. An interrupted
/// or failed run still writes what finished and says how it ended.
/// </summary>
public static class LabRunner
{
    /// <summary>The library's version, recorded in every run.</summary>
    public static string Version => typeof(MuonSharp.Optim).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Runs <paramref name="experiment"/> with <paramref name="config"/> into <paramref name="directory"/>.</summary>
    /// <param name="experiment">The experiment.</param>
    /// <param name="config">A config of its type (validated here).</param>
    /// <param name="directory">The run directory; must not already hold a run.</param>
    /// <param name="options">Progress, cancellation, TensorBoard.</param>
    public static RunSummary Run(IExperiment experiment, ExperimentConfig config, string directory, RunOptions? options = null)
    {
        options ??= new RunOptions();
        if (options.TorchThreads < 1) throw new LabUserException($"torch threads = {options.TorchThreads}: must be ≥ 1.");
        ConfigOverrides.Validated(config);
        foreach (var name in config.Optimizers)
            if (!experiment.KnownOptimizers.Contains(name))
                throw new LabUserException($"Experiment '{experiment.Id}' does not know optimizer '{name}'. Known: {string.Join(", ", experiment.KnownOptimizers)}.");
        if (File.Exists(Path.Combine(directory, "summary.json")) || File.Exists(Path.Combine(directory, "config.json")))
            throw new LabUserException($"'{directory}' already holds a run; choose another --out or remove it (nothing was overwritten).");
        Directory.CreateDirectory(directory);

        int callerThreads = TorchSharp.torch.get_num_threads();
        TorchSharp.torch.set_num_threads(options.TorchThreads);
        try
        {
            return RunIn(experiment, config, directory, options);
        }
        finally
        {
            TorchSharp.torch.set_num_threads(callerThreads);
        }
    }

    private static RunSummary RunIn(IExperiment experiment, ExperimentConfig config, string directory, RunOptions options)
    {
        var configJson = JsonSerializer.SerializeToNode(config, config.GetType(), ConfigOverrides.Json)!.AsObject();
        AtomicFile.WriteAllText(Path.Combine(directory, "config.json"), new JsonObject
        {
            ["experiment"] = experiment.Id,
            ["seed"] = config.Seed,
            ["muonsharp_version"] = Version,
            ["machine"] = Machine(),
            ["config"] = configJson.DeepClone(),
        }.ToJsonString(ConfigOverrides.Json));

        var context = new RunContext(Path.Combine(directory, "plots"), options.Progress, options.Cancellation, options.Echo);
        using var tensorboard = options.TensorBoard ? new TensorBoardMirror(Path.Combine(directory, "tensorboard"), context.Metrics) : null;
        context.Log($"{experiment.Id}: {experiment.Description} ({experiment.Source})");
        context.Log($"optimizers {string.Join(", ", config.Optimizers)}; seeds {config.Seed}..{config.Seed + config.Seeds - 1}; steps {config.Steps}");

        var status = RunStatus.Completed;
        IReadOnlyList<Claims.ClaimResult> claims = Array.Empty<Claims.ClaimResult>();
        Exception? failure = null;
        try
        {
            claims = experiment.Run(context, config);
            foreach (var c in claims) context.Log($"claim {c.Id}: {c.Verdict} — {string.Join(", ", c.Measured.Select(m => $"{m.Key}={m.Value:G4}"))}");
        }
        catch (OperationCanceledException)
        {
            status = RunStatus.Interrupted;
            context.Log("interrupted by the user: metrics and plots recorded so far are kept; claims were not judged");
        }
        catch (Exception e) when (e is not LabUserException)
        {
            status = RunStatus.Failed;
            failure = e;
            context.Log($"failed: {e}");
        }

        AtomicFile.WriteAllText(Path.Combine(directory, "metrics.csv"), context.Metrics.ToCsv());
        var summary = new RunSummary(experiment.Id, experiment.Description, experiment.Source, status, configJson, claims, context.Plots.ToList());
        AtomicFile.WriteAllText(Path.Combine(directory, "summary.json"), JsonSerializer.Serialize(summary, ConfigOverrides.Json));
        AtomicFile.WriteAllText(Path.Combine(directory, "log.txt"), string.Join('\n', context.LogLines) + "\n");
        if (failure is not null) throw new InvalidOperationException($"Experiment '{experiment.Id}' failed; see {Path.Combine(directory, "log.txt")}.", failure);
        return summary;
    }

    /// <summary>Reads a run's summary.json.</summary>
    /// <param name="directory">A run directory.</param>
    public static RunSummary ReadSummary(string directory)
    {
        var path = Path.Combine(directory, "summary.json");
        try
        {
            return JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(path), ConfigOverrides.Json)
                   ?? throw new LabUserException($"'{path}' is empty.");
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            throw new LabUserException($"Cannot read '{path}': {e.Message}");
        }
    }

    private static JsonObject Machine() => new()
    {
        ["os"] = RuntimeInformation.OSDescription,
        ["architecture"] = RuntimeInformation.OSArchitecture.ToString(),
        ["processors"] = Environment.ProcessorCount,
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["torch_threads"] = TorchSharp.torch.get_num_threads(),
    };
}
