using MuonSharp.Lab.Analysis;

namespace MuonSharp.Lab.Tests.Analysis;

public sealed class RankCorrelationTests
{
    [Fact]
    public void Spearman_rho_matches_a_worked_example()
    {
        // IQ against hours of TV per week, ten people: Σd² = 194, ρ = 1 − 6·194 / (10·99) = −29/165.
        double[] iq = { 106, 86, 100, 101, 99, 103, 97, 113, 112, 110 };
        double[] tv = { 7, 0, 27, 50, 28, 29, 20, 12, 6, 17 };

        var result = RankCorrelation.Of(iq, tv, permutations: 5000, seed: 0);

        Assert.Equal(-29.0 / 165, result.Rho, 12);
        Assert.InRange(result.PValue, 0.5, 0.75);   // far from significant (the t approximation gives 0.63)
    }

    [Fact]
    public void A_perfect_monotone_relation_has_rho_one_and_a_p_value_near_the_smallest_possible()
    {
        var x = Enumerable.Range(0, 10).Select(i => (double)i).ToList();
        var y = x.Select(v => Math.Exp(v)).ToList();

        var result = RankCorrelation.Of(x, y, permutations: 2000, seed: 1);

        Assert.Equal(1.0, result.Rho, 12);
        Assert.True(result.PValue < 0.005, $"p = {result.PValue}");   // 2 of 10! orderings reach |ρ| = 1
        Assert.Equal(result, RankCorrelation.Of(x, y, permutations: 2000, seed: 1));
    }

    [Fact]
    public void Ties_share_their_mean_rank_and_degenerate_inputs_give_NaN()
    {
        Assert.Equal(new[] { 1.0, 2.5, 2.5, 4 }, RankCorrelation.Ranks(new[] { 1.0, 5, 5, 9 }));
        Assert.True(double.IsNaN(RankCorrelation.Of(new[] { 1.0, 2 }, new[] { 3.0, 4 }, 10, 0).Rho));            // fewer than three
        Assert.True(double.IsNaN(RankCorrelation.Of(new[] { 1.0, 2, 3 }, new[] { 4.0, 4, 4 }, 10, 0).PValue));    // constant side
        Assert.True(double.IsNaN(RankCorrelation.Of(new[] { 1.0, double.NaN, 3 }, new[] { 4.0, 5, 6 }, 10, 0).Rho));
        Assert.Throws<ArgumentException>(() => RankCorrelation.Of(new[] { 1.0 }, new[] { 1.0, 2 }, 10, 0));
    }

    [Theory]
    [InlineData(new[] { 1.0, 2, 3, 4 }, new[] { 10.0, 20, 30, 40 }, 1.0)]
    [InlineData(new[] { 1.0, 2, 3, 4 }, new[] { 9.0, 5, 2, 1 }, -1.0)]
    [InlineData(new[] { 1.0, 2, 3 }, new[] { 1.0, 1, 2 }, 0.8660254037844386)] // ranks (1.5, 1.5, 3): r = √3/2
    public void Rank_correlation_of_known_orderings(double[] x, double[] y, double expected)
    {
        Assert.Equal(expected, RankCorrelation.SpearmanRho(x, y), 12);
    }

    [Fact]
    public void Rank_correlation_of_a_constant_is_NaN()
    {
        Assert.True(double.IsNaN(RankCorrelation.SpearmanRho(new[] { 1.0, 1, 1 }, new[] { 1.0, 2, 3 })));
    }
}
