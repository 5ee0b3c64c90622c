using System.Globalization;
using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Experiments.SpuriousMnist;

/// <summary>
/// The experiment's figures: <c>000</c> Fig. 3b–c analogues (accuracy and loss on both validation sets over
/// steps, one panel per optimizer, seeds as bands, the mean peak step marked), the Fig. 3d analogue (peak
/// clean accuracy against intensity), and fc1's spectrum at the peak of clean accuracy.
/// </summary>
public static class SpuriousMnistPlots
{
    /// <summary>Draws every figure from the measured runs.</summary>
    /// <param name="context">The run.</param>
    /// <param name="config">Settings.</param>
    /// <param name="runs">Every measured run.</param>
    public static void Draw(RunContext context, SpuriousMnistConfig config, IReadOnlyList<SpuriousRun> runs)
    {
        var figure = runs.Where(r => r.Intensity == config.FigureIntensity && !r.Diverged).ToList();
        string at = $"pixel intensity {config.FigureIntensity.ToString(CultureInfo.InvariantCulture)}";
        foreach (var optimizer in config.Optimizers)
        {
            var group = figure.Where(r => r.Optimizer == optimizer).ToList();
            if (group.Count == 0) continue;
            Charts.Line(context, $"accuracy_{optimizer}", $"{optimizer}: validation accuracy with and without the pixel ({at}; {group.Count} seeds)",
                "step", "accuracy", Curves(optimizer, group, r => r.CleanAccuracy, r => r.SpuriousAccuracy).Append(PeakMarker(group)));
            Charts.Line(context, $"loss_{optimizer}", $"{optimizer}: validation loss with and without the pixel ({at}; {group.Count} seeds)",
                "step", "cross-entropy", Curves(optimizer, group, r => r.CleanLoss, r => r.SpuriousLoss), logY: true);
        }

        var intensities = config.Intensities.OrderBy(i => i).ToList();
        Charts.Line(context, "peak_clean_accuracy_vs_intensity", "Peak clean validation accuracy against the pixel's intensity (mean, min–max over seeds)",
            "intensity of the spurious pixel", "peak clean accuracy",
            config.Optimizers.Where(o => intensities.All(i => runs.Any(r => r.Optimizer == o && r.Intensity == i && !r.Diverged))).Select(o =>
            {
                var seeds = runs.Where(r => r.Optimizer == o).Select(r => r.Seed).Distinct()
                    .Where(s => intensities.All(i => runs.Any(r => r.Optimizer == o && r.Seed == s && r.Intensity == i && !r.Diverged))).ToList();
                return Series.MeanWithRange(o, intensities,
                    seeds.Select(s => (IReadOnlyList<double>)intensities.Select(i => runs.First(r => r.Optimizer == o && r.Seed == s && r.Intensity == i).PeakClean).ToList()).ToList());
            }));

        if (figure.Count == 0) return;
        double Mean(string optimizer, Func<Fc1Spectrum, double> value) => Stats.Mean(figure.Where(r => r.Optimizer == optimizer).Select(r => value(r.PeakFc1)));
        var present = config.Optimizers.Where(o => figure.Any(r => r.Optimizer == o)).ToList();
        Charts.Bars(context, "fc1_ranks_at_peak", $"fc1 at the peak of clean accuracy ({at}; seed means)", "rank",
            new[] { "stable rank, W", "effective rank, W", "stable rank, W − W₀", "effective rank, W − W₀" },
            present.Select(o => (o, (IReadOnlyList<double>)new[]
            {
                Mean(o, s => s.StableRank), Mean(o, s => s.EffectiveRank), Mean(o, s => s.LearnedStableRank), Mean(o, s => s.LearnedEffectiveRank),
            })).ToList());
        Charts.Line(context, "fc1_singular_values_at_peak", $"Singular values of fc1 at the peak of clean accuracy ({at}; seed means)", "index", "singular value",
            present.Select(o =>
            {
                var spectra = figure.Where(r => r.Optimizer == o).Select(r => r.PeakFc1.SingularValues).ToList();
                var index = Enumerable.Range(1, spectra.Min(s => s.Length)).Select(k => (double)k).ToList();
                return new Series(o, index, index.Select(k => Stats.Mean(spectra.Select(s => s[(int)k - 1]))).ToList());
            }), logY: true);
    }

    /// <summary>The clean (solid) and spurious (dashed) curves of one optimizer: mean over seeds with the min–max band.</summary>
    private static IEnumerable<Series> Curves(string optimizer, IReadOnlyList<SpuriousRun> group,
        Func<SpuriousRun, IReadOnlyList<double>> clean, Func<SpuriousRun, IReadOnlyList<double>> spurious)
    {
        int length = group.Min(r => r.Steps.Count);
        var steps = group[0].Steps.Take(length).Select(s => (double)s).ToList();
        IReadOnlyList<IReadOnlyList<double>> Values(Func<SpuriousRun, IReadOnlyList<double>> value) =>
            group.Select(r => (IReadOnlyList<double>)value(r).Take(length).ToList()).ToList();
        yield return Series.MeanWithRange($"{optimizer} clean", steps, Values(clean));
        yield return Series.MeanWithRange($"{optimizer} spurious", steps, Values(spurious)) with { Dashed = true };
    }

    /// <summary>A dashed vertical line, in a colour of its own, at the mean step of peak clean accuracy.</summary>
    private static Series PeakMarker(IReadOnlyList<SpuriousRun> group)
    {
        double step = Stats.Mean(group.Select(r => (double)r.PeakStep));
        double low = group.Min(r => r.CleanAccuracy.Concat(r.SpuriousAccuracy).Min()), high = group.Max(r => r.PeakClean);
        return new Series($"peak clean (step {step:F0})", new[] { step, step }, new[] { low, high }) { Dashed = true };
    }
}
