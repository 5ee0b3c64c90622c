using MuonSharp.Lab.Runs;
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
internal sealed record Trajectory(string Optimizer, int Seed, double[] ModeTargets, double MinimumLoss, double[] Loss, double[][] Sigma)
{
    /// <summary>Loss minus the least reachable loss, per step.</summary>
    public double[] ExcessLoss => Loss.Select(l => l - MinimumLoss).ToArray();
}

/// <summary>
/// The two-layer linear network f(x) = W₂W₁x, its small initialization and full-batch training by
/// GD, Spectral GD or Muon (<c>000 §2–3</c>).
/// </summary>
internal static class DeepLinearTraining
{
    /// <summary>The optimizer names this experiment understands.</summary>
    public static readonly string[] OptimizerNames = { "gd", "spectral-gd", "muon" };

    /// <summary>Initial factors W₁ ~ N(0, ε²)^{h×d}, W₂ ~ N(0, ε²)^{c×h}, drawn from <paramref name="generator"/>.</summary>
    /// <param name="config">Dimensions and ε = init_std.</param>
    /// <param name="generator">The seeded generator.</param>
    public static (Tensor W1, Tensor W2) Initialize(DeepLinearConfig config, Generator generator)
    {
        var w1 = randn(new long[] { config.HiddenDim, config.InputDim }, dtype: ScalarType.Float64, generator: generator) * config.InitStd;  // [h, d]
        var w2 = randn(new long[] { config.OutputDim, config.HiddenDim }, dtype: ScalarType.Float64, generator: generator) * config.InitStd; // [c, h]
        return (w1, w2);
    }

    /// <summary>
    /// Trains from copies of <paramref name="w1Init"/>, <paramref name="w2Init"/> for config.Steps
    /// full-batch steps, recording every step into <paramref name="context"/>'s metrics
    /// (<c>loss</c>, <c>excess_loss</c>, <c>sigma_1</c>..<c>sigma_k</c>).
    /// </summary>
    public static Trajectory Train(DeepLinearProblem problem, Tensor w1Init, Tensor w2Init, DeepLinearConfig config,
        string optimizerName, int seed, RunContext context)
    {
        int steps = config.Steps, k = config.Modes;
        var loss = Enumerable.Repeat(double.NaN, steps + 1).ToArray();
        var sigma = Enumerable.Range(0, k).Select(_ => Enumerable.Repeat(double.NaN, steps + 1).ToArray()).ToArray();

        using var w1 = new Parameter(w1Init.detach().clone());
        using var w2 = new Parameter(w2Init.detach().clone());
        using var optimizer = Create(optimizerName, w1, w2, config);
        using var progress = context.Progress.Start($"{optimizerName} seed {seed}", steps);

        for (int t = 0; ; t++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var value = problem.Loss(w1, w2);
            loss[t] = value.ToDouble();
            double[] modes;
            using (no_grad()) modes = DeepLinearMetrics.ProjectedSingularValues(w2.matmul(w1), problem.LeftModes, problem.RightModes);
            Record(context, t, optimizerName, seed, loss[t], problem.MinimumLoss, modes);
            for (int i = 0; i < k; i++) sigma[i][t] = modes[i];

            if (!double.IsFinite(loss[t]))
            {
                context.Log($"{optimizerName} seed {seed}: loss is {loss[t]} at step {t}; the run stopped there (lower the learning rate)");
                break;
            }
            if (t == steps) break;
            optimizer.zero_grad();
            value.backward();
            optimizer.step();
            progress.Advance();
        }
        return new Trajectory(optimizerName, seed, problem.ModeTargets, problem.MinimumLoss, loss, sigma);
    }

    /// <summary>
    /// GD is torch.optim.SGD without momentum. Spectral GD is the exact-SVD polar step W ← W − lr·UVᵀ
    /// (<c>000 §2.1</c>: no momentum, exact orthogonalization). Muon is the reference optimizer
    /// (Nesterov momentum, 5 bfloat16 Newton–Schulz steps); both factors are square or tall/wide
    /// matrices and each is orthogonalized on its own.
    /// </summary>
    private static OptimizerHelper Create(string name, Parameter w1, Parameter w2, DeepLinearConfig config)
    {
        var named = new[] { ("W1", w1), ("W2", w2) };
        return name switch
        {
            "gd" => optim.SGD(new[] { w1, w2 }, config.GdLr),
            "spectral-gd" => Optim.SpectralGD(named, config.SpectralLr),
            "muon" => Optim.Muon(named, config.MuonLr, momentum: config.MuonMomentum),
            _ => throw new LabUserException($"Unknown optimizer '{name}' for deep-linear. Known: {string.Join(", ", OptimizerNames)}."),
        };
    }

    private static void Record(RunContext context, int step, string optimizer, int seed, double loss, double minimumLoss, double[] modes)
    {
        context.Metrics.Add(step, optimizer, seed, "loss", loss);
        context.Metrics.Add(step, optimizer, seed, "excess_loss", loss - minimumLoss);
        for (int i = 0; i < modes.Length; i++) context.Metrics.Add(step, optimizer, seed, $"sigma_{i + 1}", modes[i]);
    }
}
