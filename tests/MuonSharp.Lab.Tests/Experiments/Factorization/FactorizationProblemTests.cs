using MuonSharp.Lab.Experiments.Factorization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.Factorization;

public sealed class FactorizationProblemTests
{
    [Fact]
    public void Harmonic_spectrum_with_kappa_d_is_003_s_max_over_k()
    {
        var s = FactorizationProblem.HarmonicSpectrum(dim: 32, scale: 10, kappa: 32);

        for (int k = 1; k <= 32; k++) Assert.Equal(10.0 / k, s[k - 1], 12);
        Assert.All(FactorizationProblem.HarmonicSpectrum(4, 3, kappa: 1), v => Assert.Equal(3.0, v));
    }

    [Fact]
    public void Closed_form_gradients_match_autograd()
    {
        using var scope = NewDisposeScope();
        using var problem = new FactorizationProblem(new[] { 3.0, 2.0, 1.0 }, hidden: 4);
        using var generator = new Generator(5);
        var (p0, q0) = problem.SmallRandomInit(0.5, generator);
        var p = new Parameter(p0, requires_grad: true);
        var q = new Parameter(q0, requires_grad: true);

        problem.LossTensor(p, q).backward();
        var (gradP, gradQ) = problem.Gradients(p.detach(), q.detach());

        Assert.True(gradP.allclose(p.grad!, rtol: 1e-12, atol: 1e-12));
        Assert.True(gradQ.allclose(q.grad!, rtol: 1e-12, atol: 1e-12));
    }

    [Fact]
    public void A_polar_step_on_aligned_factors_below_target_grows_every_mode_by_exactly_lr()
    {
        // Given aligned factors with every p_k q_k < s_k,
        using var scope = NewDisposeScope();
        using var problem = new FactorizationProblem(new[] { 10.0, 5.0, 1.0 }, hidden: 5);
        using var generator = new Generator(2);
        var (p, q) = problem.AlignedInit(0.1, 0.3, generator);

        // when the polar step (003's Muon) takes one step of size 0.01,
        var (nextP, nextQ) = Trainer.Step(problem, p, q, 0.01, UpdateRule.SpectralGd);

        // then each factor's singular value in each mode grew by 0.01 (the mechanism of claim a).
        var before = FactorizationMetrics.ModeNorms(p, problem.U).Concat(FactorizationMetrics.ModeNorms(q, problem.V));
        var after = FactorizationMetrics.ModeNorms(nextP, problem.U).Concat(FactorizationMetrics.ModeNorms(nextQ, problem.V));
        Assert.All(after.Zip(before), pair => Assert.Equal(0.01, pair.First - pair.Second, 12));
    }

    [Fact]
    public void Aligned_start_is_aligned_and_unbalanced()
    {
        using var scope = NewDisposeScope();
        using var problem = new FactorizationProblem(new[] { 4.0, 2.0, 1.0 }, hidden: 6);
        using var generator = new Generator(9);

        var (p, q) = problem.AlignedInit(0.05, 0.3, generator);

        Assert.True(FactorizationMetrics.Misalignment(p, q, problem.U, problem.V) < 1e-12);
        Assert.True(FactorizationMetrics.SqrtGramDifference(p, q).abs().max().item<double>() > 1e-3);
    }
}
