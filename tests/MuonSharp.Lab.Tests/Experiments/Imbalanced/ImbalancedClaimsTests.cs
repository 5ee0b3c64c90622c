using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.Imbalanced;

namespace MuonSharp.Lab.Tests.Experiments.Imbalanced;

public sealed class ImbalancedClaimsTests
{
    // 100 steps evaluated every 10: the early window is steps 0..25 (0, 10, 20), "never" is step 110.
    private static readonly ImbalancedConfig Config = new() { Steps = 100, EvalEvery = 10, Seeds = 3, Depths = new[] { 1, 2 } };
    private static readonly int[] Steps = Enumerable.Range(0, 11).Select(i => i * 10).ToArray();

    /// <summary>Per-seed noise added to the spectral methods, so their paired differences have a standard error of 0.01/√3.</summary>
    private static readonly double[] Noise = { 0, 0.01, -0.01 };

    /// <summary>A run whose balanced accuracy is <paramref name="early"/> in the early window and <paramref name="final"/> after it; the rarest class is learned at <paramref name="rareStep"/>.</summary>
    private static ImbalancedRun Run(int depth, string optimizer, int seed, double early, double final, int rareStep, bool diverged = false) =>
        new(depth, optimizer, seed, 0.1, Steps, Steps.Select(s => s <= 25 ? early : final).ToList(),
            Steps.Select(s => new[] { 1.0, s >= rareStep ? 1.0 : 0.0 }).ToList(), diverged ? double.PositiveInfinity : 1.0);

    /// <summary>
    /// The claimed pattern: spectral methods 0.9 early (± noise) and 0.95 final, learning the rare class at step 20–30; GD 0.8 / 0.7 early at
    /// depth 1 / 2 (the gap widens from 0.1 to 0.2), 0.85 final, rare class at 80; Adam 0.85 / 0.8 early, 0.9 final; normalized GD 0.75 early.
    /// </summary>
    private static ImbalancedRun Claimed(int depth, string optimizer, int seed)
    {
        double noise = ImbalancedClaims.Spectral.Contains(optimizer) ? Noise[seed] : 0;
        return optimizer switch
        {
            "gd" => Run(depth, optimizer, seed, depth == 1 ? 0.8 : 0.7, 0.85, 80),
            "adam" => Run(depth, optimizer, seed, depth == 1 ? 0.85 : 0.8, 0.9, 60),
            "normalized-gd" => Run(depth, optimizer, seed, 0.75, 0.85, 60),
            "spectral-gd" => Run(depth, optimizer, seed, 0.9 + noise, 0.95 + noise, 20),
            _ => Run(depth, optimizer, seed, 0.9 + noise, 0.95 + noise, 30),
        };
    }

    /// <summary>Every optimizer at every depth and seed, each from <paramref name="change"/> where it returns a run, else <see cref="Claimed"/>.</summary>
    private static Dictionary<string, ClaimResult> Judge(Func<int, string, int, ImbalancedRun?>? change = null, ImbalancedConfig? config = null)
    {
        config ??= Config;
        var runs = config.Depths.SelectMany(d => ImbalancedExperiment.OptimizerNames.SelectMany(o => config.SeedList
            .Select(s => change?.Invoke(d, o, s) ?? Claimed(d, o, s)))).ToList();
        return ImbalancedClaims.Judge(config, runs).ToDictionary(r => r.Id);
    }

    [Fact]
    public void Every_claim_holds_when_the_spectral_methods_lead_by_more_than_the_seed_noise()
    {
        var results = Judge();

        Assert.All(results.Values, r => Assert.Equal(Verdict.Holds, r.Verdict));
        var early = results[ImbalancedClaims.EarlyBalancedAccuracy.Id];
        Assert.Equal(0.1, early.Measured["d1_spectral-gd_minus_gd"], 12);
        Assert.Equal(0.01 / Math.Sqrt(3), early.Measured["d1_spectral-gd_minus_gd_se"], 12);
        // The closest call decides: a 0.05 lead over Adam at depth 1.
        Assert.Equal(new[] { "d1_spectral-gd_minus_adam", "d1_spectral-gd_minus_adam_se" }, early.Decisive);
        Assert.Equal(60, results[ImbalancedClaims.RareClassEarlier.Id].Measured["d1_gd_minus_spectral-gd_rare_step"], 12);
        Assert.Equal(0.1, results[ImbalancedClaims.DepthWidens.Id].Measured["gap_d2_minus_d1"], 12);
        Assert.Equal(0.1, results[ImbalancedClaims.FinalBalancedAccuracy.Id].Measured["d2_spectral-gd_minus_gd_final"], 12);
        Assert.Equal(0.05, results[ImbalancedClaims.FinalBalancedAccuracy.Id].Measured["d2_muon_minus_adam_final"], 12);
    }

    [Fact]
    public void Every_claim_fails_when_the_other_side_leads_by_more_than_its_standard_error()
    {
        // Depth 2: Adam 0.95 early (ahead of every spectral method), GD learns the rare class first and ends at 0.99,
        // normalized GD 0.99 early, and GD's early accuracy at 0.85 narrows the gap to 0.05 (from 0.1 at depth 1).
        var results = Judge((d, o, s) => (d, o) switch
        {
            (2, "adam") => Run(d, o, s, 0.95, 0.9, 60),
            (2, "gd") => Run(d, o, s, 0.85, 0.99, 10),
            (2, "normalized-gd") => Run(d, o, s, 0.99, 0.85, 60),
            _ => null,
        });

        Assert.All(results.Values, r => Assert.Equal(Verdict.Fails, r.Verdict));
        Assert.Equal("d2_spectral-gd_minus_adam", results[ImbalancedClaims.EarlyBalancedAccuracy.Id].Decisive![0]);
        Assert.Equal("d2_gd_minus_spectral-gd_rare_step", results[ImbalancedClaims.RareClassEarlier.Id].Decisive![0]);
        Assert.Equal(-0.05, results[ImbalancedClaims.DepthWidens.Id].Measured["gap_d2_minus_d1"], 12);
        Assert.Equal("d2_spectral-gd_minus_gd_final", results[ImbalancedClaims.FinalBalancedAccuracy.Id].Decisive![0]);
    }

    [Fact]
    public void A_lead_within_one_standard_error_is_inconclusive()
    {
        // Shampoo 0.003 ahead of Adam at depth 1 with a per-seed spread of about 0.018 (SE ≈ 0.010); the rare class never
        // reached by either at depth 2; normalized GD and GD equal to Spectral GD in every seed at depth 1; the same gap at
        // both depths; every optimizer ends at 1.0.
        double[] close = { 0.004, 0.02, -0.015 };
        var results = Judge((d, o, s) => (d, o) switch
        {
            (1, "shampoo") => Run(d, o, s, 0.85 + close[s], 1.0, 30),
            (_, "gd") => Run(d, o, s, 0.8, 1.0, d == 2 ? 1000 : 80),
            (2, "spectral-gd") => Run(d, o, s, 0.9 + Noise[s], 1.0, 1000),
            (1, "normalized-gd") => Run(d, o, s, 0.9 + Noise[s], 1.0, 60),
            (_, "spectral-gd" or "muon" or "shampoo") => Run(d, o, s, 0.9 + Noise[s], 1.0, 30),
            _ => Run(d, o, s, d == 1 ? 0.85 : 0.8, 1.0, 60),
        });

        Assert.All(results.Values, r => Assert.Equal(Verdict.Inconclusive, r.Verdict));
        var early = results[ImbalancedClaims.EarlyBalancedAccuracy.Id];
        Assert.Equal("d1_shampoo_minus_adam", early.Decisive![0]);
        Assert.Equal(0.003, early.Measured["d1_shampoo_minus_adam"], 12);
        Assert.Contains("within one standard error", early.Note);
        Assert.Equal(0, results[ImbalancedClaims.RareClassEarlier.Id].Measured["d2_gd_minus_spectral-gd_rare_step"], 12);
        Assert.Equal(0, results[ImbalancedClaims.DepthWidens.Id].Measured["gap_d2_minus_d1"], 12);
    }

    [Fact]
    public void A_diverged_run_makes_the_comparisons_it_enters_inconclusive()
    {
        var results = Judge((d, o, s) => (d, o, s) == (2, "muon", 1) ? Run(d, o, s, 0.9, 0.95, 30, diverged: true) : null);

        var early = results[ImbalancedClaims.EarlyBalancedAccuracy.Id];
        Assert.Equal(Verdict.Inconclusive, early.Verdict);
        Assert.Contains("d2 muon seed 1", early.Note);
        Assert.True(double.IsNaN(early.Measured["d2_muon_minus_gd"]));
        Assert.Equal(Verdict.Inconclusive, results[ImbalancedClaims.FinalBalancedAccuracy.Id].Verdict);
        Assert.Equal(Verdict.Holds, results[ImbalancedClaims.NotStepSize.Id].Verdict);
    }

    [Fact]
    public void One_seed_gives_no_standard_error_and_one_depth_no_widening_so_both_are_inconclusive()
    {
        var oneSeed = Judge(config: Config with { Seeds = 1 });
        var oneDepth = Judge(config: Config with { Depths = new[] { 1 } });

        Assert.All(oneSeed.Values, r => Assert.Equal(Verdict.Inconclusive, r.Verdict));
        Assert.Contains("fewer than two paired seeds", oneSeed[ImbalancedClaims.EarlyBalancedAccuracy.Id].Note);
        Assert.Equal(Verdict.Inconclusive, oneDepth[ImbalancedClaims.DepthWidens.Id].Verdict);
        Assert.Equal(Verdict.Holds, oneDepth[ImbalancedClaims.FinalBalancedAccuracy.Id].Verdict);
    }
}
