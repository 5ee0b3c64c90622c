using MuonSharp.Lab.Analysis;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.DeepLinear;

/// <summary>Plateaus of a loss curve (see <see cref="DeepLinearMetrics.Plateaus"/>); NaN fields when undecidable.</summary>
/// <param name="Count">Number of intermediate plateaus.</param>
/// <param name="Fraction">Fraction of the descent's steps spent on them.</param>
/// <param name="EndStep">Step at which the curve reached the end level (−1 if never).</param>
internal readonly record struct PlateauSummary(double Count, double Fraction, int EndStep)
{
    /// <summary>The curve never reached the end level (or started below it): nothing to measure.</summary>
    public static PlateauSummary Undecided => new(double.NaN, double.NaN, -1);
}

/// <summary>What one trajectory measures (the inputs of the claims and bar charts).</summary>
/// <param name="Run">The trajectory.</param>
/// <param name="HalfTimes">Per mode, the first step with σᵢ ≥ sᵢ/2 (NaN if never).</param>
/// <param name="Plateaus">Plateaus of the excess loss on its descent to <see cref="DeepLinearMetrics.EndLevel"/>.</param>
/// <param name="TailLossStd">Standard deviation of the loss over the last tail_fraction of steps.</param>
/// <param name="TailReversals">Fraction of the loss's step-to-step changes in the tail that reverse sign.</param>
/// <param name="TailExcessMedian">Median excess loss in the tail (convergence check).</param>
/// <param name="EarlierLossStd">Standard deviation of the loss over the window of the same length just before the tail.</param>
/// <param name="EarlierExcessMedian">Median excess loss in that earlier window (convergence check for claim d).</param>
/// <param name="TailLossMedian">Median loss in the tail: the scale the oscillation is measured against.</param>
internal sealed record RunAnalysis(ModeRun Run, double[] HalfTimes, PlateauSummary Plateaus,
    double TailLossStd, double TailReversals, double TailExcessMedian,
    double EarlierLossStd = double.NaN, double EarlierExcessMedian = double.NaN, double TailLossMedian = double.NaN)
{
    /// <summary>Optimizer name.</summary>
    public string Optimizer => Run.Optimizer;

    /// <summary>Seed.</summary>
    public int Seed => Run.Seed;

    /// <summary>The run has converged before the tail: its median excess loss there is at most <see cref="DeepLinearMetrics.EndLevel"/>.</summary>
    public bool ConvergedBeforeTail => TailExcessMedian <= DeepLinearMetrics.EndLevel(Run.ModeTargets);

    /// <summary>The run had converged before the earlier window too, so both windows measure the converged state.</summary>
    public bool ConvergedBeforeEarlierWindow => ConvergedBeforeTail && EarlierExcessMedian <= DeepLinearMetrics.EndLevel(Run.ModeTargets);

    /// <summary>Tail loss std over the earlier window's: ≈ 1 for an oscillation that persists, ≪ 1 for one that dies out.</summary>
    public double Persistence => TailLossStd / EarlierLossStd;

    /// <summary>Tail loss std relative to the tail's median loss.</summary>
    public double RelativeTailStd => TailLossStd / TailLossMedian;
}

/// <summary>
/// The measurements the claims are computed from: pure functions of trajectories (plain arrays),
/// each tested on cases with known answers.
/// </summary>
internal static class DeepLinearMetrics
{
    /// <summary>Measures one trajectory.</summary>
    /// <param name="run">The trajectory.</param>
    /// <param name="tailFraction">Fraction of the last steps taken as the tail.</param>
    public static RunAnalysis Analyze(ModeRun run, double tailFraction)
    {
        var excess = run.ExcessLoss;
        var tailLoss = Tail(run.Loss, tailFraction);
        var earlierLoss = EarlierWindow(run.Loss, tailFraction);
        return new RunAnalysis(run, HalfTimes(run.Sigma, run.ModeTargets), Plateaus(excess, EndLevel(run.ModeTargets)),
            Stats.StandardDeviation(tailLoss), SignReversalFraction(tailLoss), Median(Tail(excess, tailFraction)),
            Stats.StandardDeviation(earlierLoss), Median(EarlierWindow(excess, tailFraction)), Median(tailLoss));
    }

    /// <summary>Median of a series; NaN if it is empty or holds a non-finite value.</summary>
    /// <param name="series">Values.</param>
    public static double Median(IReadOnlyList<double> series)
    {
        if (series.Count == 0 || series.Any(v => !double.IsFinite(v))) return double.NaN;
        var sorted = series.OrderBy(v => v).ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>
    /// The excess loss ½(s_k/2)² — what remains when every mode is learned except the smallest, which
    /// is half learned (for Σxx = I the excess loss is ½Σᵢ(sᵢ − σᵢ)² when W₂W₁ is aligned). The loss
    /// descents are measured down to this level and "converged" means staying below it.
    /// </summary>
    /// <param name="targets">s₁..s_k, decreasing.</param>
    public static double EndLevel(IReadOnlyList<double> targets) => 0.5 * Math.Pow(targets[^1] / 2, 2);

    /// <summary>σᵢ = uᵢᵀ W vᵢ for every column pair (uᵢ, vᵢ): the diagonal of UᵀWV.</summary>
    /// <param name="product">W = W₂W₁, <c>[c, d]</c>.</param>
    /// <param name="left">U, <c>[c, k]</c>.</param>
    /// <param name="right">V, <c>[d, k]</c>.</param>
    public static double[] ProjectedSingularValues(Tensor product, Tensor left, Tensor right)
    {
        using var scope = NewDisposeScope();
        var projected = (left * product.matmul(right)).sum(dim: 0);   // [k] (named: a bare 0 would bind to sum(ScalarType))
        return projected.to(ScalarType.Float64).data<double>().ToArray();
    }

    /// <summary>
    /// Half-time of each mode: the first step at which σᵢ(t) ≥ sᵢ/2 (the midpoint of the sigmoid of
    /// Thm 3.1 and of the parabola's rise in Thm 3.2); NaN when the mode never gets there.
    /// </summary>
    /// <param name="sigma"><c>sigma[i][t]</c>.</param>
    /// <param name="targets">sᵢ.</param>
    public static double[] HalfTimes(IReadOnlyList<IReadOnlyList<double>> sigma, IReadOnlyList<double> targets) =>
        sigma.Select((series, i) => Stats.FirstCrossing(series, targets[i] / 2) is var t and >= 0 ? (double)t : double.NaN).ToArray();

    /// <summary>
    /// max σᵢ(t) / min σᵢ(t) over the modes at one step: 1 when every mode has grown equally; NaN if a
    /// mode is not positive yet.
    /// </summary>
    /// <param name="sigma"><c>sigma[i][t]</c>.</param>
    /// <param name="step">The step t.</param>
    public static double SpreadRatio(IReadOnlyList<IReadOnlyList<double>> sigma, int step)
    {
        var values = sigma.Select(s => s[step]).ToList();
        return values.All(v => v > 0 && double.IsFinite(v)) ? values.Max() / values.Min() : double.NaN;
    }

    /// <summary>A step is flat when its local descent rate (decades per step) is below this fraction of the mean rate.</summary>
    public const double FlatRateFraction = 0.1;

    /// <summary>A flat stretch counts as a plateau when it lasts at least this fraction of the descent.</summary>
    public const double MinPlateauFraction = 0.02;

    /// <summary>Plateaus are counted only after the loss has fallen this fraction of its descent (excludes the saddle at the origin, where every optimizer starts).</summary>
    public const double StartDropFraction = 0.05;

    /// <summary>
    /// Plateaus of a positive, decreasing-on-the-whole curve E(t) (the excess loss), on its descent from
    /// E(0) to <paramref name="endLevel"/>. With ℓ = log10 E, T the first step with E ≤ endLevel and
    /// D = ℓ(0) − log10(endLevel) the decades descended, the mean descent rate is D/T decades per step.
    /// A step is flat when the local rate — the change of ℓ across a window of ±1% of T, in absolute
    /// value (an overshoot that raises the loss is not a plateau) — is below <see cref="FlatRateFraction"/>·D/T. A plateau is a run of flat steps lasting at least
    /// <see cref="MinPlateauFraction"/>·T, lying after the curve has fallen <see cref="StartDropFraction"/>·D
    /// (so the initial saddle at the origin is not counted: both GD and Spectral GD start there).
    /// Returns the number of such plateaus and the fraction of the steps from that start to T spent on them.
    /// </summary>
    /// <param name="excess">E(t) per step.</param>
    /// <param name="endLevel">The level that ends the descent (&gt; 0).</param>
    public static PlateauSummary Plateaus(IReadOnlyList<double> excess, double endLevel)
    {
        if (!(endLevel > 0) || excess.Count < 2 || !(excess[0] > endLevel)) return PlateauSummary.Undecided;
        int end = -1;
        for (int t = 0; t < excess.Count; t++)
        {
            if (!double.IsFinite(excess[t])) return PlateauSummary.Undecided;
            if (excess[t] <= endLevel) { end = t; break; }
        }
        if (end < 1) return PlateauSummary.Undecided;

        var level = excess.Take(end + 1).Select(e => Math.Log10(Math.Max(e, double.Epsilon))).ToArray();
        double decades = level[0] - Math.Log10(endLevel);
        double flatRate = FlatRateFraction * decades / end;
        int window = Math.Max(1, (int)Math.Round(0.01 * end));
        int minLength = Math.Max(2, (int)Math.Ceiling(MinPlateauFraction * end));
        int start = Array.FindIndex(level, l => level[0] - l >= StartDropFraction * decades);

        int count = 0, flatSteps = 0, run = 0;
        for (int t = start; t <= end + 1; t++)
        {
            bool flat = false;
            if (t <= end)
            {
                int a = Math.Max(0, t - window), b = Math.Min(end, t + window);
                flat = Math.Abs(level[a] - level[b]) / (b - a) < flatRate;   // a rise is not a plateau
            }
            if (flat) { run++; continue; }
            if (run >= minLength) { count++; flatSteps += run; }
            run = 0;
        }
        return new PlateauSummary(count, (double)flatSteps / Math.Max(1, end - start), end);
    }

    /// <summary>The last <paramref name="fraction"/> of a series (at least two points).</summary>
    /// <param name="series">Values per step.</param>
    /// <param name="fraction">In (0, 1].</param>
    public static IReadOnlyList<double> Tail(IReadOnlyList<double> series, double fraction)
    {
        int length = Math.Max(2, (int)Math.Round(fraction * series.Count));
        return series.Skip(Math.Max(0, series.Count - length)).ToList();
    }

    /// <summary>
    /// The window of the same length as <see cref="Tail"/> that ends where the tail begins (claim d
    /// compares the two: an oscillation that persists has the same spread in both).
    /// </summary>
    /// <param name="series">Values per step.</param>
    /// <param name="fraction">In (0, 0.5].</param>
    public static IReadOnlyList<double> EarlierWindow(IReadOnlyList<double> series, double fraction)
    {
        int length = Math.Max(2, (int)Math.Round(fraction * series.Count));
        int start = Math.Max(0, series.Count - 2 * length);
        return series.Skip(start).Take(Math.Max(0, series.Count - length - start)).ToList();
    }

    /// <summary>
    /// Fraction of consecutive step-to-step changes of <paramref name="series"/> that reverse sign: 0 for a
    /// monotone series, near 1 for one that zig-zags every step.
    /// </summary>
    /// <param name="series">Values per step.</param>
    public static double SignReversalFraction(IReadOnlyList<double> series)
    {
        if (series.Count < 3) return double.NaN;
        int reversals = 0;
        for (int t = 2; t < series.Count; t++)
            if ((series[t] - series[t - 1]) * (series[t - 1] - series[t - 2]) < 0) reversals++;
        return (double)reversals / (series.Count - 2);
    }
}
