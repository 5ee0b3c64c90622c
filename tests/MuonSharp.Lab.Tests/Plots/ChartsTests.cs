using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Plots;

public sealed class ChartsTests
{
    [Fact]
    public void An_optimizer_has_one_colour_in_every_chart_and_in_labels_that_start_with_its_name()
    {
        var first = new OptimizerColors();
        var second = new OptimizerColors();
        second.For("mode 1");

        Assert.Equal(first.For("muon"), second.For("muon"));
        Assert.Equal(first.For("muon"), first.For("muon seed 3"));
        Assert.NotEqual(first.For("muon"), first.For("gd"));
        Assert.Equal(first.For("adam"), first.For("adamw"));
    }

    [Fact]
    public void A_log_axis_over_less_than_a_decade_is_labelled_with_round_values_of_the_quantity()
    {
        var ticks = Charts.LogAxisTicks(Math.Log10(1.6), Math.Log10(2.5));

        Assert.Equal(new[] { "1.6", "1.8", "2", "2.2", "2.4" }, ticks.Select(t => t.Label));
        Assert.Equal(new[] { 1.6, 1.8, 2, 2.2, 2.4 }.Select(Math.Log10), ticks.Select(t => t.Position), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void A_log_axis_over_decades_is_labelled_at_powers_of_ten_with_2_and_5_times_them_within_two_whole_decades()
    {
        var narrow = Charts.LogAxisTicks(-2.5, -1.2);   // between the whole decades −3 and −1
        var wide = Charts.LogAxisTicks(-6, 2);

        Assert.Equal(new[] { "1e-3", "2e-3", "5e-3", "1e-2", "2e-2", "5e-2", "1e-1", "2e-1", "5e-1" }, narrow.Where(t => t.Label is not null).Select(t => t.Label));
        Assert.Contains(narrow, t => t.Label is null && Math.Abs(t.Position - Math.Log10(0.03)) < 1e-12);
        Assert.Equal(Enumerable.Range(-6, 9).Select(k => $"1e{k}"), wide.Where(t => t.Label is not null).Select(t => t.Label));
        Assert.Contains(Charts.LogAxisTicks(0.3, 0.3), t => t.Label is not null);   // a single value: the decade ticks
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double value) => 0;
    }

    [Fact]
    public void Labels_that_are_not_optimizers_get_distinct_colours_in_order()
    {
        var colors = new OptimizerColors();

        var a = colors.For("|t|");
        var b = colors.For("ReLU");

        Assert.NotEqual(a, b);
        Assert.Equal(a, colors.For("|t|"));
    }

    [Fact]
    public void The_mean_over_seeds_carries_the_min_max_band()
    {
        var series = Series.MeanWithRange("gd", new double[] { 0, 1 }, new IReadOnlyList<double>[] { new double[] { 1, 4 }, new double[] { 3, 2 } });

        Assert.Equal(new double[] { 2, 3 }, series.Y);
        Assert.Equal(new double[] { 1, 2 }, series.Low);
        Assert.Equal(new double[] { 3, 4 }, series.High);
        Assert.Null(Series.MeanWithRange("gd", new double[] { 0 }, new IReadOnlyList<double>[] { new double[] { 5 } }).Low);
    }

    [Fact]
    public void A_chart_with_a_band_a_dashed_limit_and_a_log_axis_is_written_as_png_and_svg()
    {
        using var temp = new TempDirectory();
        var context = new RunContext(temp.Sub("plots"), SilentProgress.Instance, CancellationToken.None);
        var x = new double[] { 0, 1, 2, 3 };

        var path = Charts.Line(context, "loss", "Loss", "step", "loss", new[]
        {
            Series.MeanWithRange("muon", x, new IReadOnlyList<double>[] { new double[] { 1, 0.5, 0.2, 0.1 }, new double[] { 2, 0.7, 0.3, 0.05 } }),
            new Series("muon limit", x, new double[] { 0.1, 0.1, 0.1, 0.1 }) { Dashed = true },
        }, logY: true);

        Assert.Equal(Path.Combine("plots", "loss.png"), path);
        Assert.True(new FileInfo(temp.Sub("plots/loss.png")).Length > 1000);
        Assert.True(File.Exists(temp.Sub("plots/loss.svg")));
    }
}
