using MuonSharp.Lab.Models;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.FeatureLearning;

/// <summary>
/// One pretraining run at matched loss and everything measured at its checkpoint. Lists follow the config's
/// arrays (<c>fine_tune_shots</c>, <c>noise_sigmas</c>, <c>attack_epsilons</c>); every measurement is NaN
/// when the run did not reach the target (it is then left out of the comparisons).
/// </summary>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="Seed">Seed.</param>
/// <param name="LearningRate">The tuned learning rate (Muon's part for <c>muon</c>).</param>
/// <param name="ReachedStep">The step at which the check loss first reached the target; null when it did not within the budget.</param>
/// <param name="Diverged">The training loss stopped being finite.</param>
/// <param name="CheckLoss">The check-set loss at the checkpoint.</param>
/// <param name="CheckSteps">The steps of every check, from 0 to the checkpoint.</param>
/// <param name="CheckLosses">The check-set loss at each of them.</param>
/// <param name="HessianTrace">Hutchinson's estimate of tr ∇²L on the Hessian batch.</param>
/// <param name="HessianTraceError">Its standard error over the probes.</param>
/// <param name="HessianTopEigenvalue">The largest-magnitude eigenvalue of ∇²L on the Hessian batch (power iteration).</param>
/// <param name="ProbeAccuracy">Linear-probe accuracy on the held-out classes.</param>
/// <param name="FineTuneAccuracy">Fine-tuned accuracy on the held-out classes, per budget.</param>
/// <param name="CleanAccuracy">Accuracy on the robustness images.</param>
/// <param name="NoiseAccuracy">Accuracy under Gaussian pixel noise, per σ.</param>
/// <param name="FgsmAccuracy">Accuracy under FGSM, per ε.</param>
/// <param name="PgdAccuracy">Accuracy under PGD, per ε.</param>
/// <param name="FeatureEffectiveRank">Effective rank of the penultimate features of the downstream test images.</param>
/// <param name="WeightStableRanks">Stable rank of each weight matrix (conv filters flattened), by parameter name.</param>
public sealed record FeatureRun(string Optimizer, int Seed, double LearningRate, long? ReachedStep, bool Diverged, double CheckLoss,
    IReadOnlyList<long> CheckSteps, IReadOnlyList<double> CheckLosses, double HessianTrace, double HessianTraceError, double HessianTopEigenvalue, double ProbeAccuracy, IReadOnlyList<double> FineTuneAccuracy,
    double CleanAccuracy, IReadOnlyList<double> NoiseAccuracy, IReadOnlyList<double> FgsmAccuracy, IReadOnlyList<double> PgdAccuracy,
    double FeatureEffectiveRank, IReadOnlyDictionary<string, double> WeightStableRanks)
{
    /// <summary>The run reached the target: its measurements are at matched loss.</summary>
    public bool Matched => ReachedStep.HasValue && !Diverged;
}

/// <summary>Pretraining to the common target, and the measurements at the checkpoint.</summary>
public static class FeatureLearningTraining
{
    /// <summary>Power iteration stops when the Rayleigh quotient moves by at most this fraction (our choice).</summary>
    private const double PowerTolerance = 1e-3;

    /// <summary>
    /// Pretrains one network with <paramref name="optimizer"/> until the check loss reaches the target (or the
    /// step budget ends), recording <c>check_loss</c>; then measures flatness, transfer, robustness and spectra.
    /// </summary>
    /// <param name="context">Metrics, log, progress, checkpoints.</param>
    /// <param name="config">Settings.</param>
    /// <param name="data">The images.</param>
    /// <param name="optimizer">Optimizer name.</param>
    /// <param name="seed">Seed: initialization from its <c>init</c> stream, batches from <c>batches/epoch{e}</c>.</param>
    /// <param name="learningRate">The tuned learning rate.</param>
    public static FeatureRun Train(RunContext context, FeatureLearningConfig config, FeatureLearningData data, string optimizer, int seed, double learningRate)
    {
        using var model = NewModel(seed);
        var trajectory = Pretrain(context, config, data, model, optimizer, seed, learningRate, record: true);
        long? reached = MatchedLoss.ReachedStep(trajectory, config.TargetLoss);
        double checkLoss = trajectory.Last(MatchedLoss.Metric);
        var unmeasured = new FeatureRun(optimizer, seed, learningRate, reached, trajectory.Diverged, checkLoss,
            trajectory.EvaluationSteps.ToList(), trajectory.Series(MatchedLoss.Metric).ToList(), double.NaN, double.NaN, double.NaN, double.NaN,
            config.FineTuneShots.Select(_ => double.NaN).ToList(), double.NaN, config.NoiseSigmas.Select(_ => double.NaN).ToList(),
            config.AttackEpsilons.Select(_ => double.NaN).ToList(), config.AttackEpsilons.Select(_ => double.NaN).ToList(), double.NaN, new Dictionary<string, double>());
        if (unmeasured is not { Matched: true }) return unmeasured;
        return Measure(config, data, model, unmeasured);
    }

    /// <summary>A tuning run on the tuning seed: pretrains like <see cref="Train"/>, records nothing and returns <see cref="MatchedLoss.SpeedScore"/>.</summary>
    /// <param name="context">Progress and checkpoints.</param>
    /// <param name="config">Settings.</param>
    /// <param name="data">The images.</param>
    /// <param name="optimizer">Optimizer name.</param>
    /// <param name="seed">The tuning seed.</param>
    /// <param name="learningRate">The learning rate tried.</param>
    public static double SpeedToTarget(RunContext context, FeatureLearningConfig config, FeatureLearningData data, string optimizer, int seed, double learningRate)
    {
        using var model = NewModel(seed);
        var trajectory = Pretrain(context, config, data, model, optimizer, seed, learningRate, record: false);
        return MatchedLoss.SpeedScore(trajectory, config.TargetLoss, config.Steps);
    }

    /// <summary>The network, initialized from the seed's <c>init</c> stream: every optimizer of a seed starts from the same weights.</summary>
    private static MnistCnn NewModel(int seed)
    {
        // TorchSharp's modules initialize from the global generator (PyTorch's default initialization).
        random.manual_seed((long)SeedStreams.Seed(seed, "init"));
        return new MnistCnn(layout: MnistCnnLayout.PoolBetweenConvolutions, classes: FeatureLearningData.Classes);
    }

    private static Trajectory Pretrain(RunContext context, FeatureLearningConfig config, FeatureLearningData data, MnistCnn model,
        string optimizer, int seed, double learningRate, bool record)
    {
        using var batches = new EpochBatches(data.Pretraining.Images, data.Pretraining.Labels, config.BatchSize, seed);
        using var setup = new TrainingSetup
        {
            Optimizer = optimizer,
            Seed = seed,
            Parameters = model.named_parameters().ToList(),
            Loss = step => nn.functional.cross_entropy(model.call(batches.Take(step, out var labels)), labels),
            Evaluate = _ => new[] { (MatchedLoss.Metric, Classification.Measure(model.call, data.CheckSet.Images, data.CheckSet.Labels).Loss) },
            StopAfterEvaluation = trajectory => MatchedLoss.Reached(trajectory, config.TargetLoss),
            OptimizerOverrides = new OptimizerOverrides { Lr = learningRate },
        };
        return TrainingLoop.Train(context, config, setup, new TrainingOptions
        {
            Steps = config.Steps, EvaluateEvery = config.CheckEvery, Record = record,
            Label = record ? "pretrain" : $"tuning lr {learningRate:G3}", MetricPrefix = "pretrain_",
        });
    }

    /// <summary>Every measurement at the checkpoint of a run that reached the target.</summary>
    private static FeatureRun Measure(FeatureLearningConfig config, FeatureLearningData data, MnistCnn model, FeatureRun run)
    {
        var parameters = model.parameters().ToList();
        Tensor HessianLoss() => nn.functional.cross_entropy(model.call(data.HessianBatch.Images), data.HessianBatch.Labels);
        var traceSamples = Spectral.HessianTraceHutchinsonSamples(HessianLoss, parameters, config.HutchinsonProbes, (long)SeedStreams.Seed(run.Seed, "hessian/trace"));
        double topEigenvalue = Spectral.HessianTopEigenvalue(HessianLoss, parameters, config.PowerIterations, PowerTolerance, (long)SeedStreams.Seed(run.Seed, "hessian/top"));

        using var downstreamFeatures = Features(model, data.DownstreamTest.Images);
        double probe;
        using (var probeSet = data.DownstreamFirstPerClass(config.ProbeImagesPerClass))
        using (var probeFeatures = Features(model, probeSet.Images))
            probe = LinearProbe.Accuracy(probeFeatures, probeSet.Labels, downstreamFeatures, data.DownstreamTest.Labels, FeatureLearningData.Classes, config.ProbeSteps);
        var fineTuned = config.FineTuneShots.Select(shots =>
        {
            using var examples = data.DownstreamSample(shots, run.Seed);
            return FineTuning.Accuracy(model, examples, data.DownstreamTest, FeatureLearningData.Classes, config.FineTuneSteps, run.Seed);
        }).ToList();

        var robust = data.RobustnessSet;
        double Accuracy(Tensor images) => Classification.Measure(model.call, images, robust.Labels).Accuracy;
        double clean = Accuracy(robust.Images);
        var noise = config.NoiseSigmas.Select(sigma =>
        {
            using var scope = NewDisposeScope();
            using var generator = SeedStreams.Generator(run.Seed, $"noise/{sigma:R}");
            using var s = new HeldScalars();
            return Accuracy(robust.Images.add(randn(robust.Images.shape, generator: generator).mul_(s[sigma])).clamp_(s[0], s[1]));
        }).ToList();
        double Attacked(Func<Tensor> attack)
        {
            using var scope = NewDisposeScope();
            return Accuracy(attack());
        }
        var fgsm = config.AttackEpsilons.Select(e => Attacked(() => AdversarialAttacks.Fgsm(model.call, robust.Images, robust.Labels, e))).ToList();
        var pgd = config.AttackEpsilons.Select(e => Attacked(() => AdversarialAttacks.Pgd(model.call, robust.Images, robust.Labels, e, config.PgdSteps, 2.5 * e / config.PgdSteps))).ToList();

        var stableRanks = model.named_parameters().Where(p => p.parameter.dim() >= 2)
            .ToDictionary(p => p.name, p => { using var matrix = p.parameter.detach().flatten(1); return Spectral.StableRank(matrix); });
        return run with
        {
            HessianTrace = Analysis.Stats.Mean(traceSamples),
            HessianTraceError = Analysis.Stats.StandardDeviation(traceSamples) / Math.Sqrt(traceSamples.Length),
            HessianTopEigenvalue = topEigenvalue, ProbeAccuracy = probe, FineTuneAccuracy = fineTuned,
            CleanAccuracy = clean, NoiseAccuracy = noise, FgsmAccuracy = fgsm, PgdAccuracy = pgd,
            FeatureEffectiveRank = Spectral.EffectiveRank(downstreamFeatures), WeightStableRanks = stableRanks,
        };
    }

    /// <summary>Penultimate features of <paramref name="images"/> under no_grad, in evaluation batches (caller disposes).</summary>
    private static Tensor Features(MnistCnn model, Tensor images)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var chunks = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += Classification.EvaluationBatch)
            chunks.Add(model.Features(images.narrow(0, start, Math.Min(Classification.EvaluationBatch, images.shape[0] - start))));
        return cat(chunks).MoveToOuterDisposeScope();
    }
}
