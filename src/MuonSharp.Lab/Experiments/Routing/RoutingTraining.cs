using MuonSharp.Lab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.Routing;

/// <summary>What one (optimizer, seed) run of the routing task ends with.</summary>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="Seed">Seed.</param>
/// <param name="TrainedError">Final mean squared error over the trained pairs.</param>
/// <param name="UntrainedError">Final mean squared error over the pairs never trained.</param>
/// <param name="UntrainedItemAccuracy">Final fraction of untrained-pair outputs nearest to their own target.</param>
/// <param name="PairErrors">Final K×K errors, row = input domain, column = output domain.</param>
/// <param name="SharedSingularValues">Singular values of the shared layer W at the end, largest first.</param>
/// <param name="LearnedSingularValues">Singular values of W − W₀, what training added to the shared layer, largest first.</param>
public sealed record RoutingOutcome(string Optimizer, int Seed, double TrainedError, double UntrainedError, double UntrainedItemAccuracy,
    double[,] PairErrors, double[] SharedSingularValues, double[] LearnedSingularValues);

/// <summary>Trains the routing network with one optimizer and seed, recording metrics as it goes.</summary>
public static class RoutingTraining
{
    /// <summary>
    /// Trains one network. Every step draws a batch (one random item per trained pair, or every item
    /// when <c>AllItems</c>), takes the squared error and one optimizer step (the spectral methods'
    /// step decaying linearly to zero when <c>SpectralDecay</c>); every <c>EvalEvery</c> steps and at the end it evaluates all K²
    /// pairs and records <c>trained_error</c>, <c>untrained_error</c>, <c>untrained_item_accuracy</c>
    /// and the effective ranks of W and of W − W₀.
    /// </summary>
    /// <param name="context">Metrics, progress, cancellation.</param>
    /// <param name="config">Settings.</param>
    /// <param name="optimizerName">One of <see cref="RoutingExperiment.OptimizerNames"/>.</param>
    /// <param name="seed">Seed: data, init and batches all come from it.</param>
    public static RoutingOutcome Train(RunContext context, RoutingConfig config, string optimizerName, int seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        using var task = new RoutingTask(config.Domains, config.Items, config.CodeDimension, generator);
        using var network = new RoutingNetwork(config.Domains, config.CodeDimension, config.HiddenWidth, config.InitGain, generator);
        using var optimizer = CreateOptimizer(optimizerName, network, config);
        bool decays = config.SpectralDecay && optimizerName != RoutingExperiment.Sgd;
        double initialLr = optimizer.ParamGroups.First().LearningRate;
        using var initialShared = network.Shared.detach().clone();                                  // W₀ [h, h]

        using var bar = context.Progress.Start($"{optimizerName} seed {seed}", config.Steps);
        for (int step = 0; step < config.Steps; step++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            if (step % config.EvalEvery == 0) Evaluate(context, network, initialShared, task, optimizerName, seed, step);
            using (var stepScope = NewDisposeScope())
            {
                var (input, output, x, y) = task.Batch(generator, config.AllItems);
                optimizer.zero_grad();
                var loss = Loss(network.Forward(input, output, x), y);
                loss.backward();
                if (decays)
                    foreach (var group in optimizer.ParamGroups)
                        group.LearningRate = initialLr * (1.0 - (double)step / config.Steps);
                optimizer.step();
            }
            bar.Advance();
        }

        return Evaluate(context, network, initialShared, task, optimizerName, seed, config.Steps);
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
    public static Tensor Loss(Tensor prediction, Tensor target) => (prediction - target).square().sum() * 0.5;

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

    private static RoutingOutcome Evaluate(RunContext context, RoutingNetwork network, Tensor initialShared,
        RoutingTask task, string optimizer, int seed, int step)
    {
        var (errors, accuracy) = network.EvaluatePairs(task);
        var (trained, untrained) = SplitPairs(errors);
        double untrainedAccuracy = SplitPairs(accuracy).Untrained;
        var shared = Spectral.SingularValues(network.Shared);
        double[] learned;
        using (var delta = network.Shared.detach() - initialShared) learned = Spectral.SingularValues(delta);
        context.Metrics.Add(step, optimizer, seed, "trained_error", trained);
        context.Metrics.Add(step, optimizer, seed, "untrained_error", untrained);
        context.Metrics.Add(step, optimizer, seed, "untrained_item_accuracy", untrainedAccuracy);
        context.Metrics.Add(step, optimizer, seed, "shared_effective_rank", RoutingClaims.EffectiveRank(shared));
        context.Metrics.Add(step, optimizer, seed, "learned_effective_rank", RoutingClaims.EffectiveRank(learned));
        return new RoutingOutcome(optimizer, seed, trained, untrained, untrainedAccuracy, errors, shared, learned);
    }

    private static optim.Optimizer CreateOptimizer(string name, RoutingNetwork network, RoutingConfig config)
    {
        var named = network.NamedParameters().Select(p => (p.Name, p.Parameter)).ToList();
        return name switch
        {
            // Plain SGD, no momentum (papers README: full-batch plain SGD, lr 0.02).
            RoutingExperiment.Sgd => optim.SGD(named.Select(p => p.Parameter), config.SgdLearningRate),
            // Exact polar update of every layer's gradient, no momentum (000 §2.1).
            RoutingExperiment.SpectralGd => Optim.SpectralGD(named, config.SpectralGdLearningRate),
            // Full Muon (000 §4 "for our later experiments we switch back to using the full Muon").
            RoutingExperiment.Muon => Optim.Muon(named, config.MuonLearningRate),
            _ => throw new LabUserException($"Unknown optimizer '{name}' for routing. Known: {string.Join(", ", RoutingExperiment.OptimizerNames)}."),
        };
    }
}
