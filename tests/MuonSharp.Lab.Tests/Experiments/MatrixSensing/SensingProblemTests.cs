using MuonSharp.Lab.Experiments.MatrixSensing;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.MatrixSensing;

public sealed class SensingProblemTests
{
    private static readonly MatrixSensingConfig Small = new() { Rows = 8, Cols = 6, Rank = 3, Kappa = 4, Measurements = 30, AtsrBlocks = 2 };

    [Fact]
    public void The_low_rank_target_has_rank_r_with_singular_values_spaced_from_kappa_to_one_and_exact_measurements()
    {
        using var problem = SensingProblem.LowRank(Small, seed: 2);

        var sigma = Spectral.SingularValues(problem.Target);
        Assert.Equal(new[] { 4.0, 2.5, 1.0 }, sigma.Take(3).Select(s => Math.Round(s, 10)));
        Assert.All(sigma.Skip(3), s => Assert.True(s < 1e-12));
        Assert.Equal(new long[] { 30, 48 }, problem.MeasurementMatrix.shape);
        Assert.Equal(0, problem.RelativeResidual(problem.Target), 12);
        Assert.True(problem.Loss(problem.Target).item<double>() < 1e-25);
    }

    [Fact]
    public void The_same_seed_gives_the_same_instance_and_another_seed_a_different_one()
    {
        using var a = SensingProblem.LowRank(Small, seed: 5);
        using var b = SensingProblem.LowRank(Small, seed: 5);
        using var c = SensingProblem.LowRank(Small, seed: 6);

        Assert.True(a.MeasurementMatrix.equal(b.MeasurementMatrix).all().item<bool>());
        Assert.True(a.Init.equal(b.Init).all().item<bool>() && a.Target.equal(b.Target).all().item<bool>());
        Assert.False(a.Init.equal(c.Init).all().item<bool>());
    }

    [Fact]
    public void The_gradient_of_the_loss_is_one_over_p_times_the_adjoint_of_the_residual()
    {
        using var problem = SensingProblem.LowRank(Small, seed: 3);
        using var w = problem.Init.clone().requires_grad_();

        problem.Loss(w).backward();

        using var expected = problem.Adjoint(problem.Measure(w.detach()) - problem.Measurements) / problem.Count;
        Assert.True(w.grad!.allclose(expected, rtol: 1e-12, atol: 1e-14));
    }

    [Fact]
    public void With_many_measurements_the_gradient_is_close_to_W_minus_W_star_not_p_times_smaller()
    {
        // E[(1/p) 𝒜*𝒜] = I with standard Gaussian A_i, so ∇L → W − W* as p grows (relative error ≈ √(m·n/p) ≈ 0.04 here).
        using var problem = SensingProblem.LowRank(new MatrixSensingConfig { Rows = 6, Cols = 6, Rank = 2, Kappa = 3, Measurements = 20000 }, seed: 4);
        using var w = problem.Init.clone().requires_grad_();

        problem.Loss(w).backward();

        using var difference = w.detach() - problem.Target;
        double relativeError = ((w.grad! - difference).norm() / difference.norm()).item<double>();
        Assert.True(relativeError < 0.1, $"relative error {relativeError}");
    }

    [Fact]
    public void The_ATSR_target_is_block_diagonal_with_one_rank_one_block_per_singular_value()
    {
        using var problem = SensingProblem.BlockDiagonal(Small with { Rows = 8, Cols = 8, AtsrBlocks = 4 }, seed: 1);

        var blocks = Enumerable.Range(0, 4).Select(k => problem.Target[TensorIndex.Slice(2 * k, 2 * k + 2), TensorIndex.Slice(2 * k, 2 * k + 2)]).ToList();
        double expectedSigma(int k) => 4 - 3.0 * k / 3;
        for (int k = 0; k < 4; k++)
        {
            var s = Spectral.SingularValues(blocks[k]);
            Assert.Equal(expectedSigma(k), s[0], 10);
            Assert.True(s[1] < 1e-12);
        }
        double blockMass = blocks.Sum(b => b.square().sum().item<double>());
        Assert.Equal(problem.Target.square().sum().item<double>(), blockMass, 10); // nothing off the diagonal blocks
    }
}
