using System.Globalization;
using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;

namespace MuonSharp.Lab.Experiments.SmallGpt;

/// <summary>
/// The claims of <c>002</c>'s small-NanoGPT experiment and <c>004</c>'s layerwise condition on a transformer, and
/// how each is judged. Comparisons over seeds are per-seed paired differences (<see cref="PairedDifference"/>): a
/// side is ahead only when the mean difference exceeds its standard error, so a gap within the seed-to-seed noise
/// is inconclusive. A diverged run makes the comparisons it enters inconclusive. Every threshold here was fixed
/// before any run of this experiment.
/// </summary>
public static class SmallGptClaims
{
    private const string Gpt = "002 §5, small NanoGPT (Fig. 5)";
    private const string Undecided = "inconclusive when the difference is within one standard error, with fewer than two seeds, or when a compared run diverged";

    /// <summary>(a) Muon keeps the weights' stable rank higher.</summary>
    public static readonly ClaimSpec StableRank = new("a-higher-stable-rank", Gpt,
        "Muon keeps a higher mean weight stable rank than AdamW across the hidden matrices at the end of training.",
        "Weight stable rank ‖W‖²_F/‖W‖²_op of every hidden matrix (the block matrices the hybrid sends to Muon) after the last update, " +
        "averaged over the matrices, per seed; the paired difference muon − adamw over seeds: mean and standard error (_se).",
        $"Holds if muon − adamw exceeds its standard error; fails if it is below minus its standard error; {Undecided}.");

    /// <summary>(b) Muon's learning-rate plateau is wider.</summary>
    public static readonly ClaimSpec Plateau = new("b-wider-lr-plateau", Gpt,
        "Muon's learning-rate plateau is wider than AdamW's (in decades).",
        "Sweep of each optimizer's learning rate (for Muon its Muon rate, the AdamW part fixed) on the first seed for sweep_steps_fraction of the steps; " +
        "the plateau is the contiguous run of swept rates around the best whose final validation loss is within plateau_tolerance nats of the best; " +
        "its width is log10(largest / smallest rate on it), in decades (_plateau_decades); _plateau_at_edge is 1 when it reaches an end of the sweep.",
        "Holds if Muon's width exceeds AdamW's while AdamW's plateau lies inside the sweep (so its width is not cut off); fails if AdamW's exceeds Muon's " +
        "while Muon's lies inside the sweep; inconclusive when the widths are equal, when the narrower plateau reaches an end of the sweep, or without a sweep of at least two rates.");

    /// <summary>(c) Muon reaches a lower validation loss.</summary>
    public static readonly ClaimSpec ValidationLoss = new("c-lower-validation-loss", Gpt,
        "Muon's best final validation loss is below AdamW's best, beyond the seed spread.",
        "Validation loss (nats per character, the fixed validation batches of the seed) after the last update of the main runs, each optimizer at its " +
        "default rate, per seed; the paired difference adamw − muon over seeds: mean and standard error (_se). The sweep's best losses are listed beside it.",
        $"Holds if adamw − muon exceeds its standard error; fails if it is below minus its standard error; {Undecided}.");

    /// <summary>(d) The layerwise condition favours spectral updates at the MLP's second matrix.</summary>
    public static readonly ClaimSpec Condition = new("d-post-gelu-condition", "004 §8–10 (layerwise condition nr(G) ≥ st(A) in transformers)",
        "The post-activation inputs to the MLP's second matrix have low stable rank and the condition ratio nr(G)/st(A) favours spectral updates there for most of training.",
        "For every block's mlp.c_proj and each optimizer's main runs: the median over the monitor's observations of st(A), the stable rank of its input " +
        "(the GELU output), as a fraction of its width 4·width (_st_a_fraction), and the fraction of observations whose condition ratio is at least " +
        "SpectralMonitor.DecisiveFactor = 2 (_spectral_fraction).",
        "Holds if for every block and optimizer the median st(A) is at most low_stable_rank_fraction of the width and the spectral fraction exceeds 1/2; " +
        "fails if some block fails either; inconclusive if some block has no observation. The note lists where it holds and where not.");

    /// <summary>All four, in order.</summary>
    public static IReadOnlyList<ClaimSpec> All => new[] { StableRank, Plateau, ValidationLoss, Condition };

    /// <summary>Judges the four claims.</summary>
    /// <param name="config">Settings (tolerance, stable-rank fraction, width).</param>
    /// <param name="main">The main runs (every seed × optimizer at the default rates).</param>
    /// <param name="sweep">The sweep runs (first seed, half budget).</param>
    public static IReadOnlyList<ClaimResult> Judge(SmallGptConfig config, IReadOnlyList<SmallGptRun> main, IReadOnlyList<SmallGptRun> sweep) => new[]
    {
        JudgeStableRank(main), JudgePlateau(config, sweep), JudgeValidationLoss(main, sweep), JudgeCondition(config, main),
    };

    /// <summary>Claim (a).</summary>
    /// <param name="main">The main runs.</param>
    public static ClaimResult JudgeStableRank(IReadOnlyList<SmallGptRun> main)
    {
        var measured = new Dictionary<string, double>();
        foreach (var o in SmallGptExperiment.Accepted) Describe(measured, main, o, r => r.MeanFinalStableRank, "mean_stable_rank");
        var difference = PairedDifference.Of(PerSeed(main, SmallGptExperiment.Muon, r => r.MeanFinalStableRank), PerSeed(main, SmallGptExperiment.AdamW, r => r.MeanFinalStableRank));
        var keys = difference.Record(measured, "muon_minus_adamw_stable_rank");
        return StableRank.Judge(difference.FirstAhead, measured, Note(difference), keys);
    }

    /// <summary>Claim (c).</summary>
    /// <param name="main">The main runs.</param>
    /// <param name="sweep">The sweep runs (their best losses are listed, not judged).</param>
    public static ClaimResult JudgeValidationLoss(IReadOnlyList<SmallGptRun> main, IReadOnlyList<SmallGptRun> sweep)
    {
        var measured = new Dictionary<string, double>();
        foreach (var o in SmallGptExperiment.Accepted)
        {
            Describe(measured, main, o, r => r.FinalValidationLoss, "final_val_loss");
            var swept = sweep.Where(r => r.Optimizer == o && double.IsFinite(r.FinalValidationLoss)).ToList();
            if (swept.Count > 0) measured[$"{o}_sweep_best_val_loss"] = swept.Min(r => r.FinalValidationLoss);
        }
        var difference = PairedDifference.Of(PerSeed(main, SmallGptExperiment.AdamW, r => r.FinalValidationLoss), PerSeed(main, SmallGptExperiment.Muon, r => r.FinalValidationLoss));
        var keys = difference.Record(measured, "adamw_minus_muon_val_loss");
        return ValidationLoss.Judge(difference.FirstAhead, measured, Note(difference), keys);
    }

    /// <summary>The plateau of one optimizer's sweep.</summary>
    /// <param name="Decades">log10 of the largest over the smallest rate on the plateau (0 for a single rate).</param>
    /// <param name="AtEdge">The plateau reaches the smallest or largest swept rate.</param>
    /// <param name="Best">The rate with the lowest final validation loss.</param>
    /// <param name="Rates">The rates on the plateau, ascending.</param>
    public sealed record PlateauWidth(double Decades, bool AtEdge, double Best, IReadOnlyList<double> Rates);

    /// <summary>
    /// The plateau of a sweep: the contiguous run of rates (in ascending order) around the one with the lowest loss whose
    /// loss is within <paramref name="tolerance"/> of it. Non-finite losses (diverged runs) are never on it. Null when no loss is finite.
    /// </summary>
    /// <param name="rates">The swept rates (any order, distinct).</param>
    /// <param name="losses">Final validation loss at each rate.</param>
    /// <param name="tolerance">Allowed excess over the best loss.</param>
    public static PlateauWidth? PlateauOf(IReadOnlyList<double> rates, IReadOnlyList<double> losses, double tolerance)
    {
        var points = rates.Zip(losses).OrderBy(p => p.First).ToList();
        if (!points.Any(p => double.IsFinite(p.Second))) return null;
        int best = points.Select((p, i) => (p, i)).Where(x => double.IsFinite(x.p.Second)).MinBy(x => x.p.Second).i;
        bool On(int i) => double.IsFinite(points[i].Second) && points[i].Second <= points[best].Second + tolerance;
        int low = best, high = best;
        while (low > 0 && On(low - 1)) low--;
        while (high < points.Count - 1 && On(high + 1)) high++;
        return new PlateauWidth(Math.Log10(points[high].First / points[low].First), low == 0 || high == points.Count - 1,
            points[best].First, points.Skip(low).Take(high - low + 1).Select(p => p.First).ToList());
    }

    /// <summary>Claim (b).</summary>
    /// <param name="config">The tolerance.</param>
    /// <param name="sweep">The sweep runs.</param>
    public static ClaimResult JudgePlateau(SmallGptConfig config, IReadOnlyList<SmallGptRun> sweep)
    {
        var measured = new Dictionary<string, double>();
        var plateaus = new Dictionary<string, PlateauWidth>();
        foreach (var o in SmallGptExperiment.Accepted)
        {
            var runs = sweep.Where(r => r.Optimizer == o).ToList();
            if (runs.Select(r => r.LearningRate).Distinct().Count() < 2 || PlateauOf(runs.Select(r => r.LearningRate).ToList(), runs.Select(r => r.FinalValidationLoss).ToList(), config.PlateauTolerance) is not { } p)
                continue;
            plateaus[o] = p;
            measured[$"{o}_plateau_decades"] = p.Decades;
            measured[$"{o}_plateau_at_edge"] = p.AtEdge ? 1 : 0;
            measured[$"{o}_best_lr"] = p.Best;
            measured[$"{o}_best_sweep_val_loss"] = runs.Where(r => double.IsFinite(r.FinalValidationLoss)).Min(r => r.FinalValidationLoss);
        }
        if (!plateaus.TryGetValue(SmallGptExperiment.Muon, out var muon) || !plateaus.TryGetValue(SmallGptExperiment.AdamW, out var adamw))
            return Plateau.Judge(null, measured, "needs a sweep of at least two rates with a finite loss for both adamw and muon");
        string note = $"plateau (within {config.PlateauTolerance.ToString(CultureInfo.InvariantCulture)} nats): muon {Rates(muon)}, adamw {Rates(adamw)}";
        var keys = new[] { "muon_plateau_decades", "adamw_plateau_decades" };
        const double same = 1e-9;   // widths are logs of ratios of the same grid: equal up to rounding
        bool? holds = Math.Abs(muon.Decades - adamw.Decades) <= same ? null
            : muon.Decades > adamw.Decades ? (adamw.AtEdge ? null : true)
            : (muon.AtEdge ? null : false);
        if (holds is null) note += Math.Abs(muon.Decades - adamw.Decades) <= same ? "; equal widths" : "; the narrower plateau reaches an end of the sweep, so its width is cut off";
        return Plateau.Judge(holds, measured, note, keys);
    }

    /// <summary>The layer name of block <paramref name="block"/>'s second MLP matrix (nanoGPT's names).</summary>
    /// <param name="block">Block index.</param>
    public static string MlpOutput(int block) => $"blocks.{block}.mlp.c_proj.weight";

    /// <summary>Claim (d).</summary>
    /// <param name="config">Width, layers, the stable-rank fraction.</param>
    /// <param name="main">The main runs (their monitor rows).</param>
    public static ClaimResult JudgeCondition(SmallGptConfig config, IReadOnlyList<SmallGptRun> main)
    {
        var measured = new Dictionary<string, double>();
        double fanIn = 4.0 * config.Width;
        var holdsAt = new List<string>();
        var failsAt = new List<string>();
        var unobserved = new List<string>();
        (string Key, double Margin)? closest = null, worst = null;
        foreach (var o in config.Optimizers)
            for (int block = 0; block < config.Layers; block++)
            {
                string layer = MlpOutput(block), name = $"{o}_block{block}";
                var rows = main.Where(r => r.Optimizer == o).SelectMany(r => r.Spectral).Where(r => r.Layer == layer).ToList();
                var stableRanks = rows.Where(r => r.Metric == SpectralMetrics.StableRankA).Select(r => r.Value).ToList();
                var ratios = rows.Where(r => r.Metric == SpectralMetrics.ConditionRatio).Select(r => r.Value).ToList();
                if (stableRanks.Count == 0 || ratios.Count == 0) { unobserved.Add(name); continue; }
                double fraction = Stats.Median(stableRanks) / fanIn;
                double spectral = ratios.Count(r => r >= SpectralMonitor.DecisiveFactor) / (double)ratios.Count;
                measured[$"{name}_st_a_fraction"] = fraction;
                measured[$"{name}_spectral_fraction"] = spectral;
                measured[$"{name}_median_condition_ratio"] = Stats.Median(ratios);
                bool lowRank = fraction <= config.LowStableRankFraction, mostly = spectral > 0.5;
                (lowRank && mostly ? holdsAt : failsAt).Add(lowRank ? (mostly ? name : $"{name} (spectral in {spectral:P0} of observations)")
                    : $"{name} (st(A) {fraction:P1} of the width)");
                // How far inside (positive) or outside (negative) the rule this block is: its tighter test decides.
                double rankMargin = config.LowStableRankFraction - fraction, spectralMargin = spectral - 0.5;
                double margin = Math.Min(rankMargin, spectralMargin);
                string key = spectralMargin < rankMargin ? $"{name}_spectral_fraction" : $"{name}_st_a_fraction";
                if (closest is null || margin < closest.Value.Margin) closest = (key, margin);
                if (!(lowRank && mostly) && (worst is null || margin < worst.Value.Margin)) worst = (key, margin);
            }
        string note = $"holds at: {(holdsAt.Count > 0 ? string.Join(", ", holdsAt) : "none")}; fails at: {(failsAt.Count > 0 ? string.Join(", ", failsAt) : "none")}"
            + (unobserved.Count > 0 ? $"; not observed: {string.Join(", ", unobserved)}" : "");
        if (failsAt.Count > 0) return Condition.Judge(false, measured, note, new[] { worst!.Value.Key });
        if (unobserved.Count > 0 || closest is null) return Condition.Judge(null, measured, note);
        return Condition.Judge(true, measured, note, new[] { closest.Value.Key });
    }

    private static Dictionary<int, double> PerSeed(IReadOnlyList<SmallGptRun> runs, string optimizer, Func<SmallGptRun, double> value) =>
        runs.Where(r => r.Optimizer == optimizer).ToDictionary(r => r.Seed, value);

    private static void Describe(Dictionary<string, double> measured, IReadOnlyList<SmallGptRun> runs, string optimizer, Func<SmallGptRun, double> value, string name)
    {
        var values = runs.Where(r => r.Optimizer == optimizer).Select(value).ToList();
        if (values.Count == 0) return;
        measured[$"{optimizer}_{name}"] = Stats.Mean(values);
        measured[$"{optimizer}_{name}_sd"] = Stats.StandardDeviation(values);
    }

    private static string Note(PairedDifference difference) => $"paired difference {difference}";

    private static string Rates(PlateauWidth p) =>
        $"{string.Join(", ", p.Rates.Select(r => r.ToString("G3", CultureInfo.InvariantCulture)))} ({p.Decades.ToString("0.##", CultureInfo.InvariantCulture)} decades{(p.AtEdge ? ", reaches an end of the sweep" : "")})";

}
