using MuonSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Tests;

public sealed class OrthogonalizeTests
{
    private static Tensor RandomMatrix(long rows, long cols, int seed, ScalarType dtype = ScalarType.Float64)
    {
        var generator = new Generator((ulong)seed);
        return randn(new[] { rows, cols }, dtype: dtype, generator: generator);
    }

    [Fact]
    public void NewtonSchulz_in_float64_equals_the_quintic_formula_written_out()
    {
        // Given a wide random matrix, when we iterate in float64,
        // then the result equals aX + (bA + cA²)X with A = XXᵀ, iterated by hand, to rounding.
        using var g = RandomMatrix(6, 9, seed: 1);
        var (a, b, c) = Orthogonalize.JordanQuintic;
        var x = g / (g.square().sum().sqrt() + Orthogonalize.DefaultEpsilon);
        for (int i = 0; i < 5; i++)
        {
            var gram = x.matmul(x.T);
            x = a * x + (b * gram + c * gram.matmul(gram)).matmul(x);
        }

        using var result = Orthogonalize.NewtonSchulz(g, computeType: ScalarType.Float64);

        Assert.True(result.allclose(x, rtol: 1e-12, atol: 1e-12));
    }

    [Fact]
    public void Tall_input_is_orthogonalized_through_its_transpose()
    {
        using var g = RandomMatrix(9, 6, seed: 2);
        using var direct = Orthogonalize.NewtonSchulz(g, computeType: ScalarType.Float64);
        using var viaTranspose = Orthogonalize.NewtonSchulz(g.T.contiguous(), computeType: ScalarType.Float64);

        Assert.Equal(new long[] { 9, 6 }, direct.shape);
        Assert.True(direct.allclose(viaTranspose.T, rtol: 1e-12, atol: 1e-12));
    }

    [Fact]
    public void Zero_matrix_maps_to_zero_without_NaN()
    {
        using var zero = zeros(4, 7);
        using var ns = Orthogonalize.NewtonSchulz(zero);
        using var polar = Orthogonalize.Polar(zero);

        Assert.Equal(0.0, ns.abs().max().item<float>());
        Assert.Equal(0.0, polar.abs().max().item<float>());
    }
}
