using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Tests;

/// <summary>The norms and ranks of <c>Spectral.cs</c> on matrices whose spectra are known in closed form.</summary>
public sealed class SpectralNormsTests
{
    private const double Tight = 1e-12;

    [Fact]
    public void Diagonal_3_4_has_the_closed_form_norms_and_ranks()
    {
        // Given diag(3, 4): σ = (4, 3), ‖A‖_* = 7, ‖A‖_F = 5, ‖A‖_op = 4.
        using var a = TestMatrices.Diagonal(3, 4);
        double p = 3.0 / 7, q = 4.0 / 7, entropy = -(p * Math.Log(p) + q * Math.Log(q));

        // Then every diagnostic equals its closed form.
        AssertClose.Elementwise(new[] { 4.0, 3.0 }, Spectral.SingularValues(a), Tight);
        Assert.Equal(7, Spectral.NuclearNorm(a), Tight);
        Assert.Equal(5, Spectral.FrobeniusNorm(a), Tight);
        Assert.Equal(4, Spectral.OperatorNorm(a), Tight);
        Assert.Equal(25.0 / 16, Spectral.StableRank(a), Tight);
        Assert.Equal(49.0 / 25, Spectral.NuclearRank(a), Tight);
        Assert.Equal(7.0 / 5, Spectral.NuclearToFrobeniusRatio(a), Tight);
        Assert.Equal(entropy, Spectral.SpectralEntropy(a), Tight);
        Assert.Equal(Math.Exp(entropy), Spectral.EffectiveRank(a), Tight);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Identity_has_every_rank_equal_to_its_size(int n)
    {
        using var identity = eye(n, dtype: ScalarType.Float64);

        Assert.Equal(n, Spectral.StableRank(identity), Tight);
        Assert.Equal(n, Spectral.NuclearRank(identity), Tight);
        Assert.Equal(n, Spectral.EffectiveRank(identity), Tight);
        Assert.Equal(Math.Log(n), Spectral.SpectralEntropy(identity), Tight);
    }

    [Fact]
    public void Rank_one_outer_product_has_every_rank_equal_to_one()
    {
        // Given u vᵀ with ‖u‖ = 3, ‖v‖ = 5: one singular value 15, the rest zero up to rounding.
        using var u = tensor(new[] { 1.0, 2.0, 2.0 });
        using var v = tensor(new[] { 3.0, 0.0, 4.0, 0.0 });
        using var a = outer(u, v);

        Assert.Equal(15, Spectral.OperatorNorm(a), 1e-12);
        Assert.Equal(1, Spectral.StableRank(a), 1e-12);
        Assert.Equal(1, Spectral.NuclearRank(a), 1e-12);
        Assert.Equal(1, Spectral.EffectiveRank(a), 1e-9);
        Assert.Equal(0, Spectral.SpectralEntropy(a), 1e-9);
    }

    [Fact]
    public void Zero_matrix_gives_zero_everywhere_without_NaN()
    {
        using var zero = zeros(3, 4, dtype: ScalarType.Float64);

        double[] values =
        [
            Spectral.NuclearNorm(zero), Spectral.FrobeniusNorm(zero), Spectral.OperatorNorm(zero),
            Spectral.StableRank(zero), Spectral.NuclearRank(zero), Spectral.NuclearToFrobeniusRatio(zero),
            Spectral.SpectralEntropy(zero), Spectral.EffectiveRank(zero),
        ];

        Assert.All(values, x => Assert.Equal(0.0, x));
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(3, 0)]
    public void Empty_matrix_has_no_singular_values_and_zero_ranks(long rows, long cols)
    {
        using var empty = zeros(rows, cols, dtype: ScalarType.Float64);

        Assert.Empty(Spectral.SingularValues(empty));
        Assert.Equal(0.0, Spectral.StableRank(empty));
        Assert.Equal(0.0, Spectral.NuclearRank(empty));
        Assert.Equal(0.0, Spectral.EffectiveRank(empty));
    }

    [Fact]
    public void Tall_and_wide_matrices_with_singular_values_3_4_match_the_diagonal_case()
    {
        // Given Q·diag(3, 4)·R(0.7) with Q a 6×2 matrix with orthonormal columns: σ = (4, 3), tall.
        using var q = TestMatrices.OrthonormalColumns(6, 2, seed: 3);
        using var tall = q.matmul(TestMatrices.Diagonal(3, 4)).matmul(TestMatrices.Rotation(0.7));
        using var wide = tall.T.contiguous();

        foreach (var a in new[] { tall, wide })
        {
            AssertClose.Elementwise(new[] { 4.0, 3.0 }, Spectral.SingularValues(a), 1e-12);
            Assert.Equal(25.0 / 16, Spectral.StableRank(a), 1e-12);
            Assert.Equal(49.0 / 25, Spectral.NuclearRank(a), 1e-12);
        }
    }

    [Fact]
    public void Conv_filters_are_read_as_out_by_in_times_kernel()
    {
        // Given conv filters [out = 2, in = 1, kh = 2, kw = 2] whose flattened rows are 3·e₁ and 4·e₂,
        using var filters = zeros(2, 1, 2, 2, dtype: ScalarType.Float32);
        filters[0, 0, 0, 0] = tensor(3.0f);
        filters[1, 0, 0, 1] = tensor(4.0f);

        // then they read as diag(3, 4) padded to [2, 4], in float64 although the input is float32,
        AssertClose.Elementwise(new[] { 4.0, 3.0 }, Spectral.SingularValues(filters), Tight);
        Assert.Equal(25.0 / 16, Spectral.StableRank(filters), Tight);
        Assert.Equal(49.0 / 25, Spectral.NuclearRank(filters), Tight);

        // and a random conv tensor gives exactly what its explicit [out, in·kh·kw] reshape gives.
        using var random = randn(new long[] { 4, 3, 3, 3 }, dtype: ScalarType.Float64, generator: new Generator(4));
        using var flattened = random.reshape(4, 27);
        Assert.Equal(Spectral.SingularValues(flattened), Spectral.SingularValues(random));
    }

    [Fact]
    public void Diagnostics_leave_the_input_unchanged()
    {
        using var a = TestMatrices.Random(3, 5, seed: 5).to(ScalarType.Float32);
        using var before = a.clone();

        _ = Spectral.StableRank(a);
        _ = Spectral.EffectiveRank(a);

        Assert.Equal(ScalarType.Float32, a.dtype);
        Assert.True(a.allclose(before, rtol: 0, atol: 0));
    }

    [Fact]
    public void One_dimensional_input_is_rejected_with_its_shape()
    {
        using var vector = ones(4);

        var error = Assert.Throws<ArgumentException>(() => Spectral.StableRank(vector));

        Assert.Equal("matrix", error.ParamName);
        Assert.Contains("at least 2 dimensions", error.Message);
        Assert.Contains("[4]", error.Message);
    }

    [Fact]
    public void Integer_input_is_rejected_with_its_dtype()
    {
        using var integers = ones(2, 2, dtype: ScalarType.Int64);

        var error = Assert.Throws<ArgumentException>(() => Spectral.NuclearRank(integers));

        Assert.Contains("floating-point", error.Message);
        Assert.Contains("Int64", error.Message);
    }
}
