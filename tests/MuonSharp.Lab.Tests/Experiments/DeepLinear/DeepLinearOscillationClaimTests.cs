using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.DeepLinear;

namespace MuonSharp.Lab.Tests.Experiments.DeepLinear;

/// <summary>Claim (d)'s judge on synthetic measurements whose verdict is known.</summary>
public sealed class DeepLinearOscillationClaimTests
{
    // Targets (2, 1): the end level ½(1/2)² = 0.125 decides "converged".
    private static RunAnalysis Analysis(string optimizer, double tailStd, double earlierStd, double earlierExcess = 0.01) =>
        new(new ModeRun(optimizer, 0, new[] { 2.0, 1 }, 0.1, new[] { 1.0 }, Array.Empty<double[]>()),
            Array.Empty<double>(), PlateauSummary.Undecided, tailStd, 0.5, 0.01,
            EarlierLossStd: earlierStd, EarlierExcessMedian: earlierExcess, TailLossMedian: 0.1);

    private static Verdict Judge(params RunAnalysis[] analyses) =>
        DeepLinearClaims.JudgeOscillation(analyses, new DeepLinearConfig()).Verdict;

    [Fact]
    public void Persistent_spectral_oscillations_and_a_settled_gd_hold()
    {
        Assert.Equal(Verdict.Holds, Judge(Analysis("gd", 4e-13, 4e-13), Analysis("spectral-gd", 4e-4, 4e-4), Analysis("muon", 3e-4, 4e-4)));
    }

    [Fact]
    public void A_muon_oscillation_that_dies_out_fails()
    {
        Assert.Equal(Verdict.Fails, Judge(Analysis("gd", 4e-13, 4e-13), Analysis("spectral-gd", 4e-4, 4e-4), Analysis("muon", 1e-5, 4e-4)));
    }

    [Fact]
    public void A_gd_that_keeps_oscillating_fails()
    {
        Assert.Equal(Verdict.Fails, Judge(Analysis("gd", 1e-3, 1e-3), Analysis("spectral-gd", 4e-4, 4e-4), Analysis("muon", 4e-4, 4e-4)));
    }

    [Fact]
    public void A_run_not_converged_before_the_earlier_window_is_inconclusive()
    {
        Assert.Equal(Verdict.Inconclusive, Judge(Analysis("gd", 4e-13, 4e-13), Analysis("spectral-gd", 4e-4, 4e-4, earlierExcess: 1), Analysis("muon", 4e-4, 4e-4)));
    }

    [Fact]
    public void The_earlier_window_is_the_tail_length_just_before_the_tail()
    {
        var series = Enumerable.Range(0, 10).Select(i => (double)i).ToList();
        Assert.Equal(new double[] { 6, 7 }, DeepLinearMetrics.EarlierWindow(series, 0.2));
    }
}
