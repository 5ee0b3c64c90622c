using System.Globalization;
using MuonSharp.Lab.Runs;
using ScottPlot;

namespace MuonSharp.Lab.Plots;

/// <summary>One line of a line chart.</summary>
/// <param name="Label">Legend text; a canonical optimizer name (or one followed by a space) gets that optimizer's colour.</param>
/// <param name="X">X values.</param>
/// <param name="Y">Y values (same length).</param>
public sealed record Series(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    /// <summary>Lower edge of a shaded band around the line (e.g. the minimum over seeds); same length as <see cref="X"/>.</summary>
    public IReadOnlyList<double>? Low { get; init; }

    /// <summary>Upper edge of the band (e.g. the maximum over seeds).</summary>
    public IReadOnlyList<double>? High { get; init; }

    /// <summary>A limit or reference line: drawn dashed, in the colour of <see cref="ColorOf"/> (or its own).</summary>
    public bool Dashed { get; init; }

    /// <summary>Points only, no line between them: one marker per (x, y), e.g. one per run in a scatter plot.</summary>
    public bool MarkersOnly { get; init; }

    /// <summary>Whose colour to use (an optimizer name), when the label is not one.</summary>
    public string? ColorOf { get; init; }

    /// <summary>Mark each point: for a few measured points (a sweep's grid) rather than a curve.</summary>
    public bool Markers { get; init; }

    /// <summary>
    /// The mean over seeds of series sharing their x values, with the min–max band: how curves over
    /// seeds are drawn in the lab.
    /// </summary>
    /// <param name="label">Legend text.</param>
    /// <param name="x">X values.</param>
    /// <param name="perSeed">One y series per seed, each as long as <paramref name="x"/>.</param>
    public static Series MeanWithRange(string label, IReadOnlyList<double> x, IReadOnlyList<IReadOnlyList<double>> perSeed)
    {
        if (perSeed.Count == 0) throw new ArgumentException("No series to average.", nameof(perSeed));
        if (perSeed.Any(s => s.Count != x.Count)) throw new ArgumentException("Every seed's series must be as long as x.", nameof(perSeed));
        var mean = new double[x.Count];
        var low = new double[x.Count];
        var high = new double[x.Count];
        for (int i = 0; i < x.Count; i++)
        {
            var values = perSeed.Select(s => s[i]).ToList();
            mean[i] = values.Average();
            low[i] = values.Min();
            high[i] = values.Max();
        }
        return new Series(label, x, mean) { Low = perSeed.Count > 1 ? low : null, High = perSeed.Count > 1 ? high : null };
    }
}

/// <summary>
/// The lab's charts, drawn with ScottPlot and saved as PNG and SVG in the run's plots folder
/// (atomically). Every chart has a title, axis labels and a legend outside the data; an optimizer
/// has the same colour in every chart of the lab (<see cref="OptimizerColors"/>); axes whose values
/// are whole numbers (steps, counts) get whole-number ticks.
/// </summary>
public static class Charts
{
    private const int Width = 900, Height = 560;

    /// <summary>A line chart of <paramref name="series"/> (or a scatter plot, of series drawn <see cref="Series.MarkersOnly"/>); returns the PNG path relative to the run directory.</summary>
    /// <param name="context">The run (plots folder and list).</param>
    /// <param name="fileName">File name without extension, e.g. <c>loss</c>.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xLabel">X axis label.</param>
    /// <param name="yLabel">Y axis label.</param>
    /// <param name="series">Lines.</param>
    /// <param name="logY">Plot log10 of y (non-positive values are dropped), labelled as such.</param>
    /// <param name="logX">Plot log10 of x (non-positive values are dropped), labelled as such: for grids spaced by factors, such as learning rates.</param>
    public static string Line(RunContext context, string fileName, string title, string xLabel, string yLabel,
        IEnumerable<Series> series, bool logY = false, bool logX = false)
    {
        var plot = new Plot();
        var colors = new OptimizerColors();
        double low = double.PositiveInfinity, high = double.NegativeInfinity, left = double.PositiveInfinity, right = double.NegativeInfinity;
        bool integerX = !logX;
        double X(double v) => logX ? Math.Log10(v) : v;
        double Y(double v) => logY ? Math.Log10(v) : v;
        bool Drawable(double v) => double.IsFinite(v) && (!logY || v > 0);
        bool DrawableX(double v) => double.IsFinite(v) && (!logX || v > 0);
        foreach (var s in series)
        {
            var color = colors.For(s.ColorOf ?? s.Label);
            var points = s.X.Zip(s.Y).Where(p => DrawableX(p.First) && Drawable(p.Second)).Select(p => (X: X(p.First), Y: Y(p.Second))).ToArray();
            if (points.Length == 0) continue;
            integerX &= points.All(p => p.X == Math.Round(p.X));
            low = Math.Min(low, points.Min(p => p.Y));
            high = Math.Max(high, points.Max(p => p.Y));
            left = Math.Min(left, points.Min(p => p.X));
            right = Math.Max(right, points.Max(p => p.X));
            if (s.Low is { } lows && s.High is { } highs)
            {
                var band = s.X.Select((x, i) => (x, lows[i], highs[i])).Where(b => DrawableX(b.x) && Drawable(b.Item2) && Drawable(b.Item3))
                    .Select(b => (X(b.x), Y(b.Item2), Y(b.Item3))).ToList();
                if (band.Count > 1)
                {
                    var fill = plot.Add.FillY(band);
                    fill.FillColor = color.WithAlpha(0.18);
                    fill.LineWidth = 0;
                }
            }
            var line = plot.Add.ScatterLine(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), color);
            line.LegendText = s.Label;
            line.LineWidth = s.MarkersOnly ? 0 : 2;
            if (s.MarkersOnly) line.MarkerSize = 9;
            if (s.Dashed) line.LinePattern = LinePattern.Dashed;
            if (s.Markers) line.MarkerSize = 8;
        }
        if (integerX) plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (logY && low <= high) plot.Axes.Left.TickGenerator = DecadeTicks(low, high);
        if (logX && left <= right) plot.Axes.Bottom.TickGenerator = DecadeTicks(left, right);
        Finish(plot, title, logX ? $"{xLabel} (log scale)" : xLabel, logY ? $"{yLabel} (log scale)" : yLabel);
        return Save(context, plot, fileName);
    }

    /// <summary>Ticks of an axis that ScottPlot draws as log10 of the value (see <see cref="LogAxisTicks"/>).</summary>
    private static ScottPlot.TickGenerators.NumericManual DecadeTicks(double low, double high)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var (position, label) in LogAxisTicks(low, high))
            if (label is null) ticks.AddMinor(position);
            else ticks.AddMajor(position, label);
        return ticks;
    }

    /// <summary>
    /// The ticks of an axis drawn as log10 of the value over [<paramref name="low"/>, <paramref name="high"/>] (log10
    /// units): position and label, a null label for a minor tick. Whole decades are labelled with the value they
    /// stand for, minor ticks at 2…9 × each decade; within two decades 2× and 5× are labelled too; and when less
    /// than one decade is shown, where a power of ten may not be in view at all, the ticks are round values of the
    /// quantity itself (1.6, 1.8, 2, …), labelled as such.
    /// </summary>
    /// <param name="low">log10 of the smallest value shown.</param>
    /// <param name="high">log10 of the largest value shown.</param>
    internal static IReadOnlyList<(double Position, string? Label)> LogAxisTicks(double low, double high)
    {
        var ticks = new List<(double, string?)>();
        double smallest = Math.Pow(10, low), largest = Math.Pow(10, high);
        if (high - low < 1 && largest > smallest)
        {
            double rough = (largest - smallest) / 5, magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
            double step = new[] { 1.0, 2, 5, 10 }.Select(f => f * magnitude).First(s => s >= rough);
            for (long i = (long)Math.Ceiling(smallest / step - 1e-9); i * step <= largest * (1 + 1e-12); i++)
                ticks.Add((Math.Log10(i * step), (i * step).ToString("G4", CultureInfo.InvariantCulture)));
            return ticks;
        }
        int first = (int)Math.Floor(low), last = (int)Math.Ceiling(high);
        int stride = Math.Max(1, (last - first) / 8);
        // Within two decades a single labelled power of ten may be all that shows: label 2× and 5× too.
        bool narrow = last - first <= 2;
        for (int k = first; k <= last; k++)
        {
            if ((k - first) % stride == 0) ticks.Add((k, $"1e{k}"));
            for (int m = 2; m <= 9 && stride == 1; m++)
                ticks.Add((k + Math.Log10(m), narrow && m is 2 or 5 ? $"{m}e{k}" : null));
        }
        return ticks;
    }

    /// <summary>A grouped bar chart: one group per category, one bar per series.</summary>
    /// <param name="context">The run.</param>
    /// <param name="fileName">File name without extension.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="yLabel">Y axis label.</param>
    /// <param name="categories">Group labels on the x axis.</param>
    /// <param name="bars">(label, one value per category).</param>
    public static string Bars(RunContext context, string fileName, string title, string yLabel,
        IReadOnlyList<string> categories, IReadOnlyList<(string Label, IReadOnlyList<double> Values)> bars)
    {
        var plot = new Plot();
        var colors = new OptimizerColors();
        double width = 0.8 / Math.Max(1, bars.Count);
        // One series over optimizer categories: each bar takes its optimizer's colour and the axis names them.
        bool byCategory = bars.Count == 1 && categories.All(OptimizerColors.IsOptimizer);
        for (int b = 0; b < bars.Count; b++)
        {
            var color = colors.For(bars[b].Label);
            var items = categories.Select((category, c) => new Bar
            {
                Position = c + (b - (bars.Count - 1) / 2.0) * width,
                Value = double.IsFinite(bars[b].Values[c]) ? bars[b].Values[c] : 0,
                Size = width * 0.95,
                FillColor = byCategory ? colors.For(category) : color,
            }).ToList();
            plot.Add.Bars(items);
            if (!byCategory) plot.Legend.ManualItems.Add(new LegendItem { LabelText = bars[b].Label, FillColor = color });
        }
        plot.Axes.Bottom.SetTicks(categories.Select((_, c) => (double)c).ToArray(), categories.ToArray());
        plot.Axes.Margins(bottom: 0);
        if (bars.All(b => b.Values.All(v => !double.IsFinite(v) || v == Math.Round(v))))
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        Finish(plot, title, "", yLabel);
        return Save(context, plot, fileName);
    }

    private static void Finish(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Right);   // outside the data region: a legend never hides a curve
    }

    private static string Save(RunContext context, Plot plot, string fileName)
    {
        Directory.CreateDirectory(context.PlotsDirectory);
        var png = Path.Combine(context.PlotsDirectory, fileName + ".png");
        var svg = Path.Combine(context.PlotsDirectory, fileName + ".svg");
        AtomicFile.Write(png, temp => plot.SavePng(temp, Width, Height));
        AtomicFile.Write(svg, temp => plot.SaveSvg(temp, Width, Height));
        var relative = Path.Combine(Path.GetFileName(context.PlotsDirectory), fileName + ".png");
        if (!context.Plots.Contains(relative)) context.Plots.Add(relative);
        return relative;
    }
}
