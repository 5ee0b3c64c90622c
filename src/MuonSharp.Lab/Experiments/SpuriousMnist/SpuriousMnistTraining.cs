using MuonSharp.Lab.Models;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.SpuriousMnist;

/// <summary>The spectrum of fc1's weights at a run's peak clean accuracy.</summary>
/// <param name="SingularValues">Singular values of W, largest first.</param>
/// <param name="StableRank">‖W‖²_F / ‖W‖²_op.</param>
/// <param name="EffectiveRank">exp of the entropy of the normalized singular values (Roy &amp; Vetterli).</param>
/// <param name="LearnedStableRank">Stable rank of W − W₀, what training added.</param>
/// <param name="LearnedEffectiveRank">Effective rank of W − W₀.</param>
public sealed record Fc1Spectrum(double[] SingularValues, double StableRank, double EffectiveRank, double LearnedStableRank, double LearnedEffectiveRank);

/// <summary>One measured run: evaluations on both validation sets, and fc1's spectrum at the peak of clean accuracy.</summary>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="Seed">Seed.</param>
/// <param name="Intensity">The spurious pixel's intensity.</param>
/// <param name="LearningRate">The (tuned) learning rate.</param>
/// <param name="Steps">Evaluation steps.</param>
/// <param name="CleanAccuracy">Accuracy on the validation digits without the pixel.</param>
/// <param name="SpuriousAccuracy">Accuracy on the same digits with their class pixel.</param>
/// <param name="CleanLoss">Cross-entropy on the clean set.</param>
/// <param name="SpuriousLoss">Cross-entropy on the spurious set.</param>
/// <param name="Diverged">The training loss stopped being finite.</param>
/// <param name="PeakFc1">fc1 at the evaluation of highest clean accuracy (the first, on ties).</param>
public sealed record SpuriousRun(string Optimizer, int Seed, double Intensity, double LearningRate, IReadOnlyList<int> Steps,
    IReadOnlyList<double> CleanAccuracy, IReadOnlyList<double> SpuriousAccuracy, IReadOnlyList<double> CleanLoss, IReadOnlyList<double> SpuriousLoss,
    bool Diverged, Fc1Spectrum PeakFc1)
{
    /// <summary>Index of the evaluation with the highest clean accuracy (the first, on ties).</summary>
    public int PeakIndex
    {
        get
        {
            int best = -1;
            for (int i = 0; i < CleanAccuracy.Count; i++)
                if (best < 0 || CleanAccuracy[i] > CleanAccuracy[best]) best = i;
            return best;
        }
    }

    /// <summary>The highest clean accuracy over training (what early stopping on the clean set would keep).</summary>
    public double PeakClean => PeakIndex < 0 ? double.NaN : CleanAccuracy[PeakIndex];

    /// <summary>The step of <see cref="PeakClean"/>.</summary>
    public int PeakStep => PeakIndex < 0 ? -1 : Steps[PeakIndex];
}

/// <summary>Mini-batch training of the App. C.3 network on digits carrying the spurious pixel.</summary>
public static class SpuriousMnistTraining
{
    /// <summary>
    /// Trains one run at <paramref name="intensity"/> and evaluates on both validation sets every
    /// <c>EvalEvery</c> steps, recording <c>i{intensity}_clean_accuracy</c>, <c>_spurious_accuracy</c>,
    /// <c>_clean_loss</c> and <c>_spurious_loss</c>; keeps fc1 at the best clean accuracy.
    /// </summary>
    /// <param name="context">Metrics, progress, checkpoints.</param>
    /// <param name="config">Settings.</param>
    /// <param name="data">The digits.</param>
    /// <param name="optimizer">Optimizer name.</param>
    /// <param name="seed">Seed: initialization from its <c>init</c> stream, batch order from <c>batches/epoch{e}</c>.</param>
    /// <param name="intensity">The pixel's intensity.</param>
    /// <param name="learningRate">Learning rate (Muon's part for <c>muon</c>).</param>
    public static SpuriousRun Train(RunContext context, SpuriousMnistConfig config, SpuriousMnistData data, string optimizer, int seed,
        double intensity, double learningRate)
    {
        using var validationSpurious = data.ValidationSpurious(intensity);
        using var run = new Run(config, data, seed, intensity);
        using var initialFc1 = run.Fc1.detach().clone();
        using var peakFc1 = run.Fc1.detach().clone();
        using var peakClean = tensor(double.NegativeInfinity, dtype: ScalarType.Float64);
        using var setup = run.Setup(optimizer, learningRate, evaluate: _ =>
        {
            var (cleanAccuracy, cleanLoss) = run.Measure(data.ValidationClean, data.ValidationLabels);
            var (spuriousAccuracy, spuriousLoss) = run.Measure(validationSpurious, data.ValidationLabels);
            if (cleanAccuracy > peakClean.ToDouble())
            {
                using var value = cleanAccuracy.ToScalar();
                peakClean.fill_(value);
                peakFc1.copy_(run.Fc1);
            }
            return new[] { ("clean_accuracy", cleanAccuracy), ("spurious_accuracy", spuriousAccuracy), ("clean_loss", cleanLoss), ("spurious_loss", spuriousLoss) };
        }, buffers: new[] { ("peak_fc1", peakFc1), ("peak_clean", peakClean) });
        string label = Label(intensity);
        var trajectory = TrainingLoop.Train(context, config, setup, new TrainingOptions
        {
            Steps = config.Steps, EvaluateEvery = config.EvalEvery, MetricPrefix = label + "_", Label = label,
        });
        using var learned = peakFc1.sub(initialFc1);
        var spectrum = new Fc1Spectrum(Spectral.SingularValues(peakFc1), Spectral.StableRank(peakFc1), Spectral.EffectiveRank(peakFc1),
            Spectral.StableRank(learned), Spectral.EffectiveRank(learned));
        return new SpuriousRun(optimizer, seed, intensity, learningRate, trajectory.EvaluationSteps.Select(s => (int)s).ToList(),
            trajectory.Series("clean_accuracy").ToList(), trajectory.Series("spurious_accuracy").ToList(),
            trajectory.Series("clean_loss").ToList(), trajectory.Series("spurious_loss").ToList(), trajectory.Diverged, spectrum);
    }

    /// <summary>
    /// A tuning run at the figure intensity: trains like <see cref="Train"/> but evaluates only the clean
    /// tuning split, records nothing, and returns the peak tuning accuracy (−∞ when the run diverged).
    /// </summary>
    /// <param name="context">Progress and checkpoints.</param>
    /// <param name="config">Settings.</param>
    /// <param name="data">The digits.</param>
    /// <param name="optimizer">Optimizer name.</param>
    /// <param name="seed">The tuning seed.</param>
    /// <param name="learningRate">The learning rate tried.</param>
    public static double PeakTuningAccuracy(RunContext context, SpuriousMnistConfig config, SpuriousMnistData data, string optimizer, int seed, double learningRate)
    {
        using var run = new Run(config, data, seed, config.FigureIntensity);
        using var setup = run.Setup(optimizer, learningRate,
            evaluate: _ => new[] { ("tuning_accuracy", run.Measure(data.TuningImages, data.TuningLabels).Accuracy) }, buffers: Array.Empty<(string, Tensor)>());
        var trajectory = TrainingLoop.Train(context, config, setup, new TrainingOptions
        {
            Steps = config.Steps, EvaluateEvery = config.EvalEvery, Record = false, Label = $"tuning lr {learningRate:G3}",
        });
        return trajectory.Diverged ? double.NegativeInfinity : trajectory.Series("tuning_accuracy").Max();
    }

    /// <summary>The label of an intensity's runs and metrics, e.g. <c>i0.25</c>.</summary>
    /// <param name="intensity">The pixel's intensity.</param>
    public static string Label(double intensity) => "i" + intensity.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The model, its batches and its loss for one (seed, intensity).</summary>
    private sealed class Run : IDisposable
    {
        private readonly int _seed;
        private readonly MnistCnn _model = new(layout: MnistCnnLayout.PoolBetweenConvolutions);
        private readonly EpochBatches _batches;

        public Run(SpuriousMnistConfig config, SpuriousMnistData data, int seed, double intensity)
        {
            _seed = seed;
            _batches = new EpochBatches(data.TrainingImages(intensity), data.TrainingLabels, config.BatchSize, seed);
            // Every optimizer and intensity of a seed starts from the same weights: paired comparisons.
            using var generator = SeedStreams.Generator(seed, "init");
            _model.InitializeGaussian(config.InitScale, generator);
            Fc1 = _model.named_parameters().Single(p => p.name == "fc1.weight").parameter;
        }

        /// <summary>fc1's weight, the matrix whose spectrum is kept at the peak.</summary>
        public Tensor Fc1 { get; }

        public TrainingSetup Setup(string optimizer, double learningRate, Func<long, IReadOnlyList<(string, double)>> evaluate,
            IReadOnlyList<(string, Tensor)> buffers) => new()
        {
            Optimizer = optimizer,
            Seed = _seed,
            Parameters = _model.named_parameters().ToList(),
            Loss = step => nn.functional.cross_entropy(_model.call(_batches.Take(step, out var labels)), labels),
            Evaluate = evaluate,
            OptimizerOverrides = new OptimizerOverrides { Lr = learningRate },
            Buffers = buffers,
        };

        /// <summary>Accuracy and mean cross-entropy of the model on <paramref name="images"/>.</summary>
        public (double Accuracy, double Loss) Measure(Tensor images, Tensor labels) => Classification.Measure(_model.call, images, labels);

        public void Dispose()
        {
            _batches.Dispose();
            _model.Dispose();
        }
    }
}
