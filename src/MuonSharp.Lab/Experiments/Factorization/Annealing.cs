using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;
using static MuonSharp.Lab.Experiments.Factorization.FactorizationClaims;

namespace MuonSharp.Lab.Experiments.Factorization;

/// <summary>
/// Part (d): exponential annealing. Muon's factor singular values move by ±η_t per step whatever the
/// mode's size, so once every mode has been reached (⌈√s_max / η⌉ steps at constant η) a
/// geometrically shrinking η works like a bisection on every √s_k at once: the error falls like η_t,
/// independently of how small s_d is. GD's step is capped by 1/s_max for stability and its smallest
/// mode converges at a rate ∝ η·s_d, so its step count grows with κ = s_1/s_d.
/// </summary>
internal static class Annealing
{
    /// <summary>Sweeps the condition numbers of the config and judges claim (d).</summary>
    public static ClaimResult Run(RunContext context, FactorizationConfig config)
    {
        var measured = new Dictionary<string, double>();
        var optimizers = new[] { "muon", "gd" }.Where(config.Optimizers.Contains).ToArray();
        if (!optimizers.Contains("muon"))
            return AnnealingIndependentOfKappa.Judge(null, measured, "muon is not among the optimizers of this run.");

        int hold = (int)Math.Ceiling(Math.Sqrt(config.TargetScale) / config.AnnealLr);
        var steps = optimizers.ToDictionary(o => o, _ => new List<double[]>()); // per κ: steps per seed (NaN = not reached)
        var muonLossCurves = new List<IReadOnlyList<double>>();
        using (var progress = context.Progress.Start("(d) annealing across condition numbers", (double)config.Kappas.Length * config.Seeds * optimizers.Length * config.AnnealMaxSteps))
        {
            for (int i = 0; i < config.Kappas.Length; i++)
            {
                double kappa = config.Kappas[i];
                using var problem = new FactorizationProblem(FactorizationProblem.HarmonicSpectrum(config.Dim, config.TargetScale, kappa), config.Hidden);
                double threshold = config.LossThreshold * problem.TargetNormSquared;
                foreach (var optimizer in optimizers)
                {
                    var perSeed = new List<double>();
                    var curves = new List<IReadOnlyList<double>>();
                    foreach (int seed in config.SeedList)
                    {
                        var (p0, q0) = FactorizationExperiment.SmallInit(problem, config, seed);
                        using (p0)
                        using (q0)
                        {
                            var run = Trainer.Run(problem, p0, q0, new TrainOptions
                            {
                                Steps = config.AnnealMaxSteps,
                                LearningRate = optimizer == "muon" ? t => MuonSchedule(config, hold, t) : _ => config.GdLr,
                                Rule = FactorizationExperiment.RuleOf(optimizer),
                                StopAtLoss = threshold,
                                DivergenceLoss = DivergenceFactor * problem.TargetNormSquared,
                                Cancellation = context.Cancellation,
                                Progress = progress,
                            });
                            int reached = FactorizationMetrics.FirstAtOrBelow(run.Loss, threshold);
                            perSeed.Add(reached < 0 ? double.NaN : reached);
                            curves.Add(run.Loss);
                            context.Metrics.Add(i, optimizer, seed, "kappa", kappa);
                            context.Metrics.Add(i, optimizer, seed, "steps_to_threshold", reached < 0 ? double.NaN : reached);
                        }
                    }
                    steps[optimizer].Add(perSeed.ToArray());
                    if (optimizer == "muon") muonLossCurves.Add(Curves.Mean(curves).Select(l => l / problem.TargetNormSquared).ToArray());
                    measured[$"{optimizer}_steps_kappa_{kappa:0.###}_mean"] = Stats.Mean(perSeed);
                    measured[$"{optimizer}_steps_kappa_{kappa:0.###}_sd"] = Stats.StandardDeviation(perSeed);
                }
            }
        }

        var kappas = config.Kappas;
        foreach (var optimizer in optimizers)
        {
            var means = steps[optimizer].Select(Stats.Mean).ToArray();
            var reachedKappas = kappas.Where((_, i) => double.IsFinite(means[i])).ToArray();
            var reachedMeans = means.Where(double.IsFinite).ToArray();
            measured[$"{optimizer}_loglog_slope_steps_vs_kappa"] = reachedKappas.Length >= 2 ? Stats.LogLogSlope(reachedKappas, reachedMeans) : double.NaN;
            measured[$"{optimizer}_runs_not_reaching_threshold"] = steps[optimizer].Sum(s => s.Count(double.IsNaN));
        }
        measured["muon_constant_steps_before_annealing"] = hold;

        Plot(context, config, optimizers, steps, muonLossCurves);

        bool allReached = measured["muon_runs_not_reaching_threshold"] == 0;
        double slope = measured["muon_loglog_slope_steps_vs_kappa"];
        if (!allReached)
            return AnnealingIndependentOfKappa.Judge(false, measured, $"Muon missed the threshold within anneal_max_steps = {config.AnnealMaxSteps} in some runs.");
        return AnnealingIndependentOfKappa.Judge(slope <= MaxStepsSlope, measured);
    }

    /// <summary>η_t = anneal_lr for t &lt; hold, then anneal_lr · γ^(t − hold + 1).</summary>
    public static double MuonSchedule(FactorizationConfig config, int hold, int t) =>
        t < hold ? config.AnnealLr : config.AnnealLr * Math.Pow(config.AnnealGamma, t - hold + 1);

    private static void Plot(RunContext context, FactorizationConfig config, string[] optimizers, Dictionary<string, List<double[]>> steps, List<IReadOnlyList<double>> muonLossCurves)
    {
        var categories = config.Kappas.Select(k => $"κ = {k:0.###}").ToList();
        var bars = optimizers.Select(o => ($"{o}{(o == "gd" ? $" (lr {config.GdLr}; 0 = not reached in {config.AnnealMaxSteps})" : " (annealed)")}",
            (IReadOnlyList<double>)steps[o].Select(Stats.Mean).ToList())).ToList();
        Charts.Bars(context, "annealing_steps_to_threshold",
            $"Steps until loss ≤ {config.LossThreshold:0.#e0} × ‖M*‖² (mean over seeds)", "steps", categories, bars);
        Charts.Line(context, "annealing_loss",
            $"Muon with exponential annealing (lr {config.AnnealLr}, γ = {config.AnnealGamma}): loss / ‖M*‖², mean over seeds",
            "step", "relative loss", muonLossCurves.Select((c, i) => Curves.Thinned(categories[i], c, 1)), logY: true);
    }
}
