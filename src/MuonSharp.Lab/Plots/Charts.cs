using MuonSharp.Lab.Runs;
using ScottPlot;

namespace MuonSharp.Lab.Plots;

/// <summary>One line of a line chart.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="X">X values.</param>
/// <param name="Y">Y values (same length).</param>
public sealed record Series(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// The lab's charts, drawn with ScottPlot and saved as PNG and SVG in the run's plots folder
/// (atomically). Every chart has a title, axis labels and a legend.
/// </summary>
public static class Charts
{
    private const int Width = 900, Height = 560;

    /// <summary>A line chart of <paramref name="series"/>; returns the PNG path relative to the run directory.</summary>
    /// <param name="context">The run (plots folder and list).</param>
    /// <param name="fileName">File name without extension, e.g. <c>loss</c>.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xLabel">X axis label.</param>
    /// <param name="yLabel">Y axis label.</param>
    /// <param name="series">Lines.</param>
    /// <param name="logY">Plot log10 of y (non-positive values are dropped), labelled as such.</param>
    public static string Line(RunContext context, string fileName, string title, string xLabel, string yLabel,
        IEnumerable<Series> series, bool logY = false)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int index = 0;
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        foreach (var s in series)
        {
            var points = s.X.Zip(s.Y).Where(p => double.IsFinite(p.Second) && (!logY || p.Second > 0))
                .Select(p => (p.First, logY ? Math.Log10(p.Second) : p.Second)).ToArray();
            if (points.Length == 0) { index++; continue; }
            low = Math.Min(low, points.Min(p => p.Item2));
            high = Math.Max(high, points.Max(p => p.Item2));
            var line = plot.Add.ScatterLine(points.Select(p => p.First).ToArray(), points.Select(p => p.Item2).ToArray(), palette.GetColor(index++));
            line.LegendText = s.Label;
            line.LineWidth = 2;
        }
        if (logY && low <= high)
        {
            // ScottPlot draws log10(y); label whole decades with the value they stand for, and put
            // minor ticks at 2…9 × each decade.
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            int first = (int)Math.Floor(low), last = (int)Math.Ceiling(high);
            int stride = Math.Max(1, (last - first) / 8);
            for (int k = first; k <= last; k++)
            {
                if ((k - first) % stride == 0) ticks.AddMajor(k, $"1e{k}");
                for (int m = 2; m <= 9 && stride == 1; m++) ticks.AddMinor(k + Math.Log10(m));
            }
            plot.Axes.Left.TickGenerator = ticks;
        }
        Finish(plot, title, xLabel, logY ? $"{yLabel} (log scale)" : yLabel);
        return Save(context, plot, fileName);
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
        var palette = new ScottPlot.Palettes.Category10();
        double width = 0.8 / Math.Max(1, bars.Count);
        for (int b = 0; b < bars.Count; b++)
        {
            var color = palette.GetColor(b);
            var items = categories.Select((_, c) => new Bar
            {
                Position = c + (b - (bars.Count - 1) / 2.0) * width,
                Value = double.IsFinite(bars[b].Values[c]) ? bars[b].Values[c] : 0,
                Size = width * 0.95,
                FillColor = color,
            }).ToList();
            plot.Add.Bars(items);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = bars[b].Label, FillColor = color });
        }
        plot.Axes.Bottom.SetTicks(categories.Select((_, c) => (double)c).ToArray(), categories.ToArray());
        plot.Axes.Margins(bottom: 0);
        Finish(plot, title, "", yLabel);
        return Save(context, plot, fileName);
    }

    private static void Finish(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
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
