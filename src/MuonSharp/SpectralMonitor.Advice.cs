using System.Globalization;
using System.Text;
using MuonSharp.Optimizers;

namespace MuonSharp;

/// <summary>Which update the layerwise condition favors for a layer.</summary>
public enum UpdateRecommendation
{
    /// <summary>The median condition ratio is at least <see cref="SpectralMonitor.DecisiveFactor"/>: a spectral update (Muon).</summary>
    Spectral,
    /// <summary>The median condition ratio is at most 1/<see cref="SpectralMonitor.DecisiveFactor"/>: a Euclidean update (SGD/AdamW).</summary>
    Euclidean,
    /// <summary>The median condition ratio lies strictly between the two thresholds.</summary>
    TooCloseToCall,
    /// <summary>No condition ratio was observed (no captured activations or no gradient).</summary>
    NotObserved,
}

/// <summary>The advice for one layer.</summary>
/// <param name="Layer">The weight's name.</param>
/// <param name="Shape">The weight's shape, e.g. <c>[128, 9216]</c>.</param>
/// <param name="Observations">How many condition ratios were observed.</param>
/// <param name="MedianConditionRatio">Median of nr(G)/st(A) over the observations; NaN when there are none.</param>
/// <param name="Recommendation">The update the rule recommends.</param>
/// <param name="HybridRoute">Where the hybrid optimizer (Muon + AdamW) routes this weight: <c>Muon</c>, <c>AdamW</c>, or <c>—</c> when it cannot route the model.</param>
public sealed record LayerAdvice(string Layer, string Shape, int Observations, double MedianConditionRatio,
    UpdateRecommendation Recommendation, string HybridRoute);

public sealed partial class SpectralMonitor
{
    /// <summary>
    /// The factor by which nr(G)/st(A) must exceed 1 (or fall below it) for a recommendation. The ratio
    /// compares two worst-case guarantees (<c>004 §3.1–3.2</c>), not the realized decreases, so a ratio within a
    /// factor of 2 of 1 is reported as too close to call. Fixed before any run was looked at.
    /// </summary>
    public const double DecisiveFactor = 2.0;

    /// <summary>One row per monitored layer: median condition ratio over all observations, the recommended update, the hybrid's routing.</summary>
    public IReadOnlyList<LayerAdvice> Advice()
    {
        var routes = HybridRoutes();
        return _layers.Select(layer =>
        {
            var ratios = _rows.Where(r => r.Layer == layer.Name && r.Metric == SpectralMetrics.ConditionRatio).Select(r => r.Value).ToList();
            double median = Median(ratios);
            return new LayerAdvice(layer.Name, layer.Shape, ratios.Count, median, Recommend(median, ratios.Count),
                routes.GetValueOrDefault(layer.Name, "—"));
        }).ToList();
    }

    /// <summary>The rule: spectral when the median ratio ≥ <see cref="DecisiveFactor"/>, Euclidean when ≤ 1/<see cref="DecisiveFactor"/>, otherwise too close to call.</summary>
    /// <param name="medianRatio">The median condition ratio.</param>
    /// <param name="observations">How many ratios the median is over.</param>
    public static UpdateRecommendation Recommend(double medianRatio, int observations) =>
        observations == 0 || double.IsNaN(medianRatio) ? UpdateRecommendation.NotObserved
        : medianRatio >= DecisiveFactor ? UpdateRecommendation.Spectral
        : medianRatio <= 1 / DecisiveFactor ? UpdateRecommendation.Euclidean
        : UpdateRecommendation.TooCloseToCall;

    /// <summary>Prints <see cref="Advice"/> as a plain-text table with the rule stated.</summary>
    /// <param name="writer">Where to print; the console when null.</param>
    public void PrintAdvice(TextWriter? writer = null) => (writer ?? Console.Out).Write(AdviceTable());

    /// <summary><see cref="Advice"/> as the plain-text table <see cref="PrintAdvice"/> prints.</summary>
    public string AdviceTable()
    {
        var advice = Advice();
        string[] header = ["layer", "shape", "obs", "median nr(G)/st(A)", "recommended", "hybrid routes to"];
        var cells = advice.Select(a => new[]
        {
            a.Layer, a.Shape, a.Observations.ToString(CultureInfo.InvariantCulture),
            double.IsNaN(a.MedianConditionRatio) ? "—" : a.MedianConditionRatio.ToString("0.00", CultureInfo.InvariantCulture),
            Describe(a.Recommendation), a.HybridRoute,
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, cells.Select(c => c[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var text = new StringBuilder();
        text.AppendLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in cells) text.AppendLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Rule (004 §3): spectral (Muon) when the median of nr(G)/st(A) ≥ {DecisiveFactor:0.##}, Euclidean (SGD/AdamW) when ≤ {1 / DecisiveFactor:0.##}, otherwise too close to call."));
        return text.ToString();
    }

    private static string Describe(UpdateRecommendation recommendation) => recommendation switch
    {
        UpdateRecommendation.Spectral => "spectral",
        UpdateRecommendation.Euclidean => "Euclidean",
        UpdateRecommendation.TooCloseToCall => "too close to call",
        _ => "not observed",
    };

    private static double Median(List<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        int mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The given hybrid's routing, or the default routing it would use; empty when the default rule cannot route the model.</summary>
    private Dictionary<string, string> HybridRoutes()
    {
        IReadOnlyList<RoutedParameter> routed;
        if (_optimizer is MuonWithAuxAdamW hybrid) routed = hybrid.Assignments;
        else
        {
            try { routed = ParameterRouting.Default().Assign(_allParameters); }
            catch (ArgumentException) { return new Dictionary<string, string>(); }
        }
        return routed.ToDictionary(r => r.Name, r => r.Route.ToString());
    }
}
