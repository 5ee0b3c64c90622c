using System.Globalization;

namespace MuonSharp.Lab.Analysis;

/// <summary>
/// A per-seed paired difference a − b between two optimizers (seeds aligned by seed number: a seed gives
/// both the same data and the same initialization, so the pairing removes their shared noise), summarized
/// by its mean and the standard error of that mean. The "ahead" rules of the imbalanced and spurious-pixel claims use it:
/// a side is ahead only when the mean difference exceeds one standard error.
/// </summary>
/// <param name="Mean">Mean over the shared seeds of a − b; NaN when no seed is shared or a value is not finite (a diverged run).</param>
/// <param name="StandardError">Sample standard deviation of the differences divided by √<paramref name="Seeds"/>; NaN with fewer than two seeds.</param>
/// <param name="Seeds">How many seeds both sides have.</param>
public sealed record PairedDifference(double Mean, double StandardError, int Seeds)
{
    /// <summary>The paired difference of two per-seed measurements.</summary>
    /// <param name="a">Seed → value of the side claimed ahead.</param>
    /// <param name="b">Seed → value of the other side.</param>
    public static PairedDifference Of(IReadOnlyDictionary<int, double> a, IReadOnlyDictionary<int, double> b)
    {
        var differences = a.Keys.Where(b.ContainsKey).OrderBy(seed => seed).Select(seed => a[seed] - b[seed]).ToList();
        double standardError = differences.Count >= 2 ? Stats.StandardDeviation(differences) / Math.Sqrt(differences.Count) : double.NaN;
        return new(Stats.Mean(differences), standardError, differences.Count);
    }

    /// <summary>
    /// True when a is ahead by more than one standard error, false when b is, null when the difference is
    /// within one standard error or cannot be computed (fewer than two seeds, a diverged run).
    /// </summary>
    public bool? FirstAhead =>
        !double.IsFinite(Mean) || !double.IsFinite(StandardError) ? null
        : Mean > StandardError ? true
        : Mean < -StandardError ? false
        : null;

    /// <summary>"mean ± SE (n seeds)", for notes.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Mean:G3} ± {StandardError:G3} (SE, {Seeds} seeds)");

    /// <summary>
    /// Judges "a is ahead in every comparison": fails when some comparison has b ahead by more than its
    /// standard error, else inconclusive when some is within its standard error (or undefined), else holds.
    /// The deciding comparison is the one furthest behind (fails), the first undecided one (inconclusive),
    /// or the closest call, smallest mean − SE (holds). Null verdict and no name for no comparisons.
    /// </summary>
    /// <param name="comparisons">Named paired differences, each with the spectral side first.</param>
    public static (bool? Holds, string? Deciding) AllFirstAhead(IReadOnlyList<(string Name, PairedDifference Difference)> comparisons)
    {
        if (comparisons.Count == 0) return (null, null);
        var behind = comparisons.Where(c => c.Difference.FirstAhead == false).ToList();
        if (behind.Count > 0) return (false, behind.MinBy(c => c.Difference.Mean + c.Difference.StandardError).Name);
        var undecided = comparisons.Where(c => c.Difference.FirstAhead is null).ToList();
        if (undecided.Count > 0) return (null, undecided[0].Name);
        return (true, comparisons.MinBy(c => c.Difference.Mean - c.Difference.StandardError).Name);
    }

    /// <summary>Adds this difference to a claim's measured numbers as <c>name</c> (mean) and <c>name_se</c>; returns both keys.</summary>
    /// <param name="measured">The claim's measured numbers.</param>
    /// <param name="name">Key of the mean.</param>
    public string[] Record(IDictionary<string, double> measured, string name)
    {
        measured[name] = Mean;
        measured[StandardErrorKey(name)] = StandardError;
        return new[] { name, StandardErrorKey(name) };
    }

    /// <summary>Key of the standard error recorded beside <paramref name="name"/>.</summary>
    /// <param name="name">Key of the mean.</param>
    public static string StandardErrorKey(string name) => name + "_se";
}
