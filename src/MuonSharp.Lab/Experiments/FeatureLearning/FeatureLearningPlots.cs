using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Experiments.FeatureLearning;

/// <summary>
/// The experiment's figures: every run's pretraining loss up to its checkpoint, then, from the runs that reached
/// the target, downstream accuracy against the Hessian
/// trace (one point per run, Liu et al. 2023 Fig. 3's axes), accuracy against the attack radius and the noise
/// level (means over seeds with min–max bands), the feature and weight ranks, and the steps each optimizer
/// took to the target.
/// </summary>
public static class FeatureLearningPlots
{
    /// <summary>Draws every figure.</summary>
    /// <param name="context">The run.</param>
    /// <param name="config">Settings.</param>
    /// <param name="runs">Every measured run.</param>
    public static void Draw(RunContext context, FeatureLearningConfig config, IReadOnlyList<FeatureRun> runs)
    {
        Charts.Line(context, "pretraining_check_loss", $"Check-set loss until the target {config.TargetLoss:G3} (dashed)",
            "step", "cross-entropy", runs.Select(r => new Series($"{r.Optimizer} seed {r.Seed}", r.CheckSteps.Select(s => (double)s).ToList(), r.CheckLosses) { ColorOf = r.Optimizer })
                .Append(new Series("target", new[] { 0.0, runs.Max(r => r.CheckSteps.LastOrDefault()) }, new[] { config.TargetLoss, config.TargetLoss }) { Dashed = true }),
            logY: true);

        var matched = runs.Where(r => r.Matched).ToList();
        var optimizers = config.Optimizers.Where(o => matched.Any(r => r.Optimizer == o)).ToList();
        if (optimizers.Count == 0) return;

        IEnumerable<Series> Points(Func<FeatureRun, double> y) => optimizers.Select(o =>
        {
            var group = matched.Where(r => r.Optimizer == o).ToList();
            return new Series(o, group.Select(r => r.HessianTrace).ToList(), group.Select(y).ToList()) { MarkersOnly = true };
        });
        Charts.Line(context, "probe_accuracy_vs_hessian_trace", "Linear-probe accuracy (held-out classes) vs Hessian trace, one point per run",
            "Hessian trace of the pretraining loss", "probe accuracy", Points(r => r.ProbeAccuracy));
        Charts.Line(context, "fine_tune_accuracy_vs_hessian_trace",
            $"Fine-tuned accuracy ({config.FineTuneShots[^1]} per class) vs Hessian trace, one point per run",
            "Hessian trace of the pretraining loss", "fine-tuned accuracy", Points(r => r.FineTuneAccuracy[^1]));

        var radii = config.AttackEpsilons.Prepend(0).ToList();
        Charts.Line(context, "robust_accuracy_vs_epsilon", $"Accuracy under FGSM (solid) and PGD-{config.PgdSteps} (dashed) vs L∞ radius",
            "ε (pixel units)", "accuracy", optimizers.SelectMany(o => new[]
            {
                Curve(o + " FGSM", radii, matched.Where(r => r.Optimizer == o), r => r.FgsmAccuracy) with { ColorOf = o },
                Curve(o + " PGD", radii, matched.Where(r => r.Optimizer == o), r => r.PgdAccuracy) with { ColorOf = o, Dashed = true },
            }));
        Charts.Line(context, "noise_accuracy_vs_sigma", "Accuracy under Gaussian pixel noise vs σ",
            "σ (pixel units)", "accuracy", optimizers.Select(o => Curve(o, config.NoiseSigmas.Prepend(0).ToList(), matched.Where(r => r.Optimizer == o), r => r.NoiseAccuracy)));

        double Mean(string optimizer, Func<FeatureRun, double> value) => Stats.Mean(matched.Where(r => r.Optimizer == optimizer).Select(value));
        var matrices = matched[0].WeightStableRanks.Keys.ToList();
        Charts.Bars(context, "feature_and_weight_ranks", "Feature effective rank and weight stable ranks at the checkpoint (seed means)", "rank",
            matrices.Select(m => $"stable rank, {m}").Prepend("effective rank, features").ToList(),
            optimizers.Select(o => (o, (IReadOnlyList<double>)matrices.Select(m => Mean(o, r => r.WeightStableRanks[m])).Prepend(Mean(o, r => r.FeatureEffectiveRank)).ToList())).ToList());
        Charts.Bars(context, "steps_to_target", $"Steps to the target loss {config.TargetLoss:G3} (seed means)", "steps",
            optimizers, new[] { ("steps", (IReadOnlyList<double>)optimizers.Select(o => Mean(o, r => r.ReachedStep!.Value)).ToList()) });
    }

    /// <summary>Clean accuracy at x = 0, then the perturbed accuracies: the mean over seeds with the min–max band.</summary>
    private static Series Curve(string label, IReadOnlyList<double> x, IEnumerable<FeatureRun> group, Func<FeatureRun, IReadOnlyList<double>> perturbed) =>
        Series.MeanWithRange(label, x, group.Select(r => (IReadOnlyList<double>)perturbed(r).Prepend(r.CleanAccuracy).ToList()).ToList());
}
