using System.Globalization;
using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;

namespace MuonSharp.Lab.Experiments.MatrixSensing;

/// <summary>The end of one training run (one optimizer, one seed, no weight decay).</summary>
/// <param name="Optimizer">spectral-gd, gd or norm-matched-gd.</param>
/// <param name="Seed">Seed.</param>
/// <param name="InitialEntropy">Spectral entropy of W₀.</param>
/// <param name="Final">Spectrum of the final W.</param>
/// <param name="Residual">‖𝒜(W) − b‖/‖b‖ at the end.</param>
public sealed record RunOutcome(string Optimizer, int Seed, double InitialEntropy, SpectrumSummary Final, double Residual);

/// <summary>The convex baseline of one seed.</summary>
/// <param name="Seed">Seed.</param>
/// <param name="NuclearNorm">‖W_cvx‖_* (feasible upper bound of the optimum).</param>
/// <param name="RelativeGap">Certified relative distance to the optimum.</param>
/// <param name="Certified">The optimality check held.</param>
public sealed record ConvexOutcome(int Seed, double NuclearNorm, double RelativeGap, bool Certified);

/// <summary>One ATSR measurement.</summary>
/// <param name="Seed">Seed.</param>
/// <param name="Style">Coupled or decoupled decay.</param>
/// <param name="WeightDecay">λ.</param>
/// <param name="Atsr">max t_k / min t_k; +∞ when some but not all blocks gain mass; NaN when none does.</param>
public sealed record AtsrOutcome(int Seed, DecayStyle Style, double WeightDecay, double Atsr);

/// <summary>
/// The four claims of <c>002</c> this experiment tests, each with the rule that judges it. Thresholds
/// are named constants; where 002 gives no number, the constant says it is our choice.
/// </summary>
public static class MatrixSensingClaims
{
    /// <summary>(b): the smallest entropy difference (nats) that counts as "not reproduced". Our choice: about 2% of ln 20, several times the seed-to-seed spread of the final entropy.</summary>
    public const double MinEntropyGap = 0.05;

    /// <summary>(c): "interpolates" means ‖𝒜(W) − b‖/‖b‖ at most this. Our choice: a fixed polar step of size lr cannot fit exactly (W keeps oscillating by ~lr), and an unfitted W has ≈ 1.</summary>
    public const double InterpolationTolerance = 0.02;

    /// <summary>(c): "above the convex minimum" means ratio &gt; 1 + this (brief: "all ratios &gt; 1 + small tol").</summary>
    public const double RatioTolerance = 0.01;

    /// <summary>(c): 002 Fig. 3 (right) uses a 10-seed family.</summary>
    public const int PaperFamilySize = 10;

    /// <summary>(d): "nearly constant": ATSR(λ)/ATSR(0) at most this. Our choice.</summary>
    public const double NearlyConstantRatio = 1.5;

    /// <summary>(d): "grows sharply": ATSR(λ)/ATSR(0) at least this; 002 Fig. 9 shows 7.54 coupled vs 2.28 decoupled (3.3×).</summary>
    public const double SharpGrowthRatio = 3;

    /// <summary>(d): 002 Fig. 9: "phase boundary at λ ≈ 10⁻²".</summary>
    public const double PhaseBoundary = 1e-2;

    /// <summary>(d): λ a decade below the boundary must still look like the baseline when coupled.</summary>
    public const double BelowBoundary = 1e-3;

    /// <summary>(d): the reported transition is the smallest λ whose coupled ratio reaches this.</summary>
    public const double TransitionRatio = 2;

    /// <summary>(a) Muon flattens, GD does not — measured on the exact polar step 002 analyses (spectral-gd).</summary>
    public static readonly ClaimSpec Flattening = new("a-muon-flattens", "002 §4 Thm 1, §6",
        "Muon's normalized spectrum flattens toward equal nonzero singular values while GD's stays concentrated (002 analyses Muon as the exact polar step W ← W − lr·UVᵀ; run here as spectral-gd).",
        "spectral entropy H (and stable rank) of W at the last step, per seed; spectral-gd vs gd, and spectral-gd's H at the end vs at W₀",
        "in every seed H(spectral-gd) > H(gd) and H(spectral-gd) at the end > H(W₀)");

    /// <summary>(b) The norm-matched control does not reproduce the polar step.</summary>
    public static readonly ClaimSpec NormMatched = new("b-norm-matched-differs", "002 §6",
        "Norm-matched GD (the gradient step rescaled to the polar step's Frobenius norm √rank(G)) does not reproduce Muon's flattening (Muon as the exact polar step: spectral-gd).",
        "paired difference H(spectral-gd) − H(norm-matched-gd) of the final spectral entropy, per seed",
        $"difference > {MinEntropyGap} nats in every seed");

    /// <summary>(c) The nuclear-norm gap.</summary>
    public static readonly ClaimSpec NuclearGap = new("c-nuclear-gap", "002 §6, Fig. 3",
        "Muon interpolates the measurements but its nuclear norm stays above the convex minimum (002: 1.29×–2.02× over 10 seeds, no seed at the minimum; Muon as the exact polar step: spectral-gd).",
        "per seed: spectral-gd's final relative residual ‖𝒜(W) − b‖/‖b‖ and the ratio ‖W_spectral-gd‖_*/‖W_cvx‖_*, W_cvx from our certified ADMM solver",
        $"every seed: residual ≤ {InterpolationTolerance} and ratio > 1 + {RatioTolerance}; every convex solve certified");

    /// <summary>(d) Weight decay and acquisition-time spread.</summary>
    public static readonly ClaimSpec WeightDecay = new("d-atsr-weight-decay", "002 Cor. 3, Fig. 9",
        "With weight decay λ, Muon's ATSR stays nearly constant when the decay is decoupled but grows sharply when coupled, with the transition near λ ≈ 1e-2 (Muon as the exact polar step: spectral-gd).",
        "mean over seeds of ATSR(λ)/ATSR(0) for spectral-gd on the block-diagonal target, both decay styles",
        $"decoupled: ≤ {NearlyConstantRatio} for all λ ≤ {PhaseBoundary}; coupled: ≥ {SharpGrowthRatio} for some λ ≥ {PhaseBoundary} and ≤ {NearlyConstantRatio} for all λ ≤ {BelowBoundary}");

    /// <summary>All four, in order.</summary>
    public static IReadOnlyList<ClaimSpec> All => new[] { Flattening, NormMatched, NuclearGap, WeightDecay };

    /// <summary>Judges (a).</summary>
    /// <param name="runs">Outcomes of the main runs.</param>
    public static ClaimResult JudgeFlattening(IReadOnlyList<RunOutcome> runs)
    {
        var polar = BySeed(runs, MatrixSensingConfig.PolarStep);
        var gd = BySeed(runs, "gd");
        var seeds = polar.Keys.Intersect(gd.Keys).OrderBy(s => s).ToList();
        var measured = new Dictionary<string, double>();
        AddSpread(measured, "spectral-gd_entropy", polar.Values.Select(r => r.Final.Entropy));
        AddSpread(measured, "gd_entropy", gd.Values.Select(r => r.Final.Entropy));
        AddSpread(measured, "spectral-gd_stable_rank", polar.Values.Select(r => r.Final.StableRank));
        AddSpread(measured, "gd_stable_rank", gd.Values.Select(r => r.Final.StableRank));
        AddSpread(measured, "spectral-gd_entropy_change", polar.Values.Select(r => r.Final.Entropy - r.InitialEntropy));
        AddSpread(measured, "entropy_gap_spectral-gd_minus_gd", seeds.Select(s => polar[s].Final.Entropy - gd[s].Final.Entropy));
        measured["seeds"] = seeds.Count;
        if (seeds.Count == 0) return Flattening.Judge(null, measured, "needs both spectral-gd and gd in optimizers");
        if (!AllFinite(measured)) return Flattening.Judge(null, measured, "a run produced a non-finite spectrum");
        bool holds = seeds.All(s => polar[s].Final.Entropy > gd[s].Final.Entropy && polar[s].Final.Entropy > polar[s].InitialEntropy);
        return Flattening.Judge(holds, measured);
    }

    /// <summary>Judges (b).</summary>
    /// <param name="runs">Outcomes of the main runs.</param>
    public static ClaimResult JudgeNormMatched(IReadOnlyList<RunOutcome> runs)
    {
        var polar = BySeed(runs, MatrixSensingConfig.PolarStep);
        var matched = BySeed(runs, "norm-matched-gd");
        var seeds = polar.Keys.Intersect(matched.Keys).OrderBy(s => s).ToList();
        var differences = seeds.Select(s => polar[s].Final.Entropy - matched[s].Final.Entropy).ToList();
        var measured = new Dictionary<string, double>();
        AddSpread(measured, "entropy_gap_spectral-gd_minus_matched", differences);
        AddSpread(measured, "matched_entropy", matched.Values.Select(r => r.Final.Entropy));
        AddSpread(measured, "matched_stable_rank", matched.Values.Select(r => r.Final.StableRank));
        measured["entropy_gap_min"] = differences.Count == 0 ? double.NaN : differences.Min();
        measured["seeds"] = seeds.Count;
        if (seeds.Count == 0) return NormMatched.Judge(null, measured, "needs both spectral-gd and norm-matched-gd in optimizers");
        if (!AllFinite(measured)) return NormMatched.Judge(null, measured, "a run produced a non-finite spectrum");
        return NormMatched.Judge(differences.All(d => d > MinEntropyGap), measured);
    }

    /// <summary>Judges (c).</summary>
    /// <param name="runs">Outcomes of the main runs.</param>
    /// <param name="convex">Convex baselines, one per seed.</param>
    public static ClaimResult JudgeNuclearGap(IReadOnlyList<RunOutcome> runs, IReadOnlyList<ConvexOutcome> convex)
    {
        var polar = BySeed(runs, MatrixSensingConfig.PolarStep);
        var cvx = convex.ToDictionary(c => c.Seed);
        var seeds = polar.Keys.Intersect(cvx.Keys).OrderBy(s => s).ToList();
        var ratios = seeds.Select(s => polar[s].Final.NuclearNorm / cvx[s].NuclearNorm).ToList();
        var measured = new Dictionary<string, double>();
        AddSpread(measured, "ratio", ratios);
        measured["ratio_min"] = ratios.Count == 0 ? double.NaN : ratios.Min();
        measured["ratio_max"] = ratios.Count == 0 ? double.NaN : ratios.Max();
        measured["spectral-gd_residual_max"] = seeds.Count == 0 ? double.NaN : seeds.Max(s => polar[s].Residual);
        AddSpread(measured, "convex_nuclear_norm", cvx.Values.Select(c => c.NuclearNorm));
        measured["convex_gap_max"] = convex.Count == 0 ? double.NaN : convex.Max(c => c.RelativeGap);
        measured["seeds"] = seeds.Count;
        for (int i = 0; i < seeds.Count; i++) measured[$"ratio_seed_{seeds[i]}"] = ratios[i];
        if (seeds.Count == 0) return NuclearGap.Judge(null, measured, "needs spectral-gd in optimizers");
        if (convex.Any(c => !c.Certified))
            return NuclearGap.Judge(null, measured, $"the convex solver was not certified for seed(s) {string.Join(", ", convex.Where(c => !c.Certified).Select(c => c.Seed))}; raise solver_max_iterations");
        if (!AllFinite(measured)) return NuclearGap.Judge(null, measured, "a run produced a non-finite norm");
        bool holds = seeds.All(s => polar[s].Residual <= InterpolationTolerance) && ratios.All(r => r > 1 + RatioTolerance);
        string? note = seeds.Count < PaperFamilySize ? $"{seeds.Count} seeds; 002's family has {PaperFamilySize}" : null;
        return NuclearGap.Judge(holds, measured, note);
    }

    /// <summary>Judges (d).</summary>
    /// <param name="sweep">ATSR of every (seed, style, λ).</param>
    public static ClaimResult JudgeWeightDecay(IReadOnlyList<AtsrOutcome> sweep)
    {
        var measured = new Dictionary<string, double>();
        var notes = new List<string>();
        // Mean over seeds of each (style, λ); NaN runs (no block gained mass) are left out and counted.
        double MeanAtsr(DecayStyle style, double lambda)
        {
            var values = sweep.Where(o => o.Style == style && o.WeightDecay == lambda).Select(o => o.Atsr).ToList();
            int undefined = values.Count(double.IsNaN);
            if (undefined > 0) notes.Add($"{Name(style)} λ={Format(lambda)}: {undefined} run(s) where no block gained mass (ATSR undefined)");
            return Stats.Mean(values.Where(v => !double.IsNaN(v)));
        }

        var lambdas = sweep.Select(o => o.WeightDecay).Distinct().OrderBy(l => l).ToList();
        double baseline = Stats.Mean(sweep.Where(o => o.WeightDecay == 0).Select(o => o.Atsr).Where(v => !double.IsNaN(v)));
        measured["atsr_baseline"] = baseline;
        measured["atsr_baseline_sd"] = Stats.StandardDeviation(sweep.Where(o => o.WeightDecay == 0 && o.Style == DecayStyle.Decoupled).Select(o => o.Atsr).Where(double.IsFinite));
        var ratio = new Dictionary<(DecayStyle, double), double>();
        foreach (var style in new[] { DecayStyle.Decoupled, DecayStyle.Coupled })
            foreach (var lambda in lambdas.Where(l => l > 0))
            {
                double mean = MeanAtsr(style, lambda);
                measured[$"atsr_{Name(style)}_{Format(lambda)}"] = mean;
                measured[$"atsr_{Name(style)}_{Format(lambda)}_sd"] = Stats.StandardDeviation(
                    sweep.Where(o => o.Style == style && o.WeightDecay == lambda).Select(o => o.Atsr).Where(double.IsFinite));
                ratio[(style, lambda)] = mean / baseline;
            }
        var transition = lambdas.Where(l => l > 0 && ratio[(DecayStyle.Coupled, l)] >= TransitionRatio).DefaultIfEmpty(double.NaN).First();
        measured["coupled_transition_lambda"] = transition;
        measured["seeds"] = sweep.Select(o => o.Seed).Distinct().Count();

        string? Note() => notes.Count == 0 ? null : string.Join("; ", notes);
        if (sweep.Count == 0) return WeightDecay.Judge(null, measured, "no ATSR sweep was run (atsr_seeds = 0 or weight_decays empty)");
        if (!(baseline > 0) || !double.IsFinite(baseline)) return WeightDecay.Judge(null, measured, "the λ = 0 baseline ATSR is undefined or infinite");
        var decoupledLow = lambdas.Where(l => l > 0 && l <= PhaseBoundary).Select(l => ratio[(DecayStyle.Decoupled, l)]).ToList();
        var coupledHigh = lambdas.Where(l => l >= PhaseBoundary).Select(l => ratio[(DecayStyle.Coupled, l)]).Where(r => !double.IsNaN(r)).ToList();
        var coupledLow = lambdas.Where(l => l > 0 && l <= BelowBoundary).Select(l => ratio[(DecayStyle.Coupled, l)]).ToList();
        if (decoupledLow.Count == 0 || coupledHigh.Count == 0 || coupledLow.Count == 0)
            return WeightDecay.Judge(null, measured, $"the sweep needs λ values in (0, {BelowBoundary}] and ≥ {PhaseBoundary} with defined ATSR" + (Note() is { } n ? "; " + n : ""));
        if (decoupledLow.Concat(coupledLow).Any(double.IsNaN))
            return WeightDecay.Judge(null, measured, Note());
        bool holds = decoupledLow.All(r => r <= NearlyConstantRatio)
                     && coupledHigh.Any(r => r >= SharpGrowthRatio)
                     && coupledLow.All(r => r <= NearlyConstantRatio);
        return WeightDecay.Judge(holds, measured, Note());
    }

    /// <summary>λ as a short invariant string for metric names, e.g. 0.001 → 1e-03.</summary>
    /// <param name="lambda">λ.</param>
    public static string Format(double lambda) => lambda == 0 ? "0" : lambda.ToString("0.#e+00", CultureInfo.InvariantCulture);

    /// <summary>snake_case name of a decay style.</summary>
    /// <param name="style">The style.</param>
    public static string Name(DecayStyle style) => style == DecayStyle.Coupled ? "coupled" : "decoupled";

    private static Dictionary<int, RunOutcome> BySeed(IEnumerable<RunOutcome> runs, string optimizer) =>
        runs.Where(r => r.Optimizer == optimizer).ToDictionary(r => r.Seed);

    private static void AddSpread(Dictionary<string, double> measured, string name, IEnumerable<double> values)
    {
        var list = values.ToList();
        measured[name + "_mean"] = Stats.Mean(list);
        measured[name + "_sd"] = Stats.StandardDeviation(list);
    }

    private static bool AllFinite(Dictionary<string, double> measured) => measured.Values.All(double.IsFinite);
}
