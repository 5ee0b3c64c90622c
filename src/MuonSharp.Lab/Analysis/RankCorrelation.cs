using System.Globalization;

namespace MuonSharp.Lab.Analysis;

/// <summary>
/// Spearman's rank correlation of paired measurements with a two-sided permutation p-value: the fraction of
/// random re-pairings (y shuffled against x) whose |ρ| is at least the observed one, counting the observed
/// pairing itself, (1 + hits) / (1 + permutations). Exact in the limit of many permutations, with no
/// distributional assumption — suited to the few points (runs) an experiment has. Ties get average ranks.
/// </summary>
/// <param name="Rho">Spearman's ρ in [−1, 1]; NaN with fewer than three pairs or a constant side.</param>
/// <param name="PValue">Two-sided permutation p-value; NaN when ρ is.</param>
/// <param name="Count">Number of pairs.</param>
public sealed record RankCorrelation(double Rho, double PValue, int Count)
{
    /// <summary>The rank correlation of <paramref name="x"/> and <paramref name="y"/> and its permutation p-value.</summary>
    /// <param name="x">First measurement of each pair.</param>
    /// <param name="y">Second measurement (same length).</param>
    /// <param name="permutations">Random re-pairings, ≥ 1.</param>
    /// <param name="seed">Seed of the permutations (the p-value is reproducible).</param>
    public static RankCorrelation Of(IReadOnlyList<double> x, IReadOnlyList<double> y, int permutations, int seed)
    {
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} values, y has {y.Count}.", nameof(y));
        if (permutations < 1) throw new ArgumentOutOfRangeException(nameof(permutations), permutations, "Need at least one permutation.");
        if (x.Count < 3 || x.Concat(y).Any(v => !double.IsFinite(v))) return new(double.NaN, double.NaN, x.Count);
        var rankX = Ranks(x);
        var rankY = Ranks(y);
        double rho = Pearson(rankX, rankY);
        if (!double.IsFinite(rho)) return new(double.NaN, double.NaN, x.Count);
        var random = new Random(seed);
        var shuffled = rankY.ToArray();
        int atLeast = 0;
        for (int p = 0; p < permutations; p++)
        {
            random.Shuffle(shuffled);
            // A tolerance so that a permutation equal to the observed pairing counts despite rounding.
            if (Math.Abs(Pearson(rankX, shuffled)) >= Math.Abs(rho) - 1e-12) atLeast++;
        }
        return new(rho, (1.0 + atLeast) / (1.0 + permutations), x.Count);
    }

    /// <summary>"ρ = … (p = …, n pairs)", for notes.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"ρ = {Rho:G3} (p = {PValue:G3}, {Count} pairs)");

    /// <summary>Spearman's ρ alone, without a p-value (ties get average ranks); NaN with fewer than two pairs, a non-finite value or a constant side.</summary>
    /// <param name="x">First measurement of each pair.</param>
    /// <param name="y">Second measurement (same length).</param>
    public static double SpearmanRho(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} values, y has {y.Count}.", nameof(y));
        if (x.Count < 2 || x.Concat(y).Any(v => !double.IsFinite(v))) return double.NaN;
        return Pearson(Ranks(x), Ranks(y));
    }

    /// <summary>Ranks 1 … n, ties sharing the mean of their ranks.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            double shared = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = shared;
            start = end + 1;
        }
        return ranks;
    }

    private static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double meanA = a.Average(), meanB = b.Average(), covariance = 0, varianceA = 0, varianceB = 0;
        for (int i = 0; i < a.Count; i++)
        {
            covariance += (a[i] - meanA) * (b[i] - meanB);
            varianceA += (a[i] - meanA) * (a[i] - meanA);
            varianceB += (b[i] - meanB) * (b[i] - meanB);
        }
        return covariance / Math.Sqrt(varianceA * varianceB);
    }
}
