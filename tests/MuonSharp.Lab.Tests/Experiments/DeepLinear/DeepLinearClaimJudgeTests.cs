using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.DeepLinear;

namespace MuonSharp.Lab.Tests.Experiments.DeepLinear;

/// <summary>Claims (a)–(c)'s judges on synthetic half-times and plateau counts whose verdict is known.</summary>
public sealed class DeepLinearClaimJudgeTests
{
    private static readonly DeepLinearConfig Config = new();
    private static double[] Targets => Config.TargetSingularValues;

    /// <summary>A run with the given half-times per mode and plateau count; every σᵢ is 0.5 at every step (spread 1).</summary>
    private static RunAnalysis Run(string optimizer, double[] halfTimes, double plateaus = 0) =>
        new(new ModeRun(optimizer, 0, Targets, 0, new double[100], Targets.Select(_ => Enumerable.Repeat(0.5, 100).ToArray()).ToArray()),
            halfTimes, new PlateauSummary(plateaus, 0.1, 50), 0, 0, 0);

    private static double[] HalfTimes(Func<double, double> of) => Targets.Select(of).ToArray();

    [Fact]
    public void Gd_half_times_growing_as_one_over_s_hold_a()
    {
        var verdict = DeepLinearClaims.JudgeSequential(new[] { Run("gd", HalfTimes(s => 80 / s)) }, Config).Verdict;
        Assert.Equal(Verdict.Holds, verdict);
    }

    [Fact]
    public void Gd_learning_every_mode_at_once_fails_a()
    {
        var verdict = DeepLinearClaims.JudgeSequential(new[] { Run("gd", HalfTimes(s => 20 + s)) }, Config).Verdict;
        Assert.Equal(Verdict.Fails, verdict);
    }

    [Fact]
    public void A_gd_mode_never_learned_leaves_a_inconclusive()
    {
        var verdict = DeepLinearClaims.JudgeSequential(new[] { Run("gd", HalfTimes(s => s < 1 ? double.NaN : 80 / s)) }, Config).Verdict;
        Assert.Equal(Verdict.Inconclusive, verdict);
    }

    [Fact]
    public void Spectral_half_times_growing_as_root_s_with_equal_early_growth_hold_b()
    {
        var verdict = DeepLinearClaims.JudgeEqualRate(new[] { Run("spectral-gd", HalfTimes(s => 20 * Math.Sqrt(s))) }, Config).Verdict;
        Assert.Equal(Verdict.Holds, verdict);
    }

    [Fact]
    public void Spectral_half_times_proportional_to_s_fail_b()
    {
        var verdict = DeepLinearClaims.JudgeEqualRate(new[] { Run("spectral-gd", HalfTimes(s => 20 * s)) }, Config).Verdict;
        Assert.Equal(Verdict.Fails, verdict);
    }

    [Fact]
    public void A_spectral_mode_never_learned_leaves_b_inconclusive()
    {
        var verdict = DeepLinearClaims.JudgeEqualRate(new[] { Run("spectral-gd", HalfTimes(s => s < 1 ? double.NaN : 20 * Math.Sqrt(s))) }, Config).Verdict;
        Assert.Equal(Verdict.Inconclusive, verdict);
    }

    [Fact]
    public void Plateaus_for_gd_and_none_for_spectral_gd_hold_c_and_spectral_plateaus_fail_it()
    {
        var times = HalfTimes(s => 10 / s);
        Assert.Equal(Verdict.Holds, DeepLinearClaims.JudgePlateaus(new[] { Run("gd", times, 3), Run("spectral-gd", times, 0) }, Config).Verdict);
        Assert.Equal(Verdict.Fails, DeepLinearClaims.JudgePlateaus(new[] { Run("gd", times, 3), Run("spectral-gd", times, 2) }, Config).Verdict);
        Assert.Equal(Verdict.Fails, DeepLinearClaims.JudgePlateaus(new[] { Run("gd", times, 0), Run("spectral-gd", times, 0) }, Config).Verdict);
        Assert.Equal(Verdict.Inconclusive, DeepLinearClaims.JudgePlateaus(new[] { Run("gd", times, double.NaN), Run("spectral-gd", times, 0) }, Config).Verdict);
    }
}
