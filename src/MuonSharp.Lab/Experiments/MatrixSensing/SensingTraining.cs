using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.MatrixSensing;

/// <summary>
/// Full-batch training of W on a <see cref="SensingProblem"/> with one of the three update rules of
/// <c>002</c> §6, all from the problem's shared W₀, no momentum (002 analyses the plain polar flow):
/// <code>
/// muon             W ← W − lr·UVᵀ                 G = UΣVᵀ, exact polar factor (Spectral GD)
/// gd               W ← W − lr·G
/// norm-matched-gd  W ← W − lr·(√rank(G)/‖G‖_F)·G   same Frobenius step as muon, gradient's direction
/// </code>
/// Weight decay λ (the ATSR part) is applied here, identically for every rule: decoupled
/// W ← W·(1 − lr·λ) before the step, or coupled G ← G + λ·W before the rule sees G.
/// </summary>
public static class SensingTraining
{
    /// <summary>
    /// Trains from W₀ for <paramref name="steps"/> steps, calling <paramref name="observe"/> with
    /// (step, W) after each step and once with step 0 before the first; returns the final W (a copy).
    /// </summary>
    /// <param name="problem">The instance (its loss and W₀).</param>
    /// <param name="optimizer">muon, gd or norm-matched-gd.</param>
    /// <param name="learningRate">lr.</param>
    /// <param name="steps">Number of steps.</param>
    /// <param name="weightDecay">λ ≥ 0.</param>
    /// <param name="style">How λ enters.</param>
    /// <param name="observe">Receives (step, W); must not keep W.</param>
    /// <param name="cancellation">Checked between steps.</param>
    public static Tensor Train(SensingProblem problem, string optimizer, double learningRate, int steps,
        double weightDecay, DecayStyle style, Action<int, Tensor> observe, CancellationToken cancellation)
    {
        using var w = new Parameter(problem.Init.clone());               // [m, n]
        using var rule = Create(optimizer, w, learningRate);
        using (no_grad()) observe(0, w);
        for (int step = 1; step <= steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            rule.zero_grad();
            problem.Loss(w).backward();
            using (no_grad())
            {
                if (weightDecay != 0 && style == DecayStyle.Coupled) w.grad!.add_(w, alpha: weightDecay);
                if (weightDecay != 0 && style == DecayStyle.Decoupled) w.mul_(1 - learningRate * weightDecay);
            }
            rule.step();
            using (no_grad()) observe(step, w);
        }
        return w.detach().clone();
    }

    /// <summary>The library optimizer behind each name.</summary>
    private static optim.Optimizer Create(string optimizer, Parameter w, double learningRate) => optimizer switch
    {
        // "Muon" in 002's sensing experiments is the exact polar step without momentum: the library's
        // Spectral GD (exact SVD), not Newton–Schulz, so the measured spectrum is the polar flow's.
        "muon" => Optim.SpectralGD(new[] { w }, learningRate),
        "gd" => optim.SGD(new[] { w }, learningRate),
        "norm-matched-gd" => Optim.NormMatchedGD(new[] { w }, learningRate),
        _ => throw new LabUserException($"Unknown optimizer '{optimizer}'. Known: {string.Join(", ", MatrixSensingConfig.AllOptimizers)}."),
    };
}
