using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.DeepLinear;

/// <summary>
/// The recorded run of one optimizer on one seed: the loss and the projected singular values
/// σᵢ(t) = uᵢᵀW₂W₁vᵢ at every step t = 0..Steps (index = step; t = 0 is the initialization).
/// A run that diverged holds NaN from the step it did.
/// </summary>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="Seed">Seed (data and initialization).</param>
/// <param name="ModeTargets">s₁..s_k of Σyx.</param>
/// <param name="MinimumLoss">The least reachable loss (see <see cref="DeepLinearProblem.MinimumLoss"/>).</param>
/// <param name="Loss">Loss per step.</param>
/// <param name="Sigma">σᵢ per step: <c>Sigma[i][t]</c>.</param>
internal sealed record ModeRun(string Optimizer, int Seed, double[] ModeTargets, double MinimumLoss, double[] Loss, double[][] Sigma)
{
    /// <summary>Loss minus the least reachable loss, per step.</summary>
    public double[] ExcessLoss => Loss.Select(l => l - MinimumLoss).ToArray();

    /// <summary>The per-step arrays of a loop trajectory evaluated at every step (NaN where it was not).</summary>
    public static ModeRun From(Trajectory run, DeepLinearProblem problem, int steps)
    {
        int k = problem.ModeTargets.Length;
        var loss = Enumerable.Repeat(double.NaN, steps + 1).ToArray();
        var sigma = Enumerable.Range(0, k).Select(_ => Enumerable.Repeat(double.NaN, steps + 1).ToArray()).ToArray();
        for (int e = 0; e < run.EvaluationSteps.Count; e++)
        {
            int t = (int)run.EvaluationSteps[e];
            loss[t] = run.Series("loss")[e];
            for (int i = 0; i < k; i++) sigma[i][t] = run.Series($"sigma_{i + 1}")[e];
        }
        return new ModeRun(run.Optimizer, run.Seed, problem.ModeTargets, problem.MinimumLoss, loss, sigma);
    }
}

/// <summary>
/// The two-layer linear network f(x) = W₂W₁x, its small initialization and full-batch training by
/// GD, Spectral GD (exact polar, <c>000 §2.1</c>) or Muon (Newton–Schulz on each factor) — the lab's
/// optimizer table, read with the config's <c>gd_lr</c>, <c>spectral_gd_lr</c>, <c>muon_lr</c> and
/// <c>muon_momentum</c>.
/// </summary>
internal static class DeepLinearTraining
{
    /// <summary>The optimizer names this experiment understands.</summary>
    public static readonly string[] OptimizerNames = { "gd", "spectral-gd", "muon" };

    /// <summary>Initial factors W₁ ~ N(0, ε²)^{h×d}, W₂ ~ N(0, ε²)^{c×h}, drawn from the seed's <c>init</c> stream.</summary>
    /// <param name="config">Dimensions and ε = init_scale.</param>
    /// <param name="seed">The run's seed.</param>
    public static (Tensor W1, Tensor W2) Initialize(DeepLinearConfig config, int seed)
    {
        using var generator = SeedStreams.Generator(seed, "init");
        using var s = new HeldScalars();
        var w1 = randn(new long[] { config.HiddenWidth, config.InputDim }, dtype: ScalarType.Float64, generator: generator).mul(s[config.InitScale]);  // [h, d]
        var w2 = randn(new long[] { config.OutputDim, config.HiddenWidth }, dtype: ScalarType.Float64, generator: generator).mul(s[config.InitScale]); // [c, h]
        return (w1, w2);
    }

    /// <summary>Every seed × optimizer, one unit each; every optimizer of a seed starts from the same problem and factors.</summary>
    public static List<ModeRun> TrainAll(RunContext context, DeepLinearConfig config) =>
        TrainingLoop.ForEachRun(context, config, (seed, optimizer) => Train(context, config, optimizer, seed));

    /// <summary>
    /// Trains one optimizer on one seed for config.Steps full-batch steps, recording every step
    /// (<c>loss</c>, <c>excess_loss</c>, <c>sigma_1</c>..<c>sigma_k</c>).
    /// </summary>
    public static ModeRun Train(RunContext context, DeepLinearConfig config, string optimizer, int seed)
    {
        using var problem = DeepLinearProblem.Generate(config, seed);
        var (w1Init, w2Init) = Initialize(config, seed);
        using var w1 = new Parameter(w1Init.detach().clone());
        using var w2 = new Parameter(w2Init.detach().clone());
        w1Init.Dispose();
        w2Init.Dispose();
        context.Log($"{optimizer} seed {seed}: s = [{string.Join(", ", problem.ModeTargets.Select(v => v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)))}], " +
                    $"least reachable loss {problem.MinimumLoss.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}");

        using var setup = new TrainingSetup
        {
            Optimizer = optimizer,
            Seed = seed,
            // Two separate matrices: Muon and Spectral GD orthogonalize each factor on its own.
            Parameters = new[] { ("W1", w1), ("W2", w2) },
            Loss = _ => problem.Loss(w1, w2),
            Evaluate = _ => Evaluate(problem, w1, w2),
        };
        var run = TrainingLoop.Train(context, config, setup, new TrainingOptions { Steps = config.Steps, SaveWeights = true });
        return ModeRun.From(run, problem, config.Steps);
    }

    private static IReadOnlyList<(string, double)> Evaluate(DeepLinearProblem problem, Tensor w1, Tensor w2)
    {
        double loss = problem.Loss(w1, w2).ToDouble();
        var modes = DeepLinearMetrics.ProjectedSingularValues(w2.matmul(w1), problem.LeftModes, problem.RightModes);
        var values = new List<(string, double)> { ("loss", loss), ("excess_loss", loss - problem.MinimumLoss) };
        for (int i = 0; i < modes.Length; i++) values.Add(($"sigma_{i + 1}", modes[i]));
        return values;
    }
}
