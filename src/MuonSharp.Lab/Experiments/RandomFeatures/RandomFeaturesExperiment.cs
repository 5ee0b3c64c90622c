using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;

namespace MuonSharp.Lab.Experiments.RandomFeatures;

/// <summary>
/// Random-feature regression (004 §3, §6–7): GD with step n/‖A‖²_op against Spectral GD with step
/// (n/‖A‖²_F)·‖G‖_*·polar(G), from W = 0, on ReLU features (where the layerwise condition
/// nr(G) ≥ st(A) should hold) and SwiGLU features (the counter-example), plus a dimension sweep.
/// </summary>
/// <remarks>
/// Metrics (long format): per iterate k (the step column), for map ∈ {relu, swiglu} (ReLU runs last
/// <c>steps</c>, SwiGLU runs <c>swiglu_steps</c>):
/// <c>map/loss</c>, <c>map/relative_loss</c>, <c>map/nuclear_rank_g</c>, <c>map/stable_rank_a</c>,
/// <c>map/condition_ratio</c>. Sweep rows use the feature dimension d as the step:
/// <c>sweep/steps_to_target</c> per optimizer (−1 = not reached), <c>sweep/stable_rank_a</c> and
/// <c>sweep/speedup</c> (recorded under <c>spectral-gd</c>).
/// </remarks>
public sealed class RandomFeaturesExperiment : Experiment<RandomFeaturesConfig>
{
    /// <summary>Gradient descent with step n/‖A‖²_op.</summary>
    public const string Gd = "gd";

    /// <summary>Spectral GD with step (n/‖A‖²_F)·‖G‖_*·polar(G).</summary>
    public const string SpectralGd = "spectral-gd";

    /// <inheritdoc />
    public override string Id => "random-features";

    /// <inheritdoc />
    public override string Description =>
        "Random-feature regression: GD vs Spectral GD to a target loss, nr(G) vs st(A), speed-up across dimensions, SwiGLU counter-example.";

    /// <inheritdoc />
    public override string Source => "004 §3, §6–7";

    /// <inheritdoc />
    public override IReadOnlyList<string> KnownOptimizers { get; } = new[] { Gd, SpectralGd };

    /// <inheritdoc />
    public override IReadOnlyList<ClaimSpec> Claims => RandomFeaturesClaims.All;

    /// <inheritdoc />
    public override RandomFeaturesConfig Paper => new();

    /// <inheritdoc />
    /// <remarks>Every dimension at 0.4× the paper's, a 300-step budget (SwiGLU: 120), two seeds, a 4-size sweep up to the base size.</remarks>
    public override RandomFeaturesConfig Quick => new()
    {
        OutputDim = 40, FeatureDim = 40, InputDim = 20, Samples = 160,
        Steps = 300, SwigluSteps = 120, Seeds = 2, SweepScales = new[] { 0.25, 0.5, 0.75, 1 }, SweepMaxSteps = 1500,
    };

    /// <inheritdoc />
    protected override IReadOnlyList<ClaimResult> Run(RunContext context, RandomFeaturesConfig config)
    {
        // Runs on the lab's torch thread count (LabRunner: one by default, see RunOptions.TorchThreads).
        return RunAll(context, config);
    }

    private static IReadOnlyList<ClaimResult> RunAll(RunContext context, RandomFeaturesConfig config)
    {
        var size = new ProblemSize(config.OutputDim, config.FeatureDim, config.InputDim, config.Samples);
        bool both = config.Optimizers.Contains(Gd) && config.Optimizers.Contains(SpectralGd);

        var relu = RunMap(context, config, size, FeatureMap.Relu, config.Steps);
        var swiglu = config.Swiglu ? RunMap(context, config, size, FeatureMap.Swiglu, config.SwigluSteps) : new Dictionary<(string, int), FeatureRun>();
        var sweep = RunSweep(context, config, size);

        RandomFeaturesPlots.Draw(context, config, relu, swiglu, sweep);

        var seeds = config.SeedList.ToList();
        List<(FeatureRun Spectral, FeatureRun Gd)> Pairs(IReadOnlyDictionary<(string, int), FeatureRun> runs) =>
            both && runs.Count > 0 ? seeds.Select(s => (runs[(SpectralGd, s)], runs[(Gd, s)])).ToList() : new();
        return new[]
        {
            RandomFeaturesClaims.JudgeSpectralFaster(Pairs(relu), config.Steps),
            RandomFeaturesClaims.JudgeNuclearRankDominates(Pairs(relu)),
            RandomFeaturesClaims.JudgeSpeedupGrows(both ? sweep.Select(p => (p.Size.Features, (IReadOnlyList<Race>)p.Races)).ToList() : new()),
            RandomFeaturesClaims.JudgeSwigluCounterexample(Pairs(swiglu), config.SwigluSteps),
        };
    }

    /// <summary>Every seed and optimizer on one feature map (one unit each), for the whole step budget, recording every iterate.</summary>
    private static Dictionary<(string Optimizer, int Seed), FeatureRun> RunMap(RunContext context, RandomFeaturesConfig config, ProblemSize size, FeatureMap map, int steps)
    {
        string prefix = map.ToString().ToLowerInvariant();
        var runs = TrainingLoop.ForEachRun(context, config, (seed, optimizer) =>
        {
            using var problem = RandomFeatureProblem.Create(size, map, seed);
            context.Log($"{prefix} {optimizer} seed {seed} ({size}): st(A) = {problem.FeatureStableRank:G4}, GD step n/‖A‖²_op = {StepRules.GradientStepSize(problem.Samples, problem.FeatureOperatorSquared):G4}, " +
                        $"SpecGD scale n/‖A‖²_F = {StepRules.SpectralStepScale(problem.Samples, problem.FeatureFrobeniusSquared):G4}");
            var run = FeatureTraining.Run(context, config, problem, optimizer, seed, steps, stopAtTarget: false, diagnostics: true, metricPrefix: prefix + "/");
            context.Log($"{prefix} {optimizer} seed {seed}: steps to {config.TargetFraction:G3} × initial loss = " +
                        (run.StepsToTarget >= 0 ? run.StepsToTarget.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"not reached in {steps}") +
                        $"; final relative loss {run.FinalRelativeLoss:G4}");
            return (Seed: seed, Run: run);
        }, prefix);
        return runs.ToDictionary(r => (r.Run.Optimizer, r.Seed), r => r.Run);
    }

    /// <summary>The dimension sweep: every scale and seed (one unit each, all optimizers), each run stopped at the target.</summary>
    private static List<SweepPoint> RunSweep(RunContext context, RandomFeaturesConfig config, ProblemSize size)
    {
        var points = new List<SweepPoint>();
        foreach (var scale in config.SweepScales.OrderBy(s => s))
        {
            var scaled = size.Scaled(scale);
            var races = new List<Race>();
            var steps = new Dictionary<(string, int), int>();
            foreach (int seed in config.SeedList)
            {
                var reached = context.Unit($"sweep/x{scale.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}/seed{seed}", () =>
                {
                    using var problem = RandomFeatureProblem.Create(scaled, FeatureMap.Relu, seed);
                    context.Metrics.Add(scaled.Features, SpectralGd, seed, "sweep/stable_rank_a", problem.FeatureStableRank);
                    var perOptimizer = new Dictionary<string, int>();
                    foreach (var optimizer in config.Optimizers)
                    {
                        var run = FeatureTraining.Run(context, config, problem, optimizer, seed, config.SweepMaxSteps, stopAtTarget: true, diagnostics: false, metricPrefix: null);
                        perOptimizer[optimizer] = run.StepsToTarget;
                        context.Metrics.Add(scaled.Features, optimizer, seed, "sweep/steps_to_target", run.StepsToTarget);
                    }
                    if (perOptimizer.ContainsKey(Gd) && perOptimizer.ContainsKey(SpectralGd))
                        context.Metrics.Add(scaled.Features, SpectralGd, seed, "sweep/speedup", new Race(perOptimizer[Gd], perOptimizer[SpectralGd], config.SweepMaxSteps).Speedup);
                    return perOptimizer;
                });
                foreach (var (optimizer, count) in reached) steps[(optimizer, seed)] = count;
                if (reached.ContainsKey(Gd) && reached.ContainsKey(SpectralGd))
                    races.Add(new Race(reached[Gd], reached[SpectralGd], config.SweepMaxSteps));
            }
            context.Log($"sweep scale {scale:G3} ({scaled}): steps to target " +
                        string.Join(", ", config.Optimizers.Select(o => $"{o} [{string.Join(" ", config.SeedList.Select(s => steps[(o, s)]))}]")));
            points.Add(new SweepPoint(scale, scaled, races, steps));
        }
        return points;
    }
}

/// <summary>One scale of the dimension sweep.</summary>
/// <param name="Scale">Multiplier of every dimension.</param>
/// <param name="Size">The scaled dimensions.</param>
/// <param name="Races">One per seed (empty unless both optimizers ran).</param>
/// <param name="Steps">Steps to target per (optimizer, seed); −1 = not reached.</param>
internal sealed record SweepPoint(double Scale, ProblemSize Size, IReadOnlyList<Race> Races, IReadOnlyDictionary<(string Optimizer, int Seed), int> Steps);
