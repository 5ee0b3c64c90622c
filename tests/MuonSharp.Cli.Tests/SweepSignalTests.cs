using System.Text.Json.Nodes;

namespace MuonSharp.Cli.Tests;

/// <summary>Ctrl+C on a local sweep: no further point starts, the running children checkpoint and stop, the same command finishes.</summary>
public sealed class SweepSignalTests : IDisposable
{
    // deep-linear records every step; 1500 steps of gd last a few seconds, so the signal lands mid-point.
    private static readonly string[] Sweep = { "sweep", "deep-linear", "--quick", "--set", "steps=1500", "--set", "optimizers=gd", "--grid", "gd_lr=0.05,0.04,0.03", "--seeds", "1", "--parallel", "2" };
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"muonsharp-sweep-signal-{Guid.NewGuid():N}");

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private IReadOnlyList<string> PointDirectories() =>
        File.ReadAllLines(Path.Combine(_root, "manifest.jsonl")).Select(l => Path.Combine(_root, (string)JsonNode.Parse(l)!["directory"]!)).ToList();

    private static string? Status(string dir) =>
        File.Exists(Path.Combine(dir, "summary.json")) ? (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!["status"] : null;

    [Fact]
    public void Sigint_stops_the_children_cleanly_with_exit_130_and_the_same_command_finishes_the_sweep()
    {
        using var process = CliProcess.Start(out var output, Sweep.Append("--out").Append(_root).ToArray());
        CliProcess.WaitForRows(Path.Combine(PointDirectoriesWhenWritten(process)[0], "metrics.csv"), process);

        CliProcess.Signal(process, "INT");
        process.WaitForExit();

        Assert.True(130 == process.ExitCode, output.ToString());
        var points = PointDirectories();
        Assert.Equal("interrupted", Status(points[0]));                       // stopped mid-run, checkpointed
        Assert.Null(Status(points[2]));                                       // never started: only two at a time
        Assert.All(points, p => Assert.False(File.Exists(Path.Combine(p, "run.lock"))));

        Assert.Equal(0, CliProcess.Run(Sweep.Append("--out").Append(_root).ToArray()));
        Assert.All(PointDirectories(), p => Assert.Equal("completed", Status(p)));
    }

    private IReadOnlyList<string> PointDirectoriesWhenWritten(System.Diagnostics.Process process)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(_root, "manifest.jsonl")) && clock.Elapsed < TimeSpan.FromMinutes(1) && !process.HasExited) Thread.Sleep(50);
        return PointDirectories();
    }
}
