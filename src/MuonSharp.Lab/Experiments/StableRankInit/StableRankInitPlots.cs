using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Experiments.StableRankInit;

/// <summary>The experiment's charts (seed means). Widths double, so the x axis is log₂ width.</summary>
internal static class StableRankInitPlots
{
    public static void Draw(RunContext context, StableRankInitConfig config, IReadOnlyList<Activation> activations, IReadOnlyList<int> widths,
        IReadOnlyDictionary<string, List<IReadOnlyList<double>>> sweep, IReadOnlyDictionary<string, List<IReadOnlyList<double>>> depth)
    {
        var log2Width = widths.Select(w => Math.Log2(w)).ToList();
        string seeds = $"mean over {config.Seeds} seed(s)";
        var lines = activations.Select(a => new Series(a.Label, log2Width, Means(sweep[a.Name], widths.Count))).ToList();
        lines.AddRange(activations.Select(a => new Series($"{a.Label} limit {a.PopulationConstant:0.###}{(a.ConstantFromReadme ? "" : " (derived)")}",
            new[] { log2Width[0], log2Width[^1] }, new[] { a.PopulationConstant, a.PopulationConstant })));
        Charts.Line(context, "stable_rank_vs_width", $"Post-activation stable rank at Gaussian init vs width (n = {config.Samples}, d = {config.InputDim}; {seeds})",
            "log₂ width", "st(σ(WX))", lines);

        Charts.Line(context, "stable_rank_over_width", $"Stable rank as a fraction of the width ({seeds})", "log₂ width", "st / width",
            activations.Select(a => new Series(a.Label, log2Width, Means(sweep[a.Name], widths.Count).Select((v, i) => v / widths[i]).ToList())), logY: true);

        int layers = config.DepthHiddenLayers + 1;
        Charts.Line(context, "depth_stable_rank",
            $"Per-layer stable rank, d → {config.DepthWidthMultiplier}d × {config.DepthHiddenLayers} → 1 at init (layer 0 = inputs X; {seeds})",
            "layer", "stable rank", activations.Select(a => new Series(a.Label, Enumerable.Range(0, layers).Select(l => (double)l).ToList(), Means(depth[a.Name], layers))));

        Charts.Bars(context, "stable_rank_largest_width", $"Stable rank at width {widths[^1]} vs the population constant ({seeds})", "stable rank",
            activations.Select(a => a.Label).ToList(),
            new (string, IReadOnlyList<double>)[]
            {
                ("measured", activations.Select(a => Stats.Mean(sweep[a.Name].Select(s => s[^1]))).ToList()),
                ("population constant", activations.Select(a => a.PopulationConstant).ToList()),
            });
    }

    private static List<double> Means(IReadOnlyList<IReadOnlyList<double>> perSeed, int count) =>
        Enumerable.Range(0, count).Select(i => Stats.Mean(perSeed.Select(s => s[i]))).ToList();
}
