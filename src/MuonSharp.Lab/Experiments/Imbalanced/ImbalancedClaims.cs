using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;

namespace MuonSharp.Lab.Experiments.Imbalanced;

/// <summary>
/// The claims <c>001</c> reports from Vasudeva et al. (2025) and how each is judged from the
/// trajectories. Seeds are aggregated by their mean (the spread is reported as <c>_sd</c>).
/// </summary>
public static class ImbalancedClaims
{
    private const string Source = "001, Theoretical Insights; Imbalanced and Long-Tail Data (Vasudeva et al. 2025)";

    /// <summary>(a) Spectral methods reach higher balanced accuracy early.</summary>
    public static readonly ClaimSpec EarlyBalancedAccuracy = new("a-early-balanced-accuracy", Source,
        "Early in training, spectral methods (Spectral GD, Muon, Shampoo) reach higher balanced accuracy than GD and Adam.",
        "Balanced test accuracy averaged over the evaluations in the first early_fraction of the steps (the early window), mean over seeds, per depth and optimizer.",
        "Holds if at every depth every spectral method's early mean exceeds every one of GD's and Adam's; fails otherwise.");

    /// <summary>(b) The rarest class is learned earlier.</summary>
    public static readonly ClaimSpec RareClassEarlier = new("b-rare-class-earlier", Source,
        "Spectral GD learns minority classes sooner than GD.",
        "Step at which the rarest class's test accuracy first reaches rare_class_threshold (steps + eval_every if never), mean over seeds, per depth, for spectral-gd, muon and gd.",
        "Holds if at every depth Spectral GD's mean step is smaller than GD's; inconclusive at a depth where neither reaches the threshold.");

    /// <summary>(c) Per-layer normalized GD still trails.</summary>
    public static readonly ClaimSpec NotStepSize = new("c-not-step-size", Source,
        "The advantage is not a matter of step size: GD with per-layer normalized steps still trails Spectral GD.",
        "Early-window mean balanced accuracy of normalized-gd (each layer's gradient divided by its Frobenius norm, lr tuned like the others) and of spectral-gd, per depth.",
        "Holds if at every depth spectral-gd's early mean exceeds normalized-gd's.");

    /// <summary>(d) Depth widens the gap.</summary>
    public static readonly ClaimSpec DepthWidens = new("d-depth-widens-gap", Source,
        "The gap between Spectral GD and GD widens with depth.",
        "Gap = early-window mean balanced accuracy of spectral-gd minus gd (mean over seeds of the per-seed difference), at the shallowest and the deepest depth.",
        "Holds if the gap at the deepest depth exceeds the gap at the shallowest depth.");

    /// <summary>All four, in order.</summary>
    public static IReadOnlyList<ClaimSpec> All => new[] { EarlyBalancedAccuracy, RareClassEarlier, NotStepSize, DepthWidens };

    /// <summary>Optimizers that count as spectral for claim (a).</summary>
    public static readonly IReadOnlyList<string> Spectral = new[] { ImbalancedExperiment.SpectralGd, ImbalancedExperiment.Muon, ImbalancedExperiment.Shampoo };

    /// <summary>Optimizers that count as baselines for claim (a).</summary>
    public static readonly IReadOnlyList<string> Baselines = new[] { ImbalancedExperiment.Gd, ImbalancedExperiment.Adam };

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

    /// <summary>Judges all four claims from the measured trajectories.</summary>
    /// <param name="config">Settings (window, threshold, depths).</param>
    /// <param name="runs">Every recorded trajectory.</param>
    public static IReadOnlyList<ClaimResult> Judge(ImbalancedConfig config, IReadOnlyList<ImbalancedRun> runs)
    {
        int windowEnd = EarlyWindowEnd(config);
        double never = config.Steps + config.EvalEvery;
        var depths = config.Depths.OrderBy(d => d).ToList();
        var present = runs.Select(r => r.Optimizer).Distinct().ToHashSet();

        // Per (depth, optimizer): per-seed early means, keyed by seed for paired gaps.
        Dictionary<int, double> Early(int depth, string optimizer) => runs.Where(r => r.Depth == depth && r.Optimizer == optimizer)
            .ToDictionary(r => r.Seed, r => WindowMean(r.Steps, r.Balanced, windowEnd));
        double EarlyMean(int depth, string optimizer) => Stats.Mean(Early(depth, optimizer).Values);
        (double Mean, double Sd) Gap(int depth, string a, string b)
        {
            var ea = Early(depth, a);
            var eb = Early(depth, b);
            var diffs = ea.Keys.Intersect(eb.Keys).Select(s => ea[s] - eb[s]).ToList();
            return (Stats.Mean(diffs), Stats.StandardDeviation(diffs));
        }

        var results = new List<ClaimResult>();

        // (a)
        {
            var measured = new Dictionary<string, double>();
            bool? holds = true;
            var spectral = Spectral.Where(present.Contains).ToList();
            var baselines = Baselines.Where(present.Contains).ToList();
            foreach (var depth in depths)
            {
                foreach (var o in spectral.Concat(baselines))
                {
                    var values = Early(depth, o).Values.ToList();
                    measured[$"d{depth}_{o}_early_ba"] = Stats.Mean(values);
                    measured[$"d{depth}_{o}_early_ba_sd"] = Stats.StandardDeviation(values);
                }
                foreach (var s in spectral)
                    foreach (var b in baselines)
                    {
                        var gap = Gap(depth, s, b);
                        measured[$"d{depth}_{s}_minus_{b}"] = gap.Mean;
                        if (!double.IsFinite(gap.Mean)) holds = null;
                        else if (holds is not null && !(gap.Mean > 0)) holds = false;
                    }
            }
            string? note = spectral.Count == 0 || baselines.Count == 0 ? "needs at least one spectral method and one of gd, adam" : null;
            if (note is not null) holds = null;
            results.Add(EarlyBalancedAccuracy.Judge(holds, measured, note ?? $"early window: steps 0..{windowEnd}"));
        }

        // (b)
        {
            var measured = new Dictionary<string, double>();
            bool? holds = present.Contains(ImbalancedExperiment.SpectralGd) && present.Contains(ImbalancedExperiment.Gd) ? true : null;
            foreach (var depth in depths)
            {
                foreach (var o in new[] { ImbalancedExperiment.SpectralGd, ImbalancedExperiment.Muon, ImbalancedExperiment.Gd }.Where(present.Contains))
                {
                    var reach = runs.Where(r => r.Depth == depth && r.Optimizer == o)
                        .Select(r => FirstStepReaching(r.Steps, r.Rarest, config.RareClassThreshold, never)).ToList();
                    measured[$"d{depth}_{o}_rare_step"] = Stats.Mean(reach);
                    measured[$"d{depth}_{o}_rare_step_sd"] = Stats.StandardDeviation(reach);
                }
                if (holds is null) continue;
                double spec = measured[$"d{depth}_{ImbalancedExperiment.SpectralGd}_rare_step"], gd = measured[$"d{depth}_{ImbalancedExperiment.Gd}_rare_step"];
                if (!double.IsFinite(spec) || !double.IsFinite(gd) || (spec >= never && gd >= never)) holds = null;
                else if (!(spec < gd)) holds = false;
            }
            results.Add(RareClassEarlier.Judge(holds, measured,
                holds is null && !present.Contains(ImbalancedExperiment.Gd) ? "needs spectral-gd and gd" : $"threshold {config.RareClassThreshold}; never reached counts as {never}"));
        }

        // (c)
        {
            var measured = new Dictionary<string, double>();
            bool? holds = present.Contains(ImbalancedExperiment.SpectralGd) && present.Contains(ImbalancedExperiment.NormalizedGd) ? true : null;
            foreach (var depth in depths)
            {
                foreach (var o in new[] { ImbalancedExperiment.NormalizedGd, ImbalancedExperiment.SpectralGd, ImbalancedExperiment.Gd }.Where(present.Contains))
                    measured[$"d{depth}_{o}_early_ba"] = EarlyMean(depth, o);
                if (holds is null) continue;
                var gap = Gap(depth, ImbalancedExperiment.SpectralGd, ImbalancedExperiment.NormalizedGd);
                measured[$"d{depth}_spectral-gd_minus_normalized-gd"] = gap.Mean;
                measured[$"d{depth}_spectral-gd_minus_normalized-gd_sd"] = gap.Sd;
                if (!double.IsFinite(gap.Mean)) holds = null;
                else if (!(gap.Mean > 0)) holds = false;
            }
            results.Add(NotStepSize.Judge(holds, measured, holds is null ? "needs spectral-gd and normalized-gd" : null));
        }

        // (d)
        {
            var measured = new Dictionary<string, double>();
            bool? holds = null;
            string? note = null;
            if (depths.Count < 2) note = "needs at least two depths";
            else if (!present.Contains(ImbalancedExperiment.SpectralGd) || !present.Contains(ImbalancedExperiment.Gd)) note = "needs spectral-gd and gd";
            else
            {
                foreach (var depth in depths)
                {
                    var gap = Gap(depth, ImbalancedExperiment.SpectralGd, ImbalancedExperiment.Gd);
                    measured[$"d{depth}_gap"] = gap.Mean;
                    measured[$"d{depth}_gap_sd"] = gap.Sd;
                }
                double shallow = measured[$"d{depths[0]}_gap"], deep = measured[$"d{depths[^1]}_gap"];
                holds = double.IsFinite(shallow) && double.IsFinite(deep) ? deep > shallow : null;
            }
            results.Add(DepthWidens.Judge(holds, measured, note));
        }
        return results;
    }
}
