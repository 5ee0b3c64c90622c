using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests;

/// <summary>
/// <c>Spectral.HessianTopEigenvalue</c> and <c>Spectral.HessianTraceHutchinson</c> on losses whose
/// Hessian is known in closed form.
/// </summary>
public sealed class HessianTests
{
    /// <summary>Q = R diag(λ) Rᵀ with a random orthogonal R: eigenvalues λ, not diagonal.</summary>
    private static Tensor SymmetricWithEigenvalues(int seed, params double[] eigenvalues)
    {
        using var rotation = TestMatrices.OrthonormalColumns(eigenvalues.Length, eigenvalues.Length, seed);
        return rotation.matmul(TestMatrices.Diagonal(eigenvalues)).matmul(rotation.T);
    }

    private static Parameter Vector(int seed, long length, ScalarType dtype = ScalarType.Float64) =>
        new(randn(new[] { length }, dtype: dtype, generator: new Generator((ulong)seed)));

    /// <summary>L(x) = ½ xᵀQx, whose Hessian is Q (symmetric) at every x.</summary>
    private static Func<Tensor> Quadratic(Parameter x, Tensor q) => () => 0.5 * x.dot(q.to(x.dtype).mv(x));

    [Fact]
    public void Top_eigenvalue_of_a_quadratic_is_the_largest_eigenvalue_of_Q()
    {
        // Given L = ½ xᵀQx with eig(Q) = (5, 2, −1, 0.5) in a rotated basis,
        using var q = SymmetricWithEigenvalues(41, 5, 2, -1, 0.5);
        using var x = Vector(42, 4);

        // when we run power iteration to a tight tolerance,
        double top = Spectral.HessianTopEigenvalue(Quadratic(x, q), [x], iterations: 500, tolerance: 1e-14);

        // then it finds 5.
        Assert.Equal(5, top, 1e-9);
    }

    [Fact]
    public void Top_eigenvalue_is_signed_when_the_most_negative_curvature_dominates()
    {
        using var q = SymmetricWithEigenvalues(43, -7, 2, 1);
        using var x = Vector(44, 3);

        double top = Spectral.HessianTopEigenvalue(Quadratic(x, q), [x], iterations: 500, tolerance: 1e-14);

        Assert.Equal(-7, top, 1e-9);
    }

    [Fact]
    public void Default_settings_reach_the_top_eigenvalue_to_about_the_tolerance()
    {
        using var q = SymmetricWithEigenvalues(45, 3, 1, 0.2);
        using var x = Vector(46, 3);

        double top = Spectral.HessianTopEigenvalue(Quadratic(x, q), [x]);

        Assert.Equal(3, top, 1e-5);
    }

    [Fact]
    public void Hutchinson_is_exact_for_every_sample_on_a_diagonal_Hessian()
    {
        // Given Q = diag(5, 2, −1, 3): vᵀQv = Σ Qᵢᵢ vᵢ² = tr Q = 9 for every v with entries ±1,
        using var q = TestMatrices.Diagonal(5, 2, -1, 3);
        using var x = Vector(47, 4);

        // then one sample from any seed is already exact.
        for (long seed = 0; seed < 5; seed++)
            Assert.Equal(9, Spectral.HessianTraceHutchinson(Quadratic(x, q), [x], samples: 1, seed: seed), 1e-12);
    }

    [Fact]
    public void Hutchinson_on_a_rotated_Hessian_estimates_the_trace_and_is_reproducible()
    {
        // Given eig(Q) = (4, 2, 1): tr Q = 7, one sample has variance 2Σ_(i≠j) Q²ᵢⱼ ≤ 2‖Q‖²_F = 42,
        using var q = SymmetricWithEigenvalues(48, 4, 2, 1);
        using var x = Vector(49, 3);

        double estimate = Spectral.HessianTraceHutchinson(Quadratic(x, q), [x], samples: 1000, seed: 7);
        double again = Spectral.HessianTraceHutchinson(Quadratic(x, q), [x], samples: 1000, seed: 7);

        // then 1000 samples land within 4 standard errors (4·√(42/1000) ≈ 0.82), and the seed fixes the result.
        Assert.Equal(7, estimate, 0.82);
        Assert.Equal(estimate, again);
    }

    [Fact]
    public void Hutchinson_samples_are_the_individual_quadratic_forms_whose_mean_is_the_estimate()
    {
        // Given eig(Q) = (4, 2, 1) rotated: each sample is vᵀQv for one Rademacher v, so they differ from each other,
        using var q = SymmetricWithEigenvalues(48, 4, 2, 1);
        using var x = Vector(49, 3);

        double[] samples = Spectral.HessianTraceHutchinsonSamples(Quadratic(x, q), [x], samples: 200, seed: 7);

        // and their mean is the estimate of the same seed, within 4 standard errors of tr Q = 7 by their own spread.
        Assert.Equal(200, samples.Length);
        Assert.True(samples.Distinct().Count() > 1);
        Assert.Equal(Spectral.HessianTraceHutchinson(Quadratic(x, q), [x], samples: 200, seed: 7), samples.Sum() / 200, 12);
        double mean = samples.Average(), spread = Math.Sqrt(samples.Sum(v => (v - mean) * (v - mean)) / 199);
        Assert.InRange(7, mean - 4 * spread / Math.Sqrt(200), mean + 4 * spread / Math.Sqrt(200));
        Assert.Throws<ArgumentOutOfRangeException>(() => Spectral.HessianTraceHutchinsonSamples(Quadratic(x, q), [x], samples: 0));
    }

    [Fact]
    public void Matrix_and_vector_parameters_with_separable_curvature_give_the_exact_trace_and_top()
    {
        // Given L = ½ Σ αᵢⱼ Wᵢⱼ² + ½ Σ βₖ bₖ²: a diagonal Hessian spread over two parameters,
        using var alpha = tensor(new[,] { { 1.0, 2.0, 3.0 }, { 4.0, 5.0, 6.0 } });
        using var beta = tensor(new[] { 8.0, 0.5 });
        using var w = new Parameter(zeros(2, 3, dtype: ScalarType.Float64));
        using var b = new Parameter(ones(2, dtype: ScalarType.Float64));
        Tensor Loss() => 0.5 * (alpha * w.square()).sum() + 0.5 * (beta * b.square()).sum();

        // then the trace is Σα + Σβ = 29.5 for a single sample, and the top eigenvalue is max = 8.
        Assert.Equal(29.5, Spectral.HessianTraceHutchinson(Loss, [w, b], samples: 1), 1e-12);
        Assert.Equal(8, Spectral.HessianTopEigenvalue(Loss, [w, b], iterations: 1000, tolerance: 1e-14), 1e-9);
    }

    [Fact]
    public void Coupled_matrix_and_vector_parameters_give_the_closed_form_top_eigenvalue_and_trace()
    {
        // Given L = ½‖Wu − b‖² with W [2, 3], b [2], u = (1, 2, 2): H = JᵀJ for J = [uᵀ ⊗ I₂, −I₂],
        // whose nonzero eigenvalues are those of JJᵀ = (‖u‖² + 1) I₂ = 10 I₂ — so top = 10, tr H = 20.
        using var u = tensor(new[] { 1.0, 2.0, 2.0 });
        using var w = new Parameter(randn(new long[] { 2, 3 }, dtype: ScalarType.Float64, generator: new Generator(50)));
        using var b = new Parameter(randn(new long[] { 2 }, dtype: ScalarType.Float64, generator: new Generator(51)));
        Tensor Loss() => 0.5 * (w.mv(u) - b).square().sum();

        double top = Spectral.HessianTopEigenvalue(Loss, [w, b]);
        // One sample has variance 2Σ_(i≠j) H²ᵢⱼ = 2(‖H‖²_F − Σ H²ᵢᵢ) = 2(200 − 68) = 264: 4 standard errors at 2000 samples ≈ 1.45.
        double trace = Spectral.HessianTraceHutchinson(Loss, [w, b], samples: 2000);

        Assert.Equal(10, top, 1e-9);
        Assert.Equal(20, trace, 1.45);
    }

    [Fact]
    public void Curvature_reached_through_an_intermediate_tensor_is_found()
    {
        // Given L = ½‖Ax‖² (the gradient Aᵀ(Ax) depends on the intermediate Ax): H = AᵀA.
        using var a = TestMatrices.Diagonal(3, 1).matmul(TestMatrices.Rotation(0.4));
        using var x = Vector(52, 2);
        Tensor Loss() => 0.5 * a.mv(x).square().sum();

        Assert.Equal(9, Spectral.HessianTopEigenvalue(Loss, [x], iterations: 500, tolerance: 1e-14), 1e-9);
        Assert.Equal(10, Spectral.HessianTraceHutchinson(Loss, [x], samples: 4000), 0.3);
    }

    [Fact]
    public void A_linear_loss_has_zero_curvature()
    {
        using var c = tensor(new[] { 1.0, -2.0, 3.0 });
        using var x = Vector(53, 3);
        Tensor Loss() => c.dot(x);

        Assert.Equal(0.0, Spectral.HessianTopEigenvalue(Loss, [x]));
        Assert.Equal(0.0, Spectral.HessianTraceHutchinson(Loss, [x]));
    }

    [Fact]
    public void A_parameter_the_loss_does_not_use_contributes_a_zero_block()
    {
        using var q = TestMatrices.Diagonal(5, 2, -1);
        using var x = Vector(54, 3);
        using var unused = Vector(55, 4);

        Assert.Equal(5, Spectral.HessianTopEigenvalue(Quadratic(x, q), [x, unused], iterations: 500, tolerance: 1e-14), 1e-9);
        Assert.Equal(6, Spectral.HessianTraceHutchinson(Quadratic(x, q), [unused, x], samples: 3), 1e-12);
    }

    [Fact]
    public void Float32_parameters_are_supported()
    {
        using var q = TestMatrices.Diagonal(4, 1, 0.5);
        using var x = Vector(56, 3, ScalarType.Float32);

        Assert.Equal(4, Spectral.HessianTopEigenvalue(Quadratic(x, q), [x]), 1e-4);
        Assert.Equal(5.5, Spectral.HessianTraceHutchinson(Quadratic(x, q), [x], samples: 2), 1e-5);
    }

    [Fact]
    public void Parameters_and_their_grad_are_left_untouched()
    {
        using var q = SymmetricWithEigenvalues(57, 2, 1);
        using var x = Vector(58, 2);
        using var before = x.detach().clone();

        _ = Spectral.HessianTopEigenvalue(Quadratic(x, q), [x], iterations: 10);
        _ = Spectral.HessianTraceHutchinson(Quadratic(x, q), [x], samples: 10);

        Assert.True(x.detach().allclose(before, rtol: 0, atol: 0));
        Assert.True(x.requires_grad);
        Assert.Null(x.grad);
    }

    [Fact]
    public void Works_when_called_inside_no_grad()
    {
        // A caller evaluating a model under no_grad still gets curvature: the functions enable grad themselves.
        using var q = TestMatrices.Diagonal(3, 1);
        using var x = Vector(59, 2);

        using (no_grad())
        {
            Assert.Equal(4, Spectral.HessianTraceHutchinson(Quadratic(x, q), [x], samples: 1), 1e-12);
            Assert.False(is_grad_enabled());
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_top_eigenvalue()
    {
        using var q = SymmetricWithEigenvalues(60, 3, 2.9, 1);
        using var x = Vector(61, 3);

        double first = Spectral.HessianTopEigenvalue(Quadratic(x, q), [x], iterations: 5, seed: 3);
        double second = Spectral.HessianTopEigenvalue(Quadratic(x, q), [x], iterations: 5, seed: 3);

        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Fewer_than_one_iteration_or_sample_is_rejected(int count)
    {
        using var x = Vector(62, 2);
        Tensor Loss() => x.square().sum();

        var iterations = Assert.Throws<ArgumentOutOfRangeException>(() => Spectral.HessianTopEigenvalue(Loss, [x], iterations: count));
        var samples = Assert.Throws<ArgumentOutOfRangeException>(() => Spectral.HessianTraceHutchinson(Loss, [x], samples: count));

        Assert.Equal("iterations", iterations.ParamName);
        Assert.Contains("at least 1", iterations.Message);
        Assert.Equal("samples", samples.ParamName);
        Assert.Contains("at least 1", samples.Message);
    }

    [Theory]
    [InlineData(-1e-6)]
    [InlineData(double.NaN)]
    public void Negative_or_NaN_tolerance_is_rejected(double tolerance)
    {
        using var x = Vector(63, 2);

        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => Spectral.HessianTopEigenvalue(() => x.square().sum(), [x], tolerance: tolerance));

        Assert.Equal("tolerance", error.ParamName);
    }

    [Fact]
    public void Empty_parameter_list_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Spectral.HessianTopEigenvalue(() => zeros(1), []));

        Assert.Equal("parameters", error.ParamName);
        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public void A_parameter_without_requires_grad_is_rejected_naming_its_index()
    {
        using var x = Vector(64, 2);
        using var frozen = new Parameter(ones(3), requires_grad: false);

        var error = Assert.Throws<ArgumentException>(() => Spectral.HessianTraceHutchinson(() => x.square().sum(), [x, frozen]));

        Assert.Equal("parameters", error.ParamName);
        Assert.Contains("parameters[1]", error.Message);
        Assert.Contains("requires_grad", error.Message);
    }

    [Fact]
    public void A_loss_that_is_not_a_scalar_is_rejected_with_its_shape()
    {
        using var x = Vector(65, 3);

        var error = Assert.Throws<ArgumentException>(() => Spectral.HessianTopEigenvalue(() => x.square(), [x]));

        Assert.Equal("loss", error.ParamName);
        Assert.Contains("[3]", error.Message);
    }

    [Fact]
    public void A_loss_detached_from_the_graph_is_rejected()
    {
        using var x = Vector(66, 3);

        var error = Assert.Throws<ArgumentException>(() => Spectral.HessianTraceHutchinson(() => x.detach().square().sum(), [x]));

        Assert.Equal("loss", error.ParamName);
        Assert.Contains("does not require grad", error.Message);
    }
}
