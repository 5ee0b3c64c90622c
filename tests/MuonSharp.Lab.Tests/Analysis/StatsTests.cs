using MuonSharp.Lab.Analysis;

namespace MuonSharp.Lab.Tests.Analysis;

public sealed class StatsTests
{
    [Fact]
    public void The_log_log_slope_of_a_power_law_is_its_exponent()
    {
        double[] x = { 1, 2, 4, 8, 16 };

        Assert.Equal(-1.0, Stats.LogLogSlope(x, x.Select(v => 3 / v).ToArray()), 12);
        Assert.Equal(0.5, Stats.LogLogSlope(x, x.Select(Math.Sqrt).ToArray()), 12);
        Assert.True(double.IsNaN(Stats.LogLogSlope(x, new double[] { 1, 0, 1, 1, 1 })));
    }

    [Fact]
    public void Mean_spread_and_first_crossing_have_their_textbook_values()
    {
        Assert.Equal(2.5, Stats.Mean(new double[] { 1, 2, 3, 4 }));
        Assert.Equal(Math.Sqrt(5.0 / 3.0), Stats.StandardDeviation(new double[] { 1, 2, 3, 4 }), 12);
        Assert.Equal(0, Stats.StandardDeviation(new double[] { 7 }));
        Assert.True(double.IsNaN(Stats.Mean(Array.Empty<double>())));
        Assert.Equal(2, Stats.FirstCrossing(new double[] { 0.1, 0.4, 0.5, 0.9 }, 0.5));
        Assert.Equal(-1, Stats.FirstCrossing(new double[] { 0.1, 0.4 }, 0.5));
    }

    [Fact]
    public void The_median_is_the_middle_value_or_the_mean_of_the_two_middle_values()
    {
        Assert.Equal(2, Stats.Median(new double[] { 3, 1, 2 }));
        Assert.Equal(2.5, Stats.Median(new double[] { 4, 1, 3, 2 }));
        Assert.True(double.IsNaN(Stats.Median(Array.Empty<double>())));
    }
}
