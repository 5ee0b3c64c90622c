using System.Text.Json;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Reports;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Sweeps;

namespace MuonSharp.Lab.Tests.Reports;

/// <summary>
/// A sweep of the toy experiment (gradient descent on x² from x₀ = 1 + U(seed)), whose answers are known:
/// after 10 steps at rate η the loss is x₀²(1 − 2η)^20 for gd, x₀²(1 − η)^20 for gd-half (half the rate);
/// the claim's ratio is the mean of (1 − 2η)^20 and (1 − η)^20 over the two optimizers, the same for every seed.
/// </summary>
public sealed class SweepReportTests : IDisposable
{
    private static readonly ToyExperiment Toy = new();
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string RunSweep(int seeds, params string[] grid) => ToySweep.Run(_temp.Sub("sweep"), seeds, grid);

    private static double FinalLoss(int seed, double rate)
    {
        double x = 1 + new Random(seed).NextDouble();
        for (int step = 0; step < 9; step++) x -= rate * 2 * x;   // the value recorded at the last step, 9
        return x * x;
    }

    [Fact]
    public void Claims_and_a_metric_are_aggregated_over_the_seeds_of_each_grid_point()
    {
        var root = RunSweep(3, "learning_rate=0.1,0.2");

        var report = SweepReport.Read(root, "loss", null);

        Assert.Equal(new[] { "learning_rate=0.1", "learning_rate=0.2" }, report.GridPoints.Select(g => g.Label));
        Assert.All(report.GridPoints, g => Assert.Equal(3, g.Completed));
        foreach (var (g, rate) in report.GridPoints.Zip(new[] { 0.1, 0.2 }))
        {
            var claim = Assert.Single(g.Claims);
            Assert.Equal(new[] { Verdict.Holds, Verdict.Holds, Verdict.Holds }, claim.Verdicts);
            Assert.Equal((Math.Pow(1 - 2 * rate, 20) + Math.Pow(1 - rate, 20)) / 2, claim.Measured["ratio"].Mean, 12);
            Assert.Equal(0, claim.Measured["ratio"].Spread, 12);
            Assert.Equal(3, claim.Measured["ratio"].Count);

            var gd = report.MetricValues.Single(v => v.Point == g && v.Optimizer == "gd").Value;
            var expected = new[] { 0, 1, 2 }.Select(seed => FinalLoss(seed, rate)).ToList();
            Assert.Equal(expected.Average(), gd.Mean, 12);
            Assert.Equal(Math.Sqrt(expected.Sum(v => (v - expected.Average()) * (v - expected.Average())) / 2), gd.Spread, 12);
            Assert.Equal(expected.Min(), gd.Min, 12);
            Assert.Equal(expected.Max(), gd.Max, 12);
        }
        Assert.Equal("plots/sweep-loss-vs-learning_rate.png", report.Plot);
        Assert.True(File.Exists(Path.Combine(root, report.Plot!)));
    }

    [Fact]
    public void The_written_report_has_a_row_per_grid_point_and_claim_and_lists_every_point()
    {
        var root = RunSweep(2, "learning_rate=0.1,0.2", "shape=flat,steep");

        var (md, html) = SweepReport.Build(root, "loss", "learning_rate");

        var text = File.ReadAllText(md);
        Assert.Contains("| learning_rate=0.2, shape=steep | 2/2 | loss-falls | 2 holds | ratio = ", text);
        Assert.Contains("| learning_rate=0.1, shape=flat | gd-half | ", text);
        Assert.Contains("| 7 | learning_rate=0.2, shape=steep | 1 | completed | points/007-toy-", text);
        Assert.Contains("![final loss over the grid](plots/sweep-loss-vs-learning_rate.png)", text);
        Assert.Contains("data:image/png;base64,", File.ReadAllText(html));
    }

    [Fact]
    public void A_point_not_yet_run_is_counted_and_listed_not_aggregated()
    {
        var root = RunSweep(2, "learning_rate=0.1");
        Directory.Delete(SweepManifest.RunDirectoryOf(root, SweepManifest.ReadPoint(root, 1)), recursive: true);

        var report = SweepReport.Read(root, null, null);

        Assert.Equal(1, report.GridPoints[0].Completed);
        Assert.Equal(1, Assert.Single(report.GridPoints[0].Claims).Measured["ratio"].Count);
        Assert.Contains("| 1 | learning_rate=0.1 | 1 | not started |", SweepReport.Markdown(report));
    }

    [Theory]
    [InlineData("nope", null, "--metric nope: not recorded", "Recorded: loss")]
    [InlineData("loss", "steps", "--x steps: not a key of this sweep's grid", "Grid keys: learning_rate, shape")]
    [InlineData("loss", "shape", "--x shape: its values are not numbers", "numeric grid key")]
    public void A_bad_metric_or_axis_is_named_with_what_is_accepted(string metric, string? x, string named, string accepted)
    {
        var root = RunSweep(1, "learning_rate=0.1,0.2", "shape=flat,steep");

        var error = Assert.Throws<LabUserException>(() => SweepReport.Read(root, metric, x));

        Assert.Contains(named, error.Message);
        Assert.Contains(accepted, error.Message);
    }
}
