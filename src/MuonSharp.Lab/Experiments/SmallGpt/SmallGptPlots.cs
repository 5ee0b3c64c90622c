using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Experiments.SmallGpt;

/// <summary>The experiment's plots: validation loss, weight stable rank, the sweep, and the condition at the MLP's second matrix.</summary>
internal static class SmallGptPlots
{
    public static void Draw(RunContext context, SmallGptConfig config, IReadOnlyList<SmallGptRun> main, IReadOnlyList<SmallGptRun> sweep)
    {
        Charts.Line(context, "validation_loss", $"Validation loss (mean and range of {config.Seeds} seeds)", "step", "cross-entropy (nats per character)",
            config.Optimizers.Select(o => MeanOverSeeds(o, main.Where(r => r.Optimizer == o).Select(r => (r.EvaluationSteps, r.ValidationLoss)).ToList())));

        // Mean weight stable rank of the hidden (block) matrices at each monitor observation.
        Charts.Line(context, "hidden_stable_rank", "Mean weight stable rank of the block matrices", "step", "stable rank ‖W‖²_F/‖W‖²_op",
            config.Optimizers.Select(o => MeanOverSeeds(o, main.Where(r => r.Optimizer == o).Select(r => HiddenMean(r, SpectralMetrics.StableRankW)).ToList())));

        var hidden = main.Count > 0 ? main[0].FinalStableRank.Keys.ToList() : new List<string>();
        Charts.Bars(context, "final_stable_rank_by_matrix", "Weight stable rank of each block matrix after the last update (mean over seeds)", "stable rank",
            hidden.Select(n => n.Replace("blocks.", "").Replace(".weight", "")).ToList(),
            config.Optimizers.Select(o => (o, (IReadOnlyList<double>)hidden.Select(n => Stats.Mean(main.Where(r => r.Optimizer == o && r.DivergedAt is null)
                .Select(r => r.FinalStableRank[n]))).ToList())).ToList());

        if (sweep.Count > 0)
            Charts.Line(context, "lr_sweep", $"Final validation loss after {config.SweepSteps} steps vs learning rate (seed {config.Seed})",
                "log10(learning rate / default)", "cross-entropy (nats per character)",
                config.Optimizers.Select(o =>
                {
                    var runs = sweep.Where(r => r.Optimizer == o).OrderBy(r => r.LearningRate).ToList();
                    double baseLr = Training.OptimizerTable.LrFromConfig(o, config)!.Value;
                    return new Series(o, runs.Select(r => Math.Log10(r.LearningRate / baseLr)).ToList(), runs.Select(r => r.FinalValidationLoss).ToList());
                }));

        var blocks = Enumerable.Range(0, config.Layers).ToList();
        Charts.Line(context, "mlp_output_input_stable_rank", "st(A) of the GELU output entering mlp.c_proj, as a fraction of its width", "step", "st(A) / (4·width)",
            config.Optimizers.SelectMany(o => blocks.Select(b => MeanOverSeeds($"{o} block {b}", main.Where(r => r.Optimizer == o)
                .Select(r => LayerSeries(r, SmallGptClaims.MlpOutput(b), SpectralMetrics.StableRankA, 1.0 / (4 * config.Width))).ToList()) with { ColorOf = o, Dashed = o != config.Optimizers[0] })));
        // Linear axis: the ratios stay within about a decade, where the log axis would show no labelled tick.
        var observed = main.SelectMany(r => r.Spectral).Select(r => (double)r.Step).DefaultIfEmpty(0).ToList();
        var decisive = new Series($"ratio {SpectralMonitor.DecisiveFactor:0.#}", new[] { observed.Min(), observed.Max() },
            new[] { SpectralMonitor.DecisiveFactor, SpectralMonitor.DecisiveFactor }) { Dashed = true };
        Charts.Line(context, "mlp_output_condition_ratio", $"Condition ratio nr(G)/st(A) at mlp.c_proj (≥ {SpectralMonitor.DecisiveFactor:0.#}: spectral favoured)", "step", "nr(G)/st(A)",
            config.Optimizers.SelectMany(o => blocks.Select(b => MeanOverSeeds($"{o} block {b}", main.Where(r => r.Optimizer == o)
                .Select(r => LayerSeries(r, SmallGptClaims.MlpOutput(b), SpectralMetrics.ConditionRatio, 1)).ToList()) with { ColorOf = o, Dashed = o != config.Optimizers[0] }))
                .Append(decisive));
    }

    /// <summary>Mean over seeds (and range) of series that share their steps up to the shortest (a diverged run stops early).</summary>
    private static Series MeanOverSeeds(string label, IReadOnlyList<(IReadOnlyList<long> Steps, IReadOnlyList<double> Values)> perSeed)
    {
        if (perSeed.Count == 0 || perSeed.Min(s => s.Steps.Count) == 0) return new Series(label, Array.Empty<double>(), Array.Empty<double>());
        int length = perSeed.Min(s => s.Steps.Count);
        return Series.MeanWithRange(label, perSeed[0].Steps.Take(length).Select(s => (double)s).ToList(),
            perSeed.Select(s => (IReadOnlyList<double>)s.Values.Take(length).ToList()).ToList());
    }

    private static (IReadOnlyList<long>, IReadOnlyList<double>) HiddenMean(SmallGptRun run, string metric)
    {
        var byStep = run.Spectral.Where(r => r.Metric == metric && run.FinalStableRank.ContainsKey(r.Layer)).GroupBy(r => r.Step).OrderBy(g => g.Key).ToList();
        return (byStep.Select(g => g.Key).ToList(), byStep.Select(g => g.Average(r => r.Value)).ToList());
    }

    private static (IReadOnlyList<long>, IReadOnlyList<double>) LayerSeries(SmallGptRun run, string layer, string metric, double scale)
    {
        var rows = run.Spectral.Where(r => r.Layer == layer && r.Metric == metric).OrderBy(r => r.Step).ToList();
        return (rows.Select(r => r.Step).ToList(), rows.Select(r => r.Value * scale).ToList());
    }
}
