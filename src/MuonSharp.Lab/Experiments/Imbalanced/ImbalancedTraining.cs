using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.Imbalanced;

/// <summary>One training run's evaluations on the balanced test set.</summary>
/// <param name="Depth">Model depth.</param>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="Seed">Seed.</param>
/// <param name="LearningRate">Learning rate used.</param>
/// <param name="Steps">Steps at which it was evaluated (0, EvalEvery, …, final).</param>
/// <param name="Balanced">Balanced accuracy at those steps.</param>
/// <param name="PerClass">Per-class accuracy at those steps, [evaluation][class].</param>
/// <param name="MeanLoss">Training loss averaged over every step, +∞ when the run diverged.</param>
public sealed record ImbalancedRun(int Depth, string Optimizer, int Seed, double LearningRate,
    IReadOnlyList<int> Steps, IReadOnlyList<double> Balanced, IReadOnlyList<double[]> PerClass, double MeanLoss)
{
    /// <summary>Accuracy of the rarest class (the last) at every evaluation.</summary>
    public IReadOnlyList<double> Rarest => PerClass.Select(p => p[^1]).ToList();
}

/// <summary>Full-batch cross-entropy training of a linear classifier with one optimizer of the lab's table.</summary>
public static class ImbalancedTraining
{
    /// <summary>
    /// Trains a depth-<paramref name="depth"/> classifier on the data of <paramref name="seed"/> for
    /// <c>config.Steps</c> full-batch steps, evaluating on the balanced test set every
    /// <c>EvalEvery</c> steps and at the end. When <paramref name="record"/> the evaluations go to the
    /// run's metrics as <c>d{depth}_balanced_accuracy</c> and <c>d{depth}_class{c}_accuracy</c> and the
    /// final weights to the run directory.
    /// </summary>
    /// <param name="context">Metrics, progress, cancellation.</param>
    /// <param name="config">Settings.</param>
    /// <param name="depth">Number of weight matrices.</param>
    /// <param name="optimizerName">One of <see cref="ImbalancedExperiment.OptimizerNames"/>.</param>
    /// <param name="seed">Seed: the data come from its <c>data</c> stream, the model's initialization from <c>init/depth{depth}</c>.</param>
    /// <param name="learningRate">Learning rate.</param>
    /// <param name="record">Record metrics and save weights (false for tuning runs).</param>
    /// <param name="label">Progress text and weight-file label.</param>
    public static ImbalancedRun Train(RunContext context, ImbalancedConfig config, int depth, string optimizerName, int seed,
        double learningRate, bool record, string label)
    {
        using var scope = NewDisposeScope();
        using var dataGenerator = SeedStreams.Generator(seed, "data");
        using var data = new ImbalancedData(config, dataGenerator);
        // The same initialization for every optimizer at a given seed and depth: paired comparisons.
        using var generator = SeedStreams.Generator(seed, $"init/depth{depth}");
        using var model = new LinearClassifier(depth, config.InputDim, config.HiddenWidth, config.Classes, config.InitScale, generator);
        using var setup = new TrainingSetup
        {
            Optimizer = optimizerName,
            Seed = seed,
            Parameters = model.NamedParameters().ToList(),
            Loss = _ => nn.functional.cross_entropy(model.Forward(data.TrainX), data.TrainY),
            Evaluate = _ => Evaluate(model, data),
            OptimizerOverrides = new OptimizerOverrides { Lr = learningRate },
        };
        var run = TrainingLoop.Train(context, config, setup, new TrainingOptions
        {
            Steps = config.Steps, EvaluateEvery = config.EvalEvery, MetricPrefix = $"d{depth}_", Record = record, SaveWeights = record, Label = label,
        });

        double lossSum = 0;
        foreach (double loss in run.TrainingLoss) lossSum += loss;   // in step order, as the mean has always been taken
        var perClass = Enumerable.Range(0, run.EvaluationSteps.Count)
            .Select(e => Enumerable.Range(0, config.Classes).Select(c => run.Series($"class{c}_accuracy")[e]).ToArray()).ToList();
        return new ImbalancedRun(depth, optimizerName, seed, learningRate, run.EvaluationSteps.Select(s => (int)s).ToList(),
            run.Series("balanced_accuracy").ToList(), perClass, run.Diverged ? double.PositiveInfinity : lossSum / config.Steps);
    }

    /// <summary>Balanced and per-class accuracy on the test set.</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">The data (its test set is balanced).</param>
    public static (double Balanced, double[] PerClass) TestAccuracy(LinearClassifier model, ImbalancedData data)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var predicted = model.Forward(data.TestX).argmax(1).data<long>().ToArray();
        var confusion = ClassAccuracy.Confusion(data.TestY.data<long>().ToArray(), predicted, data.Classes);
        return (ClassAccuracy.Balanced(confusion), ClassAccuracy.PerClass(confusion));
    }

    private static IReadOnlyList<(string, double)> Evaluate(LinearClassifier model, ImbalancedData data)
    {
        var (balanced, perClass) = TestAccuracy(model, data);
        return perClass.Select((a, c) => ($"class{c}_accuracy", a)).Prepend(("balanced_accuracy", balanced)).ToList();
    }
}
