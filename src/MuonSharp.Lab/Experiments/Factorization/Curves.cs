using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Experiments.Factorization;

/// <summary>Small helpers for recording curves, averaging them over seeds and summarising numbers.</summary>
internal static class Curves
{
    /// <summary>Records <paramref name="curve"/> every <paramref name="every"/> steps and at its last point.</summary>
    public static void Record(RunContext context, string optimizer, int seed, string metric, IReadOnlyList<double> curve, int every)
    {
        for (int t = 0; t < curve.Count; t++)
            if (t % every == 0 || t == curve.Count - 1) context.Metrics.Add(t, optimizer, seed, metric, curve[t]);
    }

    /// <summary>Pointwise mean over curves of possibly different lengths (a point averages the curves that reach it).</summary>
    public static double[] Mean(IReadOnlyList<IReadOnlyList<double>> curves)
    {
        int length = curves.Count == 0 ? 0 : curves.Max(c => c.Count);
        return Enumerable.Range(0, length).Select(t => Stats.Mean(curves.Where(c => t < c.Count).Select(c => c[t]))).ToArray();
    }

    /// <summary>A chart series of <paramref name="y"/> against its index, thinned to every <paramref name="every"/>-th point.</summary>
    public static Series Thinned(string label, IReadOnlyList<double> y, int every)
    {
        var steps = Enumerable.Range(0, y.Count).Where(t => t % every == 0 || t == y.Count - 1).ToArray();
        return new Series(label, steps.Select(t => (double)t).ToArray(), steps.Select(t => y[t]).ToArray());
    }

    /// <summary>Adds <c>name_mean</c> and <c>name_sd</c> (over seeds) to <paramref name="measured"/>; returns the mean.</summary>
    public static double AddMeanAndSpread(Dictionary<string, double> measured, string name, IReadOnlyList<double> perSeed)
    {
        double mean = Stats.Mean(perSeed);
        measured[name + "_mean"] = mean;
        measured[name + "_sd"] = Stats.StandardDeviation(perSeed);
        return mean;
    }
}
