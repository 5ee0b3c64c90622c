using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.SmallGpt;

namespace MuonSharp.Lab.Tests.Experiments.SmallGpt;

/// <summary>The judges of claims (a)–(d) on synthetic runs with known answers, each way it can go.</summary>
public sealed class SmallGptClaimsTests
{
    private const string AdamW = SmallGptExperiment.AdamW, Muon = SmallGptExperiment.Muon;

    /// <summary>A finished run: two hidden matrices with stable ranks r and r + 2 (mean r + 1), the given final loss and monitor rows.</summary>
    private static SmallGptRun Run(string optimizer, int seed, double finalLoss = 2.0, double stableRank = 10, double lr = 1e-3,
        IReadOnlyList<SpectralMonitorRow>? spectral = null, long? divergedAt = null) =>
        new(optimizer, seed, lr, 100, new long[] { 0, 100 }, new[] { 4.2, finalLoss }, divergedAt,
            new Dictionary<string, double> { ["blocks.0.mlp.c_fc.weight"] = stableRank, ["blocks.0.mlp.c_proj.weight"] = stableRank + 2 },
            new Dictionary<string, double>(), spectral ?? Array.Empty<SpectralMonitorRow>(), "", 0, 0, 0, "");

    // (a) -------------------------------------------------------------------------------------------------

    [Fact]
    public void Stable_rank_holds_when_muon_is_ahead_on_every_seed_beyond_the_standard_error()
    {
        var runs = new[] { Run(Muon, 0, stableRank: 20), Run(AdamW, 0, stableRank: 10), Run(Muon, 1, stableRank: 21), Run(AdamW, 1, stableRank: 10.5) };

        var result = SmallGptClaims.JudgeStableRank(runs);

        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Equal(10.25, result.Measured["muon_minus_adamw_stable_rank"], 12);
        Assert.Equal(0.25, result.Measured["muon_minus_adamw_stable_rank_se"], 12);
        Assert.Equal(21.5, result.Measured["muon_mean_stable_rank"], 12);
    }

    [Fact]
    public void Stable_rank_fails_when_adamw_is_ahead_and_is_inconclusive_within_the_seed_spread_or_after_a_divergence()
    {
        var behind = new[] { Run(Muon, 0, stableRank: 8), Run(AdamW, 0, stableRank: 10), Run(Muon, 1, stableRank: 8.5), Run(AdamW, 1, stableRank: 10) };
        var within = new[] { Run(Muon, 0, stableRank: 11), Run(AdamW, 0, stableRank: 10), Run(Muon, 1, stableRank: 9), Run(AdamW, 1, stableRank: 10) };
        var diverged = new[] { Run(Muon, 0, stableRank: 20, divergedAt: 50), Run(AdamW, 0, stableRank: 10), Run(Muon, 1, stableRank: 21), Run(AdamW, 1, stableRank: 10) };

        Assert.Equal(Verdict.Fails, SmallGptClaims.JudgeStableRank(behind).Verdict);
        Assert.Equal(Verdict.Inconclusive, SmallGptClaims.JudgeStableRank(within).Verdict);
        Assert.Equal(Verdict.Inconclusive, SmallGptClaims.JudgeStableRank(diverged).Verdict);
        Assert.Equal(Verdict.Inconclusive, SmallGptClaims.JudgeStableRank(behind.Take(2).ToList()).Verdict);   // one seed
    }

    // (c) -------------------------------------------------------------------------------------------------

    [Fact]
    public void Validation_loss_holds_fails_or_is_inconclusive_by_the_paired_difference_adamw_minus_muon()
    {
        var lower = new[] { Run(Muon, 0, finalLoss: 1.8), Run(AdamW, 0, finalLoss: 2.0), Run(Muon, 1, finalLoss: 1.85), Run(AdamW, 1, finalLoss: 2.1) };
        var higher = new[] { Run(Muon, 0, finalLoss: 2.2), Run(AdamW, 0, finalLoss: 2.0), Run(Muon, 1, finalLoss: 2.25), Run(AdamW, 1, finalLoss: 2.1) };
        var within = new[] { Run(Muon, 0, finalLoss: 1.9), Run(AdamW, 0, finalLoss: 2.0), Run(Muon, 1, finalLoss: 2.2), Run(AdamW, 1, finalLoss: 2.1) };
        var diverged = new[] { Run(Muon, 0, finalLoss: 1.8, divergedAt: 10), Run(AdamW, 0, finalLoss: 2.0), Run(Muon, 1, finalLoss: 1.85), Run(AdamW, 1, finalLoss: 2.1) };

        var holds = SmallGptClaims.JudgeValidationLoss(lower, Array.Empty<SmallGptRun>());
        Assert.Equal(Verdict.Holds, holds.Verdict);
        Assert.Equal(0.225, holds.Measured["adamw_minus_muon_val_loss"], 12);
        Assert.Equal(Verdict.Fails, SmallGptClaims.JudgeValidationLoss(higher, Array.Empty<SmallGptRun>()).Verdict);
        Assert.Equal(Verdict.Inconclusive, SmallGptClaims.JudgeValidationLoss(within, Array.Empty<SmallGptRun>()).Verdict);
        Assert.Equal(Verdict.Inconclusive, SmallGptClaims.JudgeValidationLoss(diverged, Array.Empty<SmallGptRun>()).Verdict);
    }

    [Fact]
    public void Validation_loss_lists_each_optimizers_best_swept_loss_ignoring_diverged_sweep_runs()
    {
        var main = new[] { Run(Muon, 0, finalLoss: 1.8), Run(AdamW, 0, finalLoss: 2.0) };
        var sweep = new[] { Run(Muon, 0, finalLoss: 1.7, lr: 0.01), Run(Muon, 0, finalLoss: 0.1, lr: 0.1, divergedAt: 3), Run(AdamW, 0, finalLoss: 1.95, lr: 3e-3) };

        var result = SmallGptClaims.JudgeValidationLoss(main, sweep);

        Assert.Equal(1.7, result.Measured["muon_sweep_best_val_loss"]);
        Assert.Equal(1.95, result.Measured["adamw_sweep_best_val_loss"]);
    }

    // (b) -------------------------------------------------------------------------------------------------

    private static readonly double[] Rates = { 1e-4, 3.1622776601683794e-4, 1e-3, 3.1622776601683795e-3, 1e-2 };

    [Fact]
    public void The_plateau_is_the_contiguous_run_of_rates_within_the_tolerance_of_the_best()
    {
        var inside = SmallGptClaims.PlateauOf(Rates, new[] { 3.0, 2.04, 2.0, 2.05, 2.5 }, tolerance: 0.05)!;
        var gap = SmallGptClaims.PlateauOf(Rates, new[] { 2.01, 2.5, 2.0, 2.03, 2.04 }, tolerance: 0.05)!;   // 1e-4 is close but not contiguous
        var diverged = SmallGptClaims.PlateauOf(Rates.Reverse().ToList(), new[] { double.NaN, 2.01, 2.0, 2.3, 2.6 }, tolerance: 0.05)!;

        Assert.Equal(1.0, inside.Decades, 12);
        Assert.False(inside.AtEdge);
        Assert.Equal(1e-3, inside.Best);
        Assert.Equal(1.0, gap.Decades, 12);
        Assert.True(gap.AtEdge);
        Assert.Equal(new[] { 1e-3, 3.1622776601683795e-3 }, diverged.Rates);   // the diverged 1e-2 is not on it
        Assert.Equal(0.5, diverged.Decades, 12);
        Assert.False(diverged.AtEdge);
        Assert.Null(SmallGptClaims.PlateauOf(Rates, Enumerable.Repeat(double.NaN, 5).ToList(), 0.05));
    }

    private static IReadOnlyList<SmallGptRun> Sweep(double[] muonLosses, double[] adamwLosses) =>
        Rates.Select((r, i) => Run(Muon, 0, finalLoss: muonLosses[i], lr: 20 * r))
            .Concat(Rates.Select((r, i) => Run(AdamW, 0, finalLoss: adamwLosses[i], lr: r))).ToList();

    [Fact]
    public void Plateau_holds_when_muons_is_wider_and_adamws_lies_inside_the_sweep_and_fails_the_other_way_round()
    {
        var config = new SmallGptConfig();
        double[] wide = { 3.0, 2.02, 2.0, 2.03, 2.04 }, narrow = { 3.0, 2.5, 2.0, 2.5, 3.0 };

        var holds = SmallGptClaims.JudgePlateau(config, Sweep(wide, narrow));
        var fails = SmallGptClaims.JudgePlateau(config, Sweep(narrow, wide));

        Assert.Equal(Verdict.Holds, holds.Verdict);
        Assert.Equal(1.5, holds.Measured["muon_plateau_decades"], 12);
        Assert.Equal(0, holds.Measured["adamw_plateau_decades"], 12);
        Assert.Equal(1, holds.Measured["muon_plateau_at_edge"]);
        Assert.Equal(Verdict.Fails, fails.Verdict);
    }

    [Fact]
    public void Plateau_is_inconclusive_for_equal_widths_a_cut_off_narrower_plateau_or_no_sweep()
    {
        var config = new SmallGptConfig();
        double[] wide = { 3.0, 2.02, 2.0, 2.03, 2.04 }, narrow = { 3.0, 2.5, 2.0, 2.5, 3.0 }, narrowAtEdge = { 2.0, 2.5, 2.6, 2.7, 2.8 };

        Assert.Equal(Verdict.Inconclusive, SmallGptClaims.JudgePlateau(config, Sweep(narrow, narrow)).Verdict);
        Assert.Equal(Verdict.Inconclusive, SmallGptClaims.JudgePlateau(config, Sweep(wide, narrowAtEdge)).Verdict);
        Assert.Equal(Verdict.Inconclusive, SmallGptClaims.JudgePlateau(config, Array.Empty<SmallGptRun>()).Verdict);
    }

    // (d) -------------------------------------------------------------------------------------------------

    private static readonly SmallGptConfig OneBlock = new() { Layers = 1, Width = 32 };   // mlp.c_proj input width 128: low rank ≤ 12.8

    private static SpectralMonitorRow[] Rows(double[] stableRankA, double[] ratios) =>
        stableRankA.Select((v, i) => new SpectralMonitorRow(10 * i, "blocks.0.mlp.c_proj.weight", SpectralMetrics.StableRankA, v))
            .Concat(ratios.Select((v, i) => new SpectralMonitorRow(10 * i, "blocks.0.mlp.c_proj.weight", SpectralMetrics.ConditionRatio, v)))
            .Append(new SpectralMonitorRow(0, "blocks.0.mlp.c_fc.weight", SpectralMetrics.ConditionRatio, 0.01))   // another matrix: not judged
            .ToArray();

    [Fact]
    public void Condition_holds_when_every_block_has_low_input_stable_rank_and_is_spectral_in_most_observations()
    {
        var runs = new[] { Run(AdamW, 0, spectral: Rows(new[] { 3.0, 4, 5 }, new[] { 3.0, 2.5, 1 })), Run(Muon, 0, spectral: Rows(new[] { 6.0, 6, 6 }, new[] { 2.0, 2, 2 })) };

        var result = SmallGptClaims.JudgeCondition(OneBlock, runs);

        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Equal(4.0 / 128, result.Measured["adamw_block0_st_a_fraction"], 12);
        Assert.Equal(2.0 / 3, result.Measured["adamw_block0_spectral_fraction"], 12);
        Assert.Equal(new[] { "muon_block0_st_a_fraction" }, result.Decisive);   // closest call: 6/128 is 0.053 below 0.1
    }

    [Fact]
    public void Condition_fails_where_a_block_is_spectral_in_at_most_half_its_observations_or_its_input_rank_is_high()
    {
        var rarelySpectral = new[] { Run(AdamW, 0, spectral: Rows(new[] { 3.0, 4, 5 }, new[] { 3.0, 1, 1, 2 })), Run(Muon, 0, spectral: Rows(new[] { 6.0 }, new[] { 2.0 })) };
        var highRank = new[] { Run(AdamW, 0, spectral: Rows(new[] { 3.0 }, new[] { 3.0 })), Run(Muon, 0, spectral: Rows(new[] { 13.0, 14, 15 }, new[] { 5.0, 5, 5 })) };

        var first = SmallGptClaims.JudgeCondition(OneBlock, rarelySpectral);
        var second = SmallGptClaims.JudgeCondition(OneBlock, highRank);

        Assert.Equal(Verdict.Fails, first.Verdict);
        Assert.Equal(new[] { "adamw_block0_spectral_fraction" }, first.Decisive);
        Assert.Contains("fails at: adamw_block0", first.Note);
        Assert.Contains("holds at: muon_block0", first.Note);
        Assert.Equal(Verdict.Fails, second.Verdict);
        Assert.Equal(new[] { "muon_block0_st_a_fraction" }, second.Decisive);
    }

    [Fact]
    public void Condition_is_inconclusive_when_a_block_was_never_observed()
    {
        var runs = new[] { Run(AdamW, 0, spectral: Rows(new[] { 3.0 }, new[] { 3.0 })), Run(Muon, 0) };

        var result = SmallGptClaims.JudgeCondition(OneBlock, runs);

        Assert.Equal(Verdict.Inconclusive, result.Verdict);
        Assert.Contains("not observed: muon_block0", result.Note);
    }
}
