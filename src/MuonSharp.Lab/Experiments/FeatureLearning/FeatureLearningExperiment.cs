using System.Globalization;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;

namespace MuonSharp.Lab.Experiments.FeatureLearning;

/// <summary>
/// <c>001</c>'s open questions measured: a small CNN is pretrained on five Fashion-MNIST classes with SGD,
/// AdamW, Muon (the hybrid), Shampoo and Lion, each run stopping when its training loss first reaches a common
/// target (matched loss); at that checkpoint the Hessian's trace and top eigenvalue, a linear probe and few-shot
/// fine-tuning on the five held-out classes, accuracy under pixel noise and FGSM / PGD attacks, and the feature
/// and weight ranks are measured. Each optimizer's learning rate is tuned first, on the tuning seed, for speed
/// to the target.
/// </summary>
public sealed class FeatureLearningExperiment : Experiment<FeatureLearningConfig>
{
    /// <summary>SGD with heavy-ball momentum.</summary>
    public const string Sgd = "sgd";
    /// <summary>AdamW.</summary>
    public const string AdamW = "adamw";
    /// <summary>Muon (hybrid with AdamW).</summary>
    public const string Muon = "muon";
    /// <summary>Shampoo with Adam grafting.</summary>
    public const string Shampoo = "shampoo";
    /// <summary>Lion.</summary>
    public const string Lion = "lion";
    /// <summary>Every optimizer name this experiment understands.</summary>
    public static readonly IReadOnlyList<string> OptimizerNames = new[] { Sgd, AdamW, Muon, Shampoo, Lion };

    /// <summary>What <c>optimizers</c> accepts: <see cref="OptimizerNames"/> and their variants (<c>normuon</c>; see <see cref="OptimizerTable.WithVariants"/>).</summary>
    public static readonly IReadOnlyList<string> Accepted = OptimizerTable.WithVariants(OptimizerNames);

    /// <inheritdoc />
    public override string Id => "feature-learning";
    /// <inheritdoc />
    public override string Description => "Pretraining on five Fashion-MNIST classes to a matched loss with five optimizers; flatness, transfer to the held-out classes and robustness at the checkpoint.";
    /// <inheritdoc />
    public override string Source => "001, Goal; Pre-Training and Downstream Task Effectiveness";
    /// <inheritdoc />
    public override IReadOnlyList<string> KnownOptimizers => Accepted;
    /// <inheritdoc />
    public override IReadOnlyList<ClaimSpec> Claims => FeatureLearningAnswers.All;
    /// <inheritdoc />
    public override FeatureLearningConfig Paper => new();
    /// <inheritdoc />
    public override FeatureLearningConfig Quick => Paper with
    {
        Steps = 60, Seeds = 2, TargetLoss = 1.55, CheckEvery = 10, CheckImages = 128, TrainImages = 400, HessianImages = 64, HutchinsonProbes = 3,
        PowerIterations = 3, ProbeImagesPerClass = 20, ProbeSteps = 50, FineTuneShots = new[] { 2, 5 }, FineTuneSteps = 5, DownstreamTestImages = 100,
        RobustnessImages = 64, PgdSteps = 3, Permutations = 200,
        SgdLrGrid = new[] { 0.1 }, AdamwLrGrid = new[] { 3e-3 }, MuonLrGrid = new[] { 0.1 }, ShampooLrGrid = new[] { 3e-3 }, LionLrGrid = new[] { 3e-4 },
    };

    /// <inheritdoc />
    protected override IReadOnlyList<ClaimResult> Run(RunContext context, FeatureLearningConfig config)
    {
        var dataset = context.Data.FashionMnist();
        using var data = new FeatureLearningData(dataset, config);
        context.Log($"{dataset.Name} from {dataset.Origin}: pretraining on classes 0–4 ({string.Join(", ", dataset.ClassNames.Take(5))}), " +
                    $"{data.Pretraining.Count:N0} training images ({(double)config.Steps * config.BatchSize / data.Pretraining.Count:G3} epochs of batch {config.BatchSize} at most); " +
                    $"downstream classes 5–9 ({string.Join(", ", dataset.ClassNames.Skip(5))}): {config.ProbeImagesPerClass:N0} probe images per class, " +
                    $"fine-tuning on {string.Join(" and ", config.FineTuneShots)} per class, {data.DownstreamTest.Count:N0} test images");
        context.Log($"matched loss: each run stops at the first check (every {config.CheckEvery} steps, on {data.CheckSet.Count:N0} training images) with loss ≤ {config.TargetLoss.ToString(CultureInfo.InvariantCulture)}; " +
                    $"Shampoo's blocks are at most {config.ShampooMaxPreconditionerDim} wide and its inverse roots are recomputed every {config.ShampooPreconditionFrequency} steps");

        var learningRates = config.Optimizers.ToDictionary(o => o, o => Tune(context, config, data, o));
        var runs = TrainingLoop.ForEachRun(context, config,
            (seed, optimizer) => FeatureLearningTraining.Train(context, config, data, optimizer, seed, learningRates[optimizer]));
        foreach (var run in runs)
            context.Log($"{run.Optimizer} seed {run.Seed} (lr {run.LearningRate:G3}): " + (run.Matched
                ? $"target reached at step {run.ReachedStep} (check loss {run.CheckLoss:G4}); Hessian trace {run.HessianTrace:G4} ± {run.HessianTraceError:G2}, top eigenvalue {run.HessianTopEigenvalue:G4}; " +
                  $"probe {run.ProbeAccuracy:P1}, fine-tuned {string.Join(" / ", run.FineTuneAccuracy.Select(a => a.ToString("P1", CultureInfo.InvariantCulture)))}; " +
                  $"clean {run.CleanAccuracy:P1}, noise {string.Join(" / ", run.NoiseAccuracy.Select(a => a.ToString("P1", CultureInfo.InvariantCulture)))}, " +
                  $"FGSM {string.Join(" / ", run.FgsmAccuracy.Select(a => a.ToString("P1", CultureInfo.InvariantCulture)))}, PGD {string.Join(" / ", run.PgdAccuracy.Select(a => a.ToString("P1", CultureInfo.InvariantCulture)))}; " +
                  $"feature effective rank {run.FeatureEffectiveRank:G3}"
                : run.Diverged ? "diverged" : $"did not reach the target in {config.Steps} steps (check loss {run.CheckLoss:G4}); left out of the comparisons"));
        Record(context, config, runs);
        FeatureLearningPlots.Draw(context, config, runs);
        return FeatureLearningAnswers.Judge(config, runs);
    }

    /// <summary>
    /// The learning rate of <paramref name="optimizer"/>: the value of its grid that reaches the target in the fewest
    /// steps on the tuning seed (<see cref="MatchedLoss.SpeedScore"/>); each grid value is one unit of work.
    /// </summary>
    private static double Tune(RunContext context, FeatureLearningConfig config, FeatureLearningData data, string optimizer)
    {
        var grid = config.LrGrid(optimizer);
        if (grid.Length == 1) return grid[0];
        int seed = SeedStreams.TuningSeed(config);
        return LearningRateSearch.Best(context, $"tune/{optimizer}", optimizer, seed, LearningRateCandidate.Named(grid),
            lr => FeatureLearningTraining.SpeedToTarget(context, config, data, optimizer, seed, lr),
            "−(steps to the target; not reached: budget + final check loss)", "tuned_lr", $"{OptimizerTable.LrKey(optimizer)}_grid");
    }

    /// <summary>The per-run measurements, as metrics at the step each run reached the target.</summary>
    private static void Record(RunContext context, FeatureLearningConfig config, IReadOnlyList<FeatureRun> runs)
    {
        string Level(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        foreach (var run in runs.Where(r => r.Matched))
        {
            long step = run.ReachedStep!.Value;
            void Add(string metric, double value) => context.Metrics.Add(step, run.Optimizer, run.Seed, metric, value);
            Add("reached_step", step);
            Add("hessian_trace", run.HessianTrace);
            Add("hessian_trace_se", run.HessianTraceError);
            Add("hessian_top_eigenvalue", run.HessianTopEigenvalue);
            Add("probe_accuracy", run.ProbeAccuracy);
            Add("clean_accuracy", run.CleanAccuracy);
            Add("feature_effective_rank", run.FeatureEffectiveRank);
            for (int i = 0; i < config.FineTuneShots.Length; i++) Add($"fine_tune_{config.FineTuneShots[i]}shot_accuracy", run.FineTuneAccuracy[i]);
            for (int i = 0; i < config.NoiseSigmas.Length; i++) Add($"noise{Level(config.NoiseSigmas[i])}_accuracy", run.NoiseAccuracy[i]);
            for (int i = 0; i < config.AttackEpsilons.Length; i++)
            {
                Add($"fgsm{Level(config.AttackEpsilons[i])}_accuracy", run.FgsmAccuracy[i]);
                Add($"pgd{Level(config.AttackEpsilons[i])}_accuracy", run.PgdAccuracy[i]);
            }
            foreach (var (matrix, rank) in run.WeightStableRanks) Add($"stable_rank_{matrix}", rank);
        }
    }
}
