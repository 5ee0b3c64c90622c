using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;

namespace MuonSharp.Lab.Experiments.Imbalanced;

/// <summary>
/// The claims <c>001</c> reports from Vasudeva et al. (2025) and how each is judged from the
/// trajectories. Every comparison is a per-seed paired difference (<see cref="PairedDifference"/>):
/// a side counts as ahead only when the mean difference exceeds its standard error over seeds, so a
/// gap smaller than the seed-to-seed noise is inconclusive rather than a verdict. A run that diverged
/// makes every comparison it enters inconclusive. This margin rule was fixed before the runs it judges.
/// </summary>
public static class ImbalancedClaims
{
    private const string Source = "001, Theoretical Insights; Imbalanced and Long-Tail Data (Vasudeva et al. 2025)";
    private const string FinalSource = "001, Empirical Evaluations Across Domains and Tasks: Imbalanced and Long-Tail Data (Vasudeva et al. 2025)";
    private const string Undecided = "inconclusive when a difference is within one standard error, with fewer than two seeds, or when a compared run diverged";

    /// <summary>(a) Spectral methods reach higher balanced accuracy early.</summary>
    public static readonly ClaimSpec EarlyBalancedAccuracy = new("a-early-balanced-accuracy", Source,
        "Early in training, spectral methods (Spectral GD, Muon, Shampoo) reach higher balanced accuracy than GD and Adam.",
        "Balanced test accuracy averaged over the evaluations in the first early_fraction of the steps (the early window), per seed; " +
        "per depth, the paired difference spectral − baseline over seeds: mean and standard error (_se).",
        "Holds if at every depth every spectral method's early mean exceeds GD's and Adam's by more than the standard error of the paired difference; " +
        $"fails if GD or Adam is ahead of a spectral method by more than it at some depth; {Undecided}.");

    /// <summary>(b) The rarest class is learned earlier.</summary>
    public static readonly ClaimSpec RareClassEarlier = new("b-rare-class-earlier", Source,
        "Spectral GD learns minority classes sooner than GD.",
        "Step at which the rarest class's test accuracy first reaches rare_class_threshold (steps + eval_every if never), per seed, for spectral-gd, muon and gd; " +
        "per depth, the paired difference gd − spectral-gd: mean and standard error (_se).",
        "Holds if at every depth GD's step exceeds Spectral GD's by more than the standard error of the paired difference; " +
        $"fails if Spectral GD's exceeds GD's by more than it at some depth; {Undecided} (as where neither reaches the threshold).");

    /// <summary>(c) Per-layer normalized GD still trails.</summary>
    public static readonly ClaimSpec NotStepSize = new("c-not-step-size", Source,
        "The advantage is not a matter of step size: GD with per-layer normalized steps still trails Spectral GD.",
        "Early-window mean balanced accuracy of normalized-gd (each layer's gradient divided by its Frobenius norm, lr tuned like the others) and of spectral-gd, per seed; " +
        "per depth, the paired difference spectral-gd − normalized-gd: mean and standard error (_se).",
        "Holds if at every depth spectral-gd's early mean exceeds normalized-gd's by more than the standard error of the paired difference; " +
        $"fails if normalized-gd is ahead by more than it at some depth; {Undecided}.");

    /// <summary>(d) Depth widens the gap.</summary>
    public static readonly ClaimSpec DepthWidens = new("d-depth-widens-gap", Source,
        "The gap between Spectral GD and GD widens with depth.",
        "Gap = early-window mean balanced accuracy of spectral-gd minus gd, per seed and depth; the per-seed change of the gap from the shallowest " +
        "to the deepest depth: mean and standard error (_se).",
        "Holds if the gap at the deepest depth exceeds the gap at the shallowest by more than the standard error of the per-seed change; " +
        $"fails if it is smaller by more than it; {Undecided}; needs two depths.");

    /// <summary>(e) Spectral methods end with higher balanced accuracy than their Euclidean counterparts.</summary>
    public static readonly ClaimSpec FinalBalancedAccuracy = new("e-final-balanced-accuracy", FinalSource,
        "At the end of training, the spectral optimizers' balanced accuracy is higher than their Euclidean counterparts' " +
        "(001: \"the final balanced accuracy was significantly better than that of SGD/Adam\").",
        "Balanced test accuracy at the last evaluation (step = steps), per seed; per depth, the paired difference spectral − counterpart for " +
        "spectral-gd − gd (the same step without the polar map), muon − adam (001's own example compares Muon with AdamW) and " +
        "shampoo − adam (our Shampoo is grafted onto Adam): mean and standard error (_se). Learning rates are the ones tuned for early balanced accuracy.",
        "Holds if at every depth every spectral optimizer's final balanced accuracy exceeds its counterpart's by more than the standard error of the paired difference; " +
        $"fails if a counterpart is ahead by more than it at some depth; {Undecided}.");

    /// <summary>All five, in order.</summary>
    public static IReadOnlyList<ClaimSpec> All => new[] { EarlyBalancedAccuracy, RareClassEarlier, NotStepSize, DepthWidens, FinalBalancedAccuracy };

    /// <summary>Optimizers that count as spectral for claim (a).</summary>
    public static readonly IReadOnlyList<string> Spectral = new[] { ImbalancedExperiment.SpectralGd, ImbalancedExperiment.Muon, ImbalancedExperiment.Shampoo };

    /// <summary>Optimizers that count as baselines for claim (a).</summary>
    public static readonly IReadOnlyList<string> Baselines = new[] { ImbalancedExperiment.Gd, ImbalancedExperiment.Adam };

    /// <summary>Each spectral optimizer and the Euclidean optimizer claim (e) compares it with.</summary>
    public static readonly IReadOnlyList<(string Spectral, string Euclidean)> Counterparts = new[]
    {
        (ImbalancedExperiment.SpectralGd, ImbalancedExperiment.Gd), (ImbalancedExperiment.Muon, ImbalancedExperiment.Adam), (ImbalancedExperiment.Shampoo, ImbalancedExperiment.Adam),
    };

    /// <summary>Last step of the early window: the first <c>EarlyFraction</c> of the steps.</summary>
    /// <param name="config">Settings.</param>
    public static int EarlyWindowEnd(ImbalancedConfig config) => (int)Math.Floor(config.EarlyFraction * config.Steps);

    /// <summary>
    /// Mean of <paramref name="values"/> at the evaluations with step ≤ <paramref name="windowEnd"/>;
    /// NaN when there is none.
    /// </summary>
    /// <param name="steps">Evaluation steps.</param>
    /// <param name="values">Values at those steps.</param>
    /// <param name="windowEnd">Last step of the window (inclusive).</param>
    public static double WindowMean(IReadOnlyList<int> steps, IReadOnlyList<double> values, int windowEnd) =>
        Stats.Mean(steps.Zip(values).Where(p => p.First <= windowEnd).Select(p => p.Second));

    /// <summary>First evaluation step at which <paramref name="values"/> reaches <paramref name="threshold"/>, or <paramref name="never"/>.</summary>
    /// <param name="steps">Evaluation steps.</param>
    /// <param name="values">Values.</param>
    /// <param name="threshold">Level.</param>
    /// <param name="never">Returned when the level is never reached.</param>
    public static double FirstStepReaching(IReadOnlyList<int> steps, IReadOnlyList<double> values, double threshold, double never)
    {
        int index = Stats.FirstCrossing(values, threshold);
        return index < 0 ? never : steps[index];
    }

    /// <summary>A run that diverged: its loss went non-finite (<see cref="ImbalancedRun.MeanLoss"/> is +∞).</summary>
    /// <param name="run">The run.</param>
    public static bool Diverged(ImbalancedRun run) => !double.IsFinite(run.MeanLoss);

    /// <summary>Judges all five claims from the measured trajectories.</summary>
    /// <param name="config">Settings (window, threshold, depths).</param>
    /// <param name="runs">Every recorded trajectory.</param>
    public static IReadOnlyList<ClaimResult> Judge(ImbalancedConfig config, IReadOnlyList<ImbalancedRun> runs)
    {
        var judge = new Judgement(config, runs);
        return new[] { judge.Early(), judge.RareClass(), judge.NormalizedGd(), judge.Depth(), judge.Final() };
    }

    /// <summary>The runs of one judgement and the per-seed quantities the claims compare.</summary>
    private sealed class Judgement(ImbalancedConfig config, IReadOnlyList<ImbalancedRun> runs)
    {
        private const string SpecGd = ImbalancedExperiment.SpectralGd, Gd = ImbalancedExperiment.Gd, NormGd = ImbalancedExperiment.NormalizedGd;
        private readonly int windowEnd = EarlyWindowEnd(config);
        private readonly double never = config.Steps + config.EvalEvery;
        private readonly List<int> depths = config.Depths.OrderBy(d => d).ToList();
        private readonly HashSet<string> present = runs.Select(r => r.Optimizer).ToHashSet();

        /// <summary>Seed → <paramref name="value"/> of each run of one optimizer and depth; NaN for a diverged run.</summary>
        private Dictionary<int, double> PerSeed(int depth, string optimizer, Func<ImbalancedRun, double> value) =>
            runs.Where(r => r.Depth == depth && r.Optimizer == optimizer).ToDictionary(r => r.Seed, r => Diverged(r) ? double.NaN : value(r));

        private double EarlyOf(ImbalancedRun r) => WindowMean(r.Steps, r.Balanced, windowEnd);
        private double RareStepOf(ImbalancedRun r) => FirstStepReaching(r.Steps, r.Rarest, config.RareClassThreshold, never);
        private static double FinalOf(ImbalancedRun r) => r.Balanced[^1];

        private void Describe(Dictionary<string, double> measured, int depth, string optimizer, Func<ImbalancedRun, double> value, string name)
        {
            var values = PerSeed(depth, optimizer, value).Values.ToList();
            measured[$"d{depth}_{optimizer}_{name}"] = Stats.Mean(values);
            measured[$"d{depth}_{optimizer}_{name}_sd"] = Stats.StandardDeviation(values);
        }

        private (string, PairedDifference) Compare(int depth, string ahead, string behind, Func<ImbalancedRun, double> value, string name) =>
            ($"d{depth}_{name}", PairedDifference.Of(PerSeed(depth, ahead, value), PerSeed(depth, behind, value)));

        public ClaimResult Early()
        {
            var measured = new Dictionary<string, double>();
            var spectral = Spectral.Where(present.Contains).ToList();
            var baselines = Baselines.Where(present.Contains).ToList();
            if (spectral.Count == 0 || baselines.Count == 0)
                return EarlyBalancedAccuracy.Judge(null, measured, "needs at least one spectral method and one of gd, adam");
            var comparisons = new List<(string, PairedDifference)>();
            foreach (var depth in depths)
            {
                foreach (var o in spectral.Concat(baselines)) Describe(measured, depth, o, EarlyOf, "early_ba");
                foreach (var s in spectral)
                    foreach (var b in baselines)
                        comparisons.Add(Compare(depth, s, b, EarlyOf, $"{s}_minus_{b}"));
            }
            return Decide(EarlyBalancedAccuracy, comparisons, measured, $"early window: steps 0..{windowEnd}");
        }

        public ClaimResult RareClass()
        {
            var measured = new Dictionary<string, double>();
            if (!present.Contains(SpecGd) || !present.Contains(Gd)) return RareClassEarlier.Judge(null, measured, "needs spectral-gd and gd");
            var comparisons = new List<(string, PairedDifference)>();
            foreach (var depth in depths)
            {
                foreach (var o in new[] { SpecGd, ImbalancedExperiment.Muon, Gd }.Where(present.Contains)) Describe(measured, depth, o, RareStepOf, "rare_step");
                // Positive = Spectral GD reaches the threshold sooner.
                comparisons.Add(Compare(depth, Gd, SpecGd, RareStepOf, "gd_minus_spectral-gd_rare_step"));
            }
            return Decide(RareClassEarlier, comparisons, measured, $"threshold {config.RareClassThreshold}; never reached counts as {never}");
        }

        public ClaimResult NormalizedGd()
        {
            var measured = new Dictionary<string, double>();
            if (!present.Contains(SpecGd) || !present.Contains(NormGd)) return NotStepSize.Judge(null, measured, "needs spectral-gd and normalized-gd");
            var comparisons = new List<(string, PairedDifference)>();
            foreach (var depth in depths)
            {
                foreach (var o in new[] { NormGd, SpecGd, Gd }.Where(present.Contains)) Describe(measured, depth, o, EarlyOf, "early_ba");
                comparisons.Add(Compare(depth, SpecGd, NormGd, EarlyOf, "spectral-gd_minus_normalized-gd"));
            }
            return Decide(NotStepSize, comparisons, measured, $"early window: steps 0..{windowEnd}");
        }

        public ClaimResult Depth()
        {
            var measured = new Dictionary<string, double>();
            if (depths.Count < 2) return DepthWidens.Judge(null, measured, "needs at least two depths");
            if (!present.Contains(SpecGd) || !present.Contains(Gd)) return DepthWidens.Judge(null, measured, "needs spectral-gd and gd");
            Dictionary<int, double> Gap(int depth)
            {
                var spectral = PerSeed(depth, SpecGd, EarlyOf);
                var gd = PerSeed(depth, Gd, EarlyOf);
                return spectral.Keys.Where(gd.ContainsKey).ToDictionary(seed => seed, seed => spectral[seed] - gd[seed]);
            }
            foreach (var depth in depths)
                PairedDifference.Of(PerSeed(depth, SpecGd, EarlyOf), PerSeed(depth, Gd, EarlyOf)).Record(measured, $"d{depth}_gap");
            var widening = PairedDifference.Of(Gap(depths[^1]), Gap(depths[0]));
            return Decide(DepthWidens, new[] { ($"gap_d{depths[^1]}_minus_d{depths[0]}", widening) }, measured,
                $"gap = spectral-gd − gd early balanced accuracy; early window: steps 0..{windowEnd}");
        }

        public ClaimResult Final()
        {
            var measured = new Dictionary<string, double>();
            var pairs = Counterparts.Where(p => present.Contains(p.Spectral) && present.Contains(p.Euclidean)).ToList();
            if (pairs.Count == 0)
                return FinalBalancedAccuracy.Judge(null, measured, $"needs a spectral optimizer and its counterpart ({string.Join(", ", Counterparts.Select(p => $"{p.Spectral} with {p.Euclidean}"))})");
            var comparisons = new List<(string, PairedDifference)>();
            foreach (var depth in depths)
            {
                foreach (var o in pairs.SelectMany(p => new[] { p.Spectral, p.Euclidean }).Distinct()) Describe(measured, depth, o, FinalOf, "final_ba");
                foreach (var (s, e) in pairs) comparisons.Add(Compare(depth, s, e, FinalOf, $"{s}_minus_{e}_final"));
            }
            return Decide(FinalBalancedAccuracy, comparisons, measured, $"at step {config.Steps}");
        }

        /// <summary>Records every comparison, applies the one-standard-error rule and names the deciding comparison.</summary>
        private ClaimResult Decide(ClaimSpec spec, IReadOnlyList<(string Name, PairedDifference Difference)> comparisons, Dictionary<string, double> measured, string context)
        {
            foreach (var (name, difference) in comparisons) difference.Record(measured, name);
            var (holds, deciding) = PairedDifference.AllFirstAhead(comparisons);
            if (deciding is null) return spec.Judge(null, measured, "nothing to compare");
            var decisive = comparisons.First(c => c.Name == deciding).Difference;
            string verdict = holds switch
            {
                true => $"closest call {deciding} = {decisive}",
                false => $"{deciding} = {decisive}: the other side is ahead by more than one standard error",
                null when decisive.Seeds < 2 => $"{deciding}: fewer than two paired seeds, no standard error",
                null when !double.IsFinite(decisive.Mean) => $"{deciding}: a compared run diverged",
                null => $"{deciding} = {decisive}: within one standard error",
            };
            var diverged = runs.Where(Diverged).Select(r => $"d{r.Depth} {r.Optimizer} seed {r.Seed}").ToList();
            string divergedNote = diverged.Count == 0 ? "" : $"; diverged: {string.Join(", ", diverged)}";
            return spec.Judge(holds, measured, $"{verdict}; {context}{divergedNote}", new[] { deciding, PairedDifference.StandardErrorKey(deciding) });
        }
    }
}
