using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;

namespace MuonSharp.Lab.Experiments.Routing;

/// <summary>
/// The claims of <c>000 §4</c> and how they are judged from the runs' final states. Seeds are
/// aggregated by their mean (the spread is reported as <c>_sd</c>); Muon's numbers are measured and
/// reported but the paper's claims are about SGD and Spectral GD, so only those two decide.
/// </summary>
public static class RoutingClaims
{
    private const string Source = "000 §4, Fig. 2";

    /// <summary>(a) Both optimizers fit the trained pairs.</summary>
    public static readonly ClaimSpec FitsTrainedPairs = new("a-both-fit", Source + "e",
        "SGD and Spectral GD both converge on the trained domain pairs.",
        "Final mean squared error over the trained pairs (targets have norm 1), mean over seeds.",
        "Holds if the mean is below fit_threshold (default 1e-3) for both sgd and spectral-gd.");

    /// <summary>(b) SGD generalizes to untrained pairs, Spectral GD does not.</summary>
    public static readonly ClaimSpec SgdGeneralizes = new("b-sgd-generalizes", Source + "c,d",
        "SGD generalizes to the domain pairs never trained; Spectral GD does not (it memorizes the trained pairs).",
        "Final mean squared error over the untrained pairs, mean over seeds (also: fraction of untrained-pair outputs nearest to their own target).",
        "Holds if sgd's mean is below generalize_threshold (default 0.1) and spectral-gd's is not.");

    /// <summary>(c) SGD's shared layer is about rank 4, Spectral GD's has a higher effective rank.</summary>
    public static readonly ClaimSpec SharedRank = new("c-shared-rank", Source,
        "The shared layer SGD learns is approximately rank 4 (the task's dimension); Spectral GD's has a significantly higher effective rank with a heavy-tailed spectrum.",
        "Effective rank exp(H(σ/Σσ)) of W − W₀, the part of the shared layer training added (W₀'s 0.2-gain orthogonal init adds h equal singular values no optimizer needs to remove), mean over seeds; W's own effective rank and the share of ΔW's nuclear norm outside its top 4 singular values are reported too.",
        "Holds if sgd's effective rank is within rank_tolerance (default 1) of 4 and spectral-gd's is at least rank_ratio (default 1.5) times sgd's.");

    /// <summary>All three, in order.</summary>
    public static IReadOnlyList<ClaimSpec> All => new[] { FitsTrainedPairs, SgdGeneralizes, SharedRank };

    /// <summary>Effective rank (Roy &amp; Vetterli 2007) exp(H(p)), p_i = σ_i / Σσ_j, of a spectrum; 0 for all zeros.</summary>
    /// <param name="singularValues">Non-negative singular values, any order.</param>
    public static double EffectiveRank(IReadOnlyList<double> singularValues)
    {
        double total = singularValues.Sum();
        if (!(total > 0)) return total == 0 ? 0 : double.NaN;
        double entropy = -singularValues.Where(s => s > 0).Select(s => s / total).Sum(p => p * Math.Log(p));
        return Math.Exp(entropy);
    }

    /// <summary>Share of the nuclear norm outside the top <paramref name="head"/> singular values (0 = rank ≤ head).</summary>
    /// <param name="singularValues">Singular values, largest first.</param>
    /// <param name="head">How many leading values count as the head.</param>
    public static double TailShare(IReadOnlyList<double> singularValues, int head)
    {
        double total = singularValues.Sum();
        return total > 0 ? singularValues.Skip(head).Sum() / total : double.NaN;
    }

    /// <summary>Judges the three claims from every run's final state.</summary>
    /// <param name="config">Thresholds and the number of items.</param>
    /// <param name="outcomes">One outcome per (optimizer, seed).</param>
    public static IReadOnlyList<ClaimResult> Judge(RoutingConfig config, IReadOnlyList<RoutingOutcome> outcomes)
    {
        var optimizers = outcomes.Select(o => o.Optimizer).Distinct().ToList();
        bool comparable = optimizers.Contains(RoutingExperiment.Sgd) && optimizers.Contains(RoutingExperiment.SpectralGd);
        const string missing = "needs both sgd and spectral-gd";

        // Mean and spread over seeds of one number per run, for every optimizer, into `measured`.
        Dictionary<string, double> Measure(params (string Name, Func<RoutingOutcome, double> Value)[] quantities)
        {
            var measured = new Dictionary<string, double>();
            foreach (var optimizer in optimizers)
                foreach (var (name, value) in quantities)
                {
                    var values = outcomes.Where(o => o.Optimizer == optimizer).Select(value).ToList();
                    measured[$"{optimizer}_{name}"] = Stats.Mean(values);
                    measured[$"{optimizer}_{name}_sd"] = Stats.StandardDeviation(values);
                }
            return measured;
        }
        static bool? Both(double a, double b, Func<double, double, bool> rule) =>
            double.IsFinite(a) && double.IsFinite(b) ? rule(a, b) : null;
        const string sgd = RoutingExperiment.Sgd, spec = RoutingExperiment.SpectralGd;

        var fit = Measure(("trained_error", o => o.TrainedError));
        var general = Measure(("untrained_error", o => o.UntrainedError), ("untrained_item_accuracy", o => o.UntrainedItemAccuracy));
        int items = config.Items;
        var rank = Measure(("learned_effective_rank", o => EffectiveRank(o.LearnedSingularValues)),
            ("shared_effective_rank", o => EffectiveRank(o.SharedSingularValues)),
            ("learned_tail_share", o => TailShare(o.LearnedSingularValues, items)));

        return new[]
        {
            FitsTrainedPairs.Judge(comparable ? Both(fit[$"{sgd}_trained_error"], fit[$"{spec}_trained_error"],
                (a, b) => a < config.FitThreshold && b < config.FitThreshold) : null, fit, comparable ? null : missing),
            SgdGeneralizes.Judge(comparable ? Both(general[$"{sgd}_untrained_error"], general[$"{spec}_untrained_error"],
                (a, b) => a < config.GeneralizeThreshold && !(b < config.GeneralizeThreshold)) : null, general, comparable ? null : missing),
            SharedRank.Judge(comparable ? Both(rank[$"{sgd}_learned_effective_rank"], rank[$"{spec}_learned_effective_rank"],
                (a, b) => Math.Abs(a - items) <= config.RankTolerance && b >= config.RankRatio * a) : null, rank, comparable ? null : missing),
        };
    }
}
