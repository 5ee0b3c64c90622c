using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers;

public sealed class SpectralGDTests
{
    private static Tensor Random(long[] shape, int seed) =>
        randn(shape, dtype: ScalarType.Float64, generator: new Generator((ulong)seed));

    [Theory]
    [InlineData(Optim.SpectralScale.None)]
    [InlineData(Optim.SpectralScale.Nuclear)]
    public void One_step_moves_by_minus_lr_times_U_V_transpose(Optim.SpectralScale scale)
    {
        // Given G = UΣVᵀ (computed here by the SVD), the step is −lr·UVᵀ, times ‖G‖_* = Σσ for Nuclear.
        using var parameter = new Parameter(Random(new long[] { 5, 3 }, seed: 1));
        using var before = parameter.detach().clone();
        using var g = Random(new long[] { 5, 3 }, seed: 2);
        var (u, sigma, vh) = linalg.svd(g, fullMatrices: false);
        double factor = scale == Optim.SpectralScale.Nuclear ? sigma.sum().ToDouble() : 1.0;
        using var optimizer = Optim.SpectralGD(new[] { parameter }, lr: 0.1, scale: scale);

        parameter.grad = g.clone();
        optimizer.step();

        Assert.True(TensorAssert.MaxAbsDifference(parameter, before - 0.1 * factor * u.matmul(vh)) < 1e-12);
    }

    [Theory]
    [InlineData(Optim.SpectralScale.None)]
    [InlineData(Optim.SpectralScale.Nuclear)]
    public void A_rank_one_float32_gradient_moves_the_parameter_by_a_rank_one_step(Optim.SpectralScale scale)
    {
        // Given G = u·vᵀ (64×48) in float32, UVᵀ has one singular value 1, so the step's Frobenius norm is
        // lr (times ‖G‖_* for Nuclear). (Before: float32 rounding left 48 singular values ≈ 1, norm 6.9·lr.)
        using var parameter = new Parameter(zeros(64, 48));
        using var g = Random(new long[] { 64, 1 }, seed: 3).matmul(Random(new long[] { 48, 1 }, seed: 4).T).to(ScalarType.Float32);
        double factor = scale == Optim.SpectralScale.Nuclear ? MuonSharp.Spectral.OperatorNorm(g) : 1.0;
        using var optimizer = Optim.SpectralGD(new[] { parameter }, lr: 0.1, scale: scale);

        parameter.grad = g.clone();
        optimizer.step();

        Assert.Equal(0.1 * factor, MuonSharp.Spectral.FrobeniusNorm(parameter), 0.1 * factor * 1e-5);
    }
}

public sealed class NormMatchedGDTests
{
    [Fact]
    public void The_step_is_the_gradient_direction_with_the_norm_of_its_polar_factor()
    {
        // Given a rank-2 gradient, the polar factor has Frobenius norm √2, so the step is
        // −lr·√2·G/‖G‖_F: the gradient's direction with Spectral GD's length.
        var generator = new Generator(5);
        using var g = randn(new long[] { 6, 2 }, dtype: ScalarType.Float64, generator: generator)
            .matmul(randn(new long[] { 2, 4 }, dtype: ScalarType.Float64, generator: generator));
        using var parameter = new Parameter(zeros(new long[] { 6, 4 }, dtype: ScalarType.Float64));
        using var optimizer = Optim.NormMatchedGD(new[] { parameter }, lr: 0.5);

        parameter.grad = g.clone();
        optimizer.step();

        using var expected = -0.5 * Math.Sqrt(2) * g / g.norm();
        Assert.True(TensorAssert.MaxAbsDifference(parameter, expected) < 1e-12);
        Assert.Equal(0.5 * Math.Sqrt(2), MuonSharp.Spectral.FrobeniusNorm(parameter), 12);
    }

    [Fact]
    public void A_rank_one_float32_gradient_gives_a_step_of_length_lr()
    {
        // √rank(G) = 1 for G = u·vᵀ in float32: float32 rounding must not count as rank.
        // (Before: the float64 tolerance counted 48, a step 6.9× too long.)
        var generator = new Generator(6);
        using var g = randn(new long[] { 64, 1 }, generator: generator).matmul(randn(new long[] { 1, 48 }, generator: generator));
        using var parameter = new Parameter(zeros(64, 48));
        using var optimizer = Optim.NormMatchedGD(new[] { parameter }, lr: 0.5);

        parameter.grad = g.clone();
        optimizer.step();

        Assert.Equal(0.5, MuonSharp.Spectral.FrobeniusNorm(parameter), 1e-6);
    }
}
