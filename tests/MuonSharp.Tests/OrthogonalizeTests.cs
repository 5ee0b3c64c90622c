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

public sealed class OrthogonalizeBehaviourTests
{
    private static Tensor Random(long[] shape, int seed) =>
        randn(shape, dtype: ScalarType.Float64, generator: new Generator((ulong)seed));

    private static double[] Singular(Tensor t) => MuonSharp.Spectral.SingularValues(t);

    [Theory]
    [InlineData(64, 128)]
    [InlineData(128, 512)]
    [InlineData(300, 100)]
    public void Five_bfloat16_quintic_steps_put_every_singular_value_in_the_documented_band(int rows, int cols)
    {
        // Given a rectangular Gaussian matrix (aspect ratio ≥ 2, so σ_min is not tiny), when Muon's
        // default Newton–Schulz runs, then every singular value lands in [0.65, 1.2] — not at 1, on
        // purpose (Jordan et al. 2024). Measured here: about [0.671, 1.138] on all three shapes.
        // A square Gaussian matrix has σ_min/σ_max ≈ 1/(4n); five steps do not lift that far.
        using var g = Random(new long[] { rows, cols }, seed: rows + cols);
        using var o = Orthogonalize.NewtonSchulz(g.to(ScalarType.Float32));

        var s = Singular(o);

        Assert.InRange(s.Min(), 0.65, 1.2);
        Assert.InRange(s.Max(), 0.65, 1.2);
    }

    [Theory]
    [InlineData(ScalarType.BFloat16, 60)]
    [InlineData(ScalarType.BFloat16, 120)]
    [InlineData(ScalarType.Float32, 60)]
    [InlineData(ScalarType.Float32, 120)]
    public void A_matrix_with_huge_entries_is_orthogonalized_like_the_same_matrix_scaled_down(ScalarType dtype, int log2Scale)
    {
        // Given a batch of two 64×48 matrices, the first multiplied by 2^60 ≈ 1.2e18 or 2^120 ≈ 1.3e36
        // (exact in binary), Newton–Schulz is scale-invariant, so both come out as for the unscaled
        // batch. (Before: ‖X‖_F overflowed float32 to ∞ and the huge matrix came back all zeros.)
        using var g = Random(new long[] { 2, 64, 48 }, seed: 13).to(dtype);
        using var huge = g.clone();
        huge[0].mul_(Math.Pow(2, log2Scale));

        using var expected = Orthogonalize.NewtonSchulz(g);
        using var actual = Orthogonalize.NewtonSchulz(huge);
        using var expectedPolarExpress = Orthogonalize.PolarExpress(g, computeType: ScalarType.Float32);
        using var actualPolarExpress = Orthogonalize.PolarExpress(huge, computeType: ScalarType.Float32);

        double tolerance = dtype == ScalarType.BFloat16 ? 0.02 : 1e-5;
        Assert.True(TensorAssert.MaxAbsDifference(actual, expected) < tolerance, $"differs by {TensorAssert.MaxAbsDifference(actual, expected)}");
        Assert.True(TensorAssert.MaxAbsDifference(actualPolarExpress, expectedPolarExpress) < tolerance);
    }

    [Fact]
    public void Many_cubic_steps_turn_the_Gram_matrix_into_the_identity()
    {
        using var g = Random(new long[] { 5, 8 }, seed: 4);
        using var o = Orthogonalize.NewtonSchulz(g, steps: 60, coefficients: Orthogonalize.Cubic, computeType: ScalarType.Float64);
        using var gram = o.matmul(o.T);

        Assert.True(TensorAssert.MaxAbsDifference(gram, eye(5, dtype: ScalarType.Float64)) < 1e-10);
    }

    [Fact]
    public void A_schedule_of_one_repeated_step_equals_the_fixed_polynomial()
    {
        using var g = Random(new long[] { 4, 6 }, seed: 5);
        var schedule = Enumerable.Repeat(Orthogonalize.JordanQuintic, 3).ToArray();

        using var fixedSteps = Orthogonalize.NewtonSchulz(g, steps: 3, computeType: ScalarType.Float64);
        using var scheduled = Orthogonalize.NewtonSchulz(g, schedule, computeType: ScalarType.Float64);

        Assert.True(TensorAssert.Identical(fixedSteps, scheduled));
    }

    [Fact]
    public void Polar_returns_U_V_transpose_of_a_matrix_built_from_known_factors()
    {
        // Given G = U·diag(5, 2, 0.5)·Vᵀ with orthonormal U [6×3] and V [4×3], Polar(G) is U·Vᵀ.
        var (u, _) = linalg.qr(Random(new long[] { 6, 3 }, seed: 6));
        var (v, _) = linalg.qr(Random(new long[] { 4, 3 }, seed: 7));
        using var g = u.matmul(diag(tensor(new[] { 5.0, 2.0, 0.5 }))).matmul(v.T);

        using var polar = Orthogonalize.Polar(g);

        Assert.True(TensorAssert.MaxAbsDifference(polar, u.matmul(v.T)) < 1e-12);
    }

    [Fact]
    public void Polar_of_a_rank_deficient_matrix_is_a_partial_isometry_of_the_same_rank()
    {
        using var a = Random(new long[] { 6, 2 }, seed: 8);
        using var b = Random(new long[] { 2, 5 }, seed: 9);
        using var g = a.matmul(b); // rank 2

        var s = Singular(Orthogonalize.Polar(g));

        Assert.Equal(new[] { 1.0, 1.0 }, s.Take(2).Select(x => Math.Round(x, 10)));
        Assert.All(s.Skip(2), x => Assert.True(x < 1e-12));
    }

    [Theory]
    [InlineData(ScalarType.Float32, ScalarType.Float64)]
    [InlineData(ScalarType.BFloat16, ScalarType.Float64)]
    [InlineData(ScalarType.Float64, ScalarType.Float32)]
    [InlineData(ScalarType.Float32, ScalarType.Float32)]
    public void Polar_of_a_rank_one_matrix_is_rank_one_whatever_the_precision_of_the_input_and_the_SVD(ScalarType inputType, ScalarType svdType)
    {
        // Given u·vᵀ (64×48) rounded to the input's precision, the rounding error's singular values sit
        // far above float64's tolerance; the cut-off must follow the coarser of the input's and the
        // SVD's precision. (Before: a float32 input kept all 48 singular values, each ≈ 1.)
        using var u = Random(new long[] { 64, 1 }, seed: 11);
        using var v = Random(new long[] { 48, 1 }, seed: 12);
        using var g = u.matmul(v.T).to(inputType);

        var s = Singular(Orthogonalize.Polar(g, computeType: svdType));

        Assert.InRange(s[0], 0.99, 1.01);
        Assert.True(s[1] < 0.02, $"second singular value {s[1]}; {s.Count(x => x > 0.5)} of {s.Length} are near 1");
    }

    [Theory]
    [InlineData(ScalarType.BFloat16, 64 * 0.0078125)]
    [InlineData(ScalarType.Float16, 64 * 0.0009765625)]
    [InlineData(ScalarType.Float32, 64 * 1.1920928955078125e-7)]
    [InlineData(ScalarType.Float64, 64 * 2.220446049250313e-16)]
    public void The_default_polar_tolerance_is_the_larger_side_times_the_machine_epsilon_of_the_dtype(ScalarType dtype, double expected)
    {
        Assert.Equal(expected, Orthogonalize.DefaultPolarTolerance(64, 48, dtype));
        Assert.Equal(64 * 2.220446049250313e-16, Orthogonalize.DefaultPolarTolerance(48, 64));
    }

    [Fact]
    public void Batched_input_gives_the_same_result_as_one_matrix_at_a_time()
    {
        using var batch = Random(new long[] { 3, 5, 7 }, seed: 10);

        using var ns = Orthogonalize.NewtonSchulz(batch, computeType: ScalarType.Float64);
        using var polar = Orthogonalize.Polar(batch);

        for (int k = 0; k < 3; k++)
        {
            Assert.True(TensorAssert.MaxAbsDifference(ns[k], Orthogonalize.NewtonSchulz(batch[k], computeType: ScalarType.Float64)) < 1e-12);
            Assert.True(TensorAssert.MaxAbsDifference(polar[k], Orthogonalize.Polar(batch[k])) < 1e-12);
        }
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void The_result_has_the_input_dtype_and_shape_whatever_the_compute_type(ScalarType computeType)
    {
        using var g = Random(new long[] { 7, 3 }, seed: 11).to(ScalarType.Float32);

        using var o = Orthogonalize.NewtonSchulz(g, computeType: computeType);

        Assert.Equal(ScalarType.Float32, o.dtype);
        Assert.Equal(g.shape, o.shape);
    }

    [Fact]
    public void Bad_inputs_are_refused_with_messages_naming_them()
    {
        Assert.Contains("[5]", Assert.Throws<ArgumentException>(() => Orthogonalize.NewtonSchulz(ones(5))).Message);
        Assert.Contains("0", Assert.Throws<ArgumentOutOfRangeException>(() => Orthogonalize.NewtonSchulz(ones(2, 2), steps: 0)).Message);
        Assert.Contains("Float16", Assert.Throws<ArgumentException>(() => Orthogonalize.NewtonSchulz(ones(2, 2), computeType: ScalarType.Float16)).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => Orthogonalize.NewtonSchulz(ones(2, 2), Array.Empty<Orthogonalize.Coefficients>())).Message);
        Assert.Contains("Int64", Assert.Throws<ArgumentException>(() => Orthogonalize.Polar(ones(new long[] { 2, 2 }, dtype: ScalarType.Int64))).Message);
    }
}
