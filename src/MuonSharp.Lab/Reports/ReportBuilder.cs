using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Reports;

/// <summary>One claim across every run of its experiment found under a report's root.</summary>
/// <param name="Experiment">Experiment id.</param>
/// <param name="Claim">The claim as judged in the first run (statement, threshold).</param>
/// <param name="Verdicts">Each run's verdict.</param>
/// <param name="Measured">Each measured number: mean and sample standard deviation over runs.</param>
public sealed record AggregatedClaim(string Experiment, ClaimResult Claim, IReadOnlyList<Verdict> Verdicts,
    IReadOnlyDictionary<string, (double Mean, double Spread)> Measured)
{
    /// <summary>The verdict shown: the common one, or "mixed (…)" when runs disagree.</summary>
    public string VerdictText => Verdicts.Distinct().Count() == 1
        ? Verdicts[0].ToString().ToLowerInvariant()
        : "mixed (" + string.Join(", ", Verdicts.GroupBy(v => v).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}")) + ")";
}

/// <summary>
/// Builds <c>report.md</c> and a self-contained <c>report.html</c> (plots inlined) from every run
/// directory under a root: the claims table on top, then per experiment what was run, how each claim
/// was measured, and the plots. Runs of the same experiment (e.g. different seeds) are aggregated:
/// mean and spread of each measured number, and each run's verdict.
/// </summary>
public static class ReportBuilder
{
    /// <summary>Finds runs under <paramref name="root"/>, writes both reports there, returns their paths.</summary>
    /// <param name="root">A folder holding run directories (at any depth up to 3).</param>
    public static (string Markdown, string Html) Build(string root)
    {
        if (File.Exists(root)) throw new LabUserException($"'{root}' is a file; give the folder written by 'muonsharp run' or 'muonsharp reproduce'.");
        if (!Directory.Exists(root)) throw new LabUserException($"'{root}' does not exist; give a folder written by 'muonsharp run' or 'muonsharp reproduce'.");
        var runs = FindRuns(root);
        if (runs.Count == 0) throw new LabUserException($"No runs (config.json or summary.json) under '{root}'.");
        var claims = Aggregate(runs);
        var markdown = Markdown(root, runs, claims);
        var html = Html(root, runs, claims);
        var mdPath = Path.Combine(root, "report.md");
        var htmlPath = Path.Combine(root, "report.html");
        AtomicFile.WriteAllText(mdPath, markdown);
        AtomicFile.WriteAllText(htmlPath, html);
        return (mdPath, htmlPath);
    }

    /// <summary>
    /// Every run directory under <paramref name="root"/> with its summary, ordered by path — finished,
    /// interrupted, failed and killed ones alike (a run killed before its first summary has one made
    /// from its config.json, with status running).
    /// </summary>
    /// <param name="root">A folder.</param>
    public static IReadOnlyList<(string Directory, RunSummary Summary)> FindRuns(string root)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3 };
        return Directory.EnumerateFiles(root, "summary.json", options)
            .Concat(Directory.EnumerateFiles(root, "config.json", options))
            .Select(Path.GetDirectoryName).OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .OrderBy(d => d, StringComparer.Ordinal)
            .Select(d => (d, File.Exists(Path.Combine(d, "summary.json")) ? LabRunner.ReadSummary(d) : FromConfig(d)))
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

    /// <summary>Experiments of the registry with no run under the report's root.</summary>
    private static IReadOnlyList<string> Missing(IReadOnlyList<(string Directory, RunSummary Summary)> runs) =>
        ExperimentRegistry.All.Select(e => e.Id).Where(id => runs.All(r => r.Summary.Experiment != id)).ToList();

    private static RunSummary FromConfig(string directory)
    {
        var path = Path.Combine(directory, "config.json");
        try
        {
            var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            var id = (string?)config["experiment"] ?? "?";
            var known = ExperimentRegistry.All.FirstOrDefault(e => e.Id == id);
            return new RunSummary(id, known?.Description ?? "", known?.Source ?? "", RunStatus.Running,
                config["config"]?.DeepClone().AsObject() ?? new JsonObject(), Array.Empty<ClaimResult>(), Array.Empty<string>());
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw new LabUserException($"Cannot read '{path}': {e.Message}");
        }
    }

    /// <summary>Claims of completed runs grouped by experiment and claim id.</summary>
    /// <param name="runs">Runs from <see cref="FindRuns"/>.</param>
    public static IReadOnlyList<AggregatedClaim> Aggregate(IReadOnlyList<(string Directory, RunSummary Summary)> runs) =>
        runs.Where(r => r.Summary.Status == RunStatus.Completed)
            .SelectMany(r => r.Summary.Claims.Select(c => (r.Summary.Experiment, Claim: c)))
            .GroupBy(x => (x.Experiment, x.Claim.Id))
            .Select(g =>
            {
                var list = g.Select(x => x.Claim).ToList();
                var names = list.SelectMany(c => c.Measured.Keys).Distinct().ToList();
                var measured = names.ToDictionary(n => n, n =>
                {
                    var values = list.Where(c => c.Measured.ContainsKey(n)).Select(c => c.Measured[n]).ToList();
                    return (Stats.Mean(values), Stats.StandardDeviation(values));
                });
                return new AggregatedClaim(g.Key.Experiment, list[0], list.Select(c => c.Verdict).ToList(), measured);
            })
            .ToList();

    private static string Number(double value) =>
        double.IsNaN(value) ? "NaN" : Math.Abs(value) is >= 1e4 or < 1e-3 and > 0 ? value.ToString("0.###e0", CultureInfo.InvariantCulture) : value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string MeasuredText(AggregatedClaim c, int runs) =>
        string.Join("; ", c.Measured.Select(m => runs > 1 ? $"{m.Key} = {Number(m.Value.Mean)} ± {Number(m.Value.Spread)}" : $"{m.Key} = {Number(m.Value.Mean)}"));

    private static string Markdown(string root, IReadOnlyList<(string Directory, RunSummary Summary)> runs, IReadOnlyList<AggregatedClaim> claims)
    {
        var md = new StringBuilder();
        md.AppendLine("# MuonSharp lab report").AppendLine();
        md.AppendLine($"{runs.Count} run(s) under `{root}`; verdicts are computed from the measured numbers by each claim's threshold. " +
                      "Where several runs of one experiment exist, numbers are mean ± sample standard deviation over runs.").AppendLine();
        md.AppendLine("| run | experiment | status |").AppendLine("|---|---|---|");
        foreach (var (dir, summary) in runs) md.AppendLine($"| `{Path.GetRelativePath(root, dir)}` | {summary.Experiment} | {StatusText(dir, summary)} |");
        var missing = Missing(runs);
        md.AppendLine().AppendLine(missing.Count == 0 ? "Every experiment has a run here." : $"No run here of: {string.Join(", ", missing)}.").AppendLine();
        md.AppendLine("| experiment | claim | source | verdict | measured | threshold |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var c in claims)
        {
            int n = c.Verdicts.Count;
            md.AppendLine($"| {c.Experiment} | {Cell(c.Claim.Statement)} | {c.Claim.Source} | **{c.VerdictText}** | {Cell(MeasuredText(c, n))} | {Cell(c.Claim.Threshold)} |");
        }
        foreach (var group in runs.GroupBy(r => r.Summary.Experiment))
        {
            var first = group.First().Summary;
            md.AppendLine().AppendLine($"## {first.Experiment} — {first.Source}").AppendLine();
            md.AppendLine(first.Description).AppendLine();
            foreach (var (dir, summary) in group)
            {
                md.AppendLine($"Run `{Path.GetRelativePath(root, dir)}`: {StatusText(dir, summary)}; config `{summary.Config.ToJsonString()}`").AppendLine();
            }
            foreach (var c in claims.Where(c => c.Experiment == first.Experiment))
            {
                md.AppendLine($"- **{c.Claim.Id}** ({c.Claim.Source}) — {c.Claim.Statement}");
                md.AppendLine($"  - measured: {c.Claim.Measurement}");
                md.AppendLine($"  - threshold: {c.Claim.Threshold}");
                md.AppendLine($"  - result: **{c.VerdictText}**; {MeasuredText(c, c.Verdicts.Count)}{(c.Claim.Note is null ? "" : $" ({c.Claim.Note})")}");
            }
            var (plotDir, plotSummary) = group.First();
            md.AppendLine();
            foreach (var plot in plotSummary.Plots)
                md.AppendLine($"![{Path.GetFileNameWithoutExtension(plot)}]({Path.GetRelativePath(root, Path.Combine(plotDir, plot)).Replace('\\', '/')})");
        }
        return md.ToString();
    }

    private static string Html(string root, IReadOnlyList<(string Directory, RunSummary Summary)> runs, IReadOnlyList<AggregatedClaim> claims)
    {
        string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>MuonSharp lab report</title><style>");
        html.AppendLine("body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}");
        html.AppendLine("table{border-collapse:collapse;width:100%;font-size:0.9em}th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}");
        html.AppendLine(".holds{background:#d9f2d9}.fails{background:#f8d7d7}.inconclusive{background:#fff3cd}.mixed{background:#e2e3f3}");
        html.AppendLine("img{max-width:100%;border:1px solid #eee;margin:0.5em 0}code{background:#f4f4f4;padding:1px 3px;font-size:0.85em;word-break:break-all}");
        html.AppendLine("</style></head><body><h1>MuonSharp lab report</h1>");
        html.AppendLine($"<p>{runs.Count} run(s) under <code>{E(root)}</code>. Verdicts are computed from the measured numbers by each claim's threshold; with several runs of one experiment, numbers are mean ± sample standard deviation over runs.</p>");
        html.AppendLine("<table><tr><th>run</th><th>experiment</th><th>status</th></tr>");
        foreach (var (dir, summary) in runs) html.AppendLine($"<tr><td><code>{E(Path.GetRelativePath(root, dir))}</code></td><td>{E(summary.Experiment)}</td><td>{E(StatusText(dir, summary))}</td></tr>");
        var missing = Missing(runs);
        html.AppendLine($"</table><p>{E(missing.Count == 0 ? "Every experiment has a run here." : $"No run here of: {string.Join(", ", missing)}.")}</p>");
        html.AppendLine("<table><tr><th>experiment</th><th>claim</th><th>source</th><th>verdict</th><th>measured</th><th>threshold</th></tr>");
        foreach (var c in claims)
        {
            var css = c.VerdictText.StartsWith("mixed", StringComparison.Ordinal) ? "mixed" : c.VerdictText;
            html.AppendLine($"<tr><td>{E(c.Experiment)}</td><td>{E(c.Claim.Statement)}</td><td>{E(c.Claim.Source)}</td><td class=\"{css}\"><b>{E(c.VerdictText)}</b></td><td>{E(MeasuredText(c, c.Verdicts.Count))}</td><td>{E(c.Claim.Threshold)}</td></tr>");
        }
        html.AppendLine("</table>");
        foreach (var group in runs.GroupBy(r => r.Summary.Experiment))
        {
            var first = group.First().Summary;
            html.AppendLine($"<h2>{E(first.Experiment)} — {E(first.Source)}</h2><p>{E(first.Description)}</p><ul>");
            foreach (var (dir, summary) in group)
                html.AppendLine($"<li>run <code>{E(Path.GetRelativePath(root, dir))}</code>: {E(StatusText(dir, summary))}; config <code>{E(summary.Config.ToJsonString())}</code></li>");
            html.AppendLine("</ul><dl>");
            foreach (var c in claims.Where(c => c.Experiment == first.Experiment))
                html.AppendLine($"<dt><b>{E(c.Claim.Id)}</b> ({E(c.Claim.Source)}): {E(c.Claim.Statement)}</dt><dd>Measured: {E(c.Claim.Measurement)}<br>Threshold: {E(c.Claim.Threshold)}<br>Result: <b>{E(c.VerdictText)}</b>; {E(MeasuredText(c, c.Verdicts.Count))}{(c.Claim.Note is null ? "" : $" ({E(c.Claim.Note)})")}</dd>");
            html.AppendLine("</dl>");
            var (plotDir, plotSummary) = group.First();
            foreach (var plot in plotSummary.Plots)
            {
                var path = Path.Combine(plotDir, plot);
                if (!File.Exists(path)) continue;
                html.AppendLine($"<img alt=\"{E(Path.GetFileNameWithoutExtension(plot))}\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(path))}\">");
            }
        }
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}
