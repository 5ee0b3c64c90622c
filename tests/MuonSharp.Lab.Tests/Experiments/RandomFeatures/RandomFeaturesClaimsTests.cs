using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.RandomFeatures;

namespace MuonSharp.Lab.Tests.Experiments.RandomFeatures;

public sealed class RandomFeaturesClaimsTests
{
    private static FeatureRun Run(string optimizer, double[] loss, double[]? nuclearRank = null, double stableRank = 1, double target = 0.01, long? divergedAt = null) =>
        new(optimizer, loss, nuclearRank ?? loss.Select(_ => double.NaN).ToArray(), stableRank, StepRules.StepsToTarget(loss, target), divergedAt);

    /// <summary>A run whose loss halves every step from 1: it reaches the 1% target at step 7.</summary>
    private static FeatureRun Halving(string optimizer, int steps, double rate = 0.5, long? divergedAt = null) =>
        Run(optimizer, Enumerable.Range(0, steps + 1).Select(k => Math.Pow(rate, k)).ToArray(), divergedAt: divergedAt);

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
        var never = (Run("spectral-gd", new[] { 1, 0.9, 0.8 }), Run("gd", new[] { 1, 0.9, 0.8 }));

        Assert.Null(race.SpectralFirst);
        Assert.Null(race.GdFirst);
        Assert.True(double.IsNaN(race.Speedup));
        Assert.Equal(Verdict.Inconclusive, RandomFeaturesClaims.JudgeSpectralFaster(new[] { never, (Halving("spectral-gd", 10), Halving("gd", 10, 0.8)) }, 10).Verdict);
    }

    [Fact]
    public void Spectral_faster_holds_only_when_every_seed_is_won()
    {
        // Halving reaches 1% at step 7, a rate of 0.8 at step 21, 0.2 at step 3.
        var won = RandomFeaturesClaims.JudgeSpectralFaster(new[] { (Halving("spectral-gd", 30), Halving("gd", 30, 0.8)), (Halving("spectral-gd", 30), Halving("gd", 30, 0.8)) }, 30);
        var split = RandomFeaturesClaims.JudgeSpectralFaster(new[] { (Halving("spectral-gd", 30), Halving("gd", 30, 0.8)), (Halving("spectral-gd", 30), Halving("gd", 30, 0.2)) }, 30);

        Assert.Equal(Verdict.Holds, won.Verdict);
        Assert.Equal(3, won.Measured["speedup_mean"], 12);
        Assert.Equal(21, won.Measured["gd_steps_mean"], 12);
        Assert.Equal(new[] { "seeds", "seeds_spectral_first", "gd_steps_mean", "spectral_gd_steps_mean" }, won.Decisive);
        Assert.Equal(Verdict.Fails, split.Verdict);
        Assert.Equal(1, split.Measured["seeds_spectral_first"], 12);
    }

    [Fact]
    public void A_diverged_run_leaves_every_race_claim_inconclusive_naming_it()
    {
        var diverged = (Halving("spectral-gd", 30), Halving("gd", 12, 0.8, divergedAt: 12));

        var faster = RandomFeaturesClaims.JudgeSpectralFaster(new[] { diverged }, 30);
        var dominates = RandomFeaturesClaims.JudgeNuclearRankDominates(new[] { diverged });
        var swiglu = RandomFeaturesClaims.JudgeSwigluCounterexample(new[] { diverged }, 30);

        Assert.All(new[] { faster, dominates, swiglu }, result =>
        {
            Assert.Equal(Verdict.Inconclusive, result.Verdict);
            Assert.Contains("gd diverged at step 12", result.Note);
        });
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
    public void A_ratio_below_the_dominance_factor_fails()
    {
        var spectral = Run("spectral-gd", new[] { 1, 0.6, 0.3, 0.1, 0.005, 0.001 }, new double[] { 1, 3, 3, 3, 3, 3 }, stableRank: 2);
        var gd = Run("gd", new[] { 1, 0.5, 0.4, 0.2, 0.1, 0.05 });

        var result = RandomFeaturesClaims.JudgeNuclearRankDominates(new[] { (spectral, gd) });

        Assert.Equal(Verdict.Fails, result.Verdict);
        Assert.Equal(1.5, result.Measured["median_ratio_worst_seed"], 12);
        Assert.Equal(new[] { "median_ratio_worst_seed", "window_steps_min" }, result.Decisive);
    }

    [Fact]
    public void An_empty_winning_window_is_inconclusive()
    {
        var spectral = Run("spectral-gd", new[] { 1, 0.9, 0.8 }, new double[] { 5, 5, 5 });
        var gd = Run("gd", new[] { 1, 0.5, 0.4 });

        var result = RandomFeaturesClaims.JudgeNuclearRankDominates(new[] { (spectral, gd) });

        Assert.Equal(Verdict.Inconclusive, result.Verdict);
        Assert.Equal(0, result.Measured["window_steps_min"]);
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
        Assert.Equal(new[] { "loglog_slope", "sweep_runs_censored" }, result.Decisive);
    }

    [Fact]
    public void A_shrinking_speedup_fails_and_a_censored_sweep_is_inconclusive()
    {
        var shrinking = new (int, IReadOnlyList<Race>)[] { (10, new[] { new Race(40, 10, 100) }), (20, new[] { new Race(20, 10, 100) }) };
        var censored = new (int, IReadOnlyList<Race>)[] { (10, new[] { new Race(40, 10, 100) }), (20, new[] { new Race(-1, 10, 100) }) };

        Assert.Equal(Verdict.Fails, RandomFeaturesClaims.JudgeSpeedupGrows(shrinking).Verdict);
        var censoredResult = RandomFeaturesClaims.JudgeSpeedupGrows(censored);
        Assert.Equal(Verdict.Inconclusive, censoredResult.Verdict);
        Assert.Equal(1, censoredResult.Measured["sweep_runs_censored"]);
    }

    // SwiGLU runs of 8 steps, st(A) = 4. Spectral GD reaches the 1% target first (step 5, GD at step 6), its ratio
    // dips below 1 at step 2, recovers, and stays below 1 from step 4; GD's loss stays below from step 6.
    private static readonly double[] EarlyLeaderLoss = { 1, 0.5, 0.2, 0.1, 0.05, 0.008, 0.004, 0.003, 0.0025 };
    private static readonly double[] LateLeaderLoss = { 1, 0.6, 0.3, 0.15, 0.06, 0.02, 0.003, 5e-4, 1e-4 };
    private static readonly double[] CrossingNuclearRank = { 8, 6, 3, 5, 3, 2, 1, 1, 1 };

    [Fact]
    public void The_swiglu_counterexample_is_judged_at_the_end_of_the_run_not_at_an_early_target()
    {
        var spectral = Run("spectral-gd", EarlyLeaderLoss, CrossingNuclearRank, stableRank: 4);
        var gd = Run("gd", LateLeaderLoss);

        var result = RandomFeaturesClaims.JudgeSwigluCounterexample(new[] { (spectral, gd) }, 8);

        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Equal(1, result.Measured["target_seeds_spectral_first"]); // the early target goes to Spectral GD …
        Assert.Equal(4, result.Measured["condition_fails_from_step_mean"], 12); // … the condition fails for good from step 4 …
        Assert.Equal(4, result.Measured["condition_fails_for_steps_min"], 12);
        Assert.Equal(2, result.Measured["condition_first_below_one_step_mean"], 12);
        Assert.Equal(6, result.Measured["gd_ahead_from_step_mean"], 12); // … and GD leads from step 6 to the end.
        Assert.Equal(25, result.Measured["final_loss_ratio_spectral_over_gd_min"], 9);
        Assert.Equal(new[] { "seeds", "seeds_gd_lower_final", "seeds_condition_fails_to_end", "gd_final_relative_loss_mean", "spectral_gd_final_relative_loss_mean" }, result.Decisive);
    }

    [Fact]
    public void The_swiglu_counterexample_fails_when_spectral_gd_ends_lower_or_the_condition_recovers()
    {
        var spectralEndsLower = RandomFeaturesClaims.JudgeSwigluCounterexample(
            new[] { (Run("spectral-gd", LateLeaderLoss, CrossingNuclearRank, stableRank: 4), Run("gd", EarlyLeaderLoss)) }, 8);
        var recovers = RandomFeaturesClaims.JudgeSwigluCounterexample(
            new[] { (Run("spectral-gd", EarlyLeaderLoss, new double[] { 8, 6, 3, 5, 3, 2, 1, 1, 5 }, stableRank: 4), Run("gd", LateLeaderLoss)) }, 8);

        Assert.Equal(Verdict.Fails, spectralEndsLower.Verdict);
        Assert.Equal(0, spectralEndsLower.Measured["seeds_gd_lower_final"]);
        Assert.Equal(Verdict.Fails, recovers.Verdict);
        Assert.Equal(1, recovers.Measured["seeds_gd_lower_final"]);
        Assert.Equal(0, recovers.Measured["seeds_condition_fails_to_end"]);
        Assert.True(double.IsNaN(recovers.Measured["condition_fails_from_step_mean"]));
    }

    [Fact]
    public void The_swiglu_counterexample_is_inconclusive_without_a_finite_ratio_at_every_step()
    {
        var zeroGradient = CrossingNuclearRank.Select((nr, k) => k == 3 ? double.NaN : nr).ToArray();

        var result = RandomFeaturesClaims.JudgeSwigluCounterexample(
            new[] { (Run("spectral-gd", EarlyLeaderLoss, zeroGradient, stableRank: 4), Run("gd", LateLeaderLoss)) }, 8);

        Assert.Equal(Verdict.Inconclusive, result.Verdict);
        Assert.Contains("not finite", result.Note);
    }

    [Fact]
    public void Ahead_from_and_first_below_one_read_the_curves()
    {
        Assert.Equal(2, RandomFeaturesClaims.AheadFrom(new[] { 1, 0.9, 0.1, 0.01 }, new[] { 1, 0.5, 0.2, 0.1 }));
        Assert.True(double.IsNaN(RandomFeaturesClaims.AheadFrom(new[] { 1, 0.1, 0.2 }, new[] { 1, 0.5, 0.1 })));
        Assert.Equal(2, RandomFeaturesClaims.FirstBelowOne(new[] { 3, 1, 0.5 }));
        Assert.True(double.IsNaN(RandomFeaturesClaims.FirstBelowOne(new double[] { 3, 2 })));
        Assert.Equal(3, RandomFeaturesClaims.ConditionFailsFrom(new[] { 3, 0.5, 1, 0.9, 0.2 }));
        Assert.True(double.IsNaN(RandomFeaturesClaims.ConditionFailsFrom(new[] { 3, 0.5, 1 })));
        Assert.Equal(2.5, RandomFeaturesClaims.Median(new double[] { 4, 1, 3, 2 }));
    }
}
