using MuonSharp.Lab.Experiments.Routing;

namespace MuonSharp.Lab.Tests.Experiments.Routing;

public sealed class RoutingClaimsTests
{
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
    public void Claims_without_spectral_gd_are_inconclusive()
    {
        var outcome = new RoutingOutcome("sgd", 0, 1e-6, 1e-3, 1.0, new[] { 1.0, 1, 1, 1 }, new[] { 1.0, 1, 1, 1 });

        var results = RoutingClaims.Judge(new RoutingConfig(), new[] { outcome });

        Assert.All(results, r => Assert.Equal(MuonSharp.Lab.Claims.Verdict.Inconclusive, r.Verdict));
    }

    [Fact]
    public void The_paper_picture_is_judged_to_hold()
    {
        RoutingOutcome Make(string optimizer, double untrained, double[] learned) =>
            new(optimizer, 0, 1e-6, untrained, 1.0, learned, learned);
        var outcomes = new[]
        {
            Make("sgd", 0.01, new[] { 1.0, 1, 1, 1, 0.01, 0.01 }),
            Make("spectral-gd", 0.4, Enumerable.Repeat(1.0, 12).ToArray()),
        };

        var results = RoutingClaims.Judge(new RoutingConfig(), outcomes);

        Assert.All(results, r => Assert.Equal(MuonSharp.Lab.Claims.Verdict.Holds, r.Verdict));
    }
}
