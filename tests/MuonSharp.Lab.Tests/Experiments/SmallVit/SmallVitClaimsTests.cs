using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.SmallVit;

namespace MuonSharp.Lab.Tests.Experiments.SmallVit;

/// <summary>Claim (e)'s judge on synthetic runs: AdamW ahead, Muon ahead, within the seed spread, a diverged run.</summary>
public sealed class SmallVitClaimsTests
{
    private static SmallVitRun Run(string optimizer, int seed, double finalAccuracy, long? divergedAt = null) =>
        new(optimizer, seed, new long[] { 0, 100 }, new[] { 0.1, finalAccuracy }, divergedAt, 0, 0);

    private static SmallVitRun[] Runs(double adamw0, double muon0, double adamw1, double muon1, long? muonDiverged = null) => new[]
    {
        Run("adamw", 0, adamw0), Run("muon", 0, muon0, muonDiverged), Run("adamw", 1, adamw1), Run("muon", 1, muon1),
    };

    [Fact]
    public void The_reversal_holds_when_adamw_ends_more_accurate_beyond_the_standard_error()
    {
        var result = SmallVitExperiment.Judge(Runs(0.86, 0.84, 0.87, 0.84));

        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Equal(0.025, result.Measured["adamw_minus_muon_accuracy"], 12);
        Assert.Equal(0.005, result.Measured["adamw_minus_muon_accuracy_se"], 12);
    }

    [Fact]
    public void The_reversal_fails_when_muon_is_ahead_and_is_inconclusive_within_the_spread_or_after_a_divergence()
    {
        Assert.Equal(Verdict.Fails, SmallVitExperiment.Judge(Runs(0.84, 0.86, 0.84, 0.87)).Verdict);
        Assert.Equal(Verdict.Inconclusive, SmallVitExperiment.Judge(Runs(0.85, 0.84, 0.84, 0.85)).Verdict);
        Assert.Equal(Verdict.Inconclusive, SmallVitExperiment.Judge(Runs(0.86, 0.10, 0.87, 0.84, muonDiverged: 40)).Verdict);
    }
}
