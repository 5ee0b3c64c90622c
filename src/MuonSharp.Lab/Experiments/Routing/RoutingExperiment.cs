using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;

namespace MuonSharp.Lab.Experiments.Routing;

/// <summary>
/// The routing task of <c>000 §4</c> (App. C.2; Saxe et al. 2022): K input and K output domains,
/// per-domain linear encoders and decoders around one shared linear layer, trained only on the pairs
/// (i, i) and (i, i+1). SGD's simplicity bias should find the shared rank-4 representation and
/// generalize to the untrained pairs; Spectral GD should memorize the trained pairs instead.
/// For every optimizer and seed: train, evaluate all K² pairs, take the shared layer's spectrum;
/// then judge the claims and plot.
/// </summary>
public sealed class RoutingExperiment : Experiment<RoutingConfig>
{
    /// <summary>Plain SGD.</summary>
    public const string Sgd = "sgd";
    /// <summary>Spectral GD (exact polar update).</summary>
    public const string SpectralGd = "spectral-gd";
    /// <summary>Muon.</summary>
    public const string Muon = "muon";
    /// <summary>Every optimizer name this experiment understands.</summary>
    public static readonly IReadOnlyList<string> OptimizerNames = new[] { Sgd, SpectralGd, Muon };

    /// <summary>What <c>optimizers</c> accepts: <see cref="OptimizerNames"/> and their variants (<c>normuon</c>; see <see cref="OptimizerTable.WithVariants"/>).</summary>
    public static readonly IReadOnlyList<string> Accepted = OptimizerTable.WithVariants(OptimizerNames);

    /// <inheritdoc />
    public override string Id => "routing";
    /// <inheritdoc />
    public override string Description => "Routing task: per-domain encoders and decoders around a shared linear layer; do untrained domain pairs generalize?";
    /// <inheritdoc />
    public override string Source => "000 §4, App. C.2";
    /// <inheritdoc />
    public override IReadOnlyList<string> KnownOptimizers => Accepted;
    /// <inheritdoc />
    public override IReadOnlyList<ClaimSpec> Claims => RoutingClaims.All;
    /// <inheritdoc />
    public override RoutingConfig Paper => new();
    /// <inheritdoc />
    public override RoutingConfig Quick => Paper with { Steps = 200, Seeds = 2, Domains = 3, HiddenWidth = 16, EvalEvery = 50, SweepSeeds = 0 };

    /// <inheritdoc />
    protected override IReadOnlyList<ClaimResult> Run(RunContext context, RoutingConfig config)
    {
        // Runs on the lab's torch thread count (LabRunner: one by default, see RunOptions.TorchThreads).
        var outcomes = RoutingTraining.TrainAll(context, config);
        foreach (var o in outcomes)
            context.Log($"{o.Optimizer} seed {o.Seed}: trained error {o.TrainedError:G3}, untrained error {o.UntrainedError:G3}, " +
                        $"W − W₀: σ{config.Items + 1}/σ{config.Items} {RoutingClaims.GapAfter(o.LearnedSingularValues, config.Items):G3}, " +
                        $"stable rank {RoutingClaims.StableRank(o.LearnedSingularValues):G3}, effective rank {RoutingClaims.EffectiveRank(o.LearnedSingularValues):G3}");

        var sweep = RoutingSweep.Run(context, config);
        foreach (var cell in sweep)
            context.Log($"sweep K = {cell.Domains}, gain {cell.Gain:G3}, {cell.Optimizer}: {cell.GeneralizingFraction:P0} of {cell.Seeds} seeds generalize " +
                        $"(fitted {cell.FittedFraction:P0}, mean untrained error {cell.UntrainedErrorMean:G3})");

        Plot(context, config, outcomes);
        PlotSweep(context, config, sweep);
        return RoutingClaims.Judge(config, outcomes, sweep);
    }

    private static void PlotSweep(RunContext context, RoutingConfig config, IReadOnlyList<SweepCell> sweep)
    {
        if (sweep.Count == 0) return;
        var settings = sweep.Select(c => (c.Domains, c.Gain)).Distinct().ToList();
        var categories = settings.Select(s => $"K={s.Domains}, gain {s.Gain:G3}").ToList();
        var bars = sweep.Select(c => c.Optimizer).Distinct()
            .Select(o => (o, (IReadOnlyList<double>)settings.Select(s => sweep.First(c => c.Optimizer == o && c.Domains == s.Domains && c.Gain == s.Gain).GeneralizingFraction).ToList()))
            .ToList();
        Charts.Bars(context, "sweep_generalization",
            $"Fraction of seeds generalizing (untrained error < {config.GeneralizeThreshold:G3}); {sweep[0].Seeds} seeds × {config.SweepSteps} steps per setting",
            "fraction of seeds", categories, bars);
    }

    private static void Plot(RunContext context, RoutingConfig config, IReadOnlyList<RoutingOutcome> outcomes)
    {
        // Mean over seeds of a metric recorded at every evaluation.
        Series Curve(string optimizer, string metric, string label)
        {
            var perSeed = config.SeedList.Select(s => context.Metrics.Series(optimizer, s, metric)).ToList();
            var steps = perSeed[0].Select(p => (double)p.Step).ToList();
            var mean = Enumerable.Range(0, steps.Count).Select(i => Stats.Mean(perSeed.Select(s => s[i].Value))).ToList();
            return new Series(label, steps, mean);
        }
        Charts.Line(context, "errors", $"Trained and untrained pairs (K = {config.Domains}, mean of {config.Seeds} seeds)",
            "step", "mean squared error",
            config.Optimizers.SelectMany(o => new[] { Curve(o, "trained_error", $"{o} trained"), Curve(o, "untrained_error", $"{o} untrained") }),
            logY: true);

        // Mean over seeds of the k-th singular value.
        Series Spectrum(string optimizer, Func<RoutingOutcome, double[]> values)
        {
            var runs = outcomes.Where(o => o.Optimizer == optimizer).Select(values).ToList();
            var index = Enumerable.Range(1, runs[0].Length).Select(k => (double)k).ToList();
            return new Series(optimizer, index, index.Select(k => Stats.Mean(runs.Select(r => r[(int)k - 1]))).ToList());
        }
        Charts.Line(context, "shared_singular_values", "Singular values of the shared layer W at the end", "index", "singular value",
            config.Optimizers.Select(o => Spectrum(o, r => r.SharedSingularValues)), logY: true);
        Charts.Line(context, "learned_singular_values", "Singular values of W − W₀ (what training added to the shared layer)", "index", "singular value",
            config.Optimizers.Select(o => Spectrum(o, r => r.LearnedSingularValues)), logY: true);

        // Claim (c): the stable rank decides, the entropy rank is shown for comparison; W − W₀ decides, W is what 000 plots.
        double Mean(string optimizer, Func<IReadOnlyList<double>, double> measure, Func<RoutingOutcome, double[]> values) =>
            Stats.Mean(outcomes.Where(o => o.Optimizer == optimizer).Select(o => measure(values(o))));
        Charts.Bars(context, "effective_rank", $"Rank measures of the shared layer (task rank {config.Items}; seed means)", "rank",
            new[] { "stable rank, W − W₀", "stable rank, W", "entropy rank, W − W₀", "entropy rank, W" },
            config.Optimizers.Select(o => (o, (IReadOnlyList<double>)new[]
            {
                Mean(o, RoutingClaims.StableRank, r => r.LearnedSingularValues), Mean(o, RoutingClaims.StableRank, r => r.SharedSingularValues),
                Mean(o, RoutingClaims.EffectiveRank, r => r.LearnedSingularValues), Mean(o, RoutingClaims.EffectiveRank, r => r.SharedSingularValues),
            })).ToList());
    }
}
