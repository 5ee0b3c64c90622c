using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;
using static MuonSharp.Lab.Experiments.Factorization.FactorizationClaims;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.Factorization;

/// <summary>
/// Part (g): 003's alignment rates against measured ones, set up as in the authors' <c>fig3.ipynb</c>
/// (the extracted text lost the formulas). Target: the singular values of 10·(spike + G/√n), a rank-r
/// spike of height snr plus Gaussian noise, floored at 2; inner width N = ratio·n; Gaussian start
/// × α/√max(n, N); the polar step at lr = 0.2α. Predicted decays of the misalignment 1 − a²:
/// under-parameterized (N = r &lt; n) the outer one like t^(−2(1 − 1/g)) with g the mean gap s_i/s_(r+1)
/// over the spike; over-parameterized (N &gt; n) the inner one like t^(−4).
/// </summary>
internal static class AlignmentRates
{
    /// <summary>Alignment scores at logged steps of one run.</summary>
    internal sealed record Trace(double Ratio, double Alpha, List<int> Steps, List<double> Left, List<double> Right, List<double> Inner);

    /// <summary>Runs every (ratio, α) for every seed (one unit per seed) and judges claim (g).</summary>
    public static ClaimResult Run(RunContext context, FactorizationConfig config)
    {
        var measured = new Dictionary<string, double>();
        if (!config.Optimizers.Contains(FactorizationExperiment.PolarStep))
            return AlignmentRatesMatch.Judge(null, measured, $"{FactorizationExperiment.PolarStep} is not among the optimizers of this run.");

        var perSeed = config.SeedList.Select(seed => context.Unit($"alignment-rates/seed{seed}", () => RunSeed(context, config, seed))).ToList();
        double predictedOuter = Stats.Mean(perSeed.Select(r => r.PredictedOuter));
        measured["predicted_outer_exponent_mean"] = predictedOuter;
        measured["predicted_inner_exponent"] = InnerExponent;

        var outer = new List<double>();
        var inner = new List<double>();
        foreach (double alpha in config.RatesAlphas)
        {
            string a = $"alpha_{alpha:0e0}";
            var under = perSeed.SelectMany(r => r.Traces.Where(t => t.Ratio < 1 && t.Alpha == alpha)).ToList();
            var over = perSeed.SelectMany(r => r.Traces.Where(t => t.Ratio > 1 && t.Alpha == alpha)).ToList();
            var exact = perSeed.SelectMany(r => r.Traces.Where(t => t.Ratio == 1 && t.Alpha == alpha)).ToList();
            double outerExponent = Stats.Mean(under.SelectMany(t => new[] { DecayExponent(t.Steps, t.Left), DecayExponent(t.Steps, t.Right) }));
            double innerExponent = Stats.Mean(over.Select(t => DecayExponent(t.Steps, t.Inner)));
            measured[$"under_outer_exponent_{a}"] = outerExponent;
            measured[$"over_inner_exponent_{a}"] = innerExponent;
            measured[$"exact_inner_exponent_{a}"] = Stats.Mean(exact.Select(t => DecayExponent(t.Steps, t.Inner)));
            measured[$"exact_outer_error_at_end_{a}"] = Stats.Mean(exact.Select(t => Math.Max(Error(t.Left[^1]), Error(t.Right[^1]))));
            outer.Add(outerExponent);
            inner.Add(innerExponent);
        }

        foreach (double ratio in config.RatesWidthRatios)
        {
            var series = config.RatesAlphas.SelectMany(alpha =>
            {
                var traces = perSeed.Select(r => r.Traces.Single(t => t.Ratio == ratio && t.Alpha == alpha)).ToList();
                var x = traces[0].Steps.Select(t => Math.Log10(Math.Max(t, 1))).ToList(); // the decay is a power law: log step on x, log error on y
                Func<Trace, List<double>> pick = ratio < 1 ? t => t.Left : t => t.Inner;
                return new[] { Series.MeanWithRange($"α = {alpha:0e0}", x, traces.Select(t => (IReadOnlyList<double>)pick(t).Select(Error).ToList()).ToList()) };
            });
            Charts.Line(context, $"alignment_rates_ratio_{ratio:0.##}",
                $"N/n = {ratio}: 1 − a² of the {(ratio < 1 ? "left (outer)" : "inner")} alignment against log10 step (slope = −exponent; predicted exponent {(ratio < 1 ? predictedOuter.ToString("0.##") : ratio > 1 ? "4" : "none")})",
                "log10 step", "1 − a²", series, logY: true);
        }
        return Judge(measured, predictedOuter, outer, inner);
    }

    /// <summary>
    /// Claim (g)'s verdict: holds when every α's measured exponent is within ± <see cref="RateTolerance"/>
    /// (relative) of the prediction in both regimes; inconclusive when some exponent could not be fitted.
    /// </summary>
    public static ClaimResult Judge(Dictionary<string, double> measured, double predictedOuter, IReadOnlyList<double> outer, IReadOnlyList<double> inner)
    {
        measured["under_outer_exponent_worst_ratio_to_prediction"] = outer.Select(e => e / predictedOuter).OrderByDescending(r => Math.Abs(r - 1)).DefaultIfEmpty(double.NaN).First();
        measured["over_inner_exponent_worst_ratio_to_prediction"] = inner.Select(e => e / InnerExponent).OrderByDescending(r => Math.Abs(r - 1)).DefaultIfEmpty(double.NaN).First();
        var decisive = new[] { "under_outer_exponent_worst_ratio_to_prediction", "over_inner_exponent_worst_ratio_to_prediction", "predicted_outer_exponent_mean" };
        measured.TryAdd("predicted_outer_exponent_mean", predictedOuter);
        if (outer.Count == 0 || inner.Count == 0 || outer.Concat(inner).Any(e => !double.IsFinite(e)) || !double.IsFinite(predictedOuter))
            return AlignmentRatesMatch.Judge(null, measured, $"Some decay could not be fitted (fewer than {MinFitPoints} logged points with 1 − a² in [{FitErrorLow}, {FitErrorHigh}]); raise the steps.", decisive);
        bool holds = outer.All(e => Math.Abs(e / predictedOuter - 1) <= RateTolerance) && inner.All(e => Math.Abs(e / InnerExponent - 1) <= RateTolerance);
        return AlignmentRatesMatch.Judge(holds, measured, decisive: decisive);
    }

    /// <summary>The predicted exponent of the inner misalignment when over-parameterized (fig3.ipynb: t^(−4)).</summary>
    public const double InnerExponent = 4;

    /// <summary>Predicted outer exponent 2(1 − 1/g), g = mean over i &lt; r of s_i / s_r (0-based: s_r is the first value past the spike).</summary>
    public static double PredictedOuterExponent(IReadOnlyList<double> s, int r) => 2 * (1 - 1 / Enumerable.Range(0, r).Average(i => s[i] / s[r]));

    /// <summary>−slope of log(1 − a²) on log t over the logged steps t ≥ 1 with 1 − a² in [FitErrorLow, FitErrorHigh]; NaN with fewer than MinFitPoints.</summary>
    public static double DecayExponent(IReadOnlyList<int> steps, IReadOnlyList<double> score)
    {
        var points = steps.Zip(score).Where(z => z.First >= 1 && Error(z.Second) >= FitErrorLow && Error(z.Second) <= FitErrorHigh).ToList();
        return points.Count < MinFitPoints ? double.NaN : -Stats.LogLogSlope(points.Select(z => (double)z.First).ToList(), points.Select(z => Error(z.Second)).ToList());
    }

    private static double Error(double score) => 1 - score * score;

    /// <summary>The singular values of 10·(diag(snr on the first r) + G/√n), floored at 2 (fig3.ipynb), largest first.</summary>
    public static double[] SpikedSpectrum(int n, int r, double snr, Generator generator)
    {
        using var scope = NewDisposeScope();
        var spike = zeros(n, dtype: ScalarType.Float64);
        spike[TensorIndex.Slice(0, r)] = snr;
        using var s = new HeldScalars();
        var m = diag(spike).add(randn(new long[] { n, n }, ScalarType.Float64, generator: generator).div(s[Math.Sqrt(n)]), s[1]);   // diag + G/√n
        return linalg.svdvals(m).mul(s[10]).clamp_min(s[2]).data<double>().ToArray();
    }

    /// <summary>What one seed measured: the predicted outer exponent of its target and every (ratio, α) trace.</summary>
    internal sealed record SeedResult(double PredictedOuter, List<Trace> Traces);

    private static SeedResult RunSeed(RunContext context, FactorizationConfig config, int seed)
    {
        using var targetGenerator = SeedStreams.Generator(seed, "rates-target");
        var s = SpikedSpectrum(config.RatesTargetDim, config.RatesSpikeRank, config.RatesSnr, targetGenerator);
        using var initGenerator = SeedStreams.Generator(seed, "rates-init");
        var traces = new List<Trace>();
        foreach (double ratio in config.RatesWidthRatios)
            foreach (double alpha in config.RatesAlphas)
            {
                int hidden = (int)(ratio * config.RatesTargetDim);
                int steps = ratio < 1 ? (int)Math.Round(config.RatesUnderparameterizedTime / alpha) : config.RatesSteps;
                using var problem = new FactorizationProblem(s, hidden);
                using var progress = context.Progress.Start($"(g) alignment rates, N/n = {ratio}, α = {alpha:0e0}, seed {seed}", steps);
                traces.Add(Train(context, problem, ratio, alpha, steps, initGenerator, progress));
            }
        return new SeedResult(PredictedOuterExponent(s, config.RatesSpikeRank), traces);
    }

    private static Trace Train(RunContext context, FactorizationProblem problem, double ratio, double alpha, int steps, Generator generator, IProgressTask progress)
    {
        var logged = new SortedSet<int> { 0 };
        for (int i = 0; i < LoggedPoints; i++) logged.Add((int)Math.Pow(steps, i / (LoggedPoints - 1.0)));
        var (p, q) = problem.SmallRandomInit(alpha / Math.Sqrt(Math.Max(problem.Dim, problem.Hidden)), generator);
        var trace = new Trace(ratio, alpha, new(), new(), new(), new());
        using var noGrad = no_grad();
        try
        {
            for (int t = 0; t < steps; t++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                if (logged.Contains(t))
                {
                    var (left, right, inner) = FactorizationMetrics.AlignmentScores(p, q, problem.SingularValues, BlockRelativeGap, alpha);
                    trace.Steps.Add(t);
                    trace.Left.Add(left);
                    trace.Right.Add(right);
                    trace.Inner.Add(inner);
                }
                var (nextP, nextQ) = Trainer.Step(problem, p, q, LrOverAlpha * alpha, UpdateRule.SpectralGd);
                nextP.DetachFromDisposeScope();
                nextQ.DetachFromDisposeScope();
                p.Dispose();
                q.Dispose();
                (p, q) = (nextP, nextQ);
                progress.Advance();
            }
            return trace;
        }
        finally
        {
            p.Dispose();
            q.Dispose();
        }
    }

    // fig3.ipynb: lr = 0.2α, alignment blocks split at a relative gap of 8 % (and an absolute one of α), about 100 log-spaced logged steps.
    private const double LrOverAlpha = 0.2;
    private const double BlockRelativeGap = 0.08;
    private const int LoggedPoints = 100;
}
