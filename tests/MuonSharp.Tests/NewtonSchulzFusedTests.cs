using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Tests;

/// <summary>
/// The fused Newton–Schulz path (three GEMMs per step; the scalings folded into addmm's β/α and P's
/// diagonal for one matrix, into the operands of batched matmuls for a batch — see
/// <c>Orthogonalize.IterateFused</c> and <c>IterateBatched</c>) against the iteration written out as
/// a plain composition of matmuls and elementwise operations.
/// </summary>
public sealed class NewtonSchulzFusedTests
{
    /// <summary>
    /// The plain composition aX + (bA + cA²)X, A = XXᵀ, iterated in <paramref name="dtype"/> on the
    /// wide orientation after a float64 Frobenius normalization; returned in float64.
    /// </summary>
    private static Tensor Plain(Tensor g, ScalarType dtype, Orthogonalize.Coefficients coefficients, int steps)
    {
        using var scope = NewDisposeScope();
        bool tall = g.shape[^2] > g.shape[^1];
        var wide = (tall ? g.mT : g).to(ScalarType.Float64);
        var x = (wide / (linalg.matrix_norm(wide, "fro", new long[] { -2, -1 }, keepdim: true) + Orthogonalize.DefaultEpsilon)).to(dtype);
        var (a, b, c) = coefficients;
        for (int i = 0; i < steps; i++)
        {
            var gram = x.matmul(x.mT);
            x = x * a + (gram * b + gram.matmul(gram) * c).matmul(x);
        }
        return (tall ? x.mT : x).to(ScalarType.Float64).MoveToOuterDisposeScope();
    }

    private static double RelativeDifference(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        var a = actual.to(ScalarType.Float64);
        var e = expected.to(ScalarType.Float64);
        return ((a - e).norm() / e.norm()).item<double>();
    }

    /// <summary>
    /// Relative Frobenius tolerance per dtype. Measured on shapes like these: fused vs plain up to
    /// 4.6e-2 in bfloat16 and 1.9e-6 in float32; both paths sit equally far from the float64 formula
    /// (bfloat16: 2–3.3e-2; float32 ≤ 1.5e-6 — float32 is 2⁻²⁴ ≈ 6e-8 per rounding, bfloat16 2⁻⁸ ≈ 4e-3,
    /// and five steps of a polynomial with slope up to a ≈ 3.4 amplify the roundings).
    /// </summary>
    private static double Tolerance(ScalarType dtype) => dtype == ScalarType.BFloat16 ? 8e-2 : 1e-5;

    public static TheoryData<long[], ScalarType, int, bool> Cases()
    {
        var data = new TheoryData<long[], ScalarType, int, bool>();
        foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float32 })
        {
            data.Add(new long[] { 96, 160 }, dtype, 5, true);       // wide
            data.Add(new long[] { 160, 96 }, dtype, 5, true);       // tall: Gram XᵀX, multiplied from the right
            data.Add(new long[] { 128, 128 }, dtype, 4, true);      // square, even step count (result in the first buffer)
            data.Add(new long[] { 3, 64, 96 }, dtype, 5, true);     // a batch: batched matmuls
            data.Add(new long[] { 2, 3, 96, 64 }, dtype, 4, true);  // tall, two leading dimensions
            data.Add(new long[] { 3, 64, 96 }, dtype, 5, false);    // batched cubic
            data.Add(new long[] { 96, 160 }, dtype, 5, false);      // the cubic: c = 0 skips A·A
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_fused_path_equals_the_plain_formula_within_the_dtype_tolerance(long[] shape, ScalarType dtype, int steps, bool quintic)
    {
        // Given a Gaussian matrix that takes the fused path, when Newton–Schulz runs in bfloat16 or
        // float32, then it agrees with the plain composition in the same dtype, and is as close to the
        // float64 formula, within the dtype's tolerance.
        var coefficients = quintic ? Orthogonalize.JordanQuintic : Orthogonalize.Cubic;
        using var g = randn(shape, dtype: ScalarType.Float64, generator: new Generator(1));
        Assert.True(Orthogonalize.UsesFusedGemms(g, dtype));

        using var fused = Orthogonalize.NewtonSchulz(g, steps, coefficients, dtype);
        using var plain = Plain(g, dtype, coefficients, steps);
        using var exact = Plain(g, ScalarType.Float64, coefficients, steps);

        Assert.Equal(g.shape, fused.shape);
        Assert.Equal(ScalarType.Float64, fused.dtype);
        Assert.InRange(RelativeDifference(fused, plain), 0, Tolerance(dtype));
        Assert.InRange(RelativeDifference(fused, exact), 0, Tolerance(dtype));
    }

    [Fact]
    public void The_float64_path_keeps_the_plain_formula_with_exact_double_coefficients()
    {
        using var g = randn(new long[] { 64, 96 }, dtype: ScalarType.Float64, generator: new Generator(2));

        Assert.False(Orthogonalize.UsesFusedGemms(g, ScalarType.Float64));
        using var result = Orthogonalize.NewtonSchulz(g, computeType: ScalarType.Float64);
        using var expected = Plain(g, ScalarType.Float64, Orthogonalize.JordanQuintic, Orthogonalize.DefaultSteps);

        Assert.True(TensorAssert.MaxAbsDifference(result, expected) < 1e-12);
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float32)]
    public void A_batch_of_one_matrix_on_the_fused_path_equals_the_matrix_alone(ScalarType dtype)
    {
        // [1, m, n] has as many entries as one matrix; it once took the 2-D path, whose addmm_ refuses 3-D tensors.
        using var one = randn(new long[] { 1, 64, 96 }, generator: new Generator(4));

        using var together = Orthogonalize.NewtonSchulz(one, computeType: dtype);
        using var alone = Orthogonalize.NewtonSchulz(one[0], computeType: dtype);

        Assert.Equal(new long[] { 1, 64, 96 }, together.shape);
        Assert.InRange(RelativeDifference(together[0], alone), 0, Tolerance(dtype));
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float32)]
    public void A_batch_on_the_fused_path_equals_its_matrices_one_at_a_time(ScalarType dtype)
    {
        // A batch folds the scalings into batched matmuls, a single matrix into addmm's β/α: two
        // roundings of the same formula, equal within the dtype's tolerance.
        using var batch = randn(new long[] { 3, 64, 96 }, generator: new Generator(3));

        using var together = Orthogonalize.NewtonSchulz(batch, computeType: dtype);

        for (int k = 0; k < 3; k++)
        {
            using var alone = Orthogonalize.NewtonSchulz(batch[k], computeType: dtype);
            Assert.InRange(RelativeDifference(together[k], alone), 0, Tolerance(dtype));
        }
    }

    [Fact]
    public void Float64_empty_and_recorded_inputs_take_the_plain_path()
    {
        using var batch = zeros(8, 4, 6);
        using var empty = zeros(0, 6);
        using var recorded = zeros(new long[] { 64, 96 }, requires_grad: true);

        Assert.True(Orthogonalize.UsesFusedGemms(batch, ScalarType.BFloat16));
        Assert.True(Orthogonalize.UsesFusedGemms(batch, ScalarType.Float32));
        Assert.False(Orthogonalize.UsesFusedGemms(batch, ScalarType.Float64));
        Assert.False(Orthogonalize.UsesFusedGemms(empty, ScalarType.BFloat16));
        Assert.False(Orthogonalize.UsesFusedGemms(recorded, ScalarType.BFloat16));
        using (no_grad()) Assert.True(Orthogonalize.UsesFusedGemms(recorded, ScalarType.BFloat16));
    }

    [Fact]
    public void Gradients_still_flow_through_Newton_Schulz_when_autograd_records()
    {
        // The fused path reuses buffers in place, which autograd cannot differentiate; a recorded
        // input takes the plain path, so Newton–Schulz stays differentiable as before.
        using var g = randn(new long[] { 64, 96 }, generator: new Generator(4)).requires_grad_(true);

        using var o = Orthogonalize.NewtonSchulz(g, computeType: ScalarType.Float32);
        o.square().sum().backward();

        Assert.NotNull(g.grad);
        Assert.True(g.grad!.isfinite().all().item<bool>());
        Assert.True(g.grad!.abs().max().item<float>() > 0);
    }
}
