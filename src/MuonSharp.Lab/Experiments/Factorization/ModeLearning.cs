using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;
using static MuonSharp.Lab.Experiments.Factorization.FactorizationClaims;

namespace MuonSharp.Lab.Experiments.Factorization;

/// <summary>
/// Part (a): the polar step (003's Muon, <c>spectral-gd</c>) and GD at a constant step from 003's small
/// random start on the planted 10/k target. The polar step's factor singular values all grow by about η per step, so mode k is learned after
/// about √s_k / η steps — smaller modes first. GD's modes grow like e^(4η s_k t) and are learned one
/// after another, largest first, with plateaus between (saddle-to-saddle).
/// </summary>
internal static class ModeLearning
{
    /// <summary>Trains every optimizer of the config for every seed (one unit each); the runs feed claims (a), (b) and (c).</summary>
    public static Dictionary<(string Optimizer, int Seed), FactorRun> Train(RunContext context, FactorizationConfig config, FactorizationProblem problem)
    {
        var runs = TrainingLoop.ForEachRun(context, config, (seed, optimizer) =>
        {
            var (p0, q0) = FactorizationExperiment.SmallInit(problem, config, seed);
            using (p0)
            using (q0)
            using (var progress = context.Progress.Start($"(a) constant step, {optimizer} seed {seed}", config.Steps))
            {
                var run = Trainer.Run(problem, p0, q0, new TrainOptions
                {
                    Steps = config.Steps,
                    LearningRate = _ => FactorizationExperiment.LearningRateOf(config, optimizer),
                    Rule = FactorizationExperiment.RuleOf(optimizer),
                    Diagnostics = true,
                    InvariantEvery = config.EvalEvery,
                    DriftFromMisalignment = config.AlignedThreshold,
                    DivergenceLoss = DivergenceFactor * problem.TargetNormSquared,
                    Cancellation = context.Cancellation,
                    Progress = progress,
                });
                Record(context, config, problem, optimizer, seed, run);
                return (Optimizer: optimizer, Seed: seed, Run: run);
            }
        }, "constant-step");
        var bySeed = runs.ToDictionary(r => (r.Optimizer, r.Seed), r => r.Run);
        Plot(context, config, problem, bySeed);
        return bySeed;
    }

    /// <summary>Judges claim (a) from the polar-step runs; GD's numbers are contrast.</summary>
    public static ClaimResult Judge(FactorizationConfig config, FactorizationProblem problem, Dictionary<(string Optimizer, int Seed), FactorRun> runs)
    {
        var measured = new Dictionary<string, double>();
        const string polar = FactorizationExperiment.PolarStep;
        if (!config.Optimizers.Contains(polar))
            return EqualRates.Judge(null, measured, $"{polar} is not among the optimizers of this run.");

        var s = problem.SingularValues;
        foreach (var optimizer in config.Optimizers)
        {
            var correlations = new List<double>();
            var spreads = new List<double>();
            var growth = new List<double>();
            var variation = new List<double>();
            foreach (int seed in config.SeedList)
            {
                var run = runs[(optimizer, seed)];
                var learnedAt = LearnedSteps(run, s);
                correlations.Add(learnedAt.Any(t => t < 0) ? double.NaN : Analysis.RankCorrelation.SpearmanRho(s, learnedAt.Select(t => (double)t).ToArray()));
                spreads.Add(learnedAt.Any(t => t <= 0) ? double.NaN : learnedAt.Max() / (double)learnedAt.Min());
                var rates = GrowthOverLr(run, s, FactorizationExperiment.LearningRateOf(config, optimizer));
                growth.Add(Stats.Mean(rates));
                variation.Add(Stats.StandardDeviation(rates) / Math.Abs(Stats.Mean(rates)));
            }
            Curves.AddMeanAndSpread(measured, $"{optimizer}_spearman_s_vs_learned_step", correlations);
            Curves.AddMeanAndSpread(measured, $"{optimizer}_learned_step_max_over_min", spreads);
            if (optimizer == polar)
            {
                // Growth per step in units of η is the polar step's prediction; for GD growth is exponential, not per-step.
                Curves.AddMeanAndSpread(measured, $"{polar}_growth_per_step_over_lr", growth);
                Curves.AddMeanAndSpread(measured, $"{polar}_growth_cv_across_modes", variation);
            }
        }

        // Per seed, beside the sign of det(P₀ᵀQ₀) (with N = d a start with det < 0 must pass through a
        // singular PᵀQ to reach M*): the verdict is a mean over seeds, so the reader sees which seed moves it.
        var signs = new List<int>();
        foreach (int seed in config.SeedList)
        {
            var learnedAt = LearnedSteps(runs[(polar, seed)], s);
            measured[$"seed{seed}_{polar}_spearman_s_vs_learned_step"] = learnedAt.Any(t => t < 0) ? double.NaN : Analysis.RankCorrelation.SpearmanRho(s, learnedAt.Select(t => (double)t).ToArray());
            var (p0, q0) = FactorizationExperiment.SmallInit(problem, config, seed);
            using (p0)
            using (q0)
                signs.Add(p0.shape[0] == p0.shape[1] ? FactorizationMetrics.DeterminantSign(p0, q0) : 0);
            measured[$"seed{seed}_init_determinant_sign"] = signs[^1];
        }
        string seedNote = "Per seed (Spearman, sign of det P₀ᵀQ₀): " + string.Join("; ", config.SeedList.Select((seed, i) =>
            $"seed {seed}: {measured[$"seed{seed}_{polar}_spearman_s_vs_learned_step"]:0.###}, {(signs[i] > 0 ? "+" : signs[i] < 0 ? "−" : "n/a")}")) +
            ". The verdict uses the mean over seeds and can move with them.";

        double rho = measured[$"{polar}_spearman_s_vs_learned_step_mean"];
        double rate = measured[$"{polar}_growth_per_step_over_lr_mean"];
        double cv = measured[$"{polar}_growth_cv_across_modes_mean"];
        if (!double.IsFinite(rho) || !double.IsFinite(rate) || !double.IsFinite(cv))
            return EqualRates.Judge(null, measured, "Some mode of the polar step never reached 0.9·s_k or had no growth window within the steps; raise steps.");
        bool holds = rho >= MinRankCorrelation && Math.Abs(rate - 1) <= GrowthTolerance && cv <= MaxGrowthVariation;
        return EqualRates.Judge(holds, measured, seedNote,
            new[] { $"{polar}_spearman_s_vs_learned_step_mean", $"{polar}_growth_per_step_over_lr_mean", $"{polar}_growth_cv_across_modes_mean" });
    }

    /// <summary>Per mode, the first step with σ_k ≥ 0.9·s_k; −1 if never.</summary>
    public static int[] LearnedSteps(FactorRun run, IReadOnlyList<double> s) =>
        Enumerable.Range(0, s.Count).Select(k => Stats.FirstCrossing(run.SigmaOf(k), LearnedFraction * s[k])).ToArray();

    /// <summary>Per mode, the mean of P's and Q's growth per step in the window, divided by η.</summary>
    private static double[] GrowthOverLr(FactorRun run, IReadOnlyList<double> s, double lr) =>
        Enumerable.Range(0, s.Count).Select(k =>
        {
            var sigma = run.SigmaOf(k);
            double p = FactorizationMetrics.GrowthPerStep(run.NormP.Select(n => n[k]).ToArray(), sigma, s[k], GrowthWindowLow, GrowthWindowHigh);
            double q = FactorizationMetrics.GrowthPerStep(run.NormQ.Select(n => n[k]).ToArray(), sigma, s[k], GrowthWindowLow, GrowthWindowHigh);
            return (p + q) / 2 / lr;
        }).ToArray();

    private static void Record(RunContext context, FactorizationConfig config, FactorizationProblem problem, string optimizer, int seed, FactorRun run)
    {
        Curves.Record(context, optimizer, seed, "loss", run.Loss, config.EvalEvery);
        Curves.Record(context, optimizer, seed, "misalignment", run.Misalignment, config.EvalEvery);
        for (int k = 0; k < problem.Dim; k++)
            Curves.Record(context, optimizer, seed, $"sigma_{k + 1}", run.SigmaOf(k), config.EvalEvery);
        foreach (var (step, sqrtGram, gram) in run.Drift)
        {
            context.Metrics.Add(step, optimizer, seed, "drift_sqrt_gram_after_alignment", sqrtGram);
            context.Metrics.Add(step, optimizer, seed, "drift_gram_after_alignment", gram);
        }
    }

    private static void Plot(RunContext context, FactorizationConfig config, FactorizationProblem problem, Dictionary<(string Optimizer, int Seed), FactorRun> runs)
    {
        var modes = ShownModes(problem.Dim);
        foreach (var optimizer in config.Optimizers)
        {
            var series = modes.Select(k => Curves.Thinned($"σ_{k + 1} (s = {problem.SingularValues[k]:0.###})",
                Curves.Mean(config.SeedList.Select(seed => (IReadOnlyList<double>)runs[(optimizer, seed)].SigmaOf(k)).ToList()), config.EvalEvery));
            Charts.Line(context, $"singular_values_{optimizer}",
                $"{optimizer}: σ_k of P^T Q on the target's singular vectors (lr {FactorizationExperiment.LearningRateOf(config, optimizer)}, mean of {config.Seeds} seeds)",
                "step", "σ_k", series);
        }
        Charts.Line(context, "loss", "Loss ‖M* − P^T Q‖²_F from small init (mean over seeds)", "step", "loss",
            config.Optimizers.Select(o => Curves.Thinned($"{o} (lr {FactorizationExperiment.LearningRateOf(config, o)})",
                Curves.Mean(config.SeedList.Select(seed => (IReadOnlyList<double>)runs[(o, seed)].Loss).ToList()), config.EvalEvery)), logY: true);

        // When each mode is learned: the polar step's small modes first, GD's large modes first.
        var categories = modes.Select(k => $"k={k + 1}").ToList();
        var bars = config.Optimizers.Select(o => (o, (IReadOnlyList<double>)modes.Select(k =>
            Stats.Mean(config.SeedList.Select(seed => (double)LearnedSteps(runs[(o, seed)], problem.SingularValues)[k]).Where(t => t >= 0))).ToList())).ToList();
        Charts.Bars(context, "learned_step_per_mode", "Step at which σ_k reaches 0.9·s_k (mean over seeds; s_k = s_max/k)", "step", categories, bars);
    }

    /// <summary>All modes up to 8, else 1, 2, 4, 8, … and the last.</summary>
    private static int[] ShownModes(int dim) =>
        dim <= 8 ? Enumerable.Range(0, dim).ToArray()
            : Enumerable.Range(0, 31).Select(i => (1 << i) - 1).TakeWhile(k => k < dim).Append(dim - 1).Distinct().ToArray();
}
