using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;

namespace MuonSharp.Lab.Experiments.StableRankInit;

/// <summary>
/// The claims of the stable-rank experiment and the rules that judge them. Each bound is judged only when
/// the measured matrix could break it: a stable rank never exceeds the matrix's rank, so with fewer
/// samples (columns) or rows than the bound, the bound would hold for any matrix and says nothing
/// (inconclusive, with the reason).
/// </summary>
internal static class StableRankInitClaims
{
    /// <summary>
    /// "Bounded as width grows", made testable: the least-squares slope of log st on log width must stay
    /// below this. A quantity proportional to width has slope 1; 0.1 allows st to creep up by at most
    /// 2^0.1 ≈ 7% per doubling, as it does while approaching its limit from below.
    /// </summary>
    public const double MaxWidthSlope = 0.1;

    public static ClaimSpec Bounded(Activation a) => new($"a-bounded-{a.Name}", "004 §5.1",
        a.ConstantFromReadme
            ? $"At Gaussian init the stable rank of {a.Label} post-activations stays bounded as width grows, below the population constant {a.PopulationConstant:0.###}."
            : $"At Gaussian init the stable rank of {a.Label} post-activations stays bounded as width grows (population constant derived here: 4π/3 + 2/√3 ≈ {a.PopulationConstant:0.###}; not judged).",
        "st(σ(WX)) at each width, mean over seeds; least-squares slope of log st on log width (seed means; per seed: mean ± sd)",
        (a.ConstantFromReadme
            ? $"slope ≤ {MaxWidthSlope} and the seed-mean st ≤ {a.PopulationConstant:0.###} at every width"
            : $"slope ≤ {MaxWidthSlope} (boundedness only)") +
        $"; inconclusive unless min(largest width, samples) > {a.PopulationConstant:0.###} (else no matrix could exceed the constant) and every st is finite");

    public static readonly ClaimSpec FarBelowWidth = new("b-far-below-width", "004 §5.1, §8.2",
        "At Gaussian init the post-activation stable rank is far below the width.",
        "st(σ(WX)) / width at the largest width, per activation, mean over seeds",
        "≤ width_fraction (5%) for every activation measured; inconclusive unless samples > width_fraction × largest width (else the rank cap alone keeps st below it)");

    public static readonly ClaimSpec Depth = new("c-depth-relu2", "004 §5.1, Fig. 1 (papers README)",
        "Through the squared-ReLU network d → 4d → 4d → 4d → 1 at init, every post-activation has stable rank ≤ about 6, far below its width 4d.",
        "st of each hidden layer's post-activations σ(W_ℓ h_{ℓ−1}), mean ± sd over seeds (layer 0 = the inputs X, for reference)",
        "every hidden layer's seed-mean st ≤ 6 and ≤ width_fraction × 4d; inconclusive unless min(4d, samples) exceeds that bound (else any matrix meets it)");

    public static IReadOnlyList<ClaimSpec> All { get; } = Activations.All.Select(Bounded).Append(FarBelowWidth).Append(Depth).ToList();

    /// <summary>Claim (a) for one activation: per seed, its stable rank at each width (in width order).</summary>
    /// <param name="activation">The activation.</param>
    /// <param name="widths">Widths, ascending.</param>
    /// <param name="perSeed">Per seed, st at each width (null when the activation was not measured).</param>
    /// <param name="samples">n, the columns of the measured matrices.</param>
    public static ClaimResult JudgeBounded(Activation activation, IReadOnlyList<int> widths, IReadOnlyList<IReadOnlyList<double>>? perSeed, int samples)
    {
        var spec = Bounded(activation);
        if (perSeed is null || perSeed.Count == 0)
            return spec.Judge(null, new Dictionary<string, double>(), $"'{activation.Name}' was not measured; add it to optimizers");
        var x = widths.Select(w => (double)w).ToList();
        var means = Enumerable.Range(0, widths.Count).Select(i => Stats.Mean(perSeed.Select(s => s[i]))).ToList();
        var measured = new Dictionary<string, double>();
        for (int i = 0; i < widths.Count; i++) measured[$"st_w{widths[i]}_mean"] = means[i];
        measured["st_largest_width_sd"] = Stats.StandardDeviation(perSeed.Select(s => s[^1]));
        double slope = Stats.LogLogSlope(x, means);
        var slopes = perSeed.Select(s => Stats.LogLogSlope(x, s)).ToList();
        measured["loglog_slope"] = slope;
        measured["loglog_slope_per_seed_mean"] = Stats.Mean(slopes);
        measured["loglog_slope_per_seed_sd"] = Stats.StandardDeviation(slopes);
        measured["population_constant"] = activation.PopulationConstant;
        measured["max_st_over_constant"] = means.Max() / activation.PopulationConstant;
        measured["rank_cap"] = Math.Min(widths[^1], samples);
        string[] decisive = activation.ConstantFromReadme ? new[] { "loglog_slope", "max_st_over_constant" } : new[] { "loglog_slope" };
        if (!(measured["rank_cap"] > activation.PopulationConstant))
            return spec.Judge(null, measured, $"no matrix measured could exceed the constant: rank ≤ min(largest width, samples) = {measured["rank_cap"]}", decisive.Append("rank_cap").ToList());
        if (!double.IsFinite(slope) || means.Any(m => !double.IsFinite(m))) return spec.Judge(null, measured, "a stable rank was not finite", decisive);
        bool holds = slope <= MaxWidthSlope && (!activation.ConstantFromReadme || means.All(m => m <= activation.PopulationConstant));
        return spec.Judge(holds, measured, decisive: decisive);
    }

    /// <summary>Claim (b): per activation measured, the seeds' stable ranks at the largest width.</summary>
    /// <param name="largestWidth">The largest width.</param>
    /// <param name="perActivation">Activation name → st at the largest width, per seed.</param>
    /// <param name="fraction">The allowed fraction of the width.</param>
    /// <param name="samples">n, the columns of the measured matrices.</param>
    public static ClaimResult JudgeFarBelowWidth(int largestWidth, IReadOnlyDictionary<string, IReadOnlyList<double>> perActivation, double fraction, int samples)
    {
        var measured = new Dictionary<string, double> { ["largest_width"] = largestWidth, ["samples"] = samples };
        foreach (var (name, values) in perActivation)
        {
            measured[$"{name}_fraction_mean"] = Stats.Mean(values) / largestWidth;
            measured[$"{name}_fraction_sd"] = Stats.StandardDeviation(values) / largestWidth;
        }
        if (perActivation.Count == 0) return FarBelowWidth.Judge(null, measured, "no activation was measured");
        // The highest fraction decides: the claim holds only if even it stays below the allowed fraction.
        string highest = $"{perActivation.Keys.MaxBy(name => double.IsFinite(measured[$"{name}_fraction_mean"]) ? measured[$"{name}_fraction_mean"] : double.PositiveInfinity)}_fraction_mean";
        string[] decisive = { highest, "largest_width" };
        if (!(samples > fraction * largestWidth))
            return FarBelowWidth.Judge(null, measured, $"samples = {samples} ≤ {fraction} × {largestWidth}: the rank cap alone keeps st below the fraction", decisive.Append("samples").ToList());
        if (!double.IsFinite(measured[highest])) return FarBelowWidth.Judge(null, measured, "a stable rank was not finite", decisive);
        return FarBelowWidth.Judge(measured[highest] <= fraction, measured, decisive: decisive);
    }

    /// <summary>Claim (c): per seed, the squared-ReLU network's stable ranks (entry 0 = inputs, then hidden layers).</summary>
    /// <param name="perSeed">Per seed, or null when relu2 was not measured.</param>
    /// <param name="hiddenWidth">4d.</param>
    /// <param name="fraction">The allowed fraction of the width.</param>
    /// <param name="samples">n, the columns of the measured matrices.</param>
    public static ClaimResult JudgeDepth(IReadOnlyList<IReadOnlyList<double>>? perSeed, int hiddenWidth, double fraction, int samples)
    {
        if (perSeed is null || perSeed.Count == 0)
            return Depth.Judge(null, new Dictionary<string, double>(), "'relu2' was not measured; add it to optimizers");
        int layers = perSeed[0].Count - 1;
        var measured = new Dictionary<string, double> { ["hidden_width"] = hiddenWidth };
        var means = new List<double>();
        for (int l = 0; l <= layers; l++)
        {
            double mean = Stats.Mean(perSeed.Select(s => s[l]));
            measured[l == 0 ? "inputs_st_mean" : $"layer{l}_st_mean"] = mean;
            measured[l == 0 ? "inputs_st_sd" : $"layer{l}_st_sd"] = Stats.StandardDeviation(perSeed.Select(s => s[l]));
            if (l > 0) means.Add(mean);
        }
        measured["max_layer_st_mean"] = means.Max();
        measured["bound"] = Math.Min(Activations.SquaredReluConstant, fraction * hiddenWidth);
        measured["rank_cap"] = Math.Min(hiddenWidth, samples);
        string[] decisive = { "max_layer_st_mean", "bound" };
        if (!(measured["rank_cap"] > measured["bound"]))
            return Depth.Judge(null, measured, $"rank ≤ min(4d, samples) = {measured["rank_cap"]} ≤ the bound {measured["bound"]}: any matrix meets it", decisive.Append("rank_cap").ToList());
        if (means.Any(m => !double.IsFinite(m))) return Depth.Judge(null, measured, "a stable rank was not finite", decisive);
        // Every layer ≤ bound exactly when the largest is: max_layer_st_mean decides.
        return Depth.Judge(measured["max_layer_st_mean"] <= measured["bound"], measured, decisive: decisive);
    }
}
