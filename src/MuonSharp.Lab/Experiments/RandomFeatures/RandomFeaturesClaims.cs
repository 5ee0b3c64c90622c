using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;

namespace MuonSharp.Lab.Experiments.RandomFeatures;

/// <summary>Steps to the target of both optimizers on one problem (one seed).</summary>
/// <param name="Gd">GD's steps; −1 if it did not reach the target within <paramref name="Budget"/>.</param>
/// <param name="Spectral">Spectral GD's steps; −1 if not reached.</param>
/// <param name="Budget">The step budget of both runs.</param>
internal readonly record struct Race(int Gd, int Spectral, int Budget)
{
    /// <summary>True when Spectral GD reached the target in strictly fewer steps (or GD never did); null when neither reached it.</summary>
    public bool? SpectralFirst => Gd < 0 && Spectral < 0 ? null : Spectral >= 0 && (Gd < 0 || Spectral < Gd);

    /// <summary>True when GD reached the target in strictly fewer steps (or Spectral GD never did); null when neither reached it.</summary>
    public bool? GdFirst => Gd < 0 && Spectral < 0 ? null : Gd >= 0 && (Spectral < 0 || Gd < Spectral);

    /// <summary>GD steps / Spectral GD steps; NaN unless both reached the target (a censored run has no ratio).</summary>
    public double Speedup => Gd > 0 && Spectral > 0 ? (double)Gd / Spectral : double.NaN;
}

/// <summary>The claims of the random-feature experiment and the rules that judge them.</summary>
/// <remarks>
/// Claims (a), (b) and (d) are judged from both optimizers' full-budget runs on the same problem, one pair
/// per seed; their precondition is that every run finished its budget with a finite loss (a diverged run
/// has no steps to the target, no final loss and no window to read). Claim (c) is judged from the sweep.
/// </remarks>
internal static class RandomFeaturesClaims
{
    /// <summary>"≫" read as at least this factor: the spectral step's guaranteed decrease is at least twice GD's on a typical step.</summary>
    public const double DominanceFactor = 2;

    public static readonly ClaimSpec SpectralFaster = new("a-spectral-faster", "004 §6.2, §7.2",
        "On ReLU random-feature regression, Spectral GD reaches the target loss in fewer steps than GD.",
        "steps until the loss is ≤ target_fraction × initial loss, per optimizer and seed (mean ± sd over seeds); speed-up = GD steps / SpecGD steps",
        "Spectral GD needs fewer steps than GD in every seed; inconclusive if a run diverged or neither reaches the target in some seed");

    public static readonly ClaimSpec NuclearRankDominates = new("b-nuclear-rank-dominates", "004 §3.2, §6.2",
        "Over the window in which Spectral GD is ahead, the gradient's nuclear rank far exceeds the features' stable rank: nr(G) ≫ st(A).",
        "along Spectral GD's iterates, the median of nr(G_k)/st(A) over the window {k before SpecGD reaches the target : SpecGD's loss < GD's loss at step k}; its lowest value over seeds, mean ± sd over seeds, with the window's minimum and the fraction of its steps with ratio ≥ 1",
        $"median ratio ≥ {DominanceFactor} in every seed; inconclusive if a run diverged or the window is empty in some seed");

    public static readonly ClaimSpec SpeedupGrows = new("c-speedup-grows", "004 §4.3, §6.3, §7.1–7.2",
        "The speed-up of Spectral GD over GD grows with dimension when all dimensions grow together (004 §7.2: it roughly doubles when the dimension doubles).",
        "speed-up (GD steps / SpecGD steps to the target) at each sweep scale, mean over seeds; least-squares slope of log speed-up on log feature dimension (also per seed: mean ± sd) and 2^slope, the factor per doubling",
        "slope of the seed-mean speed-ups > 0; inconclusive if a run at some scale did not reach the target within sweep_max_steps");

    public static readonly ClaimSpec SwigluCounterexample = new("d-swiglu-counterexample", "004 §9.1 (counter-example; papers README)",
        "With SwiGLU features A = (W₁X) ⊙ SiLU(W₂X) the condition nr(G) ≥ st(A) fails (nr(G) < st(A) from some step on) and GD ends the authors' 400-step run with the lower loss.",
        "runs of swiglu_steps steps (the authors' 400); along Spectral GD's iterates nr(G_k)/st(A) at every step and the crossover, the first step from which it stays < 1 to the end; " +
        "both optimizers' relative loss at the last iterate and the step from which GD's loss stays below Spectral GD's. " +
        "Also reported, not judged: steps to target_fraction × initial loss (an early target is reached before the crossover)",
        "in every seed, GD's final loss < Spectral GD's and the ratio stays < 1 from some step to the end; " +
        "inconclusive if a run diverged or Spectral GD's ratio is not finite at some step");

    public static IReadOnlyList<ClaimSpec> All { get; } = new[] { SpectralFaster, NuclearRankDominates, SpeedupGrows, SwigluCounterexample };

    private const string NeedsBoth = "needs both gd and spectral-gd";

    /// <summary>Claim (a): per seed, Spectral GD's and GD's runs of <paramref name="budget"/> steps.</summary>
    /// <param name="seeds">Per seed: Spectral GD's run and GD's.</param>
    /// <param name="budget">The runs' step budget (a run that never reached the target counts as budget + 1).</param>
    public static ClaimResult JudgeSpectralFaster(IReadOnlyList<(FeatureRun Spectral, FeatureRun Gd)> seeds, int budget)
    {
        string[] decisive = { "seeds", "seeds_spectral_first", "gd_steps_mean", "spectral_gd_steps_mean" };
        if (seeds.Count == 0) return SpectralFaster.Judge(null, new Dictionary<string, double>(), NeedsBoth);
        var races = seeds.Select(s => new Race(s.Gd.StepsToTarget, s.Spectral.StepsToTarget, budget)).ToList();
        var measured = RaceNumbers(races);
        if (Unfinished(seeds) is { } unmet) return SpectralFaster.Judge(null, measured, unmet, decisive);
        var wins = races.Select(r => r.SpectralFirst).ToList();
        if (wins.Any(w => w is null)) return SpectralFaster.Judge(null, measured, "neither optimizer reached the target in some seed; raise steps", decisive);
        return SpectralFaster.Judge(wins.All(w => w == true), measured, CensoringNote(races), decisive);
    }

    /// <summary>
    /// Claim (b): per seed, the ratios nr(G_k)/st(A) along Spectral GD and both loss curves.
    /// </summary>
    /// <param name="seeds">Per seed: Spectral GD's trajectory and GD's.</param>
    public static ClaimResult JudgeNuclearRankDominates(IReadOnlyList<(FeatureRun Spectral, FeatureRun Gd)> seeds)
    {
        string[] decisive = { "median_ratio_worst_seed", "window_steps_min" };
        if (seeds.Count == 0) return NuclearRankDominates.Judge(null, new Dictionary<string, double>(), NeedsBoth);
        var medians = new List<double>();
        var minima = new List<double>();
        var fractions = new List<double>();
        var lengths = new List<double>();
        foreach (var (spectral, gd) in seeds)
        {
            var window = WinningWindow(spectral, gd);
            var ratios = window.Select(k => spectral.ConditionRatio[k]).ToList();
            lengths.Add(window.Count);
            medians.Add(Median(ratios));
            minima.Add(ratios.Count == 0 ? double.NaN : ratios.Min());
            fractions.Add(ratios.Count == 0 ? double.NaN : ratios.Count(r => r >= 1) / (double)ratios.Count);
        }
        var measured = new Dictionary<string, double>
        {
            // NaN (an empty window in some seed) makes the worst seed NaN: the verdict is then inconclusive.
            ["median_ratio_worst_seed"] = medians.Any(m => !double.IsFinite(m)) ? double.NaN : medians.Min(),
            ["window_steps_min"] = lengths.Min(),
            ["median_ratio_mean"] = Stats.Mean(medians),
            ["median_ratio_sd"] = Stats.StandardDeviation(medians),
            ["min_ratio_mean"] = Stats.Mean(minima),
            ["fraction_ratio_at_least_1_mean"] = Stats.Mean(fractions),
            ["window_steps_mean"] = Stats.Mean(lengths),
            ["stable_rank_a_mean"] = Stats.Mean(seeds.Select(s => s.Spectral.StableRank)),
        };
        if (Unfinished(seeds) is { } unmet) return NuclearRankDominates.Judge(null, measured, unmet, decisive);
        double worst = measured["median_ratio_worst_seed"];
        if (!double.IsFinite(worst))
            return NuclearRankDominates.Judge(null, measured, "Spectral GD was never ahead before reaching the target in some seed (empty window)", decisive);
        return NuclearRankDominates.Judge(worst >= DominanceFactor, measured, null, decisive);
    }

    /// <summary>
    /// The steps k at which Spectral GD is ahead and has not yet reached the target: k &lt; its steps
    /// to target (the whole run if never) and its relative loss below GD's at step k.
    /// </summary>
    /// <param name="spectral">Spectral GD's run.</param>
    /// <param name="gd">GD's run on the same problem.</param>
    public static IReadOnlyList<int> WinningWindow(FeatureRun spectral, FeatureRun gd)
    {
        int end = spectral.StepsToTarget >= 0 ? spectral.StepsToTarget : spectral.RelativeLoss.Count;
        end = Math.Min(end, gd.RelativeLoss.Count);
        return Enumerable.Range(0, end).Where(k => spectral.RelativeLoss[k] < gd.RelativeLoss[k]).ToList();
    }

    /// <summary>Claim (c) from the sweep: per scale (feature dimension d), one race per seed.</summary>
    /// <param name="sweep">Feature dimension and the races of every seed at it.</param>
    public static ClaimResult JudgeSpeedupGrows(IReadOnlyList<(int FeatureDim, IReadOnlyList<Race> Races)> sweep)
    {
        string[] decisive = { "loglog_slope", "sweep_runs_censored" };
        var measured = new Dictionary<string, double>();
        if (sweep.Count < 2 || sweep.Any(s => s.Races.Count == 0))
            return SpeedupGrows.Judge(null, measured, "needs both optimizers and at least two sweep scales");
        var dims = sweep.Select(s => (double)s.FeatureDim).ToList();
        var means = sweep.Select(s => Stats.Mean(s.Races.Select(r => r.Speedup))).ToList();
        for (int i = 0; i < sweep.Count; i++)
        {
            measured[$"speedup_d{sweep[i].FeatureDim}_mean"] = means[i];
            measured[$"speedup_d{sweep[i].FeatureDim}_sd"] = Stats.StandardDeviation(sweep[i].Races.Select(r => r.Speedup));
        }
        double slope = Stats.LogLogSlope(dims, means);
        int seedCount = sweep.Min(s => s.Races.Count);
        var perSeed = Enumerable.Range(0, seedCount).Select(j => Stats.LogLogSlope(dims, sweep.Select(s => s.Races[j].Speedup).ToList())).ToList();
        measured["loglog_slope"] = slope;
        measured["speedup_factor_per_doubling"] = Math.Pow(2, slope);
        measured["loglog_slope_per_seed_mean"] = Stats.Mean(perSeed);
        measured["loglog_slope_per_seed_sd"] = Stats.StandardDeviation(perSeed);
        int censored = sweep.Sum(s => s.Races.Count(r => r.Gd < 0 || r.Spectral < 0));
        measured["sweep_runs_censored"] = censored;
        if (censored > 0) return SpeedupGrows.Judge(null, measured, $"{censored} sweep run(s) did not reach the target within sweep_max_steps; raise it", decisive);
        if (!double.IsFinite(slope)) return SpeedupGrows.Judge(null, measured, "the speed-ups give no finite slope", decisive);
        return SpeedupGrows.Judge(slope > 0, measured, null, decisive);
    }

    /// <summary>
    /// Claim (d) from the SwiGLU runs, judged at their end (the authors' 400-step run): GD's final loss below
    /// Spectral GD's and the condition nr(G) ≥ st(A) failing from some step to the end, in every seed. The race
    /// to an early target is reported beside it: at 1% of the initial loss it is decided before the crossover.
    /// </summary>
    /// <param name="seeds">Per seed: Spectral GD's run and GD's, both of the full SwiGLU budget.</param>
    /// <param name="budget">The runs' step budget.</param>
    public static ClaimResult JudgeSwigluCounterexample(IReadOnlyList<(FeatureRun Spectral, FeatureRun Gd)> seeds, int budget)
    {
        string[] decisive = { "seeds", "seeds_gd_lower_final", "seeds_condition_fails_to_end", "gd_final_relative_loss_mean", "spectral_gd_final_relative_loss_mean" };
        if (seeds.Count == 0) return SwigluCounterexample.Judge(null, new Dictionary<string, double>(), "needs swiglu = true and both gd and spectral-gd");
        var crossovers = seeds.Select(s => ConditionFailsFrom(s.Spectral.ConditionRatio)).ToList();
        var gdAhead = seeds.Select(s => AheadFrom(s.Gd.RelativeLoss, s.Spectral.RelativeLoss)).ToList();
        var gdLower = seeds.Select(s => s.Gd.FinalRelativeLoss < s.Spectral.FinalRelativeLoss).ToList();
        var measured = new Dictionary<string, double>
        {
            ["seeds"] = seeds.Count,
            ["seeds_gd_lower_final"] = gdLower.Count(lower => lower),
            ["seeds_condition_fails_to_end"] = crossovers.Count(double.IsFinite),
            ["gd_final_relative_loss_mean"] = Stats.Mean(seeds.Select(s => s.Gd.FinalRelativeLoss)),
            ["spectral_gd_final_relative_loss_mean"] = Stats.Mean(seeds.Select(s => s.Spectral.FinalRelativeLoss)),
            ["final_loss_ratio_spectral_over_gd_min"] = seeds.Min(s => s.Spectral.FinalRelativeLoss / s.Gd.FinalRelativeLoss),
            // NaN in a crossover or lead: it did not happen by the end in some seed.
            ["condition_fails_from_step_mean"] = Stats.Mean(crossovers),
            ["condition_fails_from_step_max"] = LatestOrNaN(crossovers),
            ["condition_fails_for_steps_min"] = budget - LatestOrNaN(crossovers), // how long the failure lasted, in the seed where it was shortest
            ["gd_ahead_from_step_mean"] = Stats.Mean(gdAhead),
            ["gd_ahead_from_step_max"] = LatestOrNaN(gdAhead),
            ["condition_first_below_one_step_mean"] = Stats.Mean(seeds.Select(s => FirstBelowOne(s.Spectral.ConditionRatio))),
            ["initial_ratio_mean"] = Stats.Mean(seeds.Select(s => s.Spectral.ConditionRatio[0])),
            ["final_ratio_mean"] = Stats.Mean(seeds.Select(s => s.Spectral.ConditionRatio[^1])),
            ["stable_rank_a_mean"] = Stats.Mean(seeds.Select(s => s.Spectral.StableRank)),
            ["steps"] = budget,
        };
        var races = seeds.Select(s => new Race(s.Gd.StepsToTarget, s.Spectral.StepsToTarget, budget)).ToList();
        foreach (var (key, value) in RaceNumbers(races)) if (key != "seeds") measured["target_" + key] = value;

        if (Unfinished(seeds) is { } unmet) return SwigluCounterexample.Judge(null, measured, unmet, decisive);
        if (seeds.Any(s => s.Spectral.ConditionRatio.Any(r => !double.IsFinite(r))))
            return SwigluCounterexample.Judge(null, measured, "nr(G)/st(A) along Spectral GD is not finite at some step (a zero gradient?)", decisive);
        bool holds = gdLower.All(lower => lower) && crossovers.All(double.IsFinite);
        string note = $"after {budget} steps GD has the lower loss in {gdLower.Count(l => l)} of {seeds.Count} seeds; " +
                      $"nr(G) < st(A) to the end in {crossovers.Count(double.IsFinite)} of {seeds.Count} seeds" +
                      (crossovers.All(double.IsFinite) ? $", from step {Steps(crossovers)}" : "") +
                      (gdAhead.All(double.IsFinite) ? $"; GD ahead from step {Steps(gdAhead)}" : "");
        return SwigluCounterexample.Judge(holds, measured, note, decisive);
    }

    /// <summary>The latest of per-seed steps; NaN when it did not happen in some seed (NaN there).</summary>
    private static double LatestOrNaN(IReadOnlyList<double> steps) => steps.Any(double.IsNaN) ? double.NaN : steps.Max();

    private static string Steps(IEnumerable<double> steps) => string.Join("/", steps.Select(s => s.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>
    /// Why the runs cannot be judged: some run stopped early because its loss stopped being finite; null
    /// when every run finished its budget.
    /// </summary>
    /// <param name="seeds">Per seed: Spectral GD's run and GD's.</param>
    public static string? Unfinished(IReadOnlyList<(FeatureRun Spectral, FeatureRun Gd)> seeds)
    {
        var stopped = seeds.SelectMany(s => new[] { s.Spectral, s.Gd })
            .Where(r => r.DivergedAt is not null || !double.IsFinite(r.FinalRelativeLoss)).ToList();
        if (stopped.Count == 0) return null;
        return "precondition not met — every run must finish with a finite loss: " +
               string.Join(", ", stopped.Select(r => $"{r.Optimizer} diverged at step {r.DivergedAt?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}"));
    }

    /// <summary>First k with ratio &lt; 1 (the condition's first failure, perhaps only a dip); NaN if none.</summary>
    /// <param name="ratios">nr(G_k)/st(A) along a run.</param>
    public static double FirstBelowOne(IReadOnlyList<double> ratios)
    {
        for (int k = 0; k < ratios.Count; k++) if (ratios[k] < 1) return k;
        return double.NaN;
    }

    /// <summary>
    /// The crossover: the first step from which nr(G_k)/st(A) stays strictly below 1 to the end of the run;
    /// NaN if it is not below 1 at the end.
    /// </summary>
    /// <param name="ratios">nr(G_k)/st(A) along a run.</param>
    public static double ConditionFailsFrom(IReadOnlyList<double> ratios) => AheadFrom(ratios, ratios.Select(_ => 1.0).ToList());

    /// <summary>
    /// The first step from which <paramref name="leader"/>'s loss stays strictly below
    /// <paramref name="other"/>'s up to the end of the shorter run; NaN if it is not ahead at the end.
    /// </summary>
    /// <param name="leader">Relative losses of the run that may pull ahead.</param>
    /// <param name="other">Relative losses of the other run.</param>
    public static double AheadFrom(IReadOnlyList<double> leader, IReadOnlyList<double> other)
    {
        int end = Math.Min(leader.Count, other.Count);
        int k = end;
        while (k > 0 && leader[k - 1] < other[k - 1]) k--;
        return k == end ? double.NaN : k;
    }

    private static Dictionary<string, double> RaceNumbers(IReadOnlyList<Race> races)
    {
        // A censored run (target not reached) enters the step means at budget + 1: a lower bound, noted.
        double Steps(int s, int budget) => s >= 0 ? s : budget + 1;
        var gd = races.Select(r => Steps(r.Gd, r.Budget)).ToList();
        var sp = races.Select(r => Steps(r.Spectral, r.Budget)).ToList();
        var speedups = races.Select(r => Steps(r.Gd, r.Budget) / Steps(r.Spectral, r.Budget)).ToList();
        return new Dictionary<string, double>
        {
            ["gd_steps_mean"] = Stats.Mean(gd),
            ["gd_steps_sd"] = Stats.StandardDeviation(gd),
            ["spectral_gd_steps_mean"] = Stats.Mean(sp),
            ["spectral_gd_steps_sd"] = Stats.StandardDeviation(sp),
            ["speedup_mean"] = Stats.Mean(speedups),
            ["speedup_sd"] = Stats.StandardDeviation(speedups),
            ["seeds"] = races.Count,
            ["seeds_spectral_first"] = races.Count(r => r.SpectralFirst == true),
        };
    }

    private static string? CensoringNote(IReadOnlyList<Race> races) =>
        races.Any(r => r.Gd < 0 || r.Spectral < 0)
            ? "some run did not reach the target within the step budget: its steps enter the means as budget + 1 (a lower bound)"
            : null;

    /// <summary>Median; NaN for no values.</summary>
    /// <param name="values">Values.</param>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Where(double.IsFinite).OrderBy(v => v).ToList();
        if (sorted.Count == 0) return double.NaN;
        int mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
