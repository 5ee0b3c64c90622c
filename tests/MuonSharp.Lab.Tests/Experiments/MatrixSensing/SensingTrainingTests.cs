using MuonSharp.Lab.Experiments.MatrixSensing;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.MatrixSensing;

public sealed class SensingTrainingTests
{
    private const double Lr = 0.05;
    private static readonly MatrixSensingConfig Small = new() { Rows = 6, Cols = 5, Rank = 2, Measurements = 20, SpectralGdLr = Lr, GdLr = Lr, NormMatchedGdLr = Lr };

    private static readonly RunContext Context = new(Path.Combine(Path.GetTempPath(), "muonsharp-sensing-plots"), SilentProgress.Instance, CancellationToken.None);

    private static (Trajectory Run, Tensor Final) Train(SensingProblem problem, string optimizer, int steps, double weightDecay = 0, DecayStyle style = DecayStyle.Decoupled) =>
        SensingTraining.Train(Context, Small, problem, optimizer, seed: 0, weightDecay, style, _ => Array.Empty<(string, double)>(),
            new TrainingOptions { Steps = steps, Record = false });

    private static Tensor OneStep(SensingProblem problem, string optimizer, double weightDecay = 0, DecayStyle style = DecayStyle.Decoupled) =>
        Train(problem, optimizer, 1, weightDecay, style).Final;

    private static Tensor Gradient(SensingProblem problem, Tensor w) =>
        problem.Adjoint(problem.Measure(w) - problem.Measurements) / problem.Count;

    [Fact]
    public void One_step_of_each_rule_is_its_formula_from_the_shared_init()
    {
        using var problem = SensingProblem.LowRank(Small, seed: 0);
        using var g = Gradient(problem, problem.Init);
        using var polar = Orthogonalize.Polar(g);
        double scale = Math.Sqrt(Math.Min(6, 5)) / g.norm().item<double>();                  // generic G has full rank

        using var polarStep = OneStep(problem, "spectral-gd");
        using var gd = OneStep(problem, "gd");
        using var matched = OneStep(problem, "norm-matched-gd");

        Assert.True(polarStep.allclose(problem.Init - Lr * polar, rtol: 1e-10, atol: 1e-12));
        Assert.True(gd.allclose(problem.Init - Lr * g, rtol: 1e-10, atol: 1e-12));
        Assert.True(matched.allclose(problem.Init - Lr * scale * g, rtol: 1e-10, atol: 1e-12));
        Assert.Equal((polarStep - problem.Init).norm().item<double>(), (matched - problem.Init).norm().item<double>(), 10); // same Frobenius step
    }

    [Fact]
    public void Coupled_decay_is_orthogonalized_with_the_gradient_and_decoupled_decay_is_not()
    {
        using var problem = SensingProblem.LowRank(Small, seed: 1);
        const double lambda = 0.5;
        using var g = Gradient(problem, problem.Init);

        using var coupled = OneStep(problem, "spectral-gd", lambda, DecayStyle.Coupled);
        using var decoupled = OneStep(problem, "spectral-gd", lambda, DecayStyle.Decoupled);

        using var expectedCoupled = problem.Init - Lr * Orthogonalize.Polar(g + lambda * problem.Init);
        using var expectedDecoupled = problem.Init * (1 - Lr * lambda) - Lr * Orthogonalize.Polar(g);
        Assert.True(coupled.allclose(expectedCoupled, rtol: 1e-10, atol: 1e-12));
        Assert.True(decoupled.allclose(expectedDecoupled, rtol: 1e-10, atol: 1e-12));
    }

    [Fact]
    public void Training_twice_with_the_same_seed_gives_bit_identical_weights_and_observes_every_step()
    {
        using var problem = SensingProblem.LowRank(Small, seed: 2);
        var (run, first) = Train(problem, "spectral-gd", 25);
        var (_, second) = Train(problem, "spectral-gd", 25);

        using (first)
        using (second)
            Assert.True(first.equal(second).all().item<bool>());
        Assert.Equal(Enumerable.Range(0, 26).Select(t => (long)t), run.EvaluationSteps);
    }

    [Fact]
    public void An_unknown_optimizer_is_a_user_error_naming_the_known_ones()
    {
        using var problem = SensingProblem.LowRank(Small, seed: 0);

        var error = Assert.Throws<MuonSharp.Lab.Experiments.LabUserException>(() => OneStep(problem, "adam"));
        Assert.Contains("norm-matched-gd", error.Message);
    }
}
