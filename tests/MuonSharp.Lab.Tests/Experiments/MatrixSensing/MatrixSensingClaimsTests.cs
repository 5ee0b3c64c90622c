using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.MatrixSensing;

namespace MuonSharp.Lab.Tests.Experiments.MatrixSensing;

/// <summary>Every claim's judge on synthetic measurements whose verdict is known: one that holds, one that fails, one inconclusive.</summary>
public sealed class MatrixSensingClaimsTests
{
    private static RunOutcome Run(string optimizer, int seed, double initial, double final, double residual = 1e-3) =>
        new(optimizer, seed, initial, new SpectrumSummary(final, 2, 10, new[] { 1.0 }), residual);

    private static List<RunOutcome> Runs(double polarFinal, double gdFinal, double matchedFinal, double gdResidual = 1e-3) =>
        Enumerable.Range(0, 3).SelectMany(seed => new[]
        {
            Run("spectral-gd", seed, 2.5, polarFinal), Run("gd", seed, 2.5, gdFinal, gdResidual), Run("norm-matched-gd", seed, 2.5, matchedFinal),
        }).ToList();

    [Fact]
    public void Flattening_holds_when_the_polar_step_ends_flatter_than_GD_and_its_start_and_fails_when_GD_is_flatter()
    {
        Assert.Equal(Verdict.Holds, MatrixSensingClaims.JudgeFlattening(Runs(2.8, 2.6, 2.6)).Verdict);
        Assert.Equal(Verdict.Fails, MatrixSensingClaims.JudgeFlattening(Runs(2.6, 2.8, 2.6)).Verdict);
        Assert.Equal(Verdict.Fails, MatrixSensingClaims.JudgeFlattening(Runs(2.4, 2.3, 2.3)).Verdict); // flatter than GD but less flat than W₀
    }

    [Fact]
    public void Flattening_is_inconclusive_with_its_reason_when_GD_has_not_fit_the_measurements()
    {
        var result = MatrixSensingClaims.JudgeFlattening(Runs(2.8, 2.6, 2.6, gdResidual: 0.7));

        Assert.Equal(Verdict.Inconclusive, result.Verdict);
        Assert.Contains("gd seed 0", result.Note);
    }

    [Fact]
    public void Norm_matched_differs_holds_above_the_entropy_gap_fails_below_it_and_is_inconclusive_without_the_control()
    {
        Assert.Equal(Verdict.Holds, MatrixSensingClaims.JudgeNormMatched(Runs(2.8, 2.6, 2.6)).Verdict);
        Assert.Equal(Verdict.Fails, MatrixSensingClaims.JudgeNormMatched(Runs(2.8, 2.6, 2.79)).Verdict);
        Assert.Equal(Verdict.Inconclusive, MatrixSensingClaims.JudgeNormMatched(Runs(2.8, 2.6, 2.6).Where(r => r.Optimizer != "norm-matched-gd").ToList()).Verdict);
    }

    private static List<GapOutcome> Gap(double ratio, double residual = 1e-3, bool certified = true) =>
        new[] { "large", "family", "main" }.SelectMany(instance => Enumerable.Range(0, 10).Select(seed =>
            new GapOutcome(instance, seed, ratio * 5, 5, residual, certified))).ToList();

    [Fact]
    public void Nuclear_gap_holds_when_every_interpolant_is_above_the_minimum_and_fails_when_one_seed_reaches_it()
    {
        var reached = Gap(1.5);
        reached[12] = reached[12] with { PolarNorm = 5.01 }; // a family seed at 1.002×

        var holds = MatrixSensingClaims.JudgeNuclearGap(Gap(1.5));
        Assert.Equal(Verdict.Holds, holds.Verdict);
        Assert.Equal(1.5, holds.Measured["family_ratio_min"], 12);
        Assert.Equal(1.44, holds.Measured["paper_large_ratio"]);
        Assert.Equal(Verdict.Fails, MatrixSensingClaims.JudgeNuclearGap(reached).Verdict);
    }

    [Fact]
    public void Nuclear_gap_is_inconclusive_when_the_polar_step_does_not_interpolate_or_a_convex_solve_is_not_certified()
    {
        Assert.Equal(Verdict.Inconclusive, MatrixSensingClaims.JudgeNuclearGap(Gap(1.5, residual: 0.3)).Verdict);
        Assert.Equal(Verdict.Inconclusive, MatrixSensingClaims.JudgeNuclearGap(Gap(1.5, certified: false)).Verdict);
        Assert.Equal(Verdict.Inconclusive, MatrixSensingClaims.JudgeNuclearGap(Gap(1.5).Where(g => g.Instance != "large").ToList()).Verdict);
    }

    [Fact]
    public void The_main_instance_is_reported_but_does_not_decide_the_nuclear_gap()
    {
        var gap = Gap(1.5).Select(g => g.Instance == "main" ? g with { PolarNorm = 5 } : g).ToList();

        var result = MatrixSensingClaims.JudgeNuclearGap(gap);

        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Equal(1.0, result.Measured["main_ratio_min"], 12);
    }

    /// <summary>Two seeds; ATSR of decoupled and coupled decay as functions of λ (λ = 0 gives the baseline 2).</summary>
    private static List<AtsrOutcome> Sweep(Func<double, double> decoupled, Func<double, double> coupled)
    {
        var lambdas = new[] { 0, 1e-3, 1e-2, 1e-1 };
        return Enumerable.Range(0, 2).SelectMany(seed => lambdas.SelectMany(l => l == 0
            ? new[] { new AtsrOutcome(seed, DecayStyle.Decoupled, 0, 2), new AtsrOutcome(seed, DecayStyle.Coupled, 0, 2) }
            : new[] { new AtsrOutcome(seed, DecayStyle.Decoupled, l, decoupled(l)), new AtsrOutcome(seed, DecayStyle.Coupled, l, coupled(l)) })).ToList();
    }

    [Fact]
    public void Weight_decay_holds_when_only_coupled_decay_explodes_past_the_boundary()
    {
        var result = MatrixSensingClaims.JudgeWeightDecay(Sweep(_ => 2.2, l => l >= 1e-2 ? 15 : 2.1));

        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Equal(7.5, result.Measured["coupled_ratio_max_from_boundary"], 12);
    }

    [Fact]
    public void Weight_decay_fails_when_coupled_decay_stays_flat_or_decoupled_decay_grows_below_the_boundary()
    {
        Assert.Equal(Verdict.Fails, MatrixSensingClaims.JudgeWeightDecay(Sweep(_ => 2.2, _ => 2.4)).Verdict);
        Assert.Equal(Verdict.Fails, MatrixSensingClaims.JudgeWeightDecay(Sweep(l => l >= 1e-2 ? 5 : 2, l => l >= 1e-2 ? 15 : 2)).Verdict);
        Assert.Equal(Verdict.Fails, MatrixSensingClaims.JudgeWeightDecay(Sweep(_ => 2, l => l >= 1e-3 ? 15 : 2)).Verdict);
    }

    [Fact]
    public void Weight_decay_is_inconclusive_when_the_baseline_spread_is_infinite_and_an_infinite_coupled_spread_counts_as_exploding()
    {
        var infiniteBaseline = Sweep(_ => 2, _ => 2).Select(o => o.WeightDecay == 0 ? o with { Atsr = double.PositiveInfinity } : o).ToList();

        var result = MatrixSensingClaims.JudgeWeightDecay(infiniteBaseline);

        Assert.Equal(Verdict.Inconclusive, result.Verdict);
        Assert.Contains("baseline", result.Note);
        Assert.Equal(Verdict.Holds, MatrixSensingClaims.JudgeWeightDecay(Sweep(_ => 2, l => l >= 1e-1 ? double.PositiveInfinity : 2)).Verdict);
    }
}
