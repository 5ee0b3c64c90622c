using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Sweeps;

namespace MuonSharp.Lab.Reports;

/// <summary>One grid point of a sweep: the runs of its seeds and their claims aggregated over them.</summary>
/// <param name="Label">The grid values in words, e.g. "lr=0.01".</param>
/// <param name="Grid">The grid values.</param>
/// <param name="Seeds">Each seed's point and its run summary (null before the run started).</param>
/// <param name="Claims">Claims of its completed runs, aggregated over seeds (<see cref="ClaimAggregation"/>).</param>
public sealed record GridPointResult(string Label, JsonObject Grid, IReadOnlyList<(SweepPoint Point, RunSummary? Summary)> Seeds, IReadOnlyList<AggregatedClaim> Claims)
{
    /// <summary>Seeds whose run completed.</summary>
    public int Completed => Seeds.Count(s => s.Summary?.Status == RunStatus.Completed);
}

/// <summary>A metric's final value (at its last recorded step) for one optimizer at one grid point, over the point's completed seeds.</summary>
/// <param name="Point">The grid point.</param>
/// <param name="Optimizer">The optimizer (metrics.csv's optimizer column).</param>
/// <param name="Value">Mean, spread, count, min and max over seeds.</param>
public sealed record MetricAtGridPoint(GridPointResult Point, string Optimizer, MeasuredSummary Value);

/// <summary>What a sweep's report shows.</summary>
/// <param name="Root">The sweep directory.</param>
/// <param name="Experiment">The experiment swept.</param>
/// <param name="GridKeys">The grid's keys, in the order given.</param>
/// <param name="GridPoints">Every grid point, in manifest order.</param>
/// <param name="Metric">The metric chosen with <c>--metric</c>, or null.</param>
/// <param name="MetricValues">Its final values by grid point and optimizer (empty without a metric).</param>
/// <param name="Plot">The metric-over-grid plot, relative to the root; null when there is none.</param>
public sealed record SweepReportData(string Root, string Experiment, IReadOnlyList<string> GridKeys, IReadOnlyList<GridPointResult> GridPoints,
    string? Metric, IReadOnlyList<MetricAtGridPoint> MetricValues, string? Plot);

/// <summary>
/// The report of a sweep (<c>muonsharp report DIR</c> on a sweep directory): points aggregated by grid point —
/// per claim the seeds' verdicts and each measured number as mean ± sample standard deviation over seeds —
/// and, with <c>--metric</c>, that metric's final value by grid point and optimizer and a line plot of it over
/// one numeric grid key (mean over seeds, band from the smallest to the largest seed), one line per optimizer
/// and combination of the other keys. Written as <c>report.md</c> and <c>report.html</c> in the sweep directory.
/// </summary>
public static class SweepReport
{
    /// <summary>Reads the sweep, draws the plot, writes both reports; returns their paths.</summary>
    /// <param name="root">The sweep directory.</param>
    /// <param name="metric">A metrics.csv metric to tabulate and plot over the grid, or null.</param>
    /// <param name="xKey">The grid key on the plot's x axis (default: the first numeric one).</param>
    public static (string Markdown, string Html) Build(string root, string? metric = null, string? xKey = null)
    {
        var report = Read(root, metric, xKey);
        var mdPath = Path.Combine(root, "report.md");
        var htmlPath = Path.Combine(root, "report.html");
        AtomicFile.WriteAllText(mdPath, Markdown(report));
        AtomicFile.WriteAllText(htmlPath, Html(report));
        return (mdPath, htmlPath);
    }

    /// <summary>Everything the report shows (the plot is drawn here).</summary>
    /// <param name="root">The sweep directory.</param>
    /// <param name="metric">A metric to tabulate and plot, or null.</param>
    /// <param name="xKey">The plot's x key, or null for the first numeric grid key.</param>
    public static SweepReportData Read(string root, string? metric, string? xKey)
    {
        var points = SweepManifest.Read(root);
        if (points.Count == 0) throw new LabUserException($"The sweep in '{root}' has no points.");
        var gridKeys = points[0].Grid.Select(g => g.Key).ToList();
        var gridPoints = points
            .Select(p => (Point: p, Summary: PointStates.RunState(SweepManifest.RunDirectoryOf(root, p)) is null ? null : SummaryOf(SweepManifest.RunDirectoryOf(root, p))))
            .GroupBy(s => s.Point.GridLabel)
            .Select(g => new GridPointResult(g.Key, g.First().Point.Grid, g.ToList(),
                ClaimAggregation.Aggregate(g.Where(s => s.Summary is not null).Select(s => (s.Point.Directory, s.Summary!)).ToList())))
            .ToList();
        if (metric is null)
        {
            if (xKey is not null) throw new LabUserException("--x chooses the plot's axis of --metric; give --metric too.");
            return new SweepReportData(root, points[0].Experiment, gridKeys, gridPoints, null, Array.Empty<MetricAtGridPoint>(), null);
        }
        var values = FinalValues(root, gridPoints, metric);
        var plot = PlotOverGrid(root, points[0].Experiment, gridKeys, values, metric, xKey);
        return new SweepReportData(root, points[0].Experiment, gridKeys, gridPoints, metric, values, plot);
    }

    private static RunSummary SummaryOf(string directory) =>
        File.Exists(Path.Combine(directory, RunDirectory.SummaryFile)) ? LabRunner.ReadSummary(directory) : ReportBuilder.FindRuns(directory).Single().Summary;

    private static IReadOnlyList<MetricAtGridPoint> FinalValues(string root, IReadOnlyList<GridPointResult> gridPoints, string metric)
    {
        var recorded = new SortedSet<string>(StringComparer.Ordinal);
        var values = new List<MetricAtGridPoint>();
        foreach (var gridPoint in gridPoints)
        {
            var finals = new List<(string Optimizer, double Value)>();
            foreach (var (point, summary) in gridPoint.Seeds.Where(s => s.Summary?.Status == RunStatus.Completed))
            {
                var rows = MetricsRecorder.Read(Path.Combine(SweepManifest.RunDirectoryOf(root, point), RunDirectory.MetricsFile));
                recorded.UnionWith(rows.Select(r => r.Metric));
                finals.AddRange(rows.Where(r => r.Metric == metric).GroupBy(r => r.Optimizer)
                    .Select(g => (g.Key, g.Aggregate((a, b) => b.Step >= a.Step ? b : a).Value)));
            }
            foreach (var optimizer in finals.GroupBy(f => f.Optimizer))
            {
                var v = optimizer.Select(f => f.Value).ToList();
                values.Add(new MetricAtGridPoint(gridPoint, optimizer.Key, new MeasuredSummary(Stats.Mean(v), v.Count > 1 ? Stats.StandardDeviation(v) : double.NaN, v.Count, v.Min(), v.Max())));
            }
        }
        if (recorded.Count == 0) throw new LabUserException($"--metric {metric}: no point of the sweep in '{root}' has completed yet; the report shows metrics of completed points.");
        if (!recorded.Contains(metric)) throw new LabUserException($"--metric {metric}: not recorded by this sweep's runs. Recorded: {string.Join(", ", recorded)}.");
        return values;
    }

    private static string? PlotOverGrid(string root, string experiment, IReadOnlyList<string> gridKeys, IReadOnlyList<MetricAtGridPoint> values, string metric, string? xKey)
    {
        bool Numeric(string key) => values.All(v => v.Point.Grid[key] is JsonValue j && j.GetValueKind() == JsonValueKind.Number);
        if (xKey is not null && !gridKeys.Contains(xKey))
            throw new LabUserException($"--x {xKey}: not a key of this sweep's grid. Grid keys: {(gridKeys.Count == 0 ? "none (a sweep over seeds only)" : string.Join(", ", gridKeys))}.");
        if (xKey is not null && !Numeric(xKey)) throw new LabUserException($"--x {xKey}: its values are not numbers; choose a numeric grid key.");
        var x = xKey ?? gridKeys.FirstOrDefault(Numeric);
        if (x is null || values.Count == 0) return null;   // nothing numeric to plot against: the table says it all
        var others = gridKeys.Where(k => k != x).ToList();
        var series = values
            .GroupBy(v => (v.Optimizer, Others: string.Join(", ", others.Select(k => $"{k}={SweepPoint.ValueText(v.Point.Grid[k])}"))))
            .Select(g =>
            {
                var line = g.OrderBy(v => (double)v.Point.Grid[x]!).ToList();
                var xs = line.Select(v => (double)v.Point.Grid[x]!).ToList();
                bool band = line.Any(v => v.Value.Count > 1);
                return new Series(g.Key.Others.Length == 0 ? g.Key.Optimizer : $"{g.Key.Optimizer} {g.Key.Others}", xs, line.Select(v => v.Value.Mean).ToList())
                {
                    Low = band ? line.Select(v => v.Value.Min).ToList() : null,
                    High = band ? line.Select(v => v.Value.Max).ToList() : null,
                    Markers = true,
                };
            }).ToList();
        var all = values.Select(v => (double)v.Point.Grid[x]!).ToList();
        var ys = values.SelectMany(v => new[] { v.Value.Min, v.Value.Max }).ToList();
        // Grids spaced by factors (learning rates) read best on a log axis, and so do values spanning decades (losses).
        bool logX = all.All(v => v > 0) && all.Max() / all.Min() >= 10;
        bool logY = ys.All(v => v > 0) && ys.Max() / ys.Min() >= 100;
        var context = new RunContext(Path.Combine(root, "plots"), SilentProgress.Instance, CancellationToken.None);
        return Charts.Line(context, $"sweep-{metric}-vs-{x}", $"{experiment}: final {metric} vs {x} (mean over seeds, band: min to max)", x, metric, series, logY, logX);
    }

    /// <summary>The report as Markdown.</summary>
    /// <param name="report">What to show.</param>
    public static string Markdown(SweepReportData report)
    {
        var md = new StringBuilder();
        md.AppendLine($"# MuonSharp sweep report: {report.Experiment}").AppendLine();
        md.AppendLine(Intro(report)).AppendLine();
        md.AppendLine("| grid point | seeds done | claim | verdicts over seeds | measured (mean ± sd over seeds) |").AppendLine("|---|---|---|---|---|");
        foreach (var row in ClaimRows(report)) md.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
        if (report.Metric is { } metric)
        {
            md.AppendLine().AppendLine($"## Final {metric} by grid point").AppendLine();
            md.AppendLine("| grid point | optimizer | mean | sd | seeds | min | max |").AppendLine("|---|---|---|---|---|---|---|");
            foreach (var row in MetricRows(report)) md.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
            if (report.Plot is { } plot) md.AppendLine().AppendLine($"![final {metric} over the grid]({plot.Replace('\\', '/')})");
        }
        md.AppendLine().AppendLine("## Points").AppendLine().AppendLine("| point | grid point | seed | status | run directory |").AppendLine("|---|---|---|---|---|");
        foreach (var row in PointRows(report)) md.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
        return md.ToString();
    }

    /// <summary>The report as one self-contained HTML page (the plot inlined).</summary>
    /// <param name="report">What to show.</param>
    public static string Html(SweepReportData report)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        static string Table(IEnumerable<string> header, IEnumerable<IReadOnlyList<string>> rows) =>
            "<table><tr>" + string.Concat(header.Select(h => $"<th>{E(h)}</th>")) + "</tr>" +
            string.Concat(rows.Select(r => "<tr>" + string.Concat(r.Select(c => $"<td>{E(c)}</td>")) + "</tr>")) + "</table>\n";
        var html = new StringBuilder();
        html.AppendLine($"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>MuonSharp sweep report: {E(report.Experiment)}</title><style>");
        html.AppendLine("body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}");
        html.AppendLine("table{border-collapse:collapse;width:100%;font-size:0.9em;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}img{max-width:100%}");
        html.AppendLine($"</style></head><body><h1>MuonSharp sweep report: {E(report.Experiment)}</h1><p>{E(Intro(report))}</p>");
        html.Append(Table(new[] { "grid point", "seeds done", "claim", "verdicts over seeds", "measured (mean ± sd over seeds)" }, ClaimRows(report)));
        if (report.Metric is { } metric)
        {
            html.AppendLine($"<h2>Final {E(metric)} by grid point</h2>");
            html.Append(Table(new[] { "grid point", "optimizer", "mean", "sd", "seeds", "min", "max" }, MetricRows(report)));
            if (report.Plot is { } plot && File.Exists(Path.Combine(report.Root, plot)))
                html.AppendLine($"<img alt=\"final {E(metric)} over the grid\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(Path.Combine(report.Root, plot)))}\">");
        }
        html.AppendLine("<h2>Points</h2>").Append(Table(new[] { "point", "grid point", "seed", "status", "run directory" }, PointRows(report)));
        return html.AppendLine("</body></html>").ToString();
    }

    private static string Intro(SweepReportData report)
    {
        int points = report.GridPoints.Sum(g => g.Seeds.Count), done = report.GridPoints.Sum(g => g.Completed);
        return $"{points} point(s) under `{report.Root}`: {report.GridPoints.Count} grid point(s) of {(report.GridKeys.Count == 0 ? "no grid key" : string.Join(", ", report.GridKeys))} × seeds; " +
               $"{done} completed. A point is one run with all of the experiment's optimizers and one seed, so a claim is judged inside each point; " +
               "here each grid point aggregates its seeds: the verdicts are counted and each measured number is mean ± sample standard deviation over the completed seeds.";
    }

    private static IEnumerable<IReadOnlyList<string>> ClaimRows(SweepReportData report) =>
        report.GridPoints.SelectMany(g => g.Claims.Count == 0
            ? new[] { (IReadOnlyList<string>)new[] { g.Label, $"{g.Completed}/{g.Seeds.Count}", "—", "no completed run", "" } }
            : g.Claims.Select(c => (IReadOnlyList<string>)new[]
            {
                g.Label, $"{g.Completed}/{g.Seeds.Count}", c.Claim.Id,
                string.Join(", ", c.Verdicts.GroupBy(v => v).Select(v => $"{v.Count()} {v.Key.ToString().ToLowerInvariant()}")),
                string.Join("; ", c.Split().Headline.Select(c.Describe)),
            }));

    private static IEnumerable<IReadOnlyList<string>> MetricRows(SweepReportData report) =>
        report.MetricValues.Select(v => (IReadOnlyList<string>)new[]
        {
            v.Point.Label, v.Optimizer, AggregatedClaim.Number(v.Value.Mean), v.Value.Count > 1 ? AggregatedClaim.Number(v.Value.Spread) : "—",
            v.Value.Count.ToString(CultureInfo.InvariantCulture), AggregatedClaim.Number(v.Value.Min), AggregatedClaim.Number(v.Value.Max),
        });

    private static IEnumerable<IReadOnlyList<string>> PointRows(SweepReportData report) =>
        report.GridPoints.SelectMany(g => g.Seeds).Select(s => (IReadOnlyList<string>)new[]
        {
            s.Point.Index.ToString(CultureInfo.InvariantCulture), s.Point.GridLabel, s.Point.Seed.ToString(CultureInfo.InvariantCulture),
            s.Summary is { } summary ? ReportBuilder.StatusText(SweepManifest.RunDirectoryOf(report.Root, s.Point), summary) : "not started",
            s.Point.Directory,
        });

    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}
