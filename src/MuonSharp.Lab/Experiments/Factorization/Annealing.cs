using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;
using static MuonSharp.Lab.Experiments.Factorization.FactorizationClaims;

namespace MuonSharp.Lab.Experiments.Factorization;

/// <summary>
/// Part (d): exponential annealing. The polar step's (003's Muon's) factor singular values move by ±η_t per step whatever the
/// mode's size, so once every mode has been reached (⌈√s_max / η⌉ steps at constant η) a
/// geometrically shrinking η works like a bisection on every √s_k at once: the error falls like η_t,
/// independently of how small s_d is. GD's step is capped by 1/s_max for stability and its smallest
/// mode converges at a rate ∝ η·s_d, so its step count grows with κ = s_1/s_d.
/// </summary>
internal static class Annealing
{
    /// <summary>One annealing run: the first step with loss at or below the threshold (−1 if never) and the loss curve.</summary>
    internal sealed record AnnealRun(int Reached, List<double> Loss);

    /// <summary>Sweeps the condition numbers of the config (one unit per κ, optimizer and seed) and judges claim (d).</summary>
    public static ClaimResult Run(RunContext context, FactorizationConfig config)
    {
        const string polar = FactorizationExperiment.PolarStep;
        var measured = new Dictionary<string, double>();
        var optimizers = new[] { polar, "gd" }.Where(config.Optimizers.Contains).ToArray();
        if (!optimizers.Contains(polar))
            return AnnealingIndependentOfKappa.Judge(null, measured, $"{polar} is not among the optimizers of this run.");

        int hold = (int)Math.Ceiling(Math.Sqrt(config.TargetScale) / config.SpectralGdAnnealLr);
        var steps = optimizers.ToDictionary(o => o, _ => new List<double[]>()); // per κ: steps per seed (NaN = not reached)
        var polarLossCurves = new List<IReadOnlyList<double>>();
        for (int i = 0; i < config.Kappas.Length; i++)
        {
            double kappa = config.Kappas[i];
            using var problem = new FactorizationProblem(FactorizationProblem.HarmonicSpectrum(config.TargetDim, config.TargetScale, kappa), config.HiddenWidth);
            foreach (var optimizer in optimizers)
            {
                var perSeed = new List<double>();
                var curves = new List<IReadOnlyList<double>>();
                foreach (int seed in config.SeedList)
                {
                    int index = i;
                    var run = context.Unit($"annealing/kappa{kappa.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}/{optimizer}/seed{seed}",
                        () => Anneal(context, config, problem, index, kappa, optimizer, seed, hold));
                    perSeed.Add(run.Reached < 0 ? double.NaN : run.Reached);
                    curves.Add(run.Loss);
                }
                steps[optimizer].Add(perSeed.ToArray());
                if (optimizer == polar) polarLossCurves.Add(Curves.Mean(curves).Select(l => l / problem.TargetNormSquared).ToArray());
                measured[$"{optimizer}_steps_kappa_{kappa:0.###}_mean"] = Stats.Mean(perSeed);
                measured[$"{optimizer}_steps_kappa_{kappa:0.###}_sd"] = Stats.StandardDeviation(perSeed);
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
        measured[$"{polar}_constant_steps_before_annealing"] = hold;

        Plot(context, config, optimizers, steps, polarLossCurves);

        bool allReached = measured[$"{polar}_runs_not_reaching_threshold"] == 0;
        double slope = measured[$"{polar}_loglog_slope_steps_vs_kappa"];
        if (!allReached)
            return AnnealingIndependentOfKappa.Judge(false, measured, $"The polar step missed the threshold within anneal_max_steps = {config.AnnealMaxSteps} in some runs.");
        return AnnealingIndependentOfKappa.Judge(slope <= MaxStepsSlope, measured);
    }

    /// <summary>One optimizer and seed on the target of condition number κ (the κ-th of the sweep), until the loss threshold.</summary>
    private static AnnealRun Anneal(RunContext context, FactorizationConfig config, FactorizationProblem problem, int index, double kappa, string optimizer, int seed, int hold)
    {
        double threshold = config.LossThreshold * problem.TargetNormSquared;
        var (p0, q0) = FactorizationExperiment.SmallInit(problem, config, seed);
        using (p0)
        using (q0)
        using (var progress = context.Progress.Start($"(d) annealing κ = {kappa:0.###}, {optimizer} seed {seed}", config.AnnealMaxSteps))
        {
            var run = Trainer.Run(problem, p0, q0, new TrainOptions
            {
                Steps = config.AnnealMaxSteps,
                LearningRate = optimizer == FactorizationExperiment.PolarStep ? t => PolarSchedule(config, hold, t) : _ => config.GdLr,
                Rule = FactorizationExperiment.RuleOf(optimizer),
                StopAtLoss = threshold,
                DivergenceLoss = DivergenceFactor * problem.TargetNormSquared,
                Cancellation = context.Cancellation,
                Progress = progress,
            });
            int reached = FactorizationMetrics.FirstAtOrBelow(run.Loss, threshold);
            context.Metrics.Add(index, optimizer, seed, "kappa", kappa);
            context.Metrics.Add(index, optimizer, seed, "steps_to_threshold", reached < 0 ? double.NaN : reached);
            return new AnnealRun(reached, run.Loss);
        }
    }

    /// <summary>η_t = spectral_gd_anneal_lr for t &lt; hold, then spectral_gd_anneal_lr · γ^(t − hold + 1).</summary>
    public static double PolarSchedule(FactorizationConfig config, int hold, int t) =>
        t < hold ? config.SpectralGdAnnealLr : config.SpectralGdAnnealLr * Math.Pow(config.AnnealGamma, t - hold + 1);

    private static void Plot(RunContext context, FactorizationConfig config, string[] optimizers, Dictionary<string, List<double[]>> steps, List<IReadOnlyList<double>> polarLossCurves)
    {
        var categories = config.Kappas.Select(k => $"κ = {k:0.###}").ToList();
        var bars = optimizers.Select(o => ($"{o}{(o == "gd" ? $" (lr {config.GdLr}; 0 = not reached in {config.AnnealMaxSteps})" : " (annealed)")}",
            (IReadOnlyList<double>)steps[o].Select(Stats.Mean).ToList())).ToList();
        Charts.Bars(context, "annealing_steps_to_threshold",
            $"Steps until loss ≤ {config.LossThreshold:0.#e0} × ‖M*‖² (mean over seeds)", "steps", categories, bars);
        Charts.Line(context, "annealing_loss",
            $"{FactorizationExperiment.PolarStep} with exponential annealing (lr {config.SpectralGdAnnealLr}, γ = {config.AnnealGamma}): loss / ‖M*‖², mean over seeds",
            "step", "relative loss", polarLossCurves.Select((c, i) => Curves.Thinned(categories[i], c, 1)), logY: true);
    }
}
