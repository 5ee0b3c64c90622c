using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.Routing;

namespace MuonSharp.Lab.Tests.Experiments.Routing;

public sealed class RoutingClaimsTests
{
    private static readonly double[] RankFour = { 1.0, 1, 1, 1, 0.01, 0.01 };
    private static readonly double[] Flat = Enumerable.Repeat(1.0, 12).ToArray();

    private static RoutingOutcome Make(string optimizer, int seed, double untrained, double[] learned,
        double trained = 1e-6, double initial = 1, double mid = 1e-5) =>
        new(optimizer, seed, trained, untrained, 1.0, learned, learned, initial, mid);

    /// <summary>Ten seeds of each: SGD generalizing and rank 4, Spectral GD memorizing with a flat spectrum, unless told otherwise.</summary>
    private static List<RoutingOutcome> Runs(Func<int, RoutingOutcome>? sgd = null, Func<int, RoutingOutcome>? spectral = null) =>
        Enumerable.Range(0, 10).Select(s => sgd?.Invoke(s) ?? Make("sgd", s, 0.01, RankFour))
            .Concat(Enumerable.Range(0, 10).Select(s => spectral?.Invoke(s) ?? Make("spectral-gd", s, 0.4, Flat))).ToList();

    private static Dictionary<string, Verdict> Verdicts(IReadOnlyList<RoutingOutcome> outcomes) =>
        RoutingClaims.Judge(new RoutingConfig(), outcomes).ToDictionary(r => r.Id, r => r.Verdict);

    [Fact]
    public void Effective_rank_of_k_equal_singular_values_is_k()
    {
        Assert.Equal(4.0, RoutingClaims.EffectiveRank(new[] { 2.0, 2, 2, 2, 0, 0 }), 12);
        Assert.Equal(1.0, RoutingClaims.EffectiveRank(new[] { 3.0 }), 12);
        Assert.Equal(0.0, RoutingClaims.EffectiveRank(new[] { 0.0, 0 }));
    }

    [Fact]
    public void Effective_rank_of_an_unequal_spectrum_is_the_exponential_of_its_entropy()
    {
        // p = (1/2, 1/4, 1/4): H = ½ln2 + ½ln4 = 1.5 ln 2, exp(H) = 2^1.5.
        Assert.Equal(Math.Pow(2, 1.5), RoutingClaims.EffectiveRank(new[] { 2.0, 1, 1 }), 12);
    }

    [Fact]
    public void Tail_share_is_the_fraction_of_the_nuclear_norm_beyond_the_head()
    {
        Assert.Equal(0.25, RoutingClaims.TailShare(new[] { 1.0, 1, 1, 0.5, 0.5 }, 3), 12);
        Assert.Equal(0.0, RoutingClaims.TailShare(new[] { 1.0, 1 }, 4));
    }

    [Fact]
    public void Stable_rank_gap_and_count_read_a_spectrum_with_four_large_values()
    {
        var spectrum = new[] { 2.0, 2, 2, 2, 0.5, 0.1 };

        Assert.Equal((16 + 0.25 + 0.01) / 4, RoutingClaims.StableRank(spectrum), 12);
        Assert.Equal(0.25, RoutingClaims.GapAfter(spectrum, 4), 12);
        Assert.Equal(5, RoutingClaims.CountAbove(spectrum, 0.25));
        Assert.Equal(4, RoutingClaims.CountAbove(spectrum, 0.3));
        Assert.True(double.IsNaN(RoutingClaims.GapAfter(new[] { 1.0, 1 }, 4)));
    }

    [Fact]
    public void A_run_is_fitted_not_started_still_falling_or_stalled()
    {
        Assert.Equal(RoutingClaims.FitState.Fitted, RoutingClaims.Fit(Make("sgd", 0, 0, RankFour, trained: 1e-4), 1e-3));
        Assert.Equal(RoutingClaims.FitState.NotStarted, RoutingClaims.Fit(Make("sgd", 0, 0, RankFour, trained: 0.9, initial: 1, mid: 0.95), 1e-3));
        Assert.Equal(RoutingClaims.FitState.StillFalling, RoutingClaims.Fit(Make("sgd", 0, 0, RankFour, trained: 0.01, initial: 1, mid: 0.1), 1e-3));
        Assert.Equal(RoutingClaims.FitState.Stalled, RoutingClaims.Fit(Make("sgd", 0, 0, RankFour, trained: 0.05, initial: 1, mid: 0.06), 1e-3));
        Assert.Equal(RoutingClaims.FitState.Stalled, RoutingClaims.Fit(Make("sgd", 0, 0, RankFour, trained: double.NaN), 1e-3));
    }

    [Fact]
    public void A_quick_run_whose_error_is_still_falling_leaves_a_inconclusive()
    {
        // The quick size's picture: SGD still on its starting plateau, Spectral GD more than halving over the second half.
        var verdicts = Verdicts(Runs(sgd: s => Make("sgd", s, 0.99, RankFour, trained: 0.988, initial: 1, mid: 0.996),
            spectral: s => Make("spectral-gd", s, 0.5, Flat, trained: 0.13, initial: 1, mid: 0.42)));

        Assert.Equal(Verdict.Inconclusive, verdicts["a-both-fit"]);
    }

    [Fact]
    public void Claims_without_spectral_gd_are_inconclusive()
    {
        var results = RoutingClaims.Judge(new RoutingConfig(), new[] { Make("sgd", 0, 1e-3, RankFour) });

        Assert.All(results, r => Assert.Equal(Verdict.Inconclusive, r.Verdict));
    }

    [Fact]
    public void The_paper_picture_is_judged_to_hold()
    {
        Assert.All(Verdicts(Runs()).Values, v => Assert.Equal(Verdict.Holds, v));
    }

    [Fact]
    public void A_stalled_seed_fails_a_and_leaves_b_and_c_inconclusive()
    {
        var verdicts = Verdicts(Runs(sgd: s => Make("sgd", s, 0.01, RankFour, trained: s == 3 ? 0.05 : 1e-6, mid: 0.06)));

        Assert.Equal(Verdict.Fails, verdicts["a-both-fit"]);
        Assert.Equal(Verdict.Inconclusive, verdicts["b-sgd-generalizes"]);
        Assert.Equal(Verdict.Inconclusive, verdicts["c-shared-rank"]);
    }

    [Fact]
    public void Sgd_that_has_not_left_its_starting_plateau_makes_every_claim_inconclusive()
    {
        var verdicts = Verdicts(Runs(sgd: s => Make("sgd", s, 0.9, RankFour, trained: 0.9, initial: 1, mid: 0.95)));

        Assert.All(verdicts.Values, v => Assert.Equal(Verdict.Inconclusive, v));
    }

    [Fact]
    public void Sgd_generalizing_in_only_half_the_seeds_fails_b()
    {
        var verdicts = Verdicts(Runs(sgd: s => Make("sgd", s, s % 2 == 0 ? 0.01 : 0.4, RankFour)));

        Assert.Equal(Verdict.Fails, verdicts["b-sgd-generalizes"]);
    }

    [Fact]
    public void Spectral_gd_that_generalizes_too_fails_b()
    {
        var verdicts = Verdicts(Runs(spectral: s => Make("spectral-gd", s, 0.01, Flat)));

        Assert.Equal(Verdict.Fails, verdicts["b-sgd-generalizes"]);
    }

    [Fact]
    public void Spectral_gd_with_the_same_rank_as_sgd_fails_c()
    {
        var verdicts = Verdicts(Runs(spectral: s => Make("spectral-gd", s, 0.4, RankFour)));

        Assert.Equal(Verdict.Fails, verdicts["c-shared-rank"]);
    }

    [Fact]
    public void Sgd_without_a_gap_after_the_fourth_value_fails_c()
    {
        var verdicts = Verdicts(Runs(sgd: s => Make("sgd", s, 0.01, new[] { 1.0, 1, 1, 1, 0.8, 0.01 })));

        Assert.Equal(Verdict.Fails, verdicts["c-shared-rank"]);
    }

    [Fact]
    public void The_sweep_appears_in_the_measured_numbers_and_the_note()
    {
        var sweep = new[] { new SweepCell(3, 0.05, "sgd", 3, 1, 1, 0.01), new SweepCell(3, 0.05, "spectral-gd", 3, 1, 1, 0.01) };

        var b = RoutingClaims.Judge(new RoutingConfig(), Runs(), sweep)[1];

        Assert.Equal(1.0, b.Measured["sweep_K3_gain0.05_spectral-gd_generalizing_fraction"]);
        Assert.Contains("shows in 0 of 1 settings", b.Note);
    }
}
