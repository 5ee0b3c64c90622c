using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.RandomFeatures;

namespace MuonSharp.Lab.Tests.Experiments.RandomFeatures;

public sealed class RandomFeaturesClaimsTests
{
    private static FeatureRun Run(string optimizer, double[] loss, double[]? nuclearRank = null, double stableRank = 1, double target = 0.01) =>
        new(optimizer, loss, nuclearRank ?? loss.Select(_ => double.NaN).ToArray(), stableRank, StepRules.StepsToTarget(loss, target));

    [Theory]
    [InlineData(10, 3, true, false)]
    [InlineData(-1, 3, true, false)]
    [InlineData(3, -1, false, true)]
    [InlineData(3, 3, false, false)]
    public void A_race_is_won_by_whoever_reaches_the_target_in_strictly_fewer_steps(int gd, int spectral, bool spectralFirst, bool gdFirst)
    {
        var race = new Race(gd, spectral, 100);

        Assert.Equal(spectralFirst, race.SpectralFirst);
        Assert.Equal(gdFirst, race.GdFirst);
    }

    [Fact]
    public void A_race_nobody_finished_decides_nothing_and_has_no_speedup()
    {
        var race = new Race(-1, -1, 100);

        Assert.Null(race.SpectralFirst);
        Assert.Null(race.GdFirst);
        Assert.True(double.IsNaN(race.Speedup));
        Assert.Equal(Verdict.Inconclusive, RandomFeaturesClaims.JudgeSpectralFaster(new[] { race, new Race(10, 2, 100) }).Verdict);
    }

    [Fact]
    public void Spectral_faster_holds_only_when_every_seed_is_won()
    {
        var won = RandomFeaturesClaims.JudgeSpectralFaster(new[] { new Race(20, 4, 100), new Race(30, 5, 100) });
        var split = RandomFeaturesClaims.JudgeSpectralFaster(new[] { new Race(20, 4, 100), new Race(3, 5, 100) });

        Assert.Equal(Verdict.Holds, won.Verdict);
        Assert.Equal(5.5, won.Measured["speedup_mean"], 12);
        Assert.Equal(25, won.Measured["gd_steps_mean"], 12);
        Assert.Equal(Verdict.Fails, split.Verdict);
    }

    [Fact]
    public void The_winning_window_is_where_spectral_gd_is_ahead_before_it_reaches_the_target()
    {
        var spectral = Run("spectral-gd", new[] { 1, 0.6, 0.3, 0.1, 0.005, 0.001 }, new double[] { 1, 6, 8, 9, 9, 9 }, stableRank: 2);
        var gd = Run("gd", new[] { 1, 0.5, 0.4, 0.2, 0.1, 0.05 });

        Assert.Equal(new[] { 2, 3 }, RandomFeaturesClaims.WinningWindow(spectral, gd));
        var result = RandomFeaturesClaims.JudgeNuclearRankDominates(new[] { (spectral, gd) });
        Assert.Equal(4.25, result.Measured["median_ratio_mean"], 12); // median of 8/2 and 9/2
        Assert.Equal(Verdict.Holds, result.Verdict);
    }

    [Fact]
    public void An_empty_winning_window_is_inconclusive()
    {
        var spectral = Run("spectral-gd", new[] { 1, 0.9, 0.8 }, new double[] { 5, 5, 5 });
        var gd = Run("gd", new[] { 1, 0.5, 0.4 });

        Assert.Equal(Verdict.Inconclusive, RandomFeaturesClaims.JudgeNuclearRankDominates(new[] { (spectral, gd) }).Verdict);
    }

    [Fact]
    public void A_speedup_proportional_to_dimension_has_slope_one_and_holds()
    {
        var sweep = new (int, IReadOnlyList<Race>)[]
        {
            (10, new[] { new Race(20, 10, 1000), new Race(40, 20, 1000) }),
            (20, new[] { new Race(40, 10, 1000), new Race(80, 20, 1000) }),
            (40, new[] { new Race(80, 10, 1000), new Race(160, 20, 1000) }),
        };

        var result = RandomFeaturesClaims.JudgeSpeedupGrows(sweep);

        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Equal(1, result.Measured["loglog_slope"], 12);
        Assert.Equal(2, result.Measured["speedup_factor_per_doubling"], 12);
        Assert.Equal(8, result.Measured["speedup_d40_mean"], 12);
    }

    [Fact]
    public void A_shrinking_speedup_fails_and_a_censored_sweep_is_inconclusive()
    {
        var shrinking = new (int, IReadOnlyList<Race>)[] { (10, new[] { new Race(40, 10, 100) }), (20, new[] { new Race(20, 10, 100) }) };
        var censored = new (int, IReadOnlyList<Race>)[] { (10, new[] { new Race(40, 10, 100) }), (20, new[] { new Race(-1, 10, 100) }) };

        Assert.Equal(Verdict.Fails, RandomFeaturesClaims.JudgeSpeedupGrows(shrinking).Verdict);
        Assert.Equal(Verdict.Inconclusive, RandomFeaturesClaims.JudgeSpeedupGrows(censored).Verdict);
    }

    [Fact]
    public void The_swiglu_counterexample_needs_a_low_early_ratio_and_gd_first()
    {
        var spectral = Run("spectral-gd", new[] { 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.011, 0.0105 }, new double[] { 1, 1, 1, 1, 1, 1, 1, 1 }, stableRank: 4);
        var gd = Run("gd", new[] { 1, 0.6, 0.1, 0.05, 0.001, 0.0001, 1e-5, 1e-6 });
        var race = new Race(gd.StepsToTarget, spectral.StepsToTarget, 7);

        var result = RandomFeaturesClaims.JudgeSwigluCounterexample(new[] { (race, spectral, gd) }, earlySteps: 3);

        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Equal(0.25, result.Measured["early_median_ratio_mean"], 12);
        Assert.Equal(2, result.Measured["gd_ahead_from_step_mean"], 12);
        Assert.Equal(0, result.Measured["condition_fails_from_step_mean"], 12);
    }

    [Fact]
    public void Ahead_from_and_first_below_one_read_the_curves()
    {
        Assert.Equal(2, RandomFeaturesClaims.AheadFrom(new[] { 1, 0.9, 0.1, 0.01 }, new[] { 1, 0.5, 0.2, 0.1 }));
        Assert.True(double.IsNaN(RandomFeaturesClaims.AheadFrom(new[] { 1, 0.1, 0.2 }, new[] { 1, 0.5, 0.1 })));
        Assert.Equal(2, RandomFeaturesClaims.FirstBelowOne(new[] { 3, 1, 0.5 }));
        Assert.True(double.IsNaN(RandomFeaturesClaims.FirstBelowOne(new double[] { 3, 2 })));
        Assert.Equal(2.5, RandomFeaturesClaims.Median(new double[] { 4, 1, 3, 2 }));
    }
}
