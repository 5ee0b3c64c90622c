using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.MatrixSensing;

/// <summary>
/// <c>002</c>'s matrix-sensing experiments: the exact polar step 002 analyses as Muon (the lab's
/// <c>spectral-gd</c>), GD and norm-matched GD on an underdetermined sensing problem from one shared W₀
/// per seed (claims a, b), the gap between the polar step's
/// nuclear norm and the convex minimum (c), and the acquisition-time spread under coupled and
/// decoupled weight decay (d). Reading order: <see cref="MatrixSensingConfig"/>,
/// <see cref="SensingProblem"/>, <see cref="SensingTraining"/>, <see cref="NuclearNormSolver"/>,
/// <see cref="SpectrumSummary"/> and <see cref="Acquisition"/>, <see cref="MatrixSensingClaims"/>, this file.
/// </summary>
public sealed class MatrixSensingExperiment : Experiment<MatrixSensingConfig>
{
    /// <inheritdoc />
    public override string Id => "matrix-sensing";

    /// <inheritdoc />
    public override string Description => "Underdetermined matrix sensing: the polar step (002's Muon, run as exact-SVD spectral-gd) flattens the spectrum, GD and norm-matched GD do not; nuclear-norm gap; weight decay and ATSR.";

    /// <inheritdoc />
    public override string Source => "002 §4, §6, Fig. 3, Fig. 9";

    /// <inheritdoc />
    public override IReadOnlyList<string> KnownOptimizers => MatrixSensingConfig.AllOptimizers;

    /// <inheritdoc />
    public override IReadOnlyList<ClaimSpec> Claims => MatrixSensingClaims.All;

    /// <inheritdoc />
    public override MatrixSensingConfig Paper => new();

    /// <inheritdoc />
    public override MatrixSensingConfig Quick => new()
    {
        Rows = 12, Cols = 12, Measurements = 72, Rank = 2, Kappa = 5,
        Steps = 300, Seeds = 2, EvalEvery = 10, TopSingularValues = 4,
        AtsrBlocks = 4, AtsrSeeds = 2, AtsrSteps = 300, WeightDecays = new[] { 0, 1e-3, 1e-2, 1e-1 },
    };

    /// <inheritdoc />
    protected override IReadOnlyList<ClaimResult> Run(RunContext context, MatrixSensingConfig config)
    {
        // Runs on the lab's torch thread count (LabRunner: one by default, see RunOptions.TorchThreads).
        var (runs, convex) = RunMain(context, config);
        var gap = RunGapInstances(context, config, runs, convex);
        var sweep = RunAtsrSweep(context, config);
        DrawPlots(context, config, runs, convex, sweep);
        return new[]
        {
            MatrixSensingClaims.JudgeFlattening(runs),
            MatrixSensingClaims.JudgeNormMatched(runs),
            MatrixSensingClaims.JudgeNuclearGap(gap),
            MatrixSensingClaims.JudgeWeightDecay(sweep),
        };
    }

    /// <summary>
    /// Per seed: the convex baseline (one unit), then every optimizer from the shared W₀ without weight
    /// decay (one unit each).
    /// </summary>
    private static (List<RunOutcome> Runs, List<ConvexOutcome> Convex) RunMain(RunContext context, MatrixSensingConfig config)
    {
        var runs = new List<RunOutcome>();
        var convex = new List<ConvexOutcome>();
        foreach (int seed in config.SeedList)
        {
            var baseline = context.Unit($"convex/seed{seed}", () => SolveConvex(context, config, seed));
            convex.Add(baseline);
            foreach (var optimizer in config.Optimizers)
                runs.Add(context.Unit($"{optimizer}/seed{seed}", () => TrainMain(context, config, optimizer, seed, baseline)));
        }
        return (runs, convex);
    }

    /// <summary>The certified nuclear-norm minimum of one seed's instance, recorded under the optimizer name <c>convex</c>.</summary>
    private static ConvexOutcome SolveConvex(RunContext context, MatrixSensingConfig config, int seed)
    {
        using var problem = SensingProblem.LowRank(config, seed);
        using var solution = NuclearNormSolver.Solve(problem, config.SolverTolerance, config.SolverMaxIterations, context.Cancellation);
        var check = solution.Check;
        double targetNorm = Spectral.NuclearNorm(problem.Target);
        context.Log($"seed {seed}: convex ‖W‖_* = {solution.NuclearNorm:G6} (‖W*‖_* = {targetNorm:G6}) after {solution.Iterations} ADMM iterations; " +
                    $"residual {check.PrimalResidual:E1}, ‖𝒜*y‖_op = {check.DualNorm:G8}, range mismatch {check.RangeMismatch:E1}, rank {check.Rank}, gap {check.RelativeGap:E1}" +
                    (solution.Converged ? "" : " — NOT certified"));
        foreach (var (metric, value) in new[] { ("nuclear_norm", solution.NuclearNorm), ("relative_gap", check.RelativeGap), ("dual_norm", check.DualNorm),
                     ("range_mismatch", check.RangeMismatch), ("relative_residual", check.PrimalResidual), ("iterations", (double)solution.Iterations) })
            context.Metrics.Add(config.Steps, "convex", seed, metric, value);
        return new ConvexOutcome(seed, solution.NuclearNorm, check.RelativeGap, solution.Converged);
    }

    /// <summary>
    /// The nuclear-norm gap on 002 Fig. 3's own instances (the large one and the family, one unit per seed:
    /// convex minimum and the polar step from the instance's W₀), plus the main instance's runs already made.
    /// </summary>
    private static List<GapOutcome> RunGapInstances(RunContext context, MatrixSensingConfig config, List<RunOutcome> runs, List<ConvexOutcome> convex)
    {
        var outcomes = new List<GapOutcome>();
        foreach (var (name, rows, cols, count) in config.GapInstances())
            foreach (int seed in config.SeedList)
            {
                if (name == "main")
                {
                    var polar = runs.SingleOrDefault(r => r.Optimizer == MatrixSensingConfig.PolarStep && r.Seed == seed);
                    var baseline = convex.Single(c => c.Seed == seed);
                    if (polar is not null)
                        outcomes.Add(new GapOutcome(name, seed, polar.Final.NuclearNorm, baseline.NuclearNorm, polar.Residual, baseline.Certified));
                    continue;
                }
                var instance = config with { Rows = rows, Cols = cols, Measurements = count };
                int at = seed;
                outcomes.Add(context.Unit($"gap-{name}/seed{seed}", () => MeasureGap(context, instance, name, at)));
            }
        return outcomes;
    }

    /// <summary>One seed of one gap instance: the certified convex minimum and the polar step's final nuclear norm and residual.</summary>
    private static GapOutcome MeasureGap(RunContext context, MatrixSensingConfig instance, string name, int seed)
    {
        using var problem = SensingProblem.LowRank(instance, seed);
        using var solution = NuclearNormSolver.Solve(problem, instance.SolverTolerance, instance.SolverMaxIterations, context.Cancellation);
        var (_, final) = SensingTraining.Train(context, instance, problem, MatrixSensingConfig.PolarStep, seed, 0, DecayStyle.Decoupled,
            _ => Array.Empty<(string, double)>(),
            new TrainingOptions { Steps = instance.Steps, EvaluateEvery = instance.Steps, Record = false, Label = $"gap {name}" });
        using (final)
        {
            var outcome = new GapOutcome(name, seed, Spectral.NuclearNorm(final), solution.NuclearNorm, problem.RelativeResidual(final), solution.Converged);
            context.Log($"gap {name} ({instance.Rows}×{instance.Cols}, p = {instance.Measurements}) seed {seed}: ‖W_spectral-gd‖_* = {outcome.PolarNorm:G5}, " +
                        $"convex {outcome.ConvexNorm:G5} ({outcome.Ratio:F3}×; certified: {solution.Converged}, gap {solution.Check.RelativeGap:E1}), " +
                        $"‖W*‖_* = {Spectral.NuclearNorm(problem.Target):G4}, residual {outcome.Residual:E2}");
            return outcome;
        }
    }

    /// <summary>One optimizer on one seed's instance: spectrum metrics on the evaluation cadence, the final spectrum and nuclear-norm ratio.</summary>
    private static RunOutcome TrainMain(RunContext context, MatrixSensingConfig config, string optimizer, int seed, ConvexOutcome convex)
    {
        using var problem = SensingProblem.LowRank(config, seed);
        var (run, final) = SensingTraining.Train(context, config, problem, optimizer, seed, 0, DecayStyle.Decoupled,
            w => Evaluate(config, problem, w), new TrainingOptions { Steps = config.Steps, EvaluateEvery = config.EvalEvery, SaveWeights = true });
        using (final)
        {
            var outcome = new RunOutcome(optimizer, seed, run.Series("spectral_entropy")[0], SpectrumSummary.OfMatrix(final), problem.RelativeResidual(final));
            var ratio = outcome.Final.NuclearNorm / convex.NuclearNorm;
            context.Metrics.Add(config.Steps, optimizer, seed, "nuclear_norm_ratio", ratio);
            context.Log($"seed {seed} {optimizer}: H {outcome.InitialEntropy:F4} → {outcome.Final.Entropy:F4}, stable rank {outcome.Final.StableRank:F3}, " +
                        $"‖W‖_* {outcome.Final.NuclearNorm:G5} ({ratio:F3}× convex), residual {outcome.Residual:E2}");
            return outcome;
        }
    }

    /// <summary>Loss, residual and spectrum of W at one evaluation.</summary>
    private static IReadOnlyList<(string, double)> Evaluate(MatrixSensingConfig config, SensingProblem problem, Tensor w)
    {
        using var scope = NewDisposeScope();
        var singular = Spectral.SingularValues(w);
        var spectrum = SpectrumSummary.Of(singular);
        var values = new List<(string, double)>
        {
            ("loss", problem.Loss(w).item<double>()),
            ("relative_residual", problem.RelativeResidual(w)),
            ("spectral_entropy", spectrum.Entropy),
            ("stable_rank", spectrum.StableRank),
            ("nuclear_norm", spectrum.NuclearNorm),
        };
        for (int i = 0; i < Math.Min(config.TopSingularValues, singular.Length); i++) values.Add(($"sigma_{i + 1}", singular[i]));
        return values;
    }

    /// <summary>
    /// The polar step on the block-diagonal target for every λ and decay style (λ = 0 is one run shared by
    /// both styles), each one unit; ATSR from the block masses of every step. Metrics: step = index of λ in the sweep.
    /// </summary>
    private static List<AtsrOutcome> RunAtsrSweep(RunContext context, MatrixSensingConfig config)
    {
        var sweep = new List<AtsrOutcome>();
        var lambdas = config.WeightDecays.Distinct().OrderBy(l => l).ToArray();
        foreach (int seed in config.SeedList.Take(config.AtsrSeeds))
            for (int index = 0; index < lambdas.Length; index++)
            {
                double lambda = lambdas[index];
                int at = index;
                foreach (var style in lambda == 0 ? new[] { DecayStyle.Decoupled } : new[] { DecayStyle.Decoupled, DecayStyle.Coupled })
                    sweep.AddRange(context.Unit($"atsr/seed{seed}/{MatrixSensingClaims.Name(style)}/{MatrixSensingClaims.Format(lambda)}",
                        () => MeasureAtsr(context, config, seed, at, lambda, style)));
            }
        return sweep;
    }

    /// <summary>One ATSR run: the block masses of W after every step, the acquisition steps, the spread ratio.</summary>
    private static List<AtsrOutcome> MeasureAtsr(RunContext context, MatrixSensingConfig config, int seed, int index, double lambda, DecayStyle style)
    {
        using var problem = SensingProblem.BlockDiagonal(config, seed);
        var (run, final) = SensingTraining.Train(context, config, problem, MatrixSensingConfig.PolarStep, seed, lambda, style,
            w => Acquisition.BlockMasses(w, config.AtsrBlocks).Select((m, k) => ($"block_mass_{k + 1}", m)).ToList(),
            new TrainingOptions { Steps = config.AtsrSteps, Record = false, Label = $"ATSR {MatrixSensingClaims.Name(style)} λ={MatrixSensingClaims.Format(lambda)}" });
        using (final)
        {
            var masses = Enumerable.Range(1, config.AtsrBlocks).Select(k => run.Series($"block_mass_{k}").ToList()).ToList();
            double atsr = Acquisition.SpreadRatio(masses, config.AtsrThreshold);
            var times = masses.Select(m => Acquisition.AcquisitionStep(m, config.AtsrThreshold)).ToList();
            var outcomes = new List<AtsrOutcome>();
            foreach (var s in lambda == 0 ? new[] { DecayStyle.Decoupled, DecayStyle.Coupled } : new[] { style })
            {
                outcomes.Add(new AtsrOutcome(seed, s, lambda, atsr));
                string name = $"{MatrixSensingConfig.PolarStep}-{MatrixSensingClaims.Name(s)}";
                context.Metrics.Add(index, name, seed, "weight_decay", lambda);
                context.Metrics.Add(index, name, seed, "atsr", atsr);
                for (int k = 0; k < times.Count; k++) context.Metrics.Add(index, name, seed, $"acquisition_step_{k + 1}", times[k]);
            }
            context.Log($"ATSR seed {seed} {MatrixSensingClaims.Name(style)} λ={MatrixSensingClaims.Format(lambda)}: {atsr:G4} (t_k = {string.Join(", ", times)}; " +
                        $"final block masses {string.Join(", ", masses.Select(m => m[^1].ToString("F2")))}; residual {problem.RelativeResidual(final):E1})");
            return outcomes;
        }
    }

    private static void DrawPlots(RunContext context, MatrixSensingConfig config, List<RunOutcome> runs, List<ConvexOutcome> convex, List<AtsrOutcome> sweep)
    {
        // Mean over seeds of a recorded metric with its min–max band, per optimizer.
        IEnumerable<Series> MeanCurves(string metric) => config.Optimizers.Select(optimizer =>
        {
            var perSeed = config.SeedList.Select(seed => context.Metrics.Series(optimizer, seed, metric)).ToList();
            var steps = perSeed[0].Select(p => (double)p.Step).ToList();
            return Series.MeanWithRange(optimizer, steps, perSeed.Select(s => (IReadOnlyList<double>)s.Select(p => p.Value).ToList()).ToList());
        });
        string seeds = config.Seeds == 1 ? "1 seed" : $"mean of {config.Seeds} seeds";
        Charts.Line(context, "spectral_entropy", $"Spectral entropy of W ({seeds}; max ln {Math.Min(config.Rows, config.Cols)} = {Math.Log(Math.Min(config.Rows, config.Cols)):F2})",
            "step", "spectral entropy H (nats)", MeanCurves("spectral_entropy"));
        Charts.Line(context, "loss", $"Sensing loss (1/2p)‖A(W) − b‖² ({seeds})", "step", "loss", MeanCurves("loss"), logY: true);
        Charts.Line(context, "stable_rank", $"Stable rank of W ({seeds})", "step", "‖W‖²_F / ‖W‖²_op", MeanCurves("stable_rank"));

        var seedList = convex.Select(c => c.Seed).ToList();
        var interpolating = config.Optimizers.ToList();
        if (seedList.Count > 0 && interpolating.Count > 0)
            Charts.Bars(context, "nuclear_norm_ratio", "‖W‖_* / ‖W_cvx‖_* at the last step, per seed (1 = convex minimum)", "nuclear-norm ratio",
                seedList.Select(s => $"seed {s}").ToList(),
                interpolating.Select(o => (o, (IReadOnlyList<double>)seedList.Select(s =>
                    runs.Single(r => r.Optimizer == o && r.Seed == s).Final.NuclearNorm / convex.Single(c => c.Seed == s).NuclearNorm).ToList())).ToList());

        if (sweep.Count > 0)
        {
            var lambdas = sweep.Select(o => o.WeightDecay).Distinct().OrderBy(l => l).ToList();
            var styles = new[] { DecayStyle.Decoupled, DecayStyle.Coupled };
            var means = styles.Select(style => lambdas.Select(l =>
                MatrixSensingClaims.Median(sweep.Where(o => o.Style == style && o.WeightDecay == l).Select(o => o.Atsr).Where(v => !double.IsNaN(v)))).ToList()).ToList();
            // An infinite median (a block held its fraction at W₀ while another needed steps) is drawn as a bar 1.5× the largest finite one.
            double cap = 1.5 * means.SelectMany(m => m).Where(double.IsFinite).DefaultIfEmpty(1).Max();
            Charts.Bars(context, "atsr", $"Polar-step (spectral-gd) ATSR vs weight decay λ (median over seeds; ∞ drawn at {cap:G3}, undefined as 0)", "ATSR = max t_k / min t_k",
                lambdas.Select(l => $"λ={MatrixSensingClaims.Format(l)}").ToList(),
                styles.Select((style, i) => (MatrixSensingClaims.Name(style),
                    (IReadOnlyList<double>)means[i].Select(v => double.IsPositiveInfinity(v) ? cap : v).ToList())).ToList());
        }
    }
}
