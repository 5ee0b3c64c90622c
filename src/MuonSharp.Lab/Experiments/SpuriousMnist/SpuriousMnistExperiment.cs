using System.Globalization;
using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;

namespace MuonSharp.Lab.Experiments.SpuriousMnist;

/// <summary>
/// The spurious-pixel experiment of <c>000 §5</c> (App. C.3): every MNIST training digit carries its
/// class's pixel; a small CNN from a small Gaussian initialization is trained with SGD with momentum, Adam
/// and Muon (the hybrid: conv2 and fc1 to Muon, the rest to AdamW). Each optimizer's learning rate is tuned
/// once, at the figure intensity on a separate seed, by peak clean accuracy on a held-out tuning split;
/// then every intensity of the sweep is trained for every seed, evaluating the same held-out digits with
/// and without the pixel. Claims (a)–(c) are judged at the figure intensity, (d) over the sweep.
/// </summary>
public sealed class SpuriousMnistExperiment : Experiment<SpuriousMnistConfig>
{
    /// <summary>SGD with heavy-ball momentum.</summary>
    public const string Sgd = "sgd";
    /// <summary>Adam.</summary>
    public const string Adam = "adam";
    /// <summary>Muon (hybrid with AdamW).</summary>
    public const string Muon = "muon";
    /// <summary>Every optimizer name this experiment understands.</summary>
    public static readonly IReadOnlyList<string> OptimizerNames = new[] { Sgd, Adam, Muon };

    /// <summary>What <c>optimizers</c> accepts: <see cref="OptimizerNames"/> and their variants (<c>normuon</c>; see <see cref="OptimizerTable.WithVariants"/>).</summary>
    public static readonly IReadOnlyList<string> Accepted = OptimizerTable.WithVariants(OptimizerNames);

    /// <inheritdoc />
    public override string Id => "spurious-mnist";
    /// <inheritdoc />
    public override string Description => "MNIST with a class-coding pixel on every training digit: SGD vs Adam vs Muon on a small CNN, clean vs spurious validation accuracy, intensity sweep.";
    /// <inheritdoc />
    public override string Source => "000 §5, App. C.3";
    /// <inheritdoc />
    public override IReadOnlyList<string> KnownOptimizers => Accepted;
    /// <inheritdoc />
    public override IReadOnlyList<ClaimSpec> Claims => SpuriousMnistClaims.All;
    /// <inheritdoc />
    public override SpuriousMnistConfig Paper => new();
    /// <inheritdoc />
    public override SpuriousMnistConfig Quick => Paper with
    {
        Steps = 30, Seeds = 2, EvalEvery = 10, TrainDigits = 256, ValidationDigits = 100, Intensities = new[] { 0.5, 1, 2 },
        SgdLrGrid = new[] { 0.1 }, AdamLrGrid = new[] { 1e-3 }, MuonLrGrid = new[] { 0.03 },
    };

    /// <inheritdoc />
    protected override IReadOnlyList<ClaimResult> Run(RunContext context, SpuriousMnistConfig config)
    {
        var dataset = context.Data.Mnist();
        using var data = new SpuriousMnistData(dataset, config);
        context.Log($"{dataset.Name} from {dataset.Origin}: {data.TrainingCount:N0} training digits " +
                    $"({(double)config.Steps * config.BatchSize / data.TrainingCount:G3} epochs of batch {config.BatchSize}), " +
                    $"{data.TuningLabels.shape[0]:N0} tuning digits, {data.ValidationLabels.shape[0]:N0} validation digits");
        context.Log($"spurious pixels at row {SpuriousPixel.Row}, columns {string.Join(", ", Enumerable.Range(0, 10).Select(c => SpuriousPixel.Of(c).Column))} (class 0 … 9); " +
                    $"{SpuriousPixel.InkFraction(dataset.Train):P2} of the training split's digits have ink at one of them");

        var learningRates = config.Optimizers.ToDictionary(o => o, o => Tune(context, config, data, o));
        var runs = new List<SpuriousRun>();
        foreach (var intensity in config.Intensities)
        {
            string label = SpuriousMnistTraining.Label(intensity);
            runs.AddRange(TrainingLoop.ForEachRun(context, config,
                (seed, optimizer) => SpuriousMnistTraining.Train(context, config, data, optimizer, seed, intensity, learningRates[optimizer]), label));
        }
        foreach (var run in runs)
            context.Log($"intensity {run.Intensity.ToString(CultureInfo.InvariantCulture)} {run.Optimizer} seed {run.Seed}: " +
                        (run.Diverged ? "diverged; " : "") +
                        $"peak clean accuracy {run.PeakClean:P2} at step {run.PeakStep}, final clean {run.CleanAccuracy[^1]:P2}, final spurious {run.SpuriousAccuracy[^1]:P2}; " +
                        $"fc1 at the peak: stable rank {run.PeakFc1.StableRank:G3}, effective rank {run.PeakFc1.EffectiveRank:G3}");

        SpuriousMnistPlots.Draw(context, config, runs);
        return SpuriousMnistClaims.Judge(config, runs);
    }

    /// <summary>
    /// The learning rate of <paramref name="optimizer"/>: the value of its grid with the highest peak clean
    /// accuracy on the tuning split, at the figure intensity, on the tuning seed (<c>000</c> App. C.3 picks each
    /// optimizer's best hyperparameters); a diverged run is never chosen. Each grid value is one unit of work.
    /// </summary>
    private static double Tune(RunContext context, SpuriousMnistConfig config, SpuriousMnistData data, string optimizer)
    {
        var grid = config.LrGrid(optimizer);
        if (grid.Length == 1) return grid[0];
        int seed = SeedStreams.TuningSeed(config);
        return LearningRateSearch.Best(context, $"tune/{optimizer}", optimizer, seed, LearningRateCandidate.Named(grid),
            lr => SpuriousMnistTraining.PeakTuningAccuracy(context, config, data, optimizer, seed, lr),
            $"peak tuning-split accuracy at intensity {config.FigureIntensity.ToString(CultureInfo.InvariantCulture)}", "tuned_lr", $"{optimizer}_lr_grid");
    }
}
