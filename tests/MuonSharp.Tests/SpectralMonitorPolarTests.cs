using static TorchSharp.torch;

namespace MuonSharp.Tests;

/// <summary>
/// The monitor's polar factor through the small Gram against <see cref="Orthogonalize.Polar"/> (full SVD).
/// Tolerances were fixed before the first run from the ε·κ² accuracy of a Gram-based factor (ε ≈ 2.2e-16).
/// </summary>
public sealed class SpectralMonitorPolarTests
{
    /// <summary>A <c>[rows, cols]</c> float64 matrix with the given singular values (orthonormal factors from the seed).</summary>
    private static Tensor WithSingularValues(long rows, long cols, double[] singularValues, int seed)
    {
        var u = TestMatrices.OrthonormalColumns(rows, singularValues.Length, seed);
        var v = TestMatrices.OrthonormalColumns(cols, singularValues.Length, seed + 1);
        return u.mul(tensor(singularValues, dtype: ScalarType.Float64).unsqueeze(0)).matmul(v.T);
    }

    /// <summary>Geometrically spaced singular values from 1 down to 1/κ.</summary>
    private static double[] Spread(int count, double condition) =>
        Enumerable.Range(0, count).Select(i => Math.Pow(condition, -(double)i / (count - 1))).ToArray();

    private static double RelativeDifference(Tensor viaGram, Tensor viaSvd) =>
        viaGram.sub(viaSvd).norm().item<double>() / viaSvd.norm().item<double>();

    [Theory]
    [InlineData(24, 150)]
    [InlineData(150, 24)]
    [InlineData(30, 30)]
    public void Gaussian_matrices_match_the_svd_polar_factor(long rows, long cols)
    {
        using var scope = NewDisposeScope();
        var m = TestMatrices.Random(rows, cols, seed: 5);

        Assert.True(RelativeDifference(SpectralMonitor.PolarViaGram(m), Orthogonalize.Polar(m)) < 1e-10);
    }

    [Theory]
    [InlineData(24, 150)]
    [InlineData(150, 24)]
    public void Rank_deficient_matrices_give_the_same_partial_isometry(long rows, long cols)
    {
        // Given a rank-5 matrix (product of Gaussian factors),
        using var scope = NewDisposeScope();
        var m = TestMatrices.Random(rows, 5, seed: 7).matmul(TestMatrices.Random(5, cols, seed: 8));

        var viaGram = SpectralMonitor.PolarViaGram(m);

        // the null space is cut (five singular values of 1) and the factor matches the SVD's.
        Assert.Equal(5, viaGram.norm().pow(2).item<double>(), 1e-9);
        Assert.True(RelativeDifference(viaGram, Orthogonalize.Polar(m)) < 1e-10);
    }

    [Fact]
    public void The_zero_matrix_maps_to_zero()
    {
        using var scope = NewDisposeScope();
        var m = zeros(6, 40, dtype: ScalarType.Float64);

        Assert.Equal(0, SpectralMonitor.PolarViaGram(m).abs().max().item<double>());
    }

    [Theory]
    [InlineData(1e3, 1e-8)]
    [InlineData(1e6, 1e-3)]
    public void Ill_conditioned_matrices_match_within_eps_times_kappa_squared(double condition, double tolerance)
    {
        // Given 20 singular values from 1 to 1/κ, all above the Gram's cut-off (rtol·λ_max ≈ 3e-14·λ_max ≪ 1/κ²),
        using var scope = NewDisposeScope();
        var m = WithSingularValues(20, 140, Spread(20, condition), seed: 11);

        var viaGram = SpectralMonitor.PolarViaGram(m);

        // all 20 directions are kept, and the factor agrees with the SVD's to about ε·κ².
        Assert.Equal(20, viaGram.norm().pow(2).item<double>(), 1e-2);
        Assert.True(RelativeDifference(viaGram, Orthogonalize.Polar(m)) < tolerance);
        Assert.True(RelativeDifference(SpectralMonitor.PolarViaGram(m.T.contiguous()), Orthogonalize.Polar(m.T)) < tolerance);
    }

    [Fact]
    public void A_singular_value_below_the_square_root_of_the_tolerance_is_dropped_where_the_svd_keeps_it()
    {
        // Given singular values (1, 1, 1e-8): λ = 1e-16 is below the Gram's cut-off 140·ε ≈ 3e-14, while
        // σ = 1e-8 is above the SVD's cut-off 140·ε ≈ 3e-14,
        using var scope = NewDisposeScope();
        var m = WithSingularValues(3, 140, new[] { 1.0, 1.0, 1e-8 }, seed: 13);

        // the Gram's factor has rank 2 and the SVD's rank 3 — the documented difference.
        Assert.Equal(2, SpectralMonitor.PolarViaGram(m).norm().pow(2).item<double>(), 1e-9);
        Assert.Equal(3, Orthogonalize.Polar(m).norm().pow(2).item<double>(), 1e-9);
    }
}
