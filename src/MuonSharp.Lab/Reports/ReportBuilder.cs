using System.Text.Json;
using System.Text.Json.Nodes;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Sweeps;

namespace MuonSharp.Lab.Reports;

/// <summary>
/// Builds <c>report.md</c> and a self-contained <c>report.html</c> (plots inlined) from every run
/// directory under a root: a summary line and the claims table on top, the runs with their status
/// and size, then per experiment what was run, how each claim was measured, and the plots. Runs of
/// the same experiment (e.g. different seeds) are aggregated (<see cref="ClaimAggregation"/>). Sweeps below the
/// root are left out and named: each is reported by its own directory (<see cref="SweepReport"/>), by grid point.
/// </summary>
public static class ReportBuilder
{
    /// <summary>Finds runs under <paramref name="root"/>, writes both reports there, returns their paths.</summary>
    /// <param name="root">A folder holding run directories (at any depth up to 3).</param>
    public static (string Markdown, string Html) Build(string root)
    {
        var report = Read(root);
        var mdPath = Path.Combine(root, "report.md");
        var htmlPath = Path.Combine(root, "report.html");
        AtomicFile.WriteAllText(mdPath, MarkdownReport.Write(report));
        AtomicFile.WriteAllText(htmlPath, HtmlReport.Write(report));
        return (mdPath, htmlPath);
    }

    /// <summary>Everything a report shows, read from the runs under <paramref name="root"/>.</summary>
    /// <param name="root">A folder of runs.</param>
    public static ReportData Read(string root)
    {
        if (File.Exists(root)) throw new LabUserException($"'{root}' is a file; give the folder written by 'muonsharp run' or 'muonsharp reproduce'.");
        if (!Directory.Exists(root)) throw new LabUserException($"'{root}' does not exist; give a folder written by 'muonsharp run' or 'muonsharp reproduce'.");
        var sweeps = SweepManifest.FindUnder(root);
        var runs = RunsOutside(root, sweeps);
        // A sweep's points differ in config by design: pooled as if seeds, their claims would be averaged across the grid.
        if (SweepManifest.IsSweep(root))
            throw new LabUserException($"'{root}' is a sweep: its runs are grid points, not seeds of one config; its report is by grid point ('muonsharp report {root}').");
        if (runs.Count > 1 && SweepManifest.Enclosing(root) is { } sweep)
            throw new LabUserException($"'{root}' is inside the sweep '{sweep}': its runs are grid points, not seeds of one config; report the sweep: 'muonsharp report {sweep}'.");
        if (runs.Count == 0)
            throw new LabUserException(sweeps.Count == 0
                ? $"No runs (config.json or summary.json) under '{root}'."
                : $"No runs under '{root}' outside its sweeps ({string.Join(", ", sweeps)}); report a sweep by its directory, e.g. 'muonsharp report {sweeps[0]}'.");
        var missing = ExperimentRegistry.All.Select(e => e.Id).Where(id => runs.All(r => r.Summary.Experiment != id)).ToList();
        return new ReportData(root, runs, ClaimAggregation.Aggregate(runs), missing, sweeps);
    }

    /// <summary>
    /// Every run directory under <paramref name="root"/> with its summary, ordered by path — finished,
    /// interrupted, failed and killed ones alike (a run killed before its first summary has one made
    /// from its config.json, with status running). Points of a sweep below the root are not among them
    /// (<see cref="SweepManifest.FindUnder"/>).
    /// </summary>
    /// <param name="root">A folder.</param>
    public static IReadOnlyList<(string Directory, RunSummary Summary)> FindRuns(string root) => RunsOutside(root, SweepManifest.FindUnder(root));

    private static IReadOnlyList<(string Directory, RunSummary Summary)> RunsOutside(string root, IReadOnlyList<string> sweeps)
    {
        var options = RunDirectory.Search;
        return Directory.EnumerateFiles(root, RunDirectory.SummaryFile, options)
            .Concat(Directory.EnumerateFiles(root, RunDirectory.ConfigFile, options))
            .Select(Path.GetDirectoryName).OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Where(d => !SweepManifest.IsInside(d, sweeps))
            .OrderBy(d => d, StringComparer.Ordinal)
            .Select(d => (d, File.Exists(Path.Combine(d, RunDirectory.SummaryFile)) ? LabRunner.ReadSummary(d) : FromConfig(d)))
            .ToList();
    }

    /// <summary>How a run stands, in words: a "running" run whose lock no live process holds was killed.</summary>
    /// <param name="directory">The run directory.</param>
    /// <param name="summary">Its summary.</param>
    public static string StatusText(string directory, RunSummary summary) => summary.Status switch
    {
        RunStatus.Running when !RunLock.IsHeld(directory) => "stopped before finishing (killed?) — continue it with --resume",
        RunStatus.Interrupted or RunStatus.Failed => summary.Status.ToString().ToLowerInvariant() + " — continue it with --resume",
        var status => status.ToString().ToLowerInvariant(),
    };

    private static RunSummary FromConfig(string directory)
    {
        var path = Path.Combine(directory, "config.json");
        try
        {
            var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            var id = (string?)config["experiment"] ?? "?";
            var known = ExperimentRegistry.All.FirstOrDefault(e => e.Id == id);
            return new RunSummary(id, known?.Description ?? "", known?.Source ?? "", RunStatus.Running,
                config["config"]?.DeepClone().AsObject() ?? new JsonObject(), Array.Empty<ClaimResult>(), Array.Empty<string>(),
                (string?)config["size"]);
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw new LabUserException($"Cannot read '{path}': {e.Message}");
        }
    }
}

/// <summary>What a report is made of.</summary>
/// <param name="Root">The folder of runs.</param>
/// <param name="Runs">Every run found, with its summary.</param>
/// <param name="Claims">Claims aggregated over completed runs.</param>
/// <param name="Missing">Experiments with no run under the root.</param>
/// <param name="Sweeps">Sweep directories under the root, left out of the runs (each has its own report).</param>
public sealed record ReportData(string Root, IReadOnlyList<(string Directory, RunSummary Summary)> Runs,
    IReadOnlyList<AggregatedClaim> Claims, IReadOnlyList<string> Missing, IReadOnlyList<string>? Sweeps = null)
{
    /// <summary>The line naming the sweeps left out, or null when there are none.</summary>
    public string? SweepsLine() => Sweeps is not { Count: > 0 } ? null :
        $"Sweeps here, left out of this report (their points differ in config, not only in seed): " +
        $"{string.Join(", ", Sweeps.Select(s => Path.GetRelativePath(Root, s)))}; report each by grid point with 'muonsharp report DIR' on its directory.";

    /// <summary>"12 claims: 9 hold, 2 fail, 1 inconclusive" (mixed verdicts counted apart).</summary>
    public string Tally()
    {
        int Count(string v) => Claims.Count(c => c.VerdictText == v);
        int mixed = Claims.Count(c => c.VerdictText.StartsWith("mixed", StringComparison.Ordinal));
        return $"{Claims.Count} claims: {Count("holds")} hold, {Count("fails")} fail, {Count("inconclusive")} inconclusive" +
               (mixed > 0 ? $", {mixed} mixed across runs" : "");
    }

    /// <summary>The sizes of the runs ("paper", "quick", "custom"), for the report's first line.</summary>
    public string Sizes() => string.Join(", ", Runs.GroupBy(r => r.Summary.Size ?? "unrecorded").Select(g => $"{g.Count()} at {g.Key} size"));

    /// <summary>The verdict cell: the verdict, and for an inconclusive one its reason.</summary>
    /// <param name="claim">A claim.</param>
    public static string VerdictWithReason(AggregatedClaim claim) =>
        claim.VerdictText != "holds" && claim.VerdictText != "fails" && claim.Notes.Count > 0
            ? $"{claim.VerdictText}: {string.Join("; ", claim.Notes)}"
            : claim.VerdictText;

    /// <summary>The anchor of an experiment's section.</summary>
    /// <param name="experiment">Experiment id.</param>
    public static string Anchor(string experiment) => "experiment-" + experiment;
}
