namespace MuonSharp.Lab.Analysis;

/// <summary>Small statistics the claims are computed with; NaN in, NaN out (a claim then is inconclusive).</summary>
public static class Stats
{
    /// <summary>Arithmetic mean; NaN for no values.</summary>
    /// <param name="values">Values.</param>
    public static double Mean(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? double.NaN : list.Average();
    }

    /// <summary>Sample standard deviation (n − 1); 0 for one value, NaN for none.</summary>
    /// <param name="values">Values.</param>
    public static double StandardDeviation(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count == 0) return double.NaN;
        if (list.Count == 1) return 0;
        double mean = list.Average();
        return Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
    }

    /// <summary>Median (the mean of the two middle values for an even count); NaN for no values.</summary>
    /// <param name="values">Values.</param>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0) return double.NaN;
        int mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Least-squares slope and intercept of y on x; NaN with fewer than two distinct x.</summary>
    /// <param name="x">Abscissae.</param>
    /// <param name="y">Ordinates (same length).</param>
    public static (double Slope, double Intercept) LinearFit(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} values, y has {y.Count}.");
        var points = x.Zip(y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
        if (points.Select(p => p.First).Distinct().Count() < 2) return (double.NaN, double.NaN);
        double mx = points.Average(p => p.First), my = points.Average(p => p.Second);
        double sxx = points.Sum(p => (p.First - mx) * (p.First - mx));
        double sxy = points.Sum(p => (p.First - mx) * (p.Second - my));
        double slope = sxy / sxx;
        return (slope, my - slope * mx);
    }

    /// <summary>Slope of log y on log x (a power law's exponent); NaN when any value is not positive.</summary>
    /// <param name="x">Positive abscissae.</param>
    /// <param name="y">Positive ordinates.</param>
    public static double LogLogSlope(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Any(v => !(v > 0)) || y.Any(v => !(v > 0))) return double.NaN;
        return LinearFit(x.Select(v => Math.Log(v)).ToList(), y.Select(v => Math.Log(v)).ToList()).Slope;
    }

    /// <summary>
    /// First index at which <paramref name="values"/> reaches <paramref name="threshold"/>
    /// (≥ when rising); −1 if never.
    /// </summary>
    /// <param name="values">A trajectory.</param>
    /// <param name="threshold">The level.</param>
    public static int FirstCrossing(IReadOnlyList<double> values, double threshold)
    {
        for (int i = 0; i < values.Count; i++) if (values[i] >= threshold) return i;
        return -1;
    }
}
