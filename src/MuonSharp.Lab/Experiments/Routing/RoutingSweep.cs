using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Experiments.Routing;

/// <summary>One cell of the sensitivity sweep: one optimizer at one (K, init gain).</summary>
/// <param name="Domains">K.</param>
/// <param name="Gain">Init gain.</param>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="Seeds">Seeds run.</param>
/// <param name="FittedFraction">Fraction of seeds whose trained-pair error fell below fit_threshold.</param>
/// <param name="GeneralizingFraction">Fraction of seeds whose untrained-pair error fell below generalize_threshold.</param>
/// <param name="UntrainedErrorMean">Mean untrained-pair error over the seeds.</param>
public sealed record SweepCell(int Domains, double Gain, string Optimizer, int Seeds, double FittedFraction, double GeneralizingFraction, double UntrainedErrorMean)
{
    /// <summary>Short name of the cell's setting, e.g. <c>K4_gain0.2</c> (keys of measured numbers).</summary>
    public string Setting => $"K{Domains}_gain{Gain.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>
/// The sensitivity sweep of claim (b): K ∈ {3, 4, 5} × init gain ∈ {0.05, 0.2}, SGD and Spectral GD,
/// <c>SweepSeeds</c> seeds of <c>SweepSteps</c> steps each. K and the widths are lost from <c>000</c>
/// and K = 4 was chosen after looking, so the verdict is reported together with how it moves with K
/// and the init scale.
/// </summary>
public static class RoutingSweep
{
    /// <summary>Runs every cell (one unit per run, keyed by the cell) and summarizes it; empty when <c>SweepSeeds</c> is 0.</summary>
    /// <param name="context">Units, progress.</param>
    /// <param name="config">The main run's settings; the sweep changes K, gain, steps, seeds and optimizers.</param>
    public static IReadOnlyList<SweepCell> Run(RunContext context, RoutingConfig config)
    {
        var cells = new List<SweepCell>();
        if (config.SweepSeeds == 0) return cells;
        var optimizers = new[] { RoutingExperiment.Sgd, RoutingExperiment.SpectralGd }.Where(config.Optimizers.Contains).ToArray();
        foreach (int domains in RoutingConfig.SweepDomains)
            foreach (double gain in RoutingConfig.SweepGains)
            {
                var cell = config with { Domains = domains, InitScale = gain, Steps = config.SweepSteps, Seeds = config.SweepSeeds, Optimizers = optimizers };
                var outcomes = RoutingTraining.TrainQuietly(context, cell, $"sweep-K{domains}-gain{gain.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                foreach (var optimizer in optimizers)
                {
                    var runs = outcomes.Where(o => o.Optimizer == optimizer).ToList();
                    cells.Add(new SweepCell(domains, gain, optimizer, runs.Count,
                        runs.Count(o => o.TrainedError < config.FitThreshold) / (double)runs.Count,
                        runs.Count(o => o.UntrainedError < config.GeneralizeThreshold) / (double)runs.Count,
                        Stats.Mean(runs.Select(o => o.UntrainedError))));
                }
            }
        return cells;
    }
}
