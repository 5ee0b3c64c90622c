using System.Globalization;
using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;

namespace MuonSharp.Lab.Experiments.Routing;

/// <summary>
/// The claims of <c>000 §4</c> and how they are judged from the runs' final states. Claims (b) and
/// (c) are judged per seed and decided by the fraction of seeds, because single seeds flip; both
/// need (a)'s outcome first (a model that has not fitted the trained pairs says nothing about
/// generalization or its learned structure). Muon's numbers are measured and reported, but the
/// paper's claims are about SGD and Spectral GD, so only those two decide.
/// </summary>
public static class RoutingClaims
{
    private const string Source = "000 §4, Fig. 2";
    private const string Sgd = RoutingExperiment.Sgd, Spec = RoutingExperiment.SpectralGd;

    /// <summary>(a) Both optimizers fit the trained pairs.</summary>
    public static readonly ClaimSpec FitsTrainedPairs = new("a-both-fit", Source + "e",
        "SGD and Spectral GD both converge on the trained domain pairs.",
        "Per seed, the final mean squared error over the trained pairs (targets have norm 1). A seed that has not fitted is 'not started' " +
        "if its error is still ≥ half its step-0 value, 'still falling' if it more than halved over the second half of the steps, else 'stalled'.",
        "Holds if every seed of sgd and spectral-gd ends below fit_threshold (default 1e-3); fails if a seed stalled above it or diverged. " +
        "Inconclusive if the only misses are seeds not started or still falling (too few steps).");

    /// <summary>(b) SGD generalizes to untrained pairs, Spectral GD does not.</summary>
    public static readonly ClaimSpec SgdGeneralizes = new("b-sgd-generalizes", Source + "c,d",
        "SGD generalizes to the domain pairs never trained; Spectral GD does not (it memorizes the trained pairs).",
        "Per seed, generalizes = final mean squared error over the untrained pairs < generalize_threshold (default 0.1); fraction of seeds per optimizer. " +
        "Precondition: (a)'s fit in every seed of both. Also a sensitivity sweep (K ∈ {3, 4, 5} × init gain ∈ {0.05, 0.2}, fewer seeds and steps) " +
        "reported in the note and the plot sweep_generalization.",
        "Holds if sgd's fraction ≥ seed_fraction (default 0.8) and spectral-gd's ≤ 1 − seed_fraction; fails otherwise; inconclusive if the precondition fails. " +
        "Thresholds fixed before the 10-seed runs.");

    /// <summary>(c) SGD's shared layer is about rank 4, Spectral GD's has a higher effective rank.</summary>
    public static readonly ClaimSpec SharedRank = new("c-shared-rank", Source,
        "The shared layer SGD learns is approximately rank 4 (the task's dimension); Spectral GD's has a significantly higher effective rank with a heavy-tailed spectrum.",
        "Singular values of W − W₀ (what training added; decides) and of W (what 000 plots; reported side by side): per seed the gap σ₅/σ₄, " +
        "the count of σ ≥ count_fraction·σ₁, the stable rank ‖·‖²_F/‖·‖²₂ and the entropy effective rank. Precondition: (a)'s fit in every seed of both.",
        "Holds if sgd's W − W₀ has σ₅/σ₄ ≤ gap_ratio (default 0.5) in ≥ seed_fraction (0.8) of its seeds and spectral-gd's seed-mean stable rank of W − W₀ " +
        "is ≥ rank_ratio (1.25) × sgd's; fails otherwise; inconclusive if the precondition fails. Thresholds fixed before these measures were first computed.");

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

    /// <summary>Stable rank Σσ²/σ₁²: k for k equal values, barely above k when the rest are small; NaN for all zeros.</summary>
    /// <param name="singularValues">Singular values, largest first.</param>
    public static double StableRank(IReadOnlyList<double> singularValues) =>
        singularValues.Count > 0 && singularValues[0] > 0 ? singularValues.Sum(s => s * s) / (singularValues[0] * singularValues[0]) : double.NaN;

    /// <summary>σ_{k+1}/σ_k: small when the spectrum has a gap after its k-th value; NaN when undefined.</summary>
    /// <param name="singularValues">Singular values, largest first.</param>
    /// <param name="k">Values before the gap (1-based).</param>
    public static double GapAfter(IReadOnlyList<double> singularValues, int k) =>
        k >= 1 && singularValues.Count > k && singularValues[k - 1] > 0 ? singularValues[k] / singularValues[k - 1] : double.NaN;

    /// <summary>How many singular values are at least <paramref name="fraction"/>·σ₁.</summary>
    /// <param name="singularValues">Singular values, largest first.</param>
    /// <param name="fraction">In (0, 1).</param>
    public static int CountAbove(IReadOnlyList<double> singularValues, double fraction) =>
        singularValues.Count == 0 ? 0 : singularValues.Count(s => s >= fraction * singularValues[0]);

    /// <summary>Where a run stands on the trained pairs (claim a).</summary>
    public enum FitState
    {
        /// <summary>Trained error below fit_threshold.</summary>
        Fitted,
        /// <summary>Still ≥ half its step-0 error: has not left the starting plateau (too few steps).</summary>
        NotStarted,
        /// <summary>More than halved over the second half of the steps (too few steps).</summary>
        StillFalling,
        /// <summary>Left the start, stopped falling, above the threshold; or diverged.</summary>
        Stalled,
    }

    /// <summary>Classifies one run for claim (a).</summary>
    /// <param name="outcome">The run.</param>
    /// <param name="fitThreshold">fit_threshold.</param>
    public static FitState Fit(RoutingOutcome outcome, double fitThreshold)
    {
        if (!double.IsFinite(outcome.TrainedError)) return FitState.Stalled;
        if (outcome.TrainedError < fitThreshold) return FitState.Fitted;
        if (!(outcome.TrainedError < 0.5 * outcome.InitialTrainedError)) return FitState.NotStarted;
        if (outcome.TrainedError < 0.5 * outcome.MidTrainedError) return FitState.StillFalling;
        return FitState.Stalled;
    }

    /// <summary>Judges the three claims from every run's final state and the sensitivity sweep.</summary>
    /// <param name="config">Thresholds and the number of items.</param>
    /// <param name="outcomes">One outcome per (optimizer, seed).</param>
    /// <param name="sweep">The sweep's cells (empty when it was skipped).</param>
    public static IReadOnlyList<ClaimResult> Judge(RoutingConfig config, IReadOnlyList<RoutingOutcome> outcomes, IReadOnlyList<SweepCell>? sweep = null)
    {
        sweep ??= Array.Empty<SweepCell>();
        var optimizers = outcomes.Select(o => o.Optimizer).Distinct().ToList();
        if (!optimizers.Contains(Sgd) || !optimizers.Contains(Spec))
        {
            const string missing = "needs both sgd and spectral-gd";
            return All.Select(c => c.Judge(null, new Dictionary<string, double> { ["runs"] = outcomes.Count }, missing)).ToList();
        }
        var (fit, fitNote, allFitted) = JudgeFit(config, outcomes, optimizers);
        string precondition = $"precondition not met — both optimizers must fit the trained pairs in every seed (claim a: {fitNote})";
        return new[] { fit, JudgeGeneralization(config, outcomes, optimizers, sweep, allFitted ? null : precondition),
            JudgeRank(config, outcomes, optimizers, allFitted ? null : precondition) };
    }

    private static List<RoutingOutcome> Of(IReadOnlyList<RoutingOutcome> outcomes, string optimizer) => outcomes.Where(o => o.Optimizer == optimizer).ToList();

    private static string F(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    private static (ClaimResult Result, string Note, bool AllFitted) JudgeFit(RoutingConfig config, IReadOnlyList<RoutingOutcome> outcomes, List<string> optimizers)
    {
        var measured = new Dictionary<string, double>();
        var states = new Dictionary<string, List<FitState>>();
        foreach (var optimizer in optimizers)
        {
            var runs = Of(outcomes, optimizer);
            states[optimizer] = runs.Select(o => Fit(o, config.FitThreshold)).ToList();
            measured[$"{optimizer}_seeds_fitted_fraction"] = states[optimizer].Count(s => s == FitState.Fitted) / (double)runs.Count;
            measured[$"{optimizer}_trained_error_worst_seed"] = runs.Max(o => double.IsFinite(o.TrainedError) ? o.TrainedError : double.PositiveInfinity);
            measured[$"{optimizer}_trained_error_mean"] = Stats.Mean(runs.Select(o => o.TrainedError));
        }
        string[] decisive = { $"{Sgd}_seeds_fitted_fraction", $"{Spec}_seeds_fitted_fraction", $"{Sgd}_trained_error_worst_seed", $"{Spec}_trained_error_worst_seed" };
        var judged = new[] { Sgd, Spec };
        string Describe(string optimizer) =>
            $"{optimizer}: {states[optimizer].Count(s => s == FitState.Fitted)} of {states[optimizer].Count} seeds fitted" +
            string.Concat(new[] { FitState.NotStarted, FitState.StillFalling, FitState.Stalled }
                .Select(state => (state, n: states[optimizer].Count(s => s == state))).Where(x => x.n > 0)
                .Select(x => $", {x.n} {x.state switch { FitState.NotStarted => "not started (error ≥ half its initial value)", FitState.StillFalling => "still falling", _ => "stalled or diverged" }}"));
        string note = string.Join("; ", judged.Select(Describe));
        bool allFitted = judged.All(o => states[o].All(s => s == FitState.Fitted));
        bool? holds = allFitted ? true : judged.Any(o => states[o].Contains(FitState.Stalled)) ? false : null;
        string? shown = holds == true ? null : holds == false ? note : $"{note} after {config.Steps} steps: too few steps to judge, run more";
        return (FitsTrainedPairs.Judge(holds, measured, shown, decisive), note, allFitted);
    }

    private static ClaimResult JudgeGeneralization(RoutingConfig config, IReadOnlyList<RoutingOutcome> outcomes, List<string> optimizers,
        IReadOnlyList<SweepCell> sweep, string? unmet)
    {
        var measured = new Dictionary<string, double>();
        foreach (var optimizer in optimizers)
        {
            var runs = Of(outcomes, optimizer);
            measured[$"{optimizer}_seeds_generalizing_fraction"] = runs.Count(o => o.UntrainedError < config.GeneralizeThreshold) / (double)runs.Count;
            measured[$"{optimizer}_untrained_error_mean"] = Stats.Mean(runs.Select(o => o.UntrainedError));
            measured[$"{optimizer}_untrained_error_sd"] = Stats.StandardDeviation(runs.Select(o => o.UntrainedError).ToList());
            measured[$"{optimizer}_untrained_item_accuracy_mean"] = Stats.Mean(runs.Select(o => o.UntrainedItemAccuracy));
        }
        foreach (var cell in sweep)
        {
            measured[$"sweep_{cell.Setting}_{cell.Optimizer}_generalizing_fraction"] = cell.GeneralizingFraction;
            measured[$"sweep_{cell.Setting}_{cell.Optimizer}_fitted_fraction"] = cell.FittedFraction;
        }
        string[] decisive = { $"{Sgd}_seeds_generalizing_fraction", $"{Spec}_seeds_generalizing_fraction" };
        string sweepNote = SweepNote(config, sweep);
        if (unmet is not null) return SgdGeneralizes.Judge(null, measured, unmet + sweepNote, decisive);
        double sgd = measured[decisive[0]], spec = measured[decisive[1]];
        bool holds = Pattern(config, sgd, spec);
        string note = $"sgd generalized in {F(sgd * 100)}% of seeds, spectral-gd in {F(spec * 100)}%" +
                      (holds ? "" : $" (the claim needs ≥ {F(config.SeedFraction * 100)}% and ≤ {F((1 - config.SeedFraction) * 100)}%)");
        return SgdGeneralizes.Judge(holds, measured, note + sweepNote, decisive);
    }

    /// <summary>The claimed pattern: SGD generalizes in most seeds, Spectral GD in few.</summary>
    private static bool Pattern(RoutingConfig config, double sgdFraction, double spectralFraction) =>
        sgdFraction >= config.SeedFraction && spectralFraction <= 1 - config.SeedFraction;

    /// <summary>One line per sweep setting, and where the claimed pattern shows.</summary>
    private static string SweepNote(RoutingConfig config, IReadOnlyList<SweepCell> sweep)
    {
        var settings = sweep.GroupBy(c => c.Setting).ToList();
        if (settings.Count == 0) return "";
        var lines = new List<string>();
        var shows = new List<string>();
        foreach (var setting in settings)
        {
            var sgd = setting.FirstOrDefault(c => c.Optimizer == Sgd);
            var spec = setting.FirstOrDefault(c => c.Optimizer == Spec);
            string Cell(SweepCell? c) => c is null ? "–" : $"{F(c.GeneralizingFraction)}" + (c.FittedFraction < 1 ? $" (fitted {F(c.FittedFraction)})" : "");
            lines.Add($"{setting.Key.Replace('_', ' ')}: sgd {Cell(sgd)}, spectral-gd {Cell(spec)}");
            if (sgd is not null && spec is not null && Pattern(config, sgd.GeneralizingFraction, spec.GeneralizingFraction)) shows.Add(setting.Key.Replace('_', ' '));
        }
        int seeds = sweep[0].Seeds;
        return $". Sensitivity ({seeds} seeds × {config.SweepSteps} steps per setting; fraction of seeds generalizing): " + string.Join("; ", lines) +
               $". The claimed pattern shows in {shows.Count} of {settings.Count} settings" + (shows.Count > 0 ? $" ({string.Join(", ", shows)})" : "") + ".";
    }

    private static ClaimResult JudgeRank(RoutingConfig config, IReadOnlyList<RoutingOutcome> outcomes, List<string> optimizers, string? unmet)
    {
        int k = config.Items;
        var measured = new Dictionary<string, double>();
        string gapName = $"sigma{k + 1}_over_sigma{k}";
        string countName = $"count_above_{F(config.CountFraction)}_sigma1";
        foreach (var optimizer in optimizers)
        {
            var runs = Of(outcomes, optimizer);
            foreach (var (part, values) in new (string, Func<RoutingOutcome, double[]>)[] { ("learned", o => o.LearnedSingularValues), ("shared", o => o.SharedSingularValues) })
            {
                var gaps = runs.Select(o => GapAfter(values(o), k)).ToList();
                measured[$"{optimizer}_{part}_{gapName}_mean"] = Stats.Mean(gaps);
                measured[$"{optimizer}_{part}_gap_seeds_fraction"] = gaps.Count(g => g <= config.GapRatio) / (double)runs.Count;
                measured[$"{optimizer}_{part}_{countName}_mean"] = Stats.Mean(runs.Select(o => (double)CountAbove(values(o), config.CountFraction)));
                measured[$"{optimizer}_{part}_stable_rank_mean"] = Stats.Mean(runs.Select(o => StableRank(values(o))));
                measured[$"{optimizer}_{part}_effective_rank_mean"] = Stats.Mean(runs.Select(o => EffectiveRank(values(o))));
                measured[$"{optimizer}_{part}_tail_share_mean"] = Stats.Mean(runs.Select(o => TailShare(values(o), k)));
            }
        }
        foreach (var part in new[] { "learned", "shared" })
        {
            measured[$"{part}_stable_rank_ratio_spectral_gd_to_sgd"] = measured[$"{Spec}_{part}_stable_rank_mean"] / measured[$"{Sgd}_{part}_stable_rank_mean"];
            measured[$"{part}_effective_rank_ratio_spectral_gd_to_sgd"] = measured[$"{Spec}_{part}_effective_rank_mean"] / measured[$"{Sgd}_{part}_effective_rank_mean"];
        }
        string[] decisive = { $"{Sgd}_learned_gap_seeds_fraction", $"{Sgd}_learned_{gapName}_mean", "learned_stable_rank_ratio_spectral_gd_to_sgd",
            $"{Sgd}_shared_gap_seeds_fraction", "shared_stable_rank_ratio_spectral_gd_to_sgd" };
        if (unmet is not null) return SharedRank.Judge(null, measured, unmet, decisive);

        bool Rule(string part, out string why)
        {
            double gapFraction = measured[$"{Sgd}_{part}_gap_seeds_fraction"], ratio = measured[$"{part}_stable_rank_ratio_spectral_gd_to_sgd"];
            bool lowRank = gapFraction >= config.SeedFraction, higher = ratio >= config.RankRatio;
            why = $"sgd has σ{k + 1}/σ{k} ≤ {F(config.GapRatio)} in {F(gapFraction * 100)}% of seeds ({(lowRank ? "rank ≈ " + k : "no gap after σ" + k)}), " +
                  $"spectral-gd's stable rank is {F(ratio)}× sgd's ({(higher ? "higher" : "not ≥ " + F(config.RankRatio) + "×")})";
            return lowRank && higher;
        }
        bool holds = Rule("learned", out var learnedWhy);
        bool onW = Rule("shared", out var sharedWhy);
        string note = $"W − W₀: {learnedWhy}. On W itself (what 000 plots) the same rule {(onW ? "holds" : "does not hold")}: {sharedWhy}.";
        return SharedRank.Judge(holds, measured, note, decisive);
    }
}
