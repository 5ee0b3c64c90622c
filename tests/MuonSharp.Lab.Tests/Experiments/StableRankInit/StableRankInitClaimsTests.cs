using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.StableRankInit;

namespace MuonSharp.Lab.Tests.Experiments.StableRankInit;

public sealed class StableRankInitClaimsTests
{
    private static readonly int[] Widths = { 64, 128, 256, 512 };
    private const int Samples = 256;

    [Fact]
    public void A_flat_stable_rank_below_the_constant_is_bounded()
    {
        var perSeed = new IReadOnlyList<double>[] { new[] { 2.9, 3.0, 3.05, 3.1 }, new[] { 2.95, 3.0, 3.05, 3.1 } };

        var result = StableRankInitClaims.JudgeBounded(Activations.Get("relu"), Widths, perSeed, Samples);

        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Equal(3.1, result.Measured["st_w512_mean"], 12);
        Assert.Equal(Math.PI, result.Measured["population_constant"], 12);
        Assert.Equal(new[] { "loglog_slope", "max_st_over_constant" }, result.Decisive);
    }

    [Fact]
    public void A_stable_rank_growing_with_width_or_above_the_constant_fails()
    {
        var growing = new IReadOnlyList<double>[] { Widths.Select(w => w / 100.0).ToArray() };
        var above = new IReadOnlyList<double>[] { new[] { 3.2, 3.2, 3.2, 3.2 } };

        var grows = StableRankInitClaims.JudgeBounded(Activations.Get("relu"), Widths, growing, Samples);

        Assert.Equal(Verdict.Fails, grows.Verdict);
        Assert.Equal(1, grows.Measured["loglog_slope"], 12);
        Assert.Equal(Verdict.Fails, StableRankInitClaims.JudgeBounded(Activations.Get("relu"), Widths, above, Samples).Verdict);
    }

    [Fact]
    public void Gelu_is_judged_on_boundedness_alone_and_an_unmeasured_activation_is_inconclusive()
    {
        var aboveDerived = new IReadOnlyList<double>[] { new[] { 6.0, 6.0, 6.0, 6.0 } };

        Assert.Equal(Verdict.Holds, StableRankInitClaims.JudgeBounded(Activations.Get("gelu"), Widths, aboveDerived, Samples).Verdict);
        Assert.Equal(Verdict.Inconclusive, StableRankInitClaims.JudgeBounded(Activations.Get("abs"), Widths, null, Samples).Verdict);
    }

    [Fact]
    public void Far_below_width_compares_the_largest_widths_stable_rank_with_a_fraction_of_it()
    {
        var small = new Dictionary<string, IReadOnlyList<double>> { ["relu"] = new[] { 3.0, 3.2 }, ["relu2"] = new[] { 5.8, 6.0 } };
        var large = new Dictionary<string, IReadOnlyList<double>> { ["relu"] = new[] { 30.0, 30.0 } };

        var holds = StableRankInitClaims.JudgeFarBelowWidth(512, small, 0.05, Samples);

        Assert.Equal(Verdict.Holds, holds.Verdict);
        Assert.Equal(5.9 / 512, holds.Measured["relu2_fraction_mean"], 12);
        Assert.Equal(new[] { "relu2_fraction_mean", "largest_width" }, holds.Decisive);
        Assert.Equal(Verdict.Fails, StableRankInitClaims.JudgeFarBelowWidth(512, large, 0.05, Samples).Verdict);
    }

    [Fact]
    public void A_bound_the_measured_matrices_could_not_break_is_inconclusive()
    {
        // With 2 samples every stable rank is ≤ 2: below ReLU's π, below 5% of 512 and below 6, whatever the activation does.
        var capped = new IReadOnlyList<double>[] { new[] { 1.9, 1.9, 1.9, 1.9 } };
        var perActivation = new Dictionary<string, IReadOnlyList<double>> { ["relu"] = new[] { 1.9 } };
        var depth = new IReadOnlyList<double>[] { new[] { 1.9, 1.9, 1.9, 1.9 } };

        var bounded = StableRankInitClaims.JudgeBounded(Activations.Get("relu"), Widths, capped, samples: 2);
        var farBelow = StableRankInitClaims.JudgeFarBelowWidth(512, perActivation, 0.05, samples: 2);
        var deep = StableRankInitClaims.JudgeDepth(depth, 512, 0.05, samples: 2);

        Assert.Equal(Verdict.Inconclusive, bounded.Verdict);
        Assert.Equal(2, bounded.Measured["rank_cap"]);
        Assert.Equal(Verdict.Inconclusive, farBelow.Verdict);
        Assert.Equal(Verdict.Inconclusive, deep.Verdict);
        Assert.Contains("any matrix meets it", deep.Note);
    }

    [Fact]
    public void A_stable_rank_that_is_not_finite_or_no_activation_at_all_is_inconclusive()
    {
        var nan = new IReadOnlyList<double>[] { new[] { 3.0, double.NaN, 3.0, 3.0 } };

        Assert.Equal(Verdict.Inconclusive, StableRankInitClaims.JudgeBounded(Activations.Get("relu"), Widths, nan, Samples).Verdict);
        Assert.Equal(Verdict.Inconclusive, StableRankInitClaims.JudgeFarBelowWidth(512,
            new Dictionary<string, IReadOnlyList<double>> { ["relu"] = new[] { 3.0 }, ["gelu"] = new[] { double.NaN } }, 0.05, Samples).Verdict);
        Assert.Equal(Verdict.Inconclusive, StableRankInitClaims.JudgeFarBelowWidth(512, new Dictionary<string, IReadOnlyList<double>>(), 0.05, Samples).Verdict);
        Assert.Equal(Verdict.Inconclusive, StableRankInitClaims.JudgeDepth(new IReadOnlyList<double>[] { new[] { 58.0, double.NaN, 4.0, 3.3 } }, 512, 0.05, Samples).Verdict);
    }

    [Fact]
    public void Depth_holds_when_every_hidden_layer_stays_at_most_six()
    {
        var fine = new IReadOnlyList<double>[] { new[] { 58.0, 5.8, 4.0, 3.3 }, new[] { 57.0, 5.7, 3.9, 3.2 } };
        var tooHigh = new IReadOnlyList<double>[] { new[] { 58.0, 6.5, 4.0, 3.3 } };

        var result = StableRankInitClaims.JudgeDepth(fine, 512, 0.05, Samples);

        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Equal(5.75, result.Measured["layer1_st_mean"], 12);
        Assert.Equal(57.5, result.Measured["inputs_st_mean"], 12);
        Assert.Equal(new[] { "max_layer_st_mean", "bound" }, result.Decisive);
        Assert.Equal(6, result.Measured["bound"], 12);
        Assert.Equal(Verdict.Fails, StableRankInitClaims.JudgeDepth(tooHigh, 512, 0.05, Samples).Verdict);
        Assert.Equal(Verdict.Inconclusive, StableRankInitClaims.JudgeDepth(null, 512, 0.05, Samples).Verdict);
    }
}
