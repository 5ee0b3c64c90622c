using System.Globalization;
using System.Text.RegularExpressions;
using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Reports;

/// <summary>One measured number over the runs that report it.</summary>
/// <param name="Mean">Mean over runs.</param>
/// <param name="Spread">Sample standard deviation over runs (NaN for one run).</param>
/// <param name="Count">How many runs report it.</param>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
public readonly record struct MeasuredSummary(double Mean, double Spread, int Count, double Min, double Max);

/// <summary>One claim across every run of its experiment found under a report's root.</summary>
/// <param name="Experiment">Experiment id.</param>
/// <param name="Claim">The claim as judged in the first run (statement, threshold).</param>
/// <param name="Verdicts">Each run's verdict.</param>
/// <param name="Measured">Each measured number over the runs that report it.</param>
/// <param name="Notes">Each run's note (why inconclusive, which seeds failed), where it gave one.</param>
public sealed partial record AggregatedClaim(string Experiment, ClaimResult Claim, IReadOnlyList<Verdict> Verdicts,
    IReadOnlyDictionary<string, MeasuredSummary> Measured, IReadOnlyList<string> Notes)
{
    /// <summary>The verdict shown: the common one, or "mixed (…)" when runs disagree.</summary>
    public string VerdictText => Verdicts.Distinct().Count() == 1
        ? Verdicts[0].ToString().ToLowerInvariant()
        : "mixed (" + string.Join(", ", Verdicts.GroupBy(v => v).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}")) + ")";

    /// <summary>The numbers the verdict was computed from (or the first few), then the rest.</summary>
    public (IReadOnlyList<string> Headline, IReadOnlyList<string> Details) Split()
    {
        var headline = Claim.Headline.Where(Measured.ContainsKey).ToList();
        return (headline, Measured.Keys.Where(k => !headline.Contains(k)).ToList());
    }

    /// <summary>
    /// One number as text: a single value alone (no "± 0"); a standard deviation as its range over
    /// runs (standard deviations are not averaged); anything else as mean ± sample sd over runs.
    /// </summary>
    /// <param name="key">A measured key.</param>
    public string Describe(string key)
    {
        var m = Measured[key];
        if (m.Count == 1) return $"{key} = {Number(m.Mean)}";
        if (IsStandardDeviation(key)) return $"{key} = {Number(m.Min)} to {Number(m.Max)} over {m.Count} runs";
        return $"{key} = {Number(m.Mean)} ± {Number(m.Spread)} ({m.Count} runs)";
    }

    /// <summary>A number in reports: four significant figures, scientific outside [1e-3, 1e4).</summary>
    /// <param name="value">The value.</param>
    public static string Number(double value) =>
        double.IsNaN(value) ? "NaN"
        : Math.Abs(value) is >= 1e4 or < 1e-3 and > 0 ? value.ToString("0.###e0", CultureInfo.InvariantCulture)
        : value.ToString("0.####", CultureInfo.InvariantCulture);

    private static bool IsStandardDeviation(string key) => StdKey().IsMatch(key);

    [GeneratedRegex(@"(^|_)(std|sd|spread)(_|$)")]
    private static partial Regex StdKey();
}

/// <summary>Groups the claims of completed runs by experiment and claim id.</summary>
public static class ClaimAggregation
{
    /// <summary>Claims of completed runs grouped by experiment and claim id.</summary>
    /// <param name="runs">Runs from <see cref="ReportBuilder.FindRuns"/>.</param>
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
                    return new MeasuredSummary(Stats.Mean(values), values.Count > 1 ? Stats.StandardDeviation(values) : double.NaN,
                        values.Count, values.Min(), values.Max());
                });
                return new AggregatedClaim(g.Key.Experiment, list[0], list.Select(c => c.Verdict).ToList(), measured,
                    list.Select(c => c.Note).OfType<string>().Distinct().ToList());
            })
            .ToList();
}
