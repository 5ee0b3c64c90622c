using System.Text.Json.Nodes;
using MuonSharp.Cli;

namespace MuonSharp.Cli.Tests;

/// <summary>muonsharp sweep with the local executor, run-point and status, end to end (output captured).</summary>
public sealed class SweepCommandsTests : CapturedConsole
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"muonsharp-sweep-{Guid.NewGuid():N}");

    public override void Dispose()
    {
        base.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string Out(string name) => Path.Combine(_root, name);

    private int Run(params string[] args) => LabCommands.Invoke(args);

    [Theory]
    [InlineData("--grid", "nope=1,2", "unknown config key 'nope'", "samples")]
    [InlineData("--grid", "samples=256,1", "--grid point samples=1", "samples = 1: must be ≥ 2")]
    [InlineData("--grid", "samples=", "zero points", "samples=v1,v2")]
    [InlineData("--parallel", "64", "--parallel 64 × --threads 1", "cores")]
    [InlineData("--executor", "cloud", "cloud", "local")]
    public void Bad_input_is_one_line_exit_2_and_nothing_is_written(string option, string value, string named, string accepted)
    {
        AssertOneLineError(Run("sweep", "stable-rank-init", "--quick", option, value, "--out", Out("bad")), named, accepted);
        Assert.False(Directory.Exists(Out("bad")));
    }

    [Fact]
    public void A_missing_sbatch_is_one_line_exit_2_and_nothing_is_written_or_submitted()
    {
        var path = Environment.GetEnvironmentVariable("PATH");
        Directory.CreateDirectory(Out("empty-bin"));
        Environment.SetEnvironmentVariable("PATH", Out("empty-bin"));
        try
        {
            AssertOneLineError(Run("sweep", "stable-rank-init", "--quick", "--executor", "slurm", "--out", Out("slurm")), "'sbatch' is not on PATH", "--executor local");
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
        Assert.False(Directory.Exists(Out("slurm")));
    }

    [Fact]
    public void A_dry_run_prints_the_slurm_script_and_writes_nothing()
    {
        Assert.Equal(0, Run("sweep", "stable-rank-init", "--quick", "--grid", "samples=128,256", "--executor", "slurm", "--dry-run", "--parallel", "3", "--slurm-time", "5:00", "--out", Out("dry")));

        Assert.Contains("#SBATCH --array=0-3%3", Console.Output);
        Assert.Contains("#SBATCH --time=5:00", Console.Output);
        Assert.Contains($"exec muonsharp sweep run-point '{Out("dry")}' --index \"$SLURM_ARRAY_TASK_ID\" --threads 1", Console.Output);
        Assert.False(Directory.Exists(Out("dry")));
    }

    [Fact]
    public void Report_refuses_sweep_options_on_a_folder_of_runs()
    {
        Directory.CreateDirectory(_root);
        AssertOneLineError(Run("report", _root, "--metric", "loss"), "--metric and --x apply to a sweep directory", "manifest.jsonl");
    }

    [Fact]
    public void Status_refuses_a_folder_without_a_sweep()
    {
        Directory.CreateDirectory(_root);
        AssertOneLineError(Run("sweep", "status", _root), "holds no sweep", "muonsharp sweep <id>");
    }

    [Fact]
    public void Run_point_refuses_an_index_outside_the_manifest()
    {
        Directory.CreateDirectory(Out("s"));
        File.WriteAllText(Path.Combine(Out("s"), "manifest.jsonl"), "");
        AssertOneLineError(Run("sweep", "run-point", Out("s"), "--index", "0"), "--index 0", "has no points");
    }

    [Fact]
    public void A_point_that_fails_is_named_with_its_exit_code_its_last_line_and_its_log_and_the_sweep_exits_1()
    {
        // Point 0's run directory is locked by a live process (this one), so its child refuses to write it.
        var experiment = Lab.Experiments.ExperimentRegistry.Get("stable-rank-init");
        var points = Lab.Sweeps.SweepGrid.Expand(experiment, experiment.DefaultConfig(Lab.Experiments.ExperimentSize.Quick), Array.Empty<Lab.Sweeps.GridAxis>(), 1);
        Lab.Sweeps.SweepManifest.WriteOrMatch(Out("sweep"), points);
        var locked = Lab.Sweeps.SweepManifest.RunDirectoryOf(Out("sweep"), points[0]);
        Directory.CreateDirectory(locked);
        File.WriteAllText(Path.Combine(locked, "run.lock"), $"{Environment.MachineName} {Environment.ProcessId}\n");
        Console.Profile.Width = 1000;   // the failure line names two temporary paths: keep it on one line

        Assert.Equal(1, Run("sweep", "stable-rank-init", "--quick", "--seeds", "1", "--out", Out("sweep")));

        Assert.Contains("point 0 (seed 0) failed with exit code 2: error:", Console.Output);
        Assert.Contains("is being written by another process", Console.Output);
        Assert.Contains($"(log: {Path.Combine(Out("sweep"), "logs", "point-000.log")})", Console.Output);
        Assert.Contains("0 of 1 point(s) done", Console.Output);
        Assert.Contains("run the same command again to finish what is left", Console.Output);
    }

    /// <summary>
    /// The sweep's point runs equal running each point alone with `muonsharp run` and the same threads:
    /// config.json and metrics.csv byte for byte, summary.json in everything but wall_seconds (the time
    /// the run took, which no two runs share). log.txt (times of day, durations) and the checkpoint's
    /// unit files are not compared; plots are drawn from metrics.csv.
    /// </summary>
    [Fact]
    public void A_local_sweep_runs_every_point_as_a_standalone_run_would_and_running_it_again_skips_them()
    {
        string[] sweep = { "sweep", "stable-rank-init", "--quick", "--grid", "samples=128,256", "--seeds", "2", "--out", Out("sweep") };
        Assert.Equal(0, Run(sweep));
        Assert.Contains("4 of 4 point(s) done", Console.Output);

        var manifest = File.ReadAllLines(Path.Combine(Out("sweep"), "manifest.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(4, manifest.Count);
        foreach (var point in manifest)
        {
            var dir = Path.Combine(Out("sweep"), (string)point["directory"]!);
            var alone = Out($"alone-{(int)point["index"]!}");
            Assert.Equal(0, Run("run", "stable-rank-init", "--quick", "--set", $"samples={(int)point["grid"]!["samples"]!}", "--seed", $"{(int)point["seed"]!}",
                "--seeds", "1", "--threads", "1", "--out", alone));
            Assert.Equal(File.ReadAllBytes(Path.Combine(alone, "config.json")), File.ReadAllBytes(Path.Combine(dir, "config.json")));
            Assert.Equal(File.ReadAllBytes(Path.Combine(alone, "metrics.csv")), File.ReadAllBytes(Path.Combine(dir, "metrics.csv")));
            Assert.Equal(WithoutWallTime(alone), WithoutWallTime(dir));
        }

        var written = File.GetLastWriteTimeUtc(Path.Combine(Out("sweep"), (string)manifest[0]["directory"]!, "summary.json"));
        Assert.Equal(0, Run(sweep));
        Assert.Contains("4 already done; running 0", Console.Output);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(Out("sweep"), (string)manifest[0]["directory"]!, "summary.json")));

        Assert.Equal(0, Run("sweep", "status", Out("sweep")));
        Assert.Contains("4 point(s): 0 pending, 0 running, 4 done, 0 failed", Console.Output);

        Assert.Equal(0, Run("report", Out("sweep"), "--metric", "stable_rank"));
        Assert.Contains("| samples=256 | 2/2 | c-depth-relu2 | 2 holds | ", File.ReadAllText(Path.Combine(Out("sweep"), "report.md")));

        // The folder holding the sweep and the four runs alone: its report has the four runs only and names the sweep,
        // whose own report (built with --metric) is left as it was.
        var sweepReport = File.ReadAllText(Path.Combine(Out("sweep"), "report.md"));
        Assert.Equal(0, Run("report", _root));
        var folder = File.ReadAllText(Path.Combine(_root, "report.md"));
        Assert.Contains("4 run(s) under", folder);
        Assert.Contains("left out of this report (their points differ in config, not only in seed): sweep;", folder);
        Assert.DoesNotContain("points/", folder);
        Assert.Equal(sweepReport, File.ReadAllText(Path.Combine(Out("sweep"), "report.md")));
        Assert.Equal(2, Run("report", Path.Combine(Out("sweep"), "points")));
        Assert.Contains($"is inside the sweep '{Out("sweep")}'", Console.Output);
    }

    [Fact]
    public void Each_point_runs_with_the_threads_given_and_records_them_in_its_config()
    {
        int threads = Math.Min(2, Environment.ProcessorCount);   // K × T must fit the cores
        Assert.Equal(0, Run("sweep", "stable-rank-init", "--quick", "--seeds", "1", "--threads", $"{threads}", "--parallel", "1", "--out", Out("threads")));

        var point = JsonNode.Parse(File.ReadAllLines(Path.Combine(Out("threads"), "manifest.jsonl"))[0])!;
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Out("threads"), (string)point["directory"]!, "config.json")))!;
        Assert.Equal(threads, (int)config["machine"]!["torch_threads"]!);
        Assert.Contains($"running 1, 1 at a time with {threads} torch thread(s) each", Console.Output);
    }

    private static string WithoutWallTime(string dir)
    {
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!.AsObject();
        Assert.True(summary.Remove("wall_seconds"));
        return summary.ToJsonString();
    }
}
