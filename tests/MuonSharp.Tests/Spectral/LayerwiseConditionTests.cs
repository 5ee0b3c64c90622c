using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Tests;

/// <summary><c>Spectral.LayerwiseConditionOf</c>: nr(G) ≥ st(A) (<c>004 §3</c>).</summary>
public sealed class LayerwiseConditionTests
{
    private const double Tight = 1e-12;

    [Fact]
    public void Flat_gradient_spectrum_with_rank_one_activations_favors_the_spectral_step()
    {
        // Given G = I₄ (nr = 4) and activations of rank one (st = 1),
        using var gradient = eye(4, dtype: ScalarType.Float64);
        using var activations = outer(tensor(new[] { 1.0, 2.0, 3.0, 4.0 }), ones(10, dtype: ScalarType.Float64));

        var condition = Spectral.LayerwiseConditionOf(gradient, activations);

        // then the spectral step's guarantee is 4 times GD's.
        Assert.Equal(4, condition.NuclearRank, Tight);
        Assert.Equal(1, condition.StableRank, Tight);
        Assert.Equal(4, condition.Ratio, Tight);
        Assert.True(condition.FavorsSpectral);
    }

    [Fact]
    public void Rank_one_gradient_with_isotropic_activations_favors_gradient_descent()
    {
        // Given a rank-one gradient (nr = 1) and A = I₄ (st = 4),
        using var gradient = outer(ones(3, dtype: ScalarType.Float64), tensor(new[] { 1.0, -1.0, 2.0, 0.5 }));
        using var activations = eye(4, dtype: ScalarType.Float64);

        var condition = Spectral.LayerwiseConditionOf(gradient, activations);

        Assert.Equal(1, condition.NuclearRank, Tight);
        Assert.Equal(4, condition.StableRank, Tight);
        Assert.Equal(0.25, condition.Ratio, Tight);
        Assert.False(condition.FavorsSpectral);
    }

    [Fact]
    public void Diagonal_3_4_on_both_sides_gives_the_quotient_of_the_closed_forms()
    {
        // Given G = A = diag(3, 4): nr = 49/25, st = 25/16, so the ratio is 784/625 > 1.
        using var a = TestMatrices.Diagonal(3, 4);

        var condition = Spectral.LayerwiseConditionOf(a, a);

        Assert.Equal(49.0 / 25, condition.NuclearRank, Tight);
        Assert.Equal(25.0 / 16, condition.StableRank, Tight);
        Assert.Equal(784.0 / 625, condition.Ratio, Tight);
        Assert.True(condition.FavorsSpectral);
    }

    [Fact]
    public void A_tie_counts_as_favoring_the_spectral_step()
    {
        // 004 §3.2: spectral is favored whenever nr(G) ≥ st(A), equality included.
        using var identity = eye(3, dtype: ScalarType.Float64);

        var condition = Spectral.LayerwiseConditionOf(identity, identity);

        Assert.Equal(1, condition.Ratio, Tight);
        Assert.True(condition.FavorsSpectral);
    }

    [Fact]
    public void Activations_may_be_given_as_samples_by_features_or_features_by_samples()
    {
        using var gradient = TestMatrices.Random(5, 8, seed: 11);
        using var activations = TestMatrices.Random(8, 30, seed: 12); // [in, samples]

        var paperLayout = Spectral.LayerwiseConditionOf(gradient, activations);
        var batchLayout = Spectral.LayerwiseConditionOf(gradient, activations.T); // [samples, in]

        Assert.Equal(paperLayout.StableRank, batchLayout.StableRank, Tight);
        Assert.Equal(paperLayout.Ratio, batchLayout.Ratio, Tight);
    }

    [Fact]
    public void Conv_gradient_is_read_as_out_by_in_times_kernel()
    {
        using var gradient = randn(new long[] { 4, 3, 3, 3 }, dtype: ScalarType.Float64, generator: new Generator(13));
        using var activations = TestMatrices.Random(100, 27, seed: 14); // unfolded patches [samples, in·kh·kw]

        var condition = Spectral.LayerwiseConditionOf(gradient, activations);

        Assert.Equal(Spectral.NuclearRank(gradient.reshape(4, 27)), condition.NuclearRank, Tight);
    }

    [Fact]
    public void Ratio_is_the_quotient_of_the_two_guaranteed_decreases_and_both_steps_achieve_theirs()
    {
        // Given the random-feature model of 004 §3.1, L(W) = (1/2n)‖WA − Y‖²_F at W = 0, Y = W♯A,
        const int n = 40;
        using var features = TestMatrices.Random(6, 3, seed: 15).matmul(TestMatrices.Random(3, n, seed: 16)).relu(); // A [d = 6, n]
        using var target = TestMatrices.Random(5, 6, seed: 17).matmul(features); // Y [m = 5, n]
        using var w = zeros(5, 6, dtype: ScalarType.Float64);
        double Loss(Tensor weights) => (weights.matmul(features) - target).square().sum().item<double>() / (2 * n);
        using var gradient = (w.matmul(features) - target).matmul(features.T) / n; // G = (1/n)(WA − Y)Aᵀ

        double frobeniusA = Spectral.FrobeniusNorm(features), operatorA = Spectral.OperatorNorm(features);
        double frobeniusG = Spectral.FrobeniusNorm(gradient), nuclearG = Spectral.NuclearNorm(gradient);

        // when we take the GD step −(n/‖A‖²_op)G and the SpecGD step −(n/‖A‖²_F)‖G‖_* polar(G),
        using var gdStep = w - n / (operatorA * operatorA) * gradient;
        using var polar = Orthogonalize.Polar(gradient);
        using var spectralStep = w - n * nuclearG / (frobeniusA * frobeniusA) * polar;
        double gdGuarantee = n * frobeniusG * frobeniusG / (2 * operatorA * operatorA);
        double spectralGuarantee = n * nuclearG * nuclearG / (2 * frobeniusA * frobeniusA);

        var condition = Spectral.LayerwiseConditionOf(gradient, features);

        // then each step decreases the loss by at least its guarantee, and Ratio is their quotient.
        Assert.True(Loss(w) - Loss(gdStep) >= gdGuarantee * (1 - 1e-9));
        Assert.True(Loss(w) - Loss(spectralStep) >= spectralGuarantee * (1 - 1e-9));
        Assert.Equal(spectralGuarantee / gdGuarantee, condition.Ratio, 1e-9);
    }

    [Fact]
    public void Zero_gradient_favors_nothing_and_gives_ratio_zero_not_NaN()
    {
        using var gradient = zeros(3, 4, dtype: ScalarType.Float64);
        using var activations = TestMatrices.Random(4, 10, seed: 18);

        var condition = Spectral.LayerwiseConditionOf(gradient, activations);

        Assert.Equal(0.0, condition.NuclearRank);
        Assert.Equal(0.0, condition.Ratio);
        Assert.False(condition.FavorsSpectral);
    }

    [Fact]
    public void Zero_activations_with_a_nonzero_gradient_give_an_infinite_ratio()
    {
        using var gradient = eye(3, dtype: ScalarType.Float64);
        using var activations = zeros(3, 10, dtype: ScalarType.Float64);

        var condition = Spectral.LayerwiseConditionOf(gradient, activations);

        Assert.Equal(0.0, condition.StableRank);
        Assert.Equal(double.PositiveInfinity, condition.Ratio);
        Assert.True(condition.FavorsSpectral);
    }

    [Fact]
    public void Batched_sequence_activations_are_rejected_with_a_reshape_hint()
    {
        using var gradient = TestMatrices.Random(4, 8, seed: 19);
        using var activations = zeros(2, 5, 8); // [batch, seq, in]

        var error = Assert.Throws<ArgumentException>(() => Spectral.LayerwiseConditionOf(gradient, activations));

        Assert.Equal("activations", error.ParamName);
        Assert.Contains("[2, 5, 8]", error.Message);
        Assert.Contains("[-1, in]", error.Message);
    }

    [Fact]
    public void One_dimensional_gradient_is_rejected()
    {
        using var gradient = ones(4);
        using var activations = eye(4);

        var error = Assert.Throws<ArgumentException>(() => Spectral.LayerwiseConditionOf(gradient, activations));

        Assert.Equal("gradient", error.ParamName);
        Assert.Contains("[4]", error.Message);
    }
}
