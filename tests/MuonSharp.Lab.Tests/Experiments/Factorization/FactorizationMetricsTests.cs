using MuonSharp.Lab.Experiments.Factorization;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.Factorization;

public sealed class FactorizationMetricsTests
{
    // An aligned pair P = R diag(p) Uᵀ, Q = R diag(q) Vᵀ with U = V = I and R with orthonormal columns.
    private static (Tensor P, Tensor Q, Tensor R) Aligned(double[] p, double[] q, int hidden, ulong seed = 1)
    {
        using var generator = new Generator(seed);
        var (r, _) = linalg.qr(randn(new long[] { hidden, p.Length }, ScalarType.Float64, generator: generator));
        return (r.matmul(diag(tensor(p, ScalarType.Float64))), r.matmul(diag(tensor(q, ScalarType.Float64))), r);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance = 1e-12) =>
        Assert.True(expected.allclose(actual, rtol: 0, atol: tolerance), $"max |difference| = {(expected - actual).abs().max().item<double>():G3}");

    [Fact]
    public void Aligned_factors_have_sqrt_gram_difference_R_diag_p_minus_q_Rt()
    {
        using var scope = NewDisposeScope();
        var (p, q, r) = Aligned(new[] { 3.0, 2.0, 0.5 }, new[] { 1.0, 2.5, 0.25 }, hidden: 5);

        var invariant = FactorizationMetrics.SqrtGramDifference(p, q);

        AssertClose(r.matmul(diag(tensor(new[] { 2.0, -0.5, 0.25 }, ScalarType.Float64))).matmul(r.T), invariant);
    }

    [Fact]
    public void Aligned_factors_have_gd_invariant_R_diag_p2_minus_q2_Rt()
    {
        using var scope = NewDisposeScope();
        var (p, q, r) = Aligned(new[] { 3.0, 2.0, 0.5 }, new[] { 1.0, 2.5, 0.25 }, hidden: 5);

        var invariant = FactorizationMetrics.GramDifference(p, q);

        AssertClose(r.matmul(diag(tensor(new[] { 8.0, -2.25, 0.1875 }, ScalarType.Float64))).matmul(r.T), invariant);
    }

    [Fact]
    public void Gram_square_root_squares_to_the_gram_matrix()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var x = randn(new long[] { 6, 4 }, ScalarType.Float64, generator: generator);

        var root = FactorizationMetrics.GramSquareRoot(x);

        AssertClose(x.matmul(x.T), root.matmul(root), 1e-10);
        AssertClose(root, root.T);
    }

    [Fact]
    public void Relative_drift_of_a_10_percent_rescale_is_0_1_and_of_a_zero_reference_is_NaN()
    {
        using var scope = NewDisposeScope();
        var reference = eye(4, dtype: ScalarType.Float64);

        Assert.Equal(0.1, FactorizationMetrics.RelativeDrift(reference * 1.1, reference), 12);
        Assert.True(double.IsNaN(FactorizationMetrics.RelativeDrift(reference, zeros_like(reference))));
    }

    [Fact]
    public void Misalignment_is_zero_for_aligned_factors()
    {
        using var scope = NewDisposeScope();
        var (p, q, _) = Aligned(new[] { 3.0, 2.0, 0.5 }, new[] { 1.0, 2.5, 0.25 }, hidden: 5);
        var identity = eye(3, dtype: ScalarType.Float64);

        Assert.True(FactorizationMetrics.Misalignment(p, q, identity, identity) < 1e-12);
    }

    [Fact]
    public void Misalignment_is_one_when_Q_uses_P_s_hidden_directions_for_other_modes()
    {
        using var scope = NewDisposeScope();
        // P = I, Q = cyclic shift: PᵀQ has an empty diagonal.
        var p = eye(3, dtype: ScalarType.Float64);
        var q = tensor(new double[] { 0, 1, 0, 0, 0, 1, 1, 0, 0 }, new long[] { 3, 3 }, ScalarType.Float64);
        var identity = eye(3, dtype: ScalarType.Float64);

        Assert.Equal(1.0, FactorizationMetrics.Misalignment(p, q, identity, identity), 12);
    }

    [Fact]
    public void Mode_sigmas_and_norms_of_aligned_factors_are_the_products_and_the_factor_singular_values()
    {
        using var scope = NewDisposeScope();
        var (p, q, _) = Aligned(new[] { 3.0, 2.0, 0.5 }, new[] { 1.0, 2.5, 0.25 }, hidden: 4);
        var identity = eye(3, dtype: ScalarType.Float64);

        var sigmas = FactorizationMetrics.ModeSigmas(p, q, identity, identity);
        var norms = FactorizationMetrics.ModeNorms(p, identity);

        Assert.Equal(new[] { 3.0, 5.0, 0.125 }, sigmas.Select(s => Math.Round(s, 12)));
        Assert.Equal(new[] { 3.0, 2.0, 0.5 }, norms.Select(n => Math.Round(n, 12)));
    }

    [Fact]
    public void Steps_to_threshold_on_a_halving_curve_is_the_first_step_at_or_below()
    {
        var curve = Enumerable.Range(0, 30).Select(t => 10 * Math.Pow(0.5, t)).ToArray(); // 10·2^−13 ≈ 1.2e-3, 10·2^−14 ≈ 6.1e-4

        Assert.Equal(14, FactorizationMetrics.FirstAtOrBelow(curve, 1e-3));
        Assert.Equal(0, FactorizationMetrics.FirstAtOrBelow(curve, 10));
        Assert.Equal(-1, FactorizationMetrics.FirstAtOrBelow(curve, 1e-12));
    }

    [Fact]
    public void Growth_per_step_is_the_slope_inside_the_window()
    {
        // p = q = 0.1 + 0.02 t, σ = p²: the window σ ∈ [0.2, 0.8]·s with s = 4 covers p ∈ [0.894, 1.789].
        var norm = Enumerable.Range(0, 200).Select(t => 0.1 + 0.02 * t).ToArray();
        var sigma = norm.Select(p => p * p).ToArray();

        Assert.Equal(0.02, FactorizationMetrics.GrowthPerStep(norm, sigma, target: 4), 12);
        Assert.True(double.IsNaN(FactorizationMetrics.GrowthPerStep(norm, sigma, target: 1e6)));
    }
}
