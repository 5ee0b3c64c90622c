using System.Text.Json.Nodes;
using MuonSharp.Lab.Claims;

namespace MuonSharp.Lab.Runs;

/// <summary>How a run ended (or that it has not yet).</summary>
public enum RunStatus
{
    /// <summary>Every seed and optimizer finished; claims were judged.</summary>
    Completed,
    /// <summary>The user interrupted (Ctrl+C, SIGTERM); finished files and the last checkpoint are intact; resumable.</summary>
    Interrupted,
    /// <summary>The experiment threw; the error is in log.txt; resumable from the last checkpoint.</summary>
    Failed,
    /// <summary>
    /// Being written — or, when no live process holds the run's lock, killed without a chance to say so
    /// (<c>kill -9</c>, power loss); resumable from the last checkpoint.
    /// </summary>
    Running,
}

/// <summary>The content of <c>summary.json</c>.</summary>
/// <param name="Experiment">Experiment id.</param>
/// <param name="Description">What was run.</param>
/// <param name="Source">Paper and sections.</param>
/// <param name="Status">How the run ended.</param>
/// <param name="Config">The resolved config (snake_case JSON).</param>
/// <param name="Claims">Judged claims (empty unless completed).</param>
/// <param name="Plots">Plot files relative to the run directory.</param>
/// <param name="Size"><c>paper</c> or <c>quick</c> when the config is that size's defaults, <c>custom</c> when overridden; null in runs written before sizes were recorded.</param>
/// <param name="WallSeconds">Wall time of the run, every attempt of a resumed run added up; null in older runs.</param>
public sealed record RunSummary(string Experiment, string Description, string Source, RunStatus Status,
    JsonObject Config, IReadOnlyList<ClaimResult> Claims, IReadOnlyList<string> Plots, string? Size = null, double? WallSeconds = null);
