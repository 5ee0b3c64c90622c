using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.RandomFeatures;

/// <summary>One optimizer's run on one problem.</summary>
/// <param name="Optimizer"><c>gd</c> or <c>spectral-gd</c>.</param>
/// <param name="RelativeLoss">L(W_k)/L(W_0) for k = 0 … last step taken.</param>
/// <param name="NuclearRank">nr(G_k) at the same iterates (NaN where diagnostics were off).</param>
/// <param name="StableRank">st(A), fixed for the problem.</param>
/// <param name="StepsToTarget">First k with relative loss ≤ target; −1 if not reached.</param>
/// <param name="DivergedAt">The step at which the loss stopped being finite and the run ended; null if it never did.</param>
internal sealed record FeatureRun(string Optimizer, IReadOnlyList<double> RelativeLoss, IReadOnlyList<double> NuclearRank,
    double StableRank, int StepsToTarget, long? DivergedAt = null)
{
    /// <summary>L(W_k)/L(W_0) at the last iterate the run reached.</summary>
    public double FinalRelativeLoss => RelativeLoss[^1];

    /// <summary>nr(G_k)/st(A): the one-step guarantee of Spectral GD over GD's at iterate k (004 §3.2).</summary>
    public IReadOnlyList<double> ConditionRatio => NuclearRank.Select(nr => nr / StableRank).ToList();
}

/// <summary>
/// Full-batch training from W = 0 with the two step rules of <see cref="StepRules"/>: the lab's <c>gd</c> at
/// step n/‖A‖²_op and <c>spectral-gd</c> with the nuclear-norm scale (<see cref="MuonSharp.Optimizers.OptimizerChoices.SpectralScale.Nuclear"/>)
/// at n/‖A‖²_F, fed the problem's closed-form gradient.
/// </summary>
internal static class FeatureTraining
{
    /// <summary>
    /// Runs <paramref name="optimizer"/> for up to <paramref name="steps"/> steps from W = 0. Iterate k
    /// (after k steps) is evaluated for k = 0 … steps: relative loss and, for Spectral GD or with
    /// <paramref name="diagnostics"/>, nr(G_k).
    /// </summary>
    /// <param name="context">Metrics (recorded under <paramref name="metricPrefix"/> unless it is null), progress, checkpoints.</param>
    /// <param name="config">The run's config (the step sizes come from the problem, not from it).</param>
    /// <param name="problem">The regression.</param>
    /// <param name="optimizer"><see cref="RandomFeaturesExperiment.Gd"/> or <see cref="RandomFeaturesExperiment.SpectralGd"/>.</param>
    /// <param name="seed">The seed column of recorded metrics.</param>
    /// <param name="steps">Step budget.</param>
    /// <param name="stopAtTarget">Stop as soon as the loss reaches config.TargetFraction of its start (the sweep) instead of running the whole budget.</param>
    /// <param name="diagnostics">Compute nr(G_k) for GD too.</param>
    /// <param name="metricPrefix">Record every iterate's metrics with this prefix (e.g. <c>relu/</c>); null records nothing.</param>
    public static FeatureRun Run(RunContext context, RandomFeaturesConfig config, RandomFeatureProblem problem, string optimizer, int seed, int steps,
        bool stopAtTarget, bool diagnostics, string? metricPrefix)
    {
        bool spectral = optimizer switch
        {
            RandomFeaturesExperiment.Gd => false,
            RandomFeaturesExperiment.SpectralGd => true,
            _ => throw new ArgumentException($"Unknown optimizer '{optimizer}'; expected {RandomFeaturesExperiment.Gd} or {RandomFeaturesExperiment.SpectralGd}.", nameof(optimizer)),
        };
        double target = config.TargetFraction;
        using var w = new Parameter(zeros(problem.Targets.shape[0], problem.Features.shape[0], ScalarType.Float64)); // W, [m, d]
        using var setup = new TrainingSetup
        {
            Optimizer = optimizer,
            Seed = seed,
            Parameters = new[] { ("W", w) },
            ClosedFormGradients = _ =>
            {
                var (loss, gradient) = problem.Evaluate(w);
                w.grad = gradient;
                return loss;
            },
            Evaluate = _ => Evaluate(problem, w, spectral || diagnostics),
            StopAfterEvaluation = stopAtTarget ? run => run.Last("relative_loss") <= target : null,
            OptimizerOverrides = spectral
                ? new OptimizerOverrides { Lr = StepRules.SpectralStepScale(problem.Samples, problem.FeatureFrobeniusSquared), SpectralScale = Optim.SpectralScale.Nuclear }
                : new OptimizerOverrides { Lr = StepRules.GradientStepSize(problem.Samples, problem.FeatureOperatorSquared) },
        };
        var run = TrainingLoop.Train(context, config, setup, new TrainingOptions
        {
            Steps = steps, Record = metricPrefix is not null, MetricPrefix = metricPrefix ?? "", Label = metricPrefix?.TrimEnd('/') ?? "sweep",
        });
        var relative = run.Series("relative_loss");
        return new FeatureRun(optimizer, relative, run.Series("nuclear_rank_g"), problem.FeatureStableRank, StepRules.StepsToTarget(relative, target), run.DivergedAt);
    }

    /// <summary>Iterate k's loss, relative loss, nr(G_k) = ‖G‖²_*/‖G‖²_F (NaN without diagnostics), st(A) and their ratio.</summary>
    private static IReadOnlyList<(string, double)> Evaluate(RandomFeatureProblem problem, Tensor w, bool diagnostics)
    {
        var (loss, gradient) = problem.Evaluate(w);
        double relative = loss / problem.InitialLoss;
        double nr = diagnostics ? Spectral.NuclearRank(gradient) : double.NaN;
        return new (string, double)[]
        {
            ("loss", relative * problem.InitialLoss),
            ("relative_loss", relative),
            ("nuclear_rank_g", nr),
            ("stable_rank_a", problem.FeatureStableRank),
            ("condition_ratio", nr / problem.FeatureStableRank),
        };
    }
}
