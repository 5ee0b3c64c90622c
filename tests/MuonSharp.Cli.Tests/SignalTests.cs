using System.Text.Json.Nodes;

namespace MuonSharp.Cli.Tests;

/// <summary>
/// The real command, stopped the way users and machines stop it — SIGTERM (timeout, CI runners,
/// docker stop) and SIGKILL — then resumed: the run ends with the metrics an uninterrupted run writes.
/// </summary>
public sealed class SignalTests : IDisposable
{
    // Long enough (several seconds) that the signal lands mid-run; deep-linear records every step.
    private static readonly string[] RunArgs = { "run", "deep-linear", "--quick", "--steps", "1500" };
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"muonsharp-signals-{Guid.NewGuid():N}");

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string Out(string name) => Path.Combine(_root, name);

    private static string[] With(params string[] more) => RunArgs.Concat(more).ToArray();

    private static string Status(string dir) => (string)JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!["status"]!;

    [Fact]
    public void Sigterm_stops_the_run_with_exit_code_143_and_resume_completes_it_byte_identically()
    {
        Assert.Equal(0, CliProcess.Run(With("--out", Out("whole"))));
        using var process = CliProcess.Start(With("--out", Out("stopped")));
        CliProcess.WaitForRows(Path.Combine(Out("stopped"), "metrics.csv"), process);

        CliProcess.Signal(process, "TERM");
        process.WaitForExit();

        Assert.Equal(143, process.ExitCode);
        Assert.Equal("interrupted", Status(Out("stopped")));
        Assert.False(File.Exists(Path.Combine(Out("stopped"), "run.lock")));
        Assert.Equal(0, CliProcess.Run("run", "deep-linear", "--out", Out("stopped"), "--resume"));
        Assert.Equal("completed", Status(Out("stopped")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Out("whole"), "metrics.csv")), File.ReadAllBytes(Path.Combine(Out("stopped"), "metrics.csv")));
    }

    [Fact]
    public void After_kill_9_resume_takes_over_the_stale_lock_and_ends_byte_identical()
    {
        Assert.Equal(0, CliProcess.Run(With("--out", Out("whole"))));
        using var process = CliProcess.Start(With("--out", Out("killed")));
        CliProcess.WaitForRows(Path.Combine(Out("killed"), "metrics.csv"), process);

        process.Kill();
        process.WaitForExit();

        Assert.Equal("running", Status(Out("killed")));              // it never got to say how it ended
        Assert.True(File.Exists(Path.Combine(Out("killed"), "run.lock")));
        Assert.Equal(0, CliProcess.Run(With("--out", Out("killed"), "--resume")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Out("whole"), "metrics.csv")), File.ReadAllBytes(Path.Combine(Out("killed"), "metrics.csv")));
    }
}

/// <summary>Two processes given the same --out: the second is refused and the first's run is intact.</summary>
public sealed class ConcurrentRunTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"muonsharp-concurrent-{Guid.NewGuid():N}");

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void A_second_process_on_the_same_out_gets_a_one_line_error_naming_the_holder()
    {
        using var first = CliProcess.Start("run", "deep-linear", "--quick", "--steps", "1500", "--out", _root);
        CliProcess.WaitForRows(Path.Combine(_root, "metrics.csv"), first);

        using var second = CliProcess.Start(out var refusal, "run", "deep-linear", "--quick", "--seed", "5", "--out", _root);
        second.WaitForExit();
        first.WaitForExit();

        Assert.Equal(2, second.ExitCode);
        Assert.Contains($"pid {first.Id}", refusal.ToString());
        Assert.Equal(0, first.ExitCode);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(_root, "config.json")))!;
        Assert.Equal(0, (int)config["seed"]!);
        Assert.Equal("completed", (string)JsonNode.Parse(File.ReadAllText(Path.Combine(_root, "summary.json")))!["status"]!);
    }
}
