using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.Routing;

/// <summary>What one (optimizer, seed) run of the routing task ends with.</summary>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="Seed">Seed.</param>
/// <param name="TrainedError">Final mean squared error over the trained pairs.</param>
/// <param name="UntrainedError">Final mean squared error over the pairs never trained.</param>
/// <param name="UntrainedItemAccuracy">Final fraction of untrained-pair outputs nearest to their own target.</param>
/// <param name="SharedSingularValues">Singular values of the shared layer W at the end, largest first.</param>
/// <param name="LearnedSingularValues">Singular values of W − W₀, what training added to the shared layer, largest first.</param>
/// <param name="InitialTrainedError">Trained-pair error at step 0 (claim a: has the run left its starting plateau?).</param>
/// <param name="MidTrainedError">Trained-pair error at the last evaluation at or before half the steps (claim a: is it still falling?).</param>
public sealed record RoutingOutcome(string Optimizer, int Seed, double TrainedError, double UntrainedError, double UntrainedItemAccuracy,
    double[] SharedSingularValues, double[] LearnedSingularValues, double InitialTrainedError = double.NaN, double MidTrainedError = double.NaN);

/// <summary>Trains the routing network with one optimizer and seed, recording metrics as it goes.</summary>
public static class RoutingTraining
{
    /// <summary>Every seed × optimizer of <paramref name="config"/>, one unit each.</summary>
    /// <param name="context">Metrics, progress, units.</param>
    /// <param name="config">Settings.</param>
    public static List<RoutingOutcome> TrainAll(RunContext context, RoutingConfig config) =>
        TrainingLoop.ForEachRun(context, config, (seed, optimizer) => Train(context, config, optimizer, seed));

    /// <summary>
    /// Every seed × optimizer of <paramref name="config"/> as a side run: units keyed under
    /// <paramref name="label"/>, nothing recorded to the metrics, no weights saved, evaluated at every quarter of the steps.
    /// </summary>
    /// <param name="context">Units, progress.</param>
    /// <param name="config">Settings of the side run.</param>
    /// <param name="label">Distinguishes these units from the main run's.</param>
    public static List<RoutingOutcome> TrainQuietly(RunContext context, RoutingConfig config, string label) =>
        TrainingLoop.ForEachRun(context, config, (seed, optimizer) => Train(context, config, optimizer, seed, label), label);

    /// <summary>
    /// Trains one network. Every step draws a batch (one random item per trained pair, or every item
    /// when <c>AllItems</c>), takes the squared error and one optimizer step (the spectral methods'
    /// step decaying linearly to zero when <c>SpectralDecay</c>); every <c>EvalEvery</c> steps and at the end it evaluates all K²
    /// pairs and records <c>trained_error</c>, <c>untrained_error</c>, <c>untrained_item_accuracy</c>
    /// and the effective ranks of W and of W − W₀; at the end also the singular values of both.
    /// </summary>
    /// <param name="context">Metrics, progress, cancellation.</param>
    /// <param name="config">Settings.</param>
    /// <param name="optimizerName">One of <see cref="RoutingExperiment.OptimizerNames"/>.</param>
    /// <param name="seed">Seed: codes and targets, initial weights and batch draws come from its streams <c>codes</c>, <c>init</c> and <c>batches</c>.</param>
    /// <param name="quietLabel">When set: a side run under this label, recording no metrics and saving no weights.</param>
    public static RoutingOutcome Train(RunContext context, RoutingConfig config, string optimizerName, int seed, string? quietLabel = null)
    {
        bool record = quietLabel is null;
        using var scope = NewDisposeScope();
        using var codes = SeedStreams.Generator(seed, "codes");
        using var init = SeedStreams.Generator(seed, "init");
        using var batches = SeedStreams.Generator(seed, "batches");
        using var task = new RoutingTask(config.Domains, config.Items, config.CodeDim, codes);
        using var network = new RoutingNetwork(config.Domains, config.CodeDim, config.HiddenWidth, config.InitScale, init);
        using var initialShared = network.Shared.detach().clone();                                  // W₀ [h, h]
        using var setup = new TrainingSetup
        {
            Optimizer = optimizerName,
            Seed = seed,
            Parameters = network.NamedParameters().ToList(),
            Loss = _ =>
            {
                var (input, output, x, y) = task.Batch(batches, config.AllItems);
                return Loss(network.Forward(input, output, x), y);
            },
            Evaluate = _ => Evaluate(network, initialShared, task),
            Schedule = config.SpectralDecay && optimizerName != RoutingExperiment.Sgd ? LearningRateSchedule.LinearToZero(config.Steps) : null,
            Generators = new[] { ("batches", batches) },
        };
        var run = TrainingLoop.Train(context, config, setup, new TrainingOptions
        {
            Steps = config.Steps,
            EvaluateEvery = record ? config.EvalEvery : Math.Max(1, config.Steps / 4),
            SaveWeights = record,
            Record = record,
            Label = quietLabel ?? "",
        });

        var shared = Spectral.SingularValues(network.Shared);
        double[] learned;
        using (var delta = network.Shared.detach() - initialShared) learned = Spectral.SingularValues(delta);
        for (int k = 0; k < shared.Length && record; k++)
        {
            context.Metrics.Add(config.Steps, optimizerName, seed, $"shared_sigma_{k + 1}", shared[k]);
            context.Metrics.Add(config.Steps, optimizerName, seed, $"learned_sigma_{k + 1}", learned[k]);
        }
        var trained = run.Series("trained_error");
        // Half, not the last fifth: the spectral methods' step decays linearly to zero, so their last
        // fifth has only 1/25 of the step budget and any run would look stalled there; the second half has 1/4.
        int mid = run.EvaluationSteps.FindLastIndex(s => s <= 0.5 * config.Steps);
        return new RoutingOutcome(optimizerName, seed, run.Last("trained_error"), run.Last("untrained_error"), run.Last("untrained_item_accuracy"), shared, learned,
            trained.Count > 0 ? trained[0] : double.NaN, mid >= 0 && mid < trained.Count ? trained[mid] : double.NaN);
    }

    /// <summary>
    /// The batch loss ½ Σ_samples ‖ŷ − y‖². <c>000</c> App. C.2's formula is lost ("we use MSE loss");
    /// we take the squared error summed over the batch as in Saxe et al.'s analyses. Only SGD's step
    /// depends on this scale (polar updates do not see it): with it, SGD at the README's lr 0.02 learns
    /// the task in a few thousand steps, while PyTorch's mean-over-elements MSELoss would make it
    /// 2K·d/2 = 32 times slower at K = 4, d = 8.
    /// </summary>
    /// <param name="prediction">ŷ [B, d].</param>
    /// <param name="target">y [B, d].</param>
    public static Tensor Loss(Tensor prediction, Tensor target)
    {
        using var s = new HeldScalars();
        return (prediction - target).pow(s[2]).sum().mul(s[0.5]);
    }

    /// <summary>Splits a K×K table into its means over the trained and the untrained pairs.</summary>
    /// <param name="table">K×K values, row = input, column = output.</param>
    public static (double Trained, double Untrained) SplitPairs(double[,] table)
    {
        int k = table.GetLength(0);
        var trained = new List<double>();
        var untrained = new List<double>();
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                (RoutingTask.IsTrained(k, i, j) ? trained : untrained).Add(table[i, j]);
        return (Analysis.Stats.Mean(trained), Analysis.Stats.Mean(untrained));
    }

    private static IReadOnlyList<(string, double)> Evaluate(RoutingNetwork network, Tensor initialShared, RoutingTask task)
    {
        var (errors, accuracy) = network.EvaluatePairs(task);
        var (trained, untrained) = SplitPairs(errors);
        double untrainedAccuracy = SplitPairs(accuracy).Untrained;
        var shared = Spectral.SingularValues(network.Shared);
        double[] learned;
        using (var delta = network.Shared.detach() - initialShared) learned = Spectral.SingularValues(delta);
        return new (string, double)[]
        {
            ("trained_error", trained),
            ("untrained_error", untrained),
            ("untrained_item_accuracy", untrainedAccuracy),
            ("shared_effective_rank", RoutingClaims.EffectiveRank(shared)),
            ("learned_effective_rank", RoutingClaims.EffectiveRank(learned)),
        };
    }
}
