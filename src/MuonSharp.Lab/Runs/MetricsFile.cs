using System.Diagnostics;
using System.Text;

namespace MuonSharp.Lab.Runs;

/// <summary>
/// <c>metrics.csv</c> opened for appending: rows go to an in-process buffer that is flushed to the
/// file at least every <see cref="FlushInterval"/>, and completely at every checkpoint, so a killed
/// run loses at most a few seconds of rows and a resumed run knows exactly how many bytes are good.
/// </summary>
internal sealed class MetricsFile : IDisposable
{
    /// <summary>Longest time a recorded row waits in memory before it reaches the file.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(2);

    private readonly FileStream _stream;
    private readonly StreamWriter _writer;
    private long _lastFlush = Stopwatch.GetTimestamp();

    private MetricsFile(FileStream stream)
    {
        _stream = stream;
        _writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 1 << 16) { AutoFlush = false };
    }

    /// <summary>Time spent formatting, writing and flushing rows (the streaming overhead).</summary>
    public Stopwatch Overhead { get; } = new();

    /// <summary>Creates <paramref name="path"/> holding just the header.</summary>
    public static MetricsFile Create(string path)
    {
        var file = new MetricsFile(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read));
        file._writer.Write(MetricRow.CsvHeader);
        file.Flush();
        return file;
    }

    /// <summary>Opens <paramref name="path"/>, cuts it to <paramref name="length"/> bytes (the last checkpoint's) and appends after them.</summary>
    public static MetricsFile Resume(string path, long length)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
        stream.SetLength(length);
        stream.Seek(0, SeekOrigin.End);
        return new MetricsFile(stream);
    }

    /// <summary>Buffers one row; flushes when the last flush is older than <see cref="FlushInterval"/>.</summary>
    public void Append(MetricRow row)
    {
        Overhead.Start();
        row.WriteCsvLine(_writer);
        if (Stopwatch.GetElapsedTime(_lastFlush) >= FlushInterval) FlushCore();
        Overhead.Stop();
    }

    /// <summary>Writes every buffered row to the file and returns the file's length in bytes.</summary>
    public long Flush()
    {
        Overhead.Start();
        FlushCore();
        Overhead.Stop();
        return _stream.Length;
    }

    private void FlushCore()
    {
        _writer.Flush();
        _stream.Flush(flushToDisk: false);
        _lastFlush = Stopwatch.GetTimestamp();
    }

    public void Dispose()
    {
        try { FlushCore(); }
        catch (IOException) { /* the disk is full or gone: what is on it stays, the checkpoint says how much is good */ }
        _writer.Dispose();
    }
}
