using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;

namespace MuonSharp.Lab.Experiments.DeepLinear;

/// <summary>
/// The four claims of <c>000 §3</c> this experiment tests, their thresholds, and the verdicts computed
/// from the measured trajectories. Every claim is judged over all seeds; per-seed numbers are in the
/// measured values (<c>…_seed{n}</c>).
/// </summary>
internal static class DeepLinearClaims
{
    // ---- (a) GD learns sequentially, t ∝ 1/s ----------------------------------------------------

    /// <summary>Predicted log-log slope of GD's half-time against s (Thm 3.1: t ≈ ln(s/σ₀)/(2s)).</summary>
    public const double GdSlope = -1.0;

    /// <summary>
    /// Tolerance on that slope. The logistic solution gives tᵢ = ln(sᵢ/σ₀)/(2sᵢ), whose log-log slope
    /// is −1 + 1/ln(s/σ₀): about −0.96 for the effective start σ₀ ≈ ε²h/2 ≈ 10⁻¹¹ of the paper size.
    /// Discrete GD grows a mode by (1 + lr·s)² per step, i.e. at rate ln(1 + lr·s)/lr instead of s:
    /// at lr·s₁ = 0.4 the top mode is ≈ 19% slower, flattening the slope by ≈ 0.06 more. ±0.2 covers
    /// both, per-mode differences of σ₀ and rounding to whole steps; a √s law (+0.5, Spectral GD) or
    /// equal times (0) are far outside it.
    /// </summary>
    public const double GdSlopeTolerance = 0.2;

    public static readonly ClaimSpec Sequential = new(
        "a-gd-sequential", "000 §3.1, Thm 3.1 (App. A)",
        "Under GD the modes are learned one after another, largest first, and the time to learn mode i grows as 1/sᵢ (tᵢ·sᵢ roughly constant).",
        "GD half-time tᵢ = first step with σᵢ(t) = uᵢᵀW₂W₁vᵢ ≥ sᵢ/2, per planted mode; per seed the least-squares slope of ln tᵢ on ln sᵢ; " +
        "mean and sd over seeds. Also tᵢ·sᵢ·lr (gradient-flow time × s) per mode and its coefficient of variation across modes.",
        $"Holds if the seed-mean slope is in [{GdSlope - GdSlopeTolerance}, {GdSlope + GdSlopeTolerance}] and in every seed the half-times " +
        "strictly increase as s decreases; fails otherwise. Inconclusive if a mode never reaches half its target in some seed (too few steps) or GD did not run. " +
        "Band: the flow's logistic slope is −1 + 1/ln(s/σ₀) ≈ −0.96 and discrete steps (growth ln(1 + lr·s)/lr < s) flatten it by ≈ 0.06 more at lr·s₁ = 0.4; " +
        "±0.2 covers these, per-mode differences of σ₀ and rounding to steps.");

    // ---- (b) Spectral GD learns all modes at the same rate, t ∝ √s ------------------------------

    /// <summary>
    /// Largest accepted max/min ratio of the modes' σᵢ early on. In the flow from infinitesimal
    /// initialization the ratio is exactly 1 (App. B: aᵢ = bᵢ = t for every mode). The discrete run
    /// first spends a step or two aligning the random factors, which leaves a random O(lr) part in
    /// each factor; its share of σᵢ = (lr·t)² decays like 1/t, a few percent to ~20% at the measuring
    /// step. GD's ratio at the same step is e^{2(s₁−s_k)·lr·t}-large (reported for contrast).
    /// </summary>
    public const double MaxEarlySpread = 1.25;

    /// <summary>Predicted log-log slope of Spectral GD's half-time against s: σᵢ = (lr·t)² reaches sᵢ/2 at t = √(sᵢ/2)/lr.</summary>
    public const double SpectralSlope = 0.5;

    /// <summary>
    /// Tolerance on that slope: the few alignment steps add an offset δ to every tᵢ, lowering the
    /// slope by about δ/(2tᵢ), and tᵢ is rounded to whole steps.
    /// </summary>
    public const double SpectralSlopeTolerance = 0.1;

    public static readonly ClaimSpec EqualRate = new(
        "b-spectral-equal-rate", "000 §3.1, Thm 3.2 (App. B)",
        "Under Spectral GD all modes grow at the same rate (σᵢ = (lr·t)² until saturation), so smaller modes saturate first, at tᵢ ∝ √sᵢ.",
        "Spectral GD: (1) spread = max σᵢ / min σᵢ over the planted modes at step t_e = ⌊t_k/2⌋, t_k the smallest mode's half-time (before any mode saturates); " +
        "GD's spread at the same step for contrast. (2) per seed the slope of ln tᵢ on ln sᵢ of the half-times. Seed means; per-seed values listed.",
        $"Holds if the seed-mean spread ≤ {MaxEarlySpread} and the seed-mean slope is in [{SpectralSlope - SpectralSlopeTolerance}, {SpectralSlope + SpectralSlopeTolerance}]; " +
        "fails otherwise. Inconclusive if a mode never reaches half its target, a σᵢ is not positive at t_e, or Spectral GD did not run. " +
        "Flow theory gives spread 1 and slope 0.5; the margins cover the discrete run's first alignment steps (a random part decaying like 1/t) and rounding to steps.");

    // ---- (c) GD's loss has plateaus, Spectral GD's does not -------------------------------------

    public static readonly ClaimSpec Plateaus = new(
        "c-plateaus", "000 §3.1–3.2 (saddle-to-saddle, Thm 3.1)",
        "GD's loss descends in a staircase, resting on a plateau at each saddle it passes; Spectral GD's loss descends without plateaus.",
        "Excess loss E = loss − least reachable loss, from E(0) down to ½(s_k/2)² (reached at step T). A step is flat when log10 E changes, across ±1% of T, " +
        $"at under {DeepLinearMetrics.FlatRateFraction:0.##} of the mean rate; a plateau is a flat run of ≥ {DeepLinearMetrics.MinPlateauFraction:0.##}·T steps after E has fallen " +
        $"{DeepLinearMetrics.StartDropFraction:0.##} of its decades (the saddle at the origin, where both start, is not counted). Count and fraction of steps on plateaus, per seed, for every optimizer.",
        "Holds if GD's seed-mean plateau count ≥ (k−1)/2 — at least half of the k−1 saddles between k distinct modes show — and Spectral GD's seed-mean count is < 0.5; " +
        "fails otherwise. Inconclusive if either descent never reaches the end level or either optimizer did not run.");

    // ---- (d) Spectral GD and Muon oscillate after convergence ------------------------------------

    /// <summary>
    /// An oscillation persists when the loss std over the tail is at least this fraction of the std
    /// over the window of the same length before it. An oscillation damped as e^(−t/τ) has the ratio
    /// e^(−w/τ) for windows of length w, so ≥ 0.5 means it is not damped on the scale of the window
    /// (τ ≥ w/ln 2). Fixed before the rule was first run (it replaces a ratio to GD's tail std that
    /// rounding noise alone could satisfy).
    /// </summary>
    public const double MinPersistence = 0.5;

    /// <summary>
    /// GD counts as settled when its tail loss std is below this fraction of its tail loss: a few
    /// thousand float64 rounding steps (ε ≈ 2·10⁻¹⁶) away from a fixed point, far below any
    /// oscillation an optimizer step makes. Fixed before the rule was first run.
    /// </summary>
    public const double SettledRelativeStd = 1e-9;

    /// <summary>(d) Spectral GD and Muon keep oscillating after convergence, GD settles.</summary>
    public static readonly ClaimSpec Oscillation = new(
        "d-oscillation", "000 §3.1 (Experiments), App. C.1, Figs 5–6",
        "After the modes are learned, Spectral GD and Muon keep oscillating (every direction of the update gets a unit step, noise included), GD does not.",
        "Per run, the loss std over the last tail_fraction of steps and over the window of the same length before it; persistence = their ratio " +
        "(≈ 1: the oscillation does not shrink with more steps; ≪ 1: it dies out), and the tail std relative to the tail's median loss; seed means per optimizer. " +
        "Precondition: every run of the three has converged before the earlier window (median excess loss ≤ ½(s_k/2)² in both windows).",
        $"Holds if Spectral GD's and Muon's seed-mean persistence are both ≥ {MinPersistence} while GD's is < {MinPersistence} or GD has settled " +
        $"(relative tail std ≤ {SettledRelativeStd:G}); fails otherwise. Inconclusive if any of the three did not run or the precondition fails (run more steps). " +
        "Thresholds fixed before this rule's first run.");

    /// <summary>All four, in order.</summary>
    public static IReadOnlyList<ClaimSpec> All { get; } = new[] { Sequential, EqualRate, Plateaus, Oscillation };

    // ---- verdicts -------------------------------------------------------------------------------

    /// <summary>Judges (a) from GD's analyses.</summary>
    public static ClaimResult JudgeSequential(IReadOnlyList<RunAnalysis> analyses, DeepLinearConfig config)
    {
        var gd = Of(analyses, "gd");
        var measured = new Dictionary<string, double>();
        if (gd.Count == 0) return Sequential.Judge(null, measured, "gd was not run.");

        var slopes = new List<double>();
        bool ordered = true, complete = true;
        foreach (var a in gd)
        {
            var s = a.Run.ModeTargets;
            double slope = Stats.LogLogSlope(s, a.HalfTimes);
            measured[$"slope_seed{a.Seed}"] = slope;
            slopes.Add(slope);
            complete &= a.HalfTimes.All(double.IsFinite);
            for (int i = 1; i < s.Length; i++) ordered &= a.HalfTimes[i] > a.HalfTimes[i - 1];
        }
        measured["slope_mean"] = Stats.Mean(slopes);
        measured["slope_sd"] = Stats.StandardDeviation(slopes);
        var flowTimesS = Enumerable.Range(0, config.Modes)
            .Select(i => Stats.Mean(gd.Select(a => a.HalfTimes[i] * config.GdLr * a.Run.ModeTargets[i]))).ToList();
        for (int i = 0; i < flowTimesS.Count; i++) measured[$"t_s_mode{i + 1}"] = flowTimesS[i];
        measured["t_s_cv"] = Stats.StandardDeviation(flowTimesS) / Stats.Mean(flowTimesS);
        measured["ordered_all_seeds"] = ordered ? 1 : 0;

        string[] decisive = { "slope_mean", "ordered_all_seeds" };
        if (!complete) return Sequential.Judge(null, measured, "A mode never reached half its target under GD; run more steps.", decisive);
        double mean = measured["slope_mean"];
        return Sequential.Judge(Math.Abs(mean - GdSlope) <= GdSlopeTolerance && ordered, measured, null, decisive);
    }

    /// <summary>Judges (b) from Spectral GD's analyses (GD's and Muon's reported alongside).</summary>
    public static ClaimResult JudgeEqualRate(IReadOnlyList<RunAnalysis> analyses, DeepLinearConfig config)
    {
        var spectral = Of(analyses, "spectral-gd");
        var measured = new Dictionary<string, double>();
        if (spectral.Count == 0) return EqualRate.Judge(null, measured, "spectral-gd was not run.");

        var spreads = new List<double>();
        var slopes = new List<double>();
        var gdSpreads = new List<double>();
        foreach (var a in spectral)
        {
            double slope = Stats.LogLogSlope(a.Run.ModeTargets, a.HalfTimes);
            double last = a.HalfTimes[^1];
            int early = double.IsFinite(last) ? (int)Math.Floor(last / 2) : -1;
            double spread = early >= 0 ? DeepLinearMetrics.SpreadRatio(a.Run.Sigma, early) : double.NaN;
            measured[$"spread_seed{a.Seed}"] = spread;
            measured[$"slope_seed{a.Seed}"] = slope;
            measured[$"t_e_seed{a.Seed}"] = early;
            spreads.Add(spread);
            slopes.Add(slope);
            var gd = analyses.FirstOrDefault(g => g.Optimizer == "gd" && g.Seed == a.Seed);
            if (gd is not null && early >= 0) gdSpreads.Add(DeepLinearMetrics.SpreadRatio(gd.Run.Sigma, early));
        }
        measured["spread_mean"] = Stats.Mean(spreads);
        measured["slope_mean"] = Stats.Mean(slopes);
        measured["slope_sd"] = Stats.StandardDeviation(slopes);
        if (gdSpreads.Count > 0) measured["gd_spread_mean"] = Stats.Mean(gdSpreads);
        var muon = Of(analyses, "muon");
        if (muon.Count > 0) measured["muon_slope_mean"] = Stats.Mean(muon.Select(a => Stats.LogLogSlope(a.Run.ModeTargets, a.HalfTimes)));

        double spreadMean = measured["spread_mean"], slopeMean = measured["slope_mean"];
        string[] decisive = { "spread_mean", "slope_mean" };
        if (!double.IsFinite(spreadMean) || !double.IsFinite(slopeMean))
            return EqualRate.Judge(null, measured, "A mode never reached half its target, or a σᵢ was not positive at t_e, in some seed.", decisive);
        return EqualRate.Judge(spreadMean <= MaxEarlySpread && Math.Abs(slopeMean - SpectralSlope) <= SpectralSlopeTolerance, measured, null, decisive);
    }

    /// <summary>Judges (c) from GD's and Spectral GD's plateau counts (Muon's reported alongside).</summary>
    public static ClaimResult JudgePlateaus(IReadOnlyList<RunAnalysis> analyses, DeepLinearConfig config)
    {
        var measured = new Dictionary<string, double>();
        foreach (var name in DeepLinearTraining.OptimizerNames)
        {
            var runs = Of(analyses, name);
            if (runs.Count == 0) continue;
            foreach (var a in runs) measured[$"{name}_count_seed{a.Seed}"] = a.Plateaus.Count;
            measured[$"{name}_count_mean"] = Stats.Mean(runs.Select(a => a.Plateaus.Count));
            measured[$"{name}_fraction_mean"] = Stats.Mean(runs.Select(a => a.Plateaus.Fraction));
        }
        if (!measured.ContainsKey("gd_count_mean") || !measured.ContainsKey("spectral-gd_count_mean"))
            return Plateaus.Judge(null, measured, "Needs both gd and spectral-gd.");
        double gd = measured["gd_count_mean"], spectral = measured["spectral-gd_count_mean"];
        string[] decisive = { "gd_count_mean", "spectral-gd_count_mean" };
        if (!double.IsFinite(gd) || !double.IsFinite(spectral))
            return Plateaus.Judge(null, measured, "A loss curve never descended to the end level ½(s_k/2)²; run more steps.", decisive);
        return Plateaus.Judge(gd >= (config.Modes - 1) / 2.0 && spectral < 0.5, measured, null, decisive);
    }

    /// <summary>Judges (d) from the last two windows of all three optimizers' runs.</summary>
    public static ClaimResult JudgeOscillation(IReadOnlyList<RunAnalysis> analyses, DeepLinearConfig config)
    {
        var measured = new Dictionary<string, double>();
        bool converged = true;
        foreach (var name in DeepLinearTraining.OptimizerNames)
        {
            var runs = Of(analyses, name);
            if (runs.Count == 0) continue;
            foreach (var a in runs) measured[$"{name}_persistence_seed{a.Seed}"] = a.Persistence;
            measured[$"{name}_persistence_mean"] = Stats.Mean(runs.Select(a => a.Persistence));
            measured[$"{name}_relative_tail_std_mean"] = Stats.Mean(runs.Select(a => a.RelativeTailStd));
            measured[$"{name}_std_mean"] = Stats.Mean(runs.Select(a => a.TailLossStd));
            measured[$"{name}_earlier_std_mean"] = Stats.Mean(runs.Select(a => a.EarlierLossStd));
            measured[$"{name}_reversals_mean"] = Stats.Mean(runs.Select(a => a.TailReversals));
            measured[$"{name}_tail_excess_median_max"] = runs.Max(a => a.TailExcessMedian);
            converged &= runs.All(a => a.ConvergedBeforeEarlierWindow);
        }
        string[] decisive = { "spectral-gd_persistence_mean", "muon_persistence_mean", "gd_persistence_mean", "gd_relative_tail_std_mean" };
        if (DeepLinearTraining.OptimizerNames.Any(n => !measured.ContainsKey($"{n}_persistence_mean")))
            return Oscillation.Judge(null, measured, "Needs gd, spectral-gd and muon.");
        if (!converged)
            return Oscillation.Judge(null, measured,
                "Some run had not converged before the earlier window (median excess loss above ½(s_k/2)² there); run more steps.", decisive);
        bool gdSettles = measured["gd_persistence_mean"] < MinPersistence || measured["gd_relative_tail_std_mean"] <= SettledRelativeStd;
        bool holds = measured["spectral-gd_persistence_mean"] >= MinPersistence && measured["muon_persistence_mean"] >= MinPersistence && gdSettles;
        return Oscillation.Judge(holds, measured, null, decisive);
    }

    private static List<RunAnalysis> Of(IReadOnlyList<RunAnalysis> analyses, string optimizer) =>
        analyses.Where(a => a.Optimizer == optimizer).ToList();
}
