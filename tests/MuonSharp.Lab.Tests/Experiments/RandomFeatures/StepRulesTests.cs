using MuonSharp.Lab.Experiments.RandomFeatures;
using MuonSharp.Lab.Runs;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.RandomFeatures;

public sealed class StepRulesTests
{
    private static readonly RunContext Context = new(Path.Combine(Path.GetTempPath(), "muonsharp-features-plots"), SilentProgress.Instance, CancellationToken.None);
    private static readonly RandomFeaturesConfig Config = new();

    private static Tensor Matrix(double[,] values) => tensor(values, ScalarType.Float64);

    [Fact]
    public void Given_features_with_known_norms_the_step_sizes_are_n_over_their_squared_norms()
    {
        // A = [[3, 0, 0], [0, 1, 0]]: ‖A‖²_op = 9, ‖A‖²_F = 10, n = 3.
        using var problem = RandomFeatureProblem.FromTensors(Matrix(new double[,] { { 3, 0, 0 }, { 0, 1, 0 } }), zeros(1, 3, ScalarType.Float64));

        Assert.Equal(9, problem.FeatureOperatorSquared, 12);
        Assert.Equal(10, problem.FeatureFrobeniusSquared, 12);
        Assert.Equal(10.0 / 9.0, problem.FeatureStableRank, 12);
        Assert.Equal(3.0 / 9.0, StepRules.GradientStepSize(problem.Samples, problem.FeatureOperatorSquared), 12);
        Assert.Equal(3.0 / 10.0, StepRules.SpectralStepScale(problem.Samples, problem.FeatureFrobeniusSquared), 12);
    }

    [Fact]
    public void The_spectral_step_is_minus_scale_times_nuclear_norm_times_the_polar_factor()
    {
        // Y = diag(4, 1)·A with A = I₂ (n = 2): from W = 0, G = −(1/n)·Y·Aᵀ = −diag(2, 0.5), ‖G‖_* = 2.5,
        // polar(G) = −I, and the scale n/‖A‖²_F = 1, so one Spectral GD step gives W = 2.5·I.
        using var problem = RandomFeatureProblem.FromTensors(eye(2, dtype: ScalarType.Float64), Matrix(new double[,] { { 4, 0 }, { 0, 1 } }));

        var run = FeatureTraining.Run(Context, Config, problem, RandomFeaturesExperiment.SpectralGd, seed: 0, steps: 1, stopAtTarget: false, diagnostics: true, metricPrefix: null);

        // L(2.5·I) = (1/4)·‖diag(1.5, −1.5)‖²_F = 1.125; L(0) = (1/4)·17 = 4.25.
        Assert.Equal(1.125 / 4.25, run.RelativeLoss[1], 12);
    }

    [Fact]
    public void Loss_and_gradient_follow_the_definitions()
    {
        // A = I₂ padded to n = 2 samples, Y = [[1, 2]], W = [[1, 1]]: residual WA − Y = [[0, −1]].
        using var problem = RandomFeatureProblem.FromTensors(eye(2, dtype: ScalarType.Float64), Matrix(new double[,] { { 1, 2 } }));
        using var w = Matrix(new double[,] { { 1, 1 } });

        var (loss, gradient) = problem.Evaluate(w);
        using (gradient)
        {
            Assert.Equal(1.0 / 4.0, loss, 12);                 // (1/2n)‖R‖² = 1/4
            Assert.Equal(loss, problem.Loss(w), 12);
            Assert.Equal(new[] { 0.0, -0.5 }, gradient.data<double>().ToArray()); // (1/n) R Aᵀ
            Assert.Equal(5.0 / 4.0, problem.InitialLoss, 12);  // ‖Y‖²/2n
        }
    }

    [Fact]
    public void With_isotropic_features_and_an_orthogonal_target_both_rules_solve_the_problem_in_one_step()
    {
        // A A^T / n = I/2 and W♯ a rotation: GD's step n/‖A‖²_op = 2 gives W₁ = W♯; G₀ = −W♯/2 has equal
        // singular values, so ‖G‖_*·polar(G)·n/‖A‖²_F = W♯ too.
        using var a = Matrix(new double[,] { { 1, 1, 0, 0 }, { 0, 0, 1, 1 } });
        using var wStar = Matrix(new double[,] { { 0, -1 }, { 1, 0 } });
        using var problem = RandomFeatureProblem.FromTensors(a.clone(), wStar.matmul(a));

        foreach (var optimizer in new[] { RandomFeaturesExperiment.Gd, RandomFeaturesExperiment.SpectralGd })
        {
            var run = FeatureTraining.Run(Context, Config with { TargetFraction = 1e-20 }, problem, optimizer, seed: 0, steps: 3, stopAtTarget: false, diagnostics: true, metricPrefix: null);

            Assert.Equal(4, run.RelativeLoss.Count);
            Assert.Equal(1, run.RelativeLoss[0]);
            Assert.True(run.RelativeLoss[1] < 1e-25, $"{optimizer}: {run.RelativeLoss[1]}");
            Assert.Equal(1, run.StepsToTarget);
            Assert.Equal(2, run.NuclearRank[0], 10); // nr of a matrix with two equal singular values
        }
    }

    [Fact]
    public void Steps_to_target_is_the_first_iterate_at_or_below_it()
    {
        double[] curve = { 1, 0.5, 0.2, 0.05, 0.01, 0.001 };

        Assert.Equal(3, StepRules.StepsToTarget(curve, 0.05));
        Assert.Equal(4, StepRules.StepsToTarget(curve, 0.02));
        Assert.Equal(0, StepRules.StepsToTarget(curve, 1));
        Assert.Equal(-1, StepRules.StepsToTarget(curve, 1e-4));
    }

    [Fact]
    public void The_swiglu_map_multiplies_the_linear_branch_by_the_silu_gate()
    {
        using var w1 = randn(5, 3, ScalarType.Float64, generator: new Generator(1));
        using var w2 = randn(5, 3, ScalarType.Float64, generator: new Generator(2));
        using var x = randn(3, 7, ScalarType.Float64, generator: new Generator(3));

        using var features = FeatureMaps.Swiglu(w1, w2, x);

        Assert.Equal(new long[] { 5, 7 }, features.shape);
        using var one = FeatureMaps.Swiglu(Matrix(new double[,] { { 1 } }), Matrix(new double[,] { { 1 } }), Matrix(new double[,] { { 2 } }));
        Assert.Equal(2 * 2 / (1 + Math.Exp(-2)), one.item<double>(), 12); // 2 · SiLU(2) = 2 · 2σ(2)
    }

    [Fact]
    public void A_problem_scaled_by_a_factor_scales_every_dimension_and_rounds()
    {
        var size = new ProblemSize(100, 100, 50, 400);

        Assert.Equal(new ProblemSize(25, 25, 13, 100), size.Scaled(0.25));
        Assert.Equal(new ProblemSize(200, 200, 100, 800), size.Scaled(2));
    }

    [Fact]
    public void The_same_seed_draws_the_same_problem()
    {
        var size = new ProblemSize(4, 6, 3, 10);
        using var a = RandomFeatureProblem.Create(size, FeatureMap.Relu, 7);
        using var b = RandomFeatureProblem.Create(size, FeatureMap.Relu, 7);
        using var c = RandomFeatureProblem.Create(size, FeatureMap.Relu, 8);

        Assert.True(a.Features.equal(b.Features).all().item<bool>() && a.Targets.equal(b.Targets).all().item<bool>());
        Assert.False(a.Features.equal(c.Features).all().item<bool>());
        Assert.Equal(new long[] { 6, 10 }, a.Features.shape);
        Assert.Equal(new long[] { 4, 10 }, a.Targets.shape);
        Assert.True(a.Features.min().item<double>() >= 0); // ReLU
    }
}
