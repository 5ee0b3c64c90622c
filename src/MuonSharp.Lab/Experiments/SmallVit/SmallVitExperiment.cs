using System.Globalization;
using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.SmallGpt;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;

namespace MuonSharp.Lab.Experiments.SmallVit;

/// <summary>
/// The ViT control of <c>002 §5</c>: the GPT's two optimizer setups (AdamW; Muon + AdamW) on a small vision
/// transformer, here on Fashion-MNIST (CIFAR-10 is not available to the lab). Claim (e): the ranking reverses, AdamW
/// ends at least as accurate as Muon.
/// </summary>
public sealed class SmallVitExperiment : Experiment<SmallVitConfig>
{
    /// <summary>Claim (e).</summary>
    public static readonly ClaimSpec Reversal = new("e-vit-ranking-reverses", "002 §5, matched small-ViT control (CIFAR-10 there; Fashion-MNIST here)",
        "On a small ViT the ranking reverses: AdamW's final validation accuracy is at least Muon's.",
        "Test accuracy of Fashion-MNIST (its 10,000 test images; the dataset has no separate validation split) after the last update, per seed; " +
        "the paired difference adamw − muon over seeds: mean and standard error (_se).",
        "Holds if adamw − muon exceeds its standard error; fails if it is below minus its standard error; inconclusive when within one standard error, " +
        "with fewer than two seeds, or when a compared run diverged.");

    /// <inheritdoc />
    public override string Id => "small-vit";
    /// <inheritdoc />
    public override string Description => "Small ViT (patch 7, width 128, 4 layers) on Fashion-MNIST: final test accuracy, AdamW vs Muon (002's ViT control).";
    /// <inheritdoc />
    public override string Source => "002 §5, small-ViT control";
    /// <inheritdoc />
    public override IReadOnlyList<string> KnownOptimizers => SmallGptExperiment.Accepted;
    /// <inheritdoc />
    public override IReadOnlyList<ClaimSpec> Claims => new[] { Reversal };
    /// <inheritdoc />
    public override SmallVitConfig Paper => new();
    /// <inheritdoc />
    public override SmallVitConfig Quick => Paper with { Steps = 30, Seeds = 2, Width = 32, Layers = 2, Heads = 2, BatchSize = 32, EvalEvery = 10 };

    /// <inheritdoc />
    protected override IReadOnlyList<ClaimResult> Run(RunContext context, SmallVitConfig config)
    {
        // Runs on the lab's torch thread count (LabRunner: one by default, see RunOptions.TorchThreads).
        using var data = new VitData(context.Data.FashionMnist());
        context.Log($"fashion-mnist: {data.TrainImages.shape[0]:N0} training and {data.TestImages.shape[0]:N0} test images, standardized with the training pixels' mean and deviation");
        var runs = TrainingLoop.ForEachRun(context, config, (seed, optimizer) => SmallVitTraining.Train(context, config, data, optimizer, seed), "vit");
        foreach (var optimizer in config.Optimizers)
        {
            var own = runs.Where(r => r.Optimizer == optimizer && r.UpdateSeconds > 0).ToList();
            if (own.Count > 0)
                context.Log(string.Create(CultureInfo.InvariantCulture,
                    $"throughput {optimizer}: {own.Sum(r => (double)config.Steps * config.BatchSize) / own.Sum(r => r.UpdateSeconds):N0} images/s; optimizer step {own.Sum(r => r.OptimizerSeconds) / own.Sum(r => r.UpdateSeconds):P1} of the update time"));
        }
        Charts.Line(context, "test_accuracy", $"Fashion-MNIST test accuracy, small ViT (mean and range of {config.Seeds} seeds)", "step", "accuracy",
            config.Optimizers.Select(o =>
            {
                var own = runs.Where(r => r.Optimizer == o).ToList();
                int length = own.Min(r => r.EvaluationSteps.Count);
                return Series.MeanWithRange(o, own[0].EvaluationSteps.Take(length).Select(s => (double)s).ToList(),
                    own.Select(r => (IReadOnlyList<double>)r.Accuracy.Take(length).ToList()).ToList());
            }));
        return new[] { Judge(runs) };
    }

    /// <summary>Claim (e) from the runs.</summary>
    /// <param name="runs">Every seed × optimizer run.</param>
    public static ClaimResult Judge(IReadOnlyList<SmallVitRun> runs)
    {
        var measured = new Dictionary<string, double>();
        Dictionary<int, double> PerSeed(string optimizer) => runs.Where(r => r.Optimizer == optimizer).ToDictionary(r => r.Seed, r => r.FinalAccuracy);
        foreach (var o in SmallGptExperiment.Accepted)
        {
            var values = PerSeed(o).Values.ToList();
            if (values.Count == 0) continue;
            measured[$"{o}_final_accuracy"] = Stats.Mean(values);
            measured[$"{o}_final_accuracy_sd"] = Stats.StandardDeviation(values);
        }
        var difference = PairedDifference.Of(PerSeed(SmallGptExperiment.AdamW), PerSeed(SmallGptExperiment.Muon));
        var keys = difference.Record(measured, "adamw_minus_muon_accuracy");
        return Reversal.Judge(difference.FirstAhead, measured, $"paired difference {difference}", keys);
    }
}
