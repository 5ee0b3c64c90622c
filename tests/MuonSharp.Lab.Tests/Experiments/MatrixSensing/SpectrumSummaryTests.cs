using MuonSharp.Lab.Experiments.MatrixSensing;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.MatrixSensing;

public sealed class SpectrumSummaryTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(20)]
    public void A_flat_spectrum_of_k_equal_values_has_entropy_ln_k_and_stable_and_effective_rank_k(int k)
    {
        var summary = SpectrumSummary.Of(Enumerable.Repeat(2.5, k).Concat(new double[] { 0, 0 }).ToArray());

        Assert.Equal(Math.Log(k), summary.Entropy, 12);
        Assert.Equal(k, summary.StableRank, 12);
        Assert.Equal(k, summary.EffectiveRank, 10);
        Assert.Equal(2.5 * k, summary.NuclearNorm, 12);
        Assert.Equal(1.0 / k, summary.Normalized[0], 12);
    }

    [Fact]
    public void A_concentrated_spectrum_is_less_flat_than_a_spread_one_of_the_same_rank()
    {
        var concentrated = SpectrumSummary.Of(new double[] { 10, 1 });
        var flat = SpectrumSummary.Of(new double[] { 1, 1 });

        Assert.True(concentrated.Entropy < flat.Entropy);
        Assert.Equal(1.01, concentrated.StableRank, 12);
        // p = (10/11, 1/11): H = −Σ p log p.
        Assert.Equal(-(10.0 / 11 * Math.Log(10.0 / 11) + 1.0 / 11 * Math.Log(1.0 / 11)), concentrated.Entropy, 12);
        Assert.Equal(new[] { 10.0 / 11, 1.0 / 11 }, concentrated.Normalized);
    }

    [Fact]
    public void The_zero_matrix_has_zero_entropy_and_rank_and_bad_input_is_refused()
    {
        var zero = SpectrumSummary.Of(new double[] { 0, 0, 0 });

        Assert.Equal(0, zero.Entropy);
        Assert.Equal(0, zero.StableRank);
        Assert.Equal(0, zero.EffectiveRank);
        Assert.Throws<ArgumentException>(() => SpectrumSummary.Of(new[] { 1.0, double.NaN }));
        Assert.Throws<ArgumentException>(() => SpectrumSummary.Of(new[] { 1.0, -0.5 }));
    }

    [Fact]
    public void On_a_matrix_it_agrees_with_the_library_diagnostics()
    {
        using var w = randn(7, 5, dtype: ScalarType.Float64, generator: new Generator(3));

        var summary = SpectrumSummary.OfMatrix(w);

        Assert.Equal(Spectral.SpectralEntropy(w), summary.Entropy, 12);
        Assert.Equal(Spectral.StableRank(w), summary.StableRank, 12);
        Assert.Equal(Spectral.NuclearNorm(w), summary.NuclearNorm, 12);
        Assert.Equal(Spectral.EffectiveRank(w), summary.EffectiveRank, 12);
    }
}
