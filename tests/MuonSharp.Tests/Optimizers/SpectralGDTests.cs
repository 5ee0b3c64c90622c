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
}
