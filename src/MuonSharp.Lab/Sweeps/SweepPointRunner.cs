using System.Text.Json;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Sweeps;

/// <summary>One point, ready to run.</summary>
/// <param name="Point">The manifest line.</param>
/// <param name="Experiment">Its experiment.</param>
/// <param name="Config">Its resolved config.</param>
/// <param name="Directory">Its run directory (absolute).</param>
/// <param name="Completed">True when its run has already completed (running it again only returns its summary).</param>
public sealed record PointRun(SweepPoint Point, IExperiment Experiment, ExperimentConfig Config, string Directory, bool Completed);

/// <summary>
/// Runs one manifest line (<c>muonsharp sweep run-point DIR --index I</c>), what every executor calls.
/// Idempotent: a completed point is skipped, an interrupted, failed or killed one continues from its
/// checkpoint, a new one starts — all through <see cref="LabRunner"/> with resume on, so a point's run
/// directory is exactly what <c>muonsharp run</c> writes for the same config and threads.
/// </summary>
public static class SweepPointRunner
{
    /// <summary>Reads point <paramref name="index"/> of the sweep in <paramref name="sweepDirectory"/>.</summary>
    /// <param name="sweepDirectory">The sweep directory.</param>
    /// <param name="index">The point's index.</param>
    public static PointRun Resolve(string sweepDirectory, int index)
    {
        var point = SweepManifest.ReadPoint(sweepDirectory, index);
        var experiment = ExperimentRegistry.Get(point.Experiment);
        ExperimentConfig config;
        try
        {
            config = (ExperimentConfig)point.Config.Deserialize(experiment.ConfigType, ConfigOverrides.Json)!;
        }
        catch (JsonException e)
        {
            throw new LabUserException($"Point {index} of '{sweepDirectory}' has a config this MuonSharp cannot read ({e.Message}).");
        }
        var directory = SweepManifest.RunDirectoryOf(sweepDirectory, point);
        return new PointRun(point, experiment, config, directory, PointStates.RunState(directory) is { Status: RunStatus.Completed });
    }

    /// <summary>Runs (or continues, or skips) point <paramref name="index"/>; returns its summary.</summary>
    /// <param name="sweepDirectory">The sweep directory.</param>
    /// <param name="index">The point's index.</param>
    /// <param name="options">Threads, progress, cancellation (resume is turned on here).</param>
    public static RunSummary Run(string sweepDirectory, int index, RunOptions options)
    {
        var run = Resolve(sweepDirectory, index);
        return LabRunner.Run(run.Experiment, run.Config, run.Directory, options with { Resume = true });
    }
}
