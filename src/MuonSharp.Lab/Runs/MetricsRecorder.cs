using System.Globalization;
using System.Text;

namespace MuonSharp.Lab.Runs;

/// <summary>One row of <c>metrics.csv</c> (long format).</summary>
/// <param name="Step">Training step (or sweep index).</param>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="Seed">Seed of the run.</param>
/// <param name="Metric">Metric name, e.g. <c>loss</c> or <c>sigma_3</c>.</param>
/// <param name="Value">The value.</param>
public readonly record struct MetricRow(long Step, string Optimizer, int Seed, string Metric, double Value);

/// <summary>
/// Collects metrics in memory, in the order recorded, and writes them as
/// <c>step,optimizer,seed,metric,value</c>. Numbers use the invariant culture and round-trip
/// formatting, so the same config and seed give a byte-identical file.
/// </summary>
public sealed class MetricsRecorder
{
    private readonly List<MetricRow> _rows = new();
    private readonly object _gate = new();

    /// <summary>Optional mirror of every row (e.g. a TensorBoard writer).</summary>
    public Action<MetricRow>? Mirror { get; set; }

    /// <summary>Records one value.</summary>
    /// <param name="step">Training step.</param>
    /// <param name="optimizer">Optimizer name.</param>
    /// <param name="seed">Seed.</param>
    /// <param name="metric">Metric name.</param>
    /// <param name="value">Value.</param>
    public void Add(long step, string optimizer, int seed, string metric, double value)
    {
        var row = new MetricRow(step, optimizer, seed, metric, value);
        lock (_gate) _rows.Add(row);
        Mirror?.Invoke(row);
    }

    /// <summary>A snapshot of the rows recorded so far.</summary>
    public IReadOnlyList<MetricRow> Rows { get { lock (_gate) return _rows.ToList(); } }

    /// <summary>The values of one series in step order.</summary>
    /// <param name="optimizer">Optimizer name.</param>
    /// <param name="seed">Seed.</param>
    /// <param name="metric">Metric name.</param>
    public IReadOnlyList<(long Step, double Value)> Series(string optimizer, int seed, string metric) =>
        Rows.Where(r => r.Optimizer == optimizer && r.Seed == seed && r.Metric == metric).Select(r => (r.Step, r.Value)).ToList();

    /// <summary>The CSV text with a header line.</summary>
    public string ToCsv()
    {
        var text = new StringBuilder("step,optimizer,seed,metric,value\n");
        foreach (var r in Rows)
            text.Append(r.Step.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Escape(r.Optimizer)).Append(',')
                .Append(r.Seed.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Escape(r.Metric)).Append(',')
                .Append(r.Value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    /// <summary>Parses a file written by <see cref="ToCsv"/>.</summary>
    /// <param name="path">Path to metrics.csv.</param>
    public static IReadOnlyList<MetricRow> Read(string path)
    {
        var rows = new List<MetricRow>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            if (line.Length == 0) continue;
            var f = SplitCsv(line);
            if (f.Count != 5) throw new InvalidDataException($"{path}: expected 5 fields, got {f.Count} in '{line}'.");
            rows.Add(new MetricRow(long.Parse(f[0], CultureInfo.InvariantCulture), f[1], int.Parse(f[2], CultureInfo.InvariantCulture), f[3],
                double.Parse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture)));
        }
        return rows;
    }

    private static string Escape(string field) =>
        field.IndexOfAny(new[] { ',', '"', '\n' }) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }
}
