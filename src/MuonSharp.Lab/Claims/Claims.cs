namespace MuonSharp.Lab.Claims;

/// <summary>The outcome of testing one claim against measured numbers.</summary>
public enum Verdict
{
    /// <summary>The measurement meets the claim's threshold.</summary>
    Holds,
    /// <summary>The measurement contradicts the claim's threshold.</summary>
    Fails,
    /// <summary>The measurement could not decide (too few points, a diverged run, NaN).</summary>
    Inconclusive,
}

/// <summary>
/// A claim an experiment tests: what a paper says, where, what we measure and the threshold that
/// decides. Declared up front (so <c>muonsharp list</c> can show it); judged after the run.
/// </summary>
/// <param name="Id">Short id within the experiment, e.g. <c>a-sequential</c>.</param>
/// <param name="Source">Paper and section, e.g. <c>000 §3, Thm 3.1</c>.</param>
/// <param name="Statement">The claim in one sentence.</param>
/// <param name="Measurement">What is measured, in words.</param>
/// <param name="Threshold">The decision rule, in words (e.g. "slope in [−1.3, −0.7]").</param>
public sealed record ClaimSpec(string Id, string Source, string Statement, string Measurement, string Threshold)
{
    /// <summary>Judges this claim: <paramref name="holds"/> null means inconclusive.</summary>
    /// <param name="holds">True, false, or null when the numbers cannot decide.</param>
    /// <param name="measured">The numbers the verdict was computed from.</param>
    /// <param name="note">Optional explanation (why inconclusive, which seeds failed).</param>
    /// <param name="decisive">The keys of <paramref name="measured"/> the verdict was computed from, shown first in reports; the rest are details.</param>
    public ClaimResult Judge(bool? holds, IReadOnlyDictionary<string, double> measured, string? note = null, IReadOnlyList<string>? decisive = null)
    {
        foreach (var key in decisive ?? Array.Empty<string>())
            if (!measured.ContainsKey(key)) throw new ArgumentException($"Decisive number '{key}' of claim '{Id}' is not among the measured numbers.", nameof(decisive));
        return new(Id, Source, Statement, Measurement, Threshold,
            holds switch { true => Verdict.Holds, false => Verdict.Fails, null => Verdict.Inconclusive },
            measured, note, decisive);
    }
}

/// <summary>A judged claim, as written to <c>summary.json</c> and shown in reports.</summary>
/// <param name="Id">Claim id.</param>
/// <param name="Source">Paper and section.</param>
/// <param name="Statement">The claim.</param>
/// <param name="Measurement">What was measured.</param>
/// <param name="Threshold">The decision rule.</param>
/// <param name="Verdict">Holds, fails or inconclusive, computed from <paramref name="Measured"/>.</param>
/// <param name="Measured">Named measured numbers.</param>
/// <param name="Note">Optional explanation; for an inconclusive verdict, the reason.</param>
/// <param name="Decisive">The measured numbers the verdict was computed from (null: not said; reports then show the first few).</param>
public sealed record ClaimResult(string Id, string Source, string Statement, string Measurement, string Threshold,
    Verdict Verdict, IReadOnlyDictionary<string, double> Measured, string? Note = null, IReadOnlyList<string>? Decisive = null)
{
    /// <summary>How many numbers reports show when the claim does not name its decisive ones.</summary>
    public const int ShownWhenUnsaid = 4;

    /// <summary>The numbers to show first: the decisive ones, or the first few.</summary>
    public IReadOnlyList<string> Headline => Decisive is { Count: > 0 } d ? d : Measured.Keys.Take(ShownWhenUnsaid).ToList();
}
