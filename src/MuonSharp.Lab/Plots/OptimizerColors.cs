using ScottPlot;

namespace MuonSharp.Lab.Plots;

/// <summary>
/// One colour per optimizer across every chart of the lab, so a reader learns "muon is orange" once.
/// A label is an optimizer's when it is a canonical optimizer name or starts with one followed by a
/// space (<c>muon seed 0</c>); other labels (modes, activations, depths) take the remaining palette
/// colours in order of appearance within one chart.
/// </summary>
public sealed class OptimizerColors
{
    // Category10, in the order the names below take them; olive (8) serves other labels first, then the rest in turn.
    private static readonly Color[] Palette = new ScottPlot.Palettes.Category10().Colors;

    private static readonly Dictionary<string, int> Fixed = new(StringComparer.Ordinal)
    {
        ["gd"] = 0, ["sgd"] = 0,
        ["muon"] = 1,
        ["normuon"] = 9,
        ["spectral-gd"] = 2,
        ["adam"] = 3, ["adamw"] = 3,
        ["shampoo"] = 4,
        ["lion"] = 5,
        ["normalized-gd"] = 6,
        ["norm-matched-gd"] = 7,
    };

    private static readonly int[] Others = { 8, 9, 6, 7, 5, 4, 3, 2, 1, 0 };
    private readonly Dictionary<string, Color> _others = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="label"/> names an optimizer (see the class remarks).</summary>
    /// <param name="label">A series, bar or category label.</param>
    public static bool IsOptimizer(string label) => Fixed.ContainsKey(label.Split(' ', 2)[0]);

    /// <summary>The colour of <paramref name="label"/> in this chart.</summary>
    /// <param name="label">A series or bar label.</param>
    public Color For(string label)
    {
        var head = label.Split(' ', 2)[0];
        if (Fixed.TryGetValue(head, out var index)) return Palette[index];
        if (!_others.TryGetValue(label, out var color))
            _others[label] = color = Palette[Others[_others.Count % Others.Length]];
        return color;
    }
}
