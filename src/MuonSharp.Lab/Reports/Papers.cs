using System.Text.RegularExpressions;

namespace MuonSharp.Lab.Reports;

/// <summary>A paper the lab reproduces, as cited in reports and <c>docs/papers.md</c>.</summary>
/// <param name="Id">The three-digit id used in source fields (<c>000 §3</c>).</param>
/// <param name="Title">Title.</param>
/// <param name="Authors">Authors, or what our copy says of them.</param>
/// <param name="Year">Year, when known.</param>
/// <param name="ArXiv">arXiv identifier, when known.</param>
public sealed record Paper(string Id, string Title, string Authors, int? Year, string? ArXiv)
{
    /// <summary>One-line citation: title, authors, year, arXiv id where known.</summary>
    public string Citation =>
        $"“{Title}”, {Authors}" + (Year is { } y ? $", {y}" : "") + (ArXiv is { } a ? $", arXiv:{a}" : "");
}

/// <summary>
/// The five papers behind the experiments. Source fields cite them by id and section
/// (<c>000 §3</c>); reports add the title. What our copies of the papers do not say (several were
/// extracted from web pages without their author lists) is said as such, not guessed.
/// </summary>
public static partial class Papers
{
    /// <summary>Every paper, by id.</summary>
    public static IReadOnlyList<Paper> All { get; } = new[]
    {
        new Paper("000", "To Use or not to Use Muon: How Simplicity Bias in Optimizers Matters", "authors not named in our copy", null, null),
        new Paper("001", "Muon Feature Learning (research notes; the imbalanced-data results are Vasudeva et al.'s)", "authors not named in our copy", null, null),
        new Paper("002", "The Spectral Dynamics and Noise Geometry of Muon", "Abdelmoneum, Beneventano, Poggio", 2026, "2606.08388"),
        new Paper("003", "Muon learns balanced solutions in matrix factorization without slow saddle-to-saddle dynamics", "authors not named in our copy (notebooks: dkarkada/muon-mfac)", null, null),
        new Paper("004", "When do spectral gradient updates help in deep learning?", "Davis, Drusvyatskiy", 2025, "2512.04299"),
    };

    /// <summary>The paper with <paramref name="id"/>, or null.</summary>
    /// <param name="id">A three-digit id.</param>
    public static Paper? Find(string id) => All.FirstOrDefault(p => p.Id == id);

    /// <summary>
    /// <paramref name="source"/> (e.g. <c>000 §3, Thm 3.1</c>) followed by the titles of the papers it
    /// names: the form reports print.
    /// </summary>
    /// <param name="source">A source field.</param>
    public static string WithTitles(string source)
    {
        var titles = PaperId().Matches(source).Select(m => Find(m.Value)).OfType<Paper>().Distinct().Select(p => $"“{p.Title}”").ToList();
        return titles.Count == 0 ? source : $"{source} — {string.Join("; ", titles)}";
    }

    [GeneratedRegex(@"\b00[0-4]\b")]
    private static partial Regex PaperId();
}
