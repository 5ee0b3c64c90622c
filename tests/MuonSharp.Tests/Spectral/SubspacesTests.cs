using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Tests;

/// <summary><c>Spectral.SubspaceMisalignment</c>: ‖sin Θ‖_F between top-k singular subspaces.</summary>
public sealed class SubspacesTests
{
    private const double Tight = 1e-12;

    [Fact]
    public void Matrices_sharing_their_left_singular_vectors_are_aligned_on_the_left_only()
    {
        // Given A and B = A·Q for a random orthogonal Q: same U and Σ, different V,
        using var a = TestMatrices.Random(4, 6, seed: 21);
        using var q = TestMatrices.OrthonormalColumns(6, 6, seed: 22);
        using var b = a.matmul(q);

        // then the left subspaces coincide for every k, and the right ones do not.
        for (int k = 1; k <= 4; k++)
            Assert.Equal(0, Spectral.SubspaceMisalignment(a, b, k), Tight);
        Assert.True(Spectral.SubspaceMisalignment(a, b, 2, SubspaceSide.Right) > 0.1);
    }

    [Fact]
    public void A_matrix_is_aligned_with_a_positive_multiple_of_itself_on_both_sides()
    {
        using var a = TestMatrices.Random(5, 3, seed: 23);
        using var b = 2.5 * a;

        Assert.Equal(0, Spectral.SubspaceMisalignment(a, b, 2), Tight);
        Assert.Equal(0, Spectral.SubspaceMisalignment(a, b, 2, SubspaceSide.Right), Tight);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Orthogonal_subspaces_are_misaligned_by_root_k(int k)
    {
        // Given diag(3, 2, 1, 0.5) (top-2 span e₁, e₂) and diag(1, 0.5, 3, 2) (top-2 span e₃, e₄),
        using var a = TestMatrices.Diagonal(3, 2, 1, 0.5);
        using var b = TestMatrices.Diagonal(1, 0.5, 3, 2);

        // then every principal angle is 90°, on both sides.
        Assert.Equal(Math.Sqrt(k), Spectral.SubspaceMisalignment(a, b, k), Tight);
        Assert.Equal(Math.Sqrt(k), Spectral.SubspaceMisalignment(a, b, k, SubspaceSide.Right), Tight);
    }

    [Theory]
    [InlineData(1e-9)] // tiny angles survive: no √(k − Σcos²) cancellation
    [InlineData(0.3)]
    [InlineData(1.2)]
    [InlineData(2.5)] // beyond 90°: the line through R(θ)e₁ makes the angle π − θ with e₁, and sin is the same.
    public void Rotation_by_theta_in_two_dimensions_is_misaligned_by_sin_theta(double theta)
    {
        // Given A = diag(2, 1) (top left and right singular vector e₁),
        using var a = TestMatrices.Diagonal(2, 1);
        using var rotation = TestMatrices.Rotation(theta);

        // when the column space is rotated (R·A) or the row space is (A·Rᵀ),
        using var rotatedColumns = rotation.matmul(a);
        using var rotatedRows = a.matmul(rotation.T);

        // then the top-1 subspaces are θ apart on that side, and aligned on the other.
        Assert.Equal(Math.Abs(Math.Sin(theta)), Spectral.SubspaceMisalignment(a, rotatedColumns, 1), Tight);
        Assert.Equal(0, Spectral.SubspaceMisalignment(a, rotatedColumns, 1, SubspaceSide.Right), Tight);
        Assert.Equal(Math.Abs(Math.Sin(theta)), Spectral.SubspaceMisalignment(a, rotatedRows, 1, SubspaceSide.Right), Tight);
        Assert.Equal(0, Spectral.SubspaceMisalignment(a, rotatedRows, 1), Tight);
    }

    [Fact]
    public void Full_dimension_subspaces_of_the_short_side_always_coincide()
    {
        // Left singular vectors of a wide 3×7 matrix span all of R³ when k = 3.
        using var a = TestMatrices.Random(3, 7, seed: 24);
        using var b = TestMatrices.Random(3, 7, seed: 25);

        Assert.Equal(0, Spectral.SubspaceMisalignment(a, b, 3), Tight);
    }

    [Fact]
    public void Misalignment_is_symmetric_and_at_most_root_k()
    {
        using var a = TestMatrices.Random(8, 5, seed: 26);
        using var b = TestMatrices.Random(8, 5, seed: 27);

        double ab = Spectral.SubspaceMisalignment(a, b, 3, SubspaceSide.Right);
        double ba = Spectral.SubspaceMisalignment(b, a, 3, SubspaceSide.Right);

        Assert.Equal(ab, ba, 1e-10);
        Assert.InRange(ab, 0, Math.Sqrt(3));
    }

    [Fact]
    public void Conv_filters_are_compared_on_their_flattened_matrices()
    {
        using var a = randn(new long[] { 4, 2, 3, 3 }, dtype: ScalarType.Float64, generator: new Generator(28));
        using var b = randn(new long[] { 4, 2, 3, 3 }, dtype: ScalarType.Float64, generator: new Generator(29));

        Assert.Equal(
            Spectral.SubspaceMisalignment(a.reshape(4, 18), b.reshape(4, 18), 2, SubspaceSide.Right),
            Spectral.SubspaceMisalignment(a, b, 2, SubspaceSide.Right), Tight);
    }

    [Fact]
    public void Different_shapes_are_rejected_naming_both()
    {
        using var a = zeros(3, 4);
        using var b = zeros(4, 3);

        var error = Assert.Throws<ArgumentException>(() => Spectral.SubspaceMisalignment(a, b, 1));

        Assert.Contains("[3, 4]", error.Message);
        Assert.Contains("[4, 3]", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(-1)]
    public void K_outside_one_to_the_short_side_is_rejected_with_the_range(int k)
    {
        using var a = TestMatrices.Random(3, 5, seed: 30);
        using var b = TestMatrices.Random(3, 5, seed: 31);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Spectral.SubspaceMisalignment(a, b, k));

        Assert.Equal("k", error.ParamName);
        Assert.Contains($"k = {k}", error.Message);
        Assert.Contains("1 ≤ k ≤ min(m, n) = 3", error.Message);
    }

    [Fact]
    public void One_dimensional_inputs_are_rejected()
    {
        using var a = ones(3);
        using var b = ones(3);

        var error = Assert.Throws<ArgumentException>(() => Spectral.SubspaceMisalignment(a, b, 1));

        Assert.Equal("a", error.ParamName);
        Assert.Contains("at least 2 dimensions", error.Message);
    }
}
