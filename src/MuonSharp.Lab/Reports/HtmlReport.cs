using System.Net;
using System.Text;

namespace MuonSharp.Lab.Reports;

/// <summary>The report as one self-contained HTML page (<c>report.html</c>, plots inlined as PNG).</summary>
public static class HtmlReport
{
    /// <summary>The HTML text of <paramref name="report"/>.</summary>
    /// <param name="report">What to show.</param>
    public static string Write(ReportData report)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>MuonSharp lab report</title><style>");
        html.AppendLine("body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}");
        html.AppendLine("table{border-collapse:collapse;width:100%;font-size:0.9em;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}");
        html.AppendLine(".holds{background:#d9f2d9}.fails{background:#f8d7d7}.inconclusive{background:#fff3cd}.mixed{background:#e2e3f3}");
        html.AppendLine("img{max-width:100%;border:1px solid #eee;margin:0.5em 0}code{background:#f4f4f4;padding:1px 3px;font-size:0.85em;word-break:break-all}details{font-size:0.85em;color:#444}");
        html.AppendLine("</style></head><body><h1>MuonSharp lab report</h1>");
        html.AppendLine($"<p><b>{E(report.Tally())}.</b> {report.Runs.Count} run(s) under <code>{E(report.Root)}</code> ({E(report.Sizes())}). Verdicts are computed from the measured numbers by each claim's threshold, fixed before the runs; with several runs of one experiment a number is mean ± sample standard deviation over runs. The papers' titles, authors and arXiv ids are in the repository's docs/papers.md.</p>");
        html.AppendLine("<p>Contents: " + string.Join(" · ", report.Runs.Select(r => r.Summary.Experiment).Distinct().Select(e => $"<a href=\"#{ReportData.Anchor(e)}\">{E(e)}</a>")) + "</p>");

        html.AppendLine("<table><tr><th>experiment</th><th>claim</th><th>source</th><th>verdict</th><th>measured (decisive numbers)</th><th>threshold</th></tr>");
        foreach (var c in report.Claims)
        {
            var css = c.VerdictText.StartsWith("mixed", StringComparison.Ordinal) ? "mixed" : c.VerdictText;
            var (headline, details) = c.Split();
            var more = details.Count > 0 ? $"<details><summary>{details.Count} more</summary>{E(string.Join("; ", details.Select(c.Describe)))}</details>" : "";
            html.AppendLine($"<tr><td>{E(c.Experiment)}</td><td>{E(c.Claim.Statement)}</td><td>{E(Papers.WithTitles(c.Claim.Source))}</td><td class=\"{css}\"><b>{E(ReportData.VerdictWithReason(c))}</b></td><td>{E(string.Join("; ", headline.Select(c.Describe)))}{more}</td><td>{E(c.Claim.Threshold)}</td></tr>");
        }
        html.AppendLine("</table>");

        html.AppendLine("<table><tr><th>run</th><th>experiment</th><th>size</th><th>status</th></tr>");
        foreach (var (dir, summary) in report.Runs)
            html.AppendLine($"<tr><td><code>{E(Path.GetRelativePath(report.Root, dir))}</code></td><td>{E(summary.Experiment)}</td><td>{E(summary.Size ?? "unrecorded")}</td><td>{E(ReportBuilder.StatusText(dir, summary))}</td></tr>");
        html.AppendLine($"</table><p>{E(report.Missing.Count == 0 ? "Every experiment has a run here." : $"No run here of: {string.Join(", ", report.Missing)}.")}</p>");
        if (report.SweepsLine() is { } sweeps) html.AppendLine($"<p>{E(sweeps)}</p>");

        foreach (var group in report.Runs.GroupBy(r => r.Summary.Experiment))
        {
            var first = group.First().Summary;
            html.AppendLine($"<h2 id=\"{ReportData.Anchor(first.Experiment)}\">{E(first.Experiment)} — {E(Papers.WithTitles(first.Source))}</h2><p>{E(first.Description)}</p><ul>");
            foreach (var (dir, summary) in group)
                html.AppendLine($"<li>run <code>{E(Path.GetRelativePath(report.Root, dir))}</code> ({E(summary.Size ?? "size unrecorded")}): {E(ReportBuilder.StatusText(dir, summary))}; config <code>{E(summary.Config.ToJsonString())}</code></li>");
            html.AppendLine("</ul><dl>");
            foreach (var c in report.Claims.Where(c => c.Experiment == first.Experiment))
            {
                var (headline, details) = c.Split();
                var note = c.Notes.Count > 0 && c.VerdictText is "holds" or "fails" ? $"<br>Note: {E(string.Join("; ", c.Notes))}" : "";
                var more = details.Count > 0 ? $"<details><summary>all {c.Measured.Count} numbers</summary>{E(string.Join("; ", details.Select(c.Describe)))}</details>" : "";
                html.AppendLine($"<dt><b>{E(c.Claim.Id)}</b> ({E(Papers.WithTitles(c.Claim.Source))}): {E(c.Claim.Statement)}</dt><dd>Measured: {E(c.Claim.Measurement)}<br>Threshold: {E(c.Claim.Threshold)}<br>Result: <b>{E(ReportData.VerdictWithReason(c))}</b>; {E(string.Join("; ", headline.Select(c.Describe)))}{note}{more}</dd>");
            }
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
}
