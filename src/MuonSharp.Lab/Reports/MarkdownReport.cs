using System.Text;

namespace MuonSharp.Lab.Reports;

/// <summary>The report as Markdown (<c>report.md</c>).</summary>
public static class MarkdownReport
{
    /// <summary>The Markdown text of <paramref name="report"/>.</summary>
    /// <param name="report">What to show.</param>
    public static string Write(ReportData report)
    {
        var md = new StringBuilder();
        md.AppendLine("# MuonSharp lab report").AppendLine();
        md.AppendLine($"**{report.Tally()}.** {report.Runs.Count} run(s) under `{report.Root}` ({report.Sizes()}). Verdicts are computed from the measured numbers " +
                      "by each claim's threshold, fixed before the runs. With several runs of one experiment a number is mean ± sample standard deviation over runs. " +
                      "The papers' titles, authors and arXiv ids are in the repository's docs/papers.md.").AppendLine();
        md.AppendLine("Contents: " + string.Join(" · ", report.Runs.Select(r => r.Summary.Experiment).Distinct().Select(e => $"[{e}](#{ReportData.Anchor(e)})"))).AppendLine();

        md.AppendLine("| experiment | claim | source | verdict | measured (decisive numbers) | threshold |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var c in report.Claims)
        {
            var (headline, details) = c.Split();
            var measured = string.Join("; ", headline.Select(c.Describe)) + (details.Count > 0 ? $" (+{details.Count} more below)" : "");
            md.AppendLine($"| {c.Experiment} | {Cell(c.Claim.Statement)} | {c.Claim.Source} | **{Cell(ReportData.VerdictWithReason(c))}** | {Cell(measured)} | {Cell(c.Claim.Threshold)} |");
        }

        md.AppendLine().AppendLine("| run | experiment | size | status |").AppendLine("|---|---|---|---|");
        foreach (var (dir, summary) in report.Runs)
            md.AppendLine($"| `{Path.GetRelativePath(report.Root, dir)}` | {summary.Experiment} | {summary.Size ?? "unrecorded"} | {ReportBuilder.StatusText(dir, summary)} |");
        md.AppendLine().AppendLine(report.Missing.Count == 0 ? "Every experiment has a run here." : $"No run here of: {string.Join(", ", report.Missing)}.");
        if (report.SweepsLine() is { } sweeps) md.AppendLine().AppendLine(sweeps);

        foreach (var group in report.Runs.GroupBy(r => r.Summary.Experiment))
        {
            var first = group.First().Summary;
            md.AppendLine().AppendLine($"<a id=\"{ReportData.Anchor(first.Experiment)}\"></a>").AppendLine();
            md.AppendLine($"## {first.Experiment} — {Papers.WithTitles(first.Source)}").AppendLine();
            md.AppendLine(first.Description).AppendLine();
            foreach (var (dir, summary) in group)
                md.AppendLine($"Run `{Path.GetRelativePath(report.Root, dir)}` ({summary.Size ?? "size unrecorded"}): {ReportBuilder.StatusText(dir, summary)}; config `{summary.Config.ToJsonString()}`").AppendLine();
            foreach (var c in report.Claims.Where(c => c.Experiment == first.Experiment))
            {
                var (headline, details) = c.Split();
                md.AppendLine($"- **{c.Claim.Id}** ({Papers.WithTitles(c.Claim.Source)}) — {c.Claim.Statement}");
                md.AppendLine($"  - measured: {c.Claim.Measurement}");
                md.AppendLine($"  - threshold: {c.Claim.Threshold}");
                md.AppendLine($"  - result: **{ReportData.VerdictWithReason(c)}**; {string.Join("; ", headline.Select(c.Describe))}");
                if (c.Notes.Count > 0 && c.VerdictText is "holds" or "fails") md.AppendLine($"  - note: {string.Join("; ", c.Notes)}");
                if (details.Count > 0) md.AppendLine($"  - details: {string.Join("; ", details.Select(c.Describe))}");
            }
            var (plotDir, plotSummary) = group.First();
            md.AppendLine();
            foreach (var plot in plotSummary.Plots)
                md.AppendLine($"![{Path.GetFileNameWithoutExtension(plot)}]({Path.GetRelativePath(report.Root, Path.Combine(plotDir, plot)).Replace('\\', '/')})");
        }
        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}
