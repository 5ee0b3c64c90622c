using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Experiments.RandomFeatures;

/// <summary>The experiment's charts; curves are geometric means over seeds (the seeds' runs have equal length).</summary>
internal static class RandomFeaturesPlots
{
    public static void Draw(RunContext context, RandomFeaturesConfig config, IReadOnlyDictionary<(string, int), FeatureRun> relu,
        IReadOnlyDictionary<(string, int), FeatureRun> swiglu, IReadOnlyList<SweepPoint> sweep)
    {
        string seeds = config.Seeds == 1 ? "seed " + config.Seed : $"geometric mean over {config.Seeds} seeds";
        foreach (var (name, runs) in new[] { ("relu", relu), ("swiglu", swiglu) })
        {
            if (runs.Count == 0) continue;
            var lossSeries = config.Optimizers.Select(o => Curve(o, config, runs, t => t.RelativeLoss)).ToList();
            lossSeries.Add(Flat($"target {config.TargetFraction:G3}", config.Steps, config.TargetFraction));
            Charts.Line(context, $"{name}_loss", $"{Title(name)} features: loss relative to the start ({seeds})", "step", "loss / initial loss", lossSeries, logY: true);

            var ratioSeries = config.Optimizers.Select(o => Curve(o, config, runs, t => t.ConditionRatio)).ToList();
            ratioSeries.Add(Flat("break-even nr(G) = st(A)", config.Steps, 1));
            Charts.Line(context, $"{name}_condition", $"{Title(name)} features: nr(G)/st(A) along each optimizer's iterates ({seeds})", "step", "nr(G) / st(A)", ratioSeries, logY: true);
        }

        var dims = sweep.Select(p => (double)p.Size.Features).ToList();
        if (sweep.All(p => p.Races.Count > 0))
            Charts.Line(context, "sweep_speedup", "Speed-up GD steps / Spectral GD steps to the target vs dimension (mean over seeds)",
                "feature dimension d (all dimensions scaled together)", "speed-up",
                new[] { new Series("speed-up", dims, sweep.Select(p => Stats.Mean(p.Races.Select(r => r.Speedup))).ToList()) });
        Charts.Line(context, "sweep_steps", "Steps to the target vs dimension (mean over seeds; −1 = not reached is dropped)",
            "feature dimension d", "steps to target",
            config.Optimizers.Select(o => new Series(o, dims,
                sweep.Select(p => Stats.Mean(config.SeedList.Select(s => (double)p.Steps[(o, s)]).Where(v => v >= 0))).ToList())), logY: true);

        var categories = new List<string> { "relu" };
        if (swiglu.Count > 0) categories.Add("swiglu");
        Charts.Bars(context, "steps_to_target", $"Steps to {config.TargetFraction:G3} × initial loss (mean over seeds; not reached = budget + 1)", "steps",
            categories, config.Optimizers.Select(o => (o, (IReadOnlyList<double>)categories.Select(c =>
                Stats.Mean(config.SeedList.Select(s => Steps((c == "relu" ? relu : swiglu)[(o, s)], config.Steps)))).ToList())).ToList());
    }

    private static double Steps(FeatureRun t, int budget) => t.StepsToTarget >= 0 ? t.StepsToTarget : budget + 1;

    private static string Title(string map) => map == "relu" ? "ReLU" : "SwiGLU";

    private static Series Curve(string optimizer, RandomFeaturesConfig config, IReadOnlyDictionary<(string, int), FeatureRun> runs, Func<FeatureRun, IReadOnlyList<double>> values)
    {
        var perSeed = config.SeedList.Select(s => values(runs[(optimizer, s)])).ToList();
        int length = perSeed.Min(v => v.Count);
        var x = Enumerable.Range(0, length).Select(k => (double)k).ToList();
        var y = Enumerable.Range(0, length).Select(k => GeometricMean(perSeed.Select(v => v[k]))).ToList();
        return new Series(optimizer, x, y);
    }

    private static double GeometricMean(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Any(v => !(v > 0)) ? double.NaN : Math.Exp(list.Average(Math.Log));
    }

    private static Series Flat(string label, int steps, double value) => new(label, new double[] { 0, steps }, new[] { value, value });
}
