using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.MatrixSensing;

/// <summary>
/// Full-batch training of W on a <see cref="SensingProblem"/> with one of the three update rules of
/// <c>002</c> §6 — the lab's optimizer table, no momentum (002 analyses the plain polar flow) — all from
/// the problem's shared W₀:
/// <code>
/// spectral-gd      W ← W − lr·UVᵀ                 G = UΣVᵀ, exact polar factor (002's "Muon")
/// gd               W ← W − lr·G
/// norm-matched-gd  W ← W − lr·(√rank(G)/‖G‖_F)·G   same Frobenius step as spectral-gd, gradient's direction
/// </code>
/// Weight decay λ (the ATSR part) is applied here, identically for every rule: decoupled
/// W ← W·(1 − lr·λ) before the step, or coupled G ← G + λ·W before the rule sees G.
/// </summary>
public static class SensingTraining
{
    /// <summary>
    /// Trains from W₀ for <paramref name="options"/>.Steps steps, evaluating W with <paramref name="evaluate"/>
    /// at the loop's cadence (step t = after t updates); returns the run and the final W (a copy, the caller disposes it).
    /// </summary>
    /// <param name="context">Metrics, progress, checkpoints.</param>
    /// <param name="config">The learning rates (<c>&lt;optimizer&gt;_lr</c>).</param>
    /// <param name="problem">The instance (its loss and W₀).</param>
    /// <param name="optimizer">spectral-gd, gd or norm-matched-gd.</param>
    /// <param name="seed">The seed column of the recorded metrics.</param>
    /// <param name="weightDecay">λ ≥ 0.</param>
    /// <param name="style">How λ enters.</param>
    /// <param name="evaluate">The metrics of W at an evaluation step; must not keep W.</param>
    /// <param name="options">Steps, cadence, recording.</param>
    public static (Trajectory Run, Tensor Final) Train(RunContext context, MatrixSensingConfig config, SensingProblem problem, string optimizer, int seed,
        double weightDecay, DecayStyle style, Func<Tensor, IReadOnlyList<(string, double)>> evaluate, TrainingOptions options)
    {
        if (!MatrixSensingConfig.AllOptimizers.Contains(optimizer))
            throw new LabUserException($"matrix-sensing does not run optimizer '{optimizer}'. Known: {string.Join(", ", MatrixSensingConfig.AllOptimizers)}.");
        double lr = OptimizerTable.LrFromConfig(optimizer, config)!.Value;
        using var w = new Parameter(problem.Init.clone());               // [m, n]
        using var setup = new TrainingSetup
        {
            Optimizer = optimizer,
            Seed = seed,
            Parameters = new[] { ("W", w) },
            Loss = _ => problem.Loss(w),
            Evaluate = _ => evaluate(w),
            AfterBackward = _ =>
            {
                using var s = new HeldScalars();
                if (weightDecay != 0 && style == DecayStyle.Coupled) w.grad!.add_(w, alpha: s[weightDecay]);
                if (weightDecay != 0 && style == DecayStyle.Decoupled) w.mul_(s[1 - lr * weightDecay]);
            },
        };
        var run = TrainingLoop.Train(context, config, setup, options);
        return (run, w.detach().clone());
    }
}
