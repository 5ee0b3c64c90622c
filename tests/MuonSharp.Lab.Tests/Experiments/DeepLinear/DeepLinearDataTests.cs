using MuonSharp.Lab.Experiments.DeepLinear;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.DeepLinear;

/// <summary>The generated regression problem: whitened inputs, planted modes, least reachable loss.</summary>
public sealed class DeepLinearDataTests
{
    private static readonly DeepLinearConfig Small = new()
    {
        InputDim = 8, OutputDim = 8, HiddenWidth = 8, Samples = 200, TargetSingularValues = new double[] { 4, 2, 1 }, GdLr = 0.1,
    };

    [Fact]
    public void Whitened_inputs_have_identity_covariance()
    {
        using var problem = DeepLinearProblem.Generate(Small, seed: 3);

        using var covariance = problem.Inputs.mT.matmul(problem.Inputs) / Small.Samples;
        using var identity = eye(Small.InputDim, dtype: ScalarType.Float64);
        Assert.True((covariance - identity).abs().max().ToDouble() < 1e-10);
    }

    [Fact]
    public void Mode_targets_are_the_planted_singular_values_up_to_the_noise()
    {
        // Given noise 0.1 and n = 200, Σyx = W* + EᵀX/n with ‖EᵀX/n‖ ≈ 0.1·(√c + √d)/√n ≈ 0.04,
        using var problem = DeepLinearProblem.Generate(Small, seed: 4);

        for (int i = 0; i < Small.Modes; i++)
            Assert.InRange(problem.ModeTargets[i], Small.TargetSingularValues[i] - 0.1, Small.TargetSingularValues[i] + 0.1);
        // and without noise they are exact.
        using var clean = DeepLinearProblem.Generate(Small with { NoiseStd = 0 }, seed: 4);
        for (int i = 0; i < Small.Modes; i++) Assert.Equal(Small.TargetSingularValues[i], clean.ModeTargets[i], 10);
    }

    [Fact]
    public void The_least_squares_product_reaches_the_least_reachable_loss_and_projects_onto_the_targets()
    {
        // Given whitened inputs, the least-squares W = Σyx; factor it as W₂ = W, W₁ = I (h = d),
        using var problem = DeepLinearProblem.Generate(Small, seed: 5);
        using var sigmaYX = problem.Targets.mT.matmul(problem.Inputs) / Small.Samples;
        using var w1 = eye(Small.InputDim, dtype: ScalarType.Float64);

        // then its loss is the least reachable one and its projections are s₁..s_k.
        Assert.Equal(problem.MinimumLoss, problem.Loss(w1, sigmaYX).ToDouble(), 12);
        var sigma = DeepLinearMetrics.ProjectedSingularValues(sigmaYX, problem.LeftModes, problem.RightModes);
        for (int i = 0; i < Small.Modes; i++) Assert.Equal(problem.ModeTargets[i], sigma[i], 10);
    }

    [Fact]
    public void A_narrow_network_cannot_reach_the_full_least_squares_loss()
    {
        using var full = DeepLinearProblem.Generate(Small, seed: 6);
        using var narrow = DeepLinearProblem.Generate(Small with { HiddenWidth = 3 }, seed: 6);
        Assert.True(narrow.MinimumLoss > full.MinimumLoss);
    }
}
