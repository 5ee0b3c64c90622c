using MuonSharp.Lab.Data;
using MuonSharp.Lab.Models;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.SmallVit;

/// <summary>What one ViT training run recorded (plain data: a unit's result).</summary>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="Seed">Seed.</param>
/// <param name="EvaluationSteps">Steps at which the test accuracy was measured.</param>
/// <param name="Accuracy">Test accuracy at those steps.</param>
/// <param name="DivergedAt">Step at which the training loss stopped being finite; null when it never did.</param>
/// <param name="UpdateSeconds">Wall time of the updates.</param>
/// <param name="OptimizerSeconds">Of which inside the optimizer's step.</param>
public sealed record SmallVitRun(string Optimizer, int Seed, IReadOnlyList<long> EvaluationSteps, IReadOnlyList<double> Accuracy, long? DivergedAt,
    double UpdateSeconds, double OptimizerSeconds)
{
    /// <summary>Test accuracy after the last update; NaN when the run diverged.</summary>
    public double FinalAccuracy => DivergedAt is null && Accuracy.Count > 0 ? Accuracy[^1] : double.NaN;
}

/// <summary>The images standardized with the training set's pixel mean and standard deviation, and their labels.</summary>
public sealed class VitData : IDisposable
{
    /// <summary>Standardizes <paramref name="dataset"/>'s splits with its training split's statistics.</summary>
    /// <param name="dataset">An image dataset with train and test splits.</param>
    public VitData(ImageDataset dataset)
    {
        using var scope = NewDisposeScope();
        var train = dataset.Train.ImagesTensor();                                              // [n, 28, 28]
        var mean = train.mean();
        var std = train.std().clamp_min(1e-6);
        TrainImages = train.sub(mean).div(std).MoveToOuterDisposeScope();
        TestImages = dataset.Test.ImagesTensor().sub(mean).div(std).MoveToOuterDisposeScope();
        TrainLabels = dataset.Train.LabelsTensor().MoveToOuterDisposeScope();
        TestLabels = dataset.Test.LabelsTensor().MoveToOuterDisposeScope();
    }

    /// <summary>Training images <c>[n, 28, 28]</c>.</summary>
    public Tensor TrainImages { get; }
    /// <summary>Training labels <c>[n]</c>.</summary>
    public Tensor TrainLabels { get; }
    /// <summary>Test images <c>[m, 28, 28]</c>.</summary>
    public Tensor TestImages { get; }
    /// <summary>Test labels <c>[m]</c>.</summary>
    public Tensor TestLabels { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        TrainImages.Dispose();
        TrainLabels.Dispose();
        TestImages.Dispose();
        TestLabels.Dispose();
    }
}

/// <summary>Trains the small ViT once with one optimizer of the lab's table.</summary>
public static class SmallVitTraining
{
    /// <summary>
    /// Trains a <see cref="TinyVit"/> on mini-batches drawn with replacement from the seed's <c>batches</c> stream,
    /// under the warm-up + cosine schedule, recording the test accuracy as <c>test_accuracy</c>.
    /// </summary>
    /// <param name="context">Metrics, log, progress, checkpoints.</param>
    /// <param name="config">Settings.</param>
    /// <param name="data">The standardized images.</param>
    /// <param name="optimizer"><c>adamw</c> or <c>muon</c>.</param>
    /// <param name="seed">Seed: initialization from its <c>init</c> stream, batches from <c>batches</c>.</param>
    public static SmallVitRun Train(RunContext context, SmallVitConfig config, VitData data, string optimizer, int seed)
    {
        using var scope = NewDisposeScope();
        // TorchSharp's modules initialize from the global generator: seeded from the init stream, every optimizer of a seed starts alike.
        random.manual_seed((long)SeedStreams.Seed(seed, "init"));
        using var model = new TinyVit(28, config.Patch, config.Width, config.Layers, config.Heads, classes: 10);
        using var batches = SeedStreams.Generator(seed, "batches");
        long count = data.TrainImages.shape[0];
        using var setup = new TrainingSetup
        {
            Optimizer = optimizer,
            Seed = seed,
            Parameters = model.named_parameters().Select(p => (p.name, p.parameter)).ToList(),
            Loss = _ =>
            {
                var index = randint(count, new long[] { config.BatchSize }, dtype: ScalarType.Int64, generator: batches);
                return nn.functional.cross_entropy(model.call(data.TrainImages.index_select(0, index)), data.TrainLabels.index_select(0, index));
            },
            Evaluate = _ => new[] { ("test_accuracy", Classification.Measure(images => model.call(images), data.TestImages, data.TestLabels).Accuracy) },
            OptimizerOverrides = new OptimizerOverrides { Layouts = config.MuonLayouts() },
            Schedule = config.Schedule(config.Steps),
            Generators = new[] { ("batches", batches) },
        };
        var run = TrainingLoop.Train(context, config, setup, new TrainingOptions { Steps = config.Steps, EvaluateEvery = config.EvalEvery, Label = "vit" });
        return new SmallVitRun(optimizer, seed, run.EvaluationSteps, run.Series("test_accuracy").ToList(), run.DivergedAt, run.UpdateSeconds, run.OptimizerSeconds);
    }
}
