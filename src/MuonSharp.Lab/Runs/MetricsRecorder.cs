using System.Globalization;
using System.Text;

namespace MuonSharp.Lab.Runs;

/// <summary>One row of <c>metrics.csv</c> (long format).</summary>
/// <param name="Step">Training step (or sweep index).</param>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="Seed">Seed of the run.</param>
/// <param name="Metric">Metric name, e.g. <c>loss</c> or <c>sigma_3</c>.</param>
/// <param name="Value">The value.</param>
public readonly record struct MetricRow(long Step, string Optimizer, int Seed, string Metric, double Value)
{
    /// <summary>The header line of <c>metrics.csv</c>, newline included.</summary>
    public const string CsvHeader = "step,optimizer,seed,metric,value\n";

    /// <summary>
    /// This row as one CSV line, newline included: invariant culture and round-trip formatting, so the
    /// same numbers always give the same bytes.
    /// </summary>
    public string ToCsvLine() =>
        string.Concat(
            Step.ToString(CultureInfo.InvariantCulture), ",", Escape(Optimizer), ",",
            Seed.ToString(CultureInfo.InvariantCulture), ",", Escape(Metric), ",",
            Value.ToString("R", CultureInfo.InvariantCulture), "\n");

    /// <summary>Writes <see cref="ToCsvLine"/>'s text to <paramref name="writer"/> without building strings (the streaming path).</summary>
    /// <param name="writer">Destination.</param>
    public void WriteCsvLine(TextWriter writer)
    {
        Span<char> number = stackalloc char[32];
        Step.TryFormat(number, out int n, default, CultureInfo.InvariantCulture);
        writer.Write(number[..n]);
        writer.Write(',');
        writer.Write(Escape(Optimizer));
        writer.Write(',');
        Seed.TryFormat(number, out n, default, CultureInfo.InvariantCulture);
        writer.Write(number[..n]);
        writer.Write(',');
        writer.Write(Escape(Metric));
        writer.Write(',');
        Value.TryFormat(number, out n, "R", CultureInfo.InvariantCulture);
        writer.Write(number[..n]);
        writer.Write('\n');
    }

    private static string Escape(string field) =>
        field.IndexOfAny(new[] { ',', '"', '\n' }) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}

/// <summary>
/// Collects metrics in the order recorded and streams them to <c>metrics.csv</c> as
/// <c>step,optimizer,seed,metric,value</c>. The rows also stay in memory, so an experiment can read
/// its series back to judge claims.
/// </summary>
/// <remarks>
/// Resuming relies on a cursor: the run is deterministic, so re-executing it records the same rows in
/// the same order. Rows already on disk from an earlier attempt are preloaded; while the cursor is
/// inside them a recorded row is a replay and is not written again, and a finished unit that is
/// skipped moves the cursor past the rows it had recorded (<see cref="Skip"/>).
/// </remarks>
public sealed class MetricsRecorder
{
    private readonly List<MetricRow> _rows = new();
    private readonly object _gate = new();
    private int _cursor;
    private MetricsFile? _file;

    /// <summary>Optional mirror of every new row (e.g. a TensorBoard writer).</summary>
    public Action<MetricRow>? Mirror { get; set; }

    /// <summary>Called once with a message when a replayed row differs from the row on disk.</summary>
    internal Action<string>? OnReplayMismatch { get; set; }

    /// <summary>Number of rows recorded so far, replays and skipped rows included.</summary>
    internal int Cursor { get { lock (_gate) return _cursor; } }

    /// <summary>Rows that already existed on disk when this attempt started.</summary>
    internal int Preloaded { get; private set; }

    /// <summary>Records one value.</summary>
    /// <param name="step">Training step.</param>
    /// <param name="optimizer">Optimizer name.</param>
    /// <param name="seed">Seed.</param>
    /// <param name="metric">Metric name.</param>
    /// <param name="value">Value.</param>
    public void Add(long step, string optimizer, int seed, string metric, double value)
    {
        var row = new MetricRow(step, optimizer, seed, metric, value);
        lock (_gate)
        {
            if (_cursor < _rows.Count)
            {
                if (!_rows[_cursor].Equals(row) && OnReplayMismatch is { } warn)
                {
                    OnReplayMismatch = null;
                    warn($"row {_cursor + 1} of metrics.csv was recorded as '{_rows[_cursor].ToCsvLine().TrimEnd()}' and replays as '{row.ToCsvLine().TrimEnd()}': the run is not deterministic here; the recorded row is kept");
                }
                _cursor++;
                return;
            }
            _rows.Add(row);
            _cursor++;
            _file?.Append(row);
        }
        Mirror?.Invoke(row);
    }

    /// <summary>A snapshot of the rows recorded so far (including rows of earlier attempts).</summary>
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
        var text = new StringBuilder(MetricRow.CsvHeader);
        foreach (var r in Rows) text.Append(r.ToCsvLine());
        return text.ToString();
    }

    /// <summary>Streams every new row to <paramref name="file"/>; <paramref name="existing"/> are the rows it already holds.</summary>
    internal void AttachFile(MetricsFile file, IReadOnlyList<MetricRow> existing)
    {
        lock (_gate)
        {
            if (_rows.Count > 0) throw new InvalidOperationException("A metrics file is attached before anything is recorded.");
            _rows.AddRange(existing);
            Preloaded = existing.Count;
            _file = file;
        }
    }

    /// <summary>Moves the cursor past <paramref name="rows"/> rows that a skipped, finished unit recorded.</summary>
    internal void Skip(int rows)
    {
        lock (_gate)
        {
            if (_cursor + rows > _rows.Count)
                throw new InvalidOperationException($"A finished unit claims rows up to {_cursor + rows}, but metrics.csv holds {_rows.Count}.");
            _cursor += rows;
        }
    }

    /// <summary>Moves the cursor to <paramref name="row"/>: a unit restored from saved state continues from there.</summary>
    internal void JumpTo(int row)
    {
        lock (_gate)
        {
            if (row < _cursor || row > _rows.Count)
                throw new InvalidOperationException($"Cannot move the metrics cursor from {_cursor} to {row} ({_rows.Count} rows recorded).");
            _cursor = row;
        }
    }

    /// <summary>Parses a file written by <see cref="ToCsv"/> or streamed by a run.</summary>
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
