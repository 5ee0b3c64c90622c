using System.Diagnostics;
using System.Text.Json.Nodes;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Runs;

/// <summary>Runs that are stopped — by a crash, an interrupt or a crash inside a checkpoint write — and resumed.</summary>
public sealed class ResumeTests
{
    private static readonly ToyExperiment Toy = new();
    private static readonly ToyConfig Config = Toy.Quick;

    private static byte[] Metrics(string dir) => File.ReadAllBytes(Path.Combine(dir, "metrics.csv"));

    private static byte[] Uninterrupted(TempDirectory temp, ToyConfig config)
    {
        LabRunner.Run(Toy, config, temp.Sub("whole"));
        return Metrics(temp.Sub("whole"));
    }

    [Fact]
    public void A_run_that_crashed_mid_unit_resumes_to_a_byte_identical_metrics_file_skipping_finished_units()
    {
        using var temp = new TempDirectory();
        var expected = Uninterrupted(temp, Config);
        var dir = temp.Sub("crashed");

        Assert.Throws<InvalidOperationException>(() => LabRunner.Run(new ToyExperiment { CrashAt = (2, 5) }, Config, dir));
        var resumed = new ToyExperiment();
        var summary = LabRunner.Run(resumed, Config, dir, new RunOptions { Resume = true });

        Assert.Equal(RunStatus.Completed, summary.Status);
        Assert.Equal(expected, Metrics(dir));
        Assert.Equal(2 * Config.Steps, resumed.StepsComputed);   // units 0 and 1 were skipped, 2 and 3 redone
        Assert.Equal(LabRunner.ReadSummary(temp.Sub("whole")).Claims.Single().Measured["ratio"], summary.Claims.Single().Measured["ratio"]);
    }

    [Fact]
    public void A_unit_that_saved_its_state_continues_from_it_and_the_metrics_file_is_byte_identical()
    {
        using var temp = new TempDirectory();
        var config = Config with { SaveState = true };
        var expected = Uninterrupted(temp, config);
        var dir = temp.Sub("crashed");
        var everyStep = new RunOptions { CheckpointInterval = TimeSpan.Zero };

        Assert.Throws<InvalidOperationException>(() => LabRunner.Run(new ToyExperiment { CrashAt = (1, 7) }, config, dir, everyStep));
        var resumed = new ToyExperiment();
        LabRunner.Run(resumed, config, dir, everyStep with { Resume = true });

        Assert.Equal(expected, Metrics(dir));
        Assert.Equal(2 * Config.Steps + (Config.Steps - 6), resumed.StepsComputed); // unit 1 continues from its state saved before step 6
        Assert.Contains("continues from its saved state", File.ReadAllText(Path.Combine(dir, "log.txt")));
    }

    [Theory]
    [InlineData("unit result written")]
    [InlineData("unit state written")]
    public void A_crash_between_a_checkpoints_data_and_its_manifest_resumes_from_the_previous_checkpoint(string point)
    {
        using var temp = new TempDirectory();
        var config = Config with { SaveState = true };
        var expected = Uninterrupted(temp, config);
        var dir = temp.Sub("crashed");
        int hits = 0;
        var crashing = new RunOptions
        {
            CheckpointInterval = TimeSpan.Zero,
            CheckpointFault = p => { if (p == point && ++hits == 3) throw new InvalidOperationException("simulated crash while checkpointing"); },
        };

        Assert.Throws<InvalidOperationException>(() => LabRunner.Run(Toy, config, dir, crashing));
        LabRunner.Run(new ToyExperiment(), config, dir, new RunOptions { Resume = true, CheckpointInterval = TimeSpan.Zero });

        Assert.Equal(expected, Metrics(dir));
    }

    [Fact]
    public void An_interrupted_run_says_so_and_resumes_to_completion()
    {
        using var temp = new TempDirectory();
        var expected = Uninterrupted(temp, Config);
        var dir = temp.Sub("interrupted");
        using var interrupter = new CancellationTokenSource();

        var stopped = LabRunner.Run(new ToyExperiment { InterruptAtStep = 4, Interrupter = interrupter }, Config, dir,
            new RunOptions { Cancellation = interrupter.Token });
        var resumed = LabRunner.Run(Toy, Config, dir, new RunOptions { Resume = true });

        Assert.Equal(RunStatus.Interrupted, stopped.Status);
        Assert.Equal(RunStatus.Completed, resumed.Status);
        Assert.Equal(expected, Metrics(dir));
        Assert.Equal("completed", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!["status"]);
    }

    [Fact]
    public void Without_resume_an_interrupted_run_is_refused_and_the_message_names_the_flag()
    {
        using var temp = new TempDirectory();
        Assert.Throws<InvalidOperationException>(() => LabRunner.Run(new ToyExperiment { CrashAt = (1, 0) }, Config, temp.Path));
        var before = Metrics(temp.Path);

        var error = Assert.Throws<LabUserException>(() => LabRunner.Run(Toy, Config, temp.Path));

        Assert.Contains("--resume", error.Message);
        Assert.Equal(before, Metrics(temp.Path));
    }

    [Fact]
    public void Resuming_with_another_config_is_refused_naming_the_key()
    {
        using var temp = new TempDirectory();
        Assert.Throws<InvalidOperationException>(() => LabRunner.Run(new ToyExperiment { CrashAt = (1, 0) }, Config, temp.Path));

        var error = Assert.Throws<LabUserException>(() => LabRunner.Run(Toy, Config with { Steps = 11 }, temp.Path, new RunOptions { Resume = true }));

        Assert.Contains("steps: started with 10, now 11", error.Message);
    }

    [Fact]
    public void Resuming_a_completed_run_returns_it_without_running_again()
    {
        using var temp = new TempDirectory();
        LabRunner.Run(Toy, Config, temp.Path);
        var before = Metrics(temp.Path);
        var again = new ToyExperiment();

        var summary = LabRunner.Run(again, Config, temp.Path, new RunOptions { Resume = true });

        Assert.Equal(RunStatus.Completed, summary.Status);
        Assert.Equal(0, again.StepsComputed);
        Assert.Equal(before, Metrics(temp.Path));
    }

    [Fact]
    public void Resume_on_an_empty_directory_starts_the_run()
    {
        using var temp = new TempDirectory();

        var summary = LabRunner.Run(Toy, Config, temp.Sub("new"), new RunOptions { Resume = true });

        Assert.Equal(RunStatus.Completed, summary.Status);
    }

    [Theory]
    [InlineData(1)]   // written before the optimizers' state format 2: its state files must not be read
    [InlineData(99)]
    public void A_checkpoint_of_another_format_is_refused_with_both_versions(int otherFormat)
    {
        using var temp = new TempDirectory();
        Assert.Throws<InvalidOperationException>(() => LabRunner.Run(new ToyExperiment { CrashAt = (1, 0) }, Config, temp.Path));
        var manifest = Path.Combine(temp.Path, "checkpoint", "checkpoint.json");
        var node = JsonNode.Parse(File.ReadAllText(manifest))!;
        node["format"] = otherFormat;
        File.WriteAllText(manifest, node.ToJsonString());

        var error = Assert.Throws<LabUserException>(() => LabRunner.Run(Toy, Config, temp.Path, new RunOptions { Resume = true }));

        Assert.Contains($"format {otherFormat} (", error.Message);
        Assert.Contains($"format {RunCheckpoint.Format} only", error.Message);
    }

    [Fact]
    public void A_run_directory_of_the_format_before_checkpoints_is_refused_for_resume()
    {
        using var temp = new TempDirectory();
        Assert.Throws<InvalidOperationException>(() => LabRunner.Run(new ToyExperiment { CrashAt = (1, 0) }, Config, temp.Path));
        var configPath = Path.Combine(temp.Path, "config.json");
        var node = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        node.Remove("format_version");
        File.WriteAllText(configPath, node.ToJsonString());

        var error = Assert.Throws<LabUserException>(() => LabRunner.Run(Toy, Config, temp.Path, new RunOptions { Resume = true }));

        Assert.Contains("format 1", error.Message);
    }

    [Fact]
    public void A_truncated_metrics_file_is_refused_rather_than_resumed_inexactly()
    {
        using var temp = new TempDirectory();
        Assert.Throws<InvalidOperationException>(() => LabRunner.Run(new ToyExperiment { CrashAt = (2, 0) }, Config, temp.Path));
        File.WriteAllText(Path.Combine(temp.Path, "metrics.csv"), "step,optimizer,seed,metric,value\n");

        var error = Assert.Throws<LabUserException>(() => LabRunner.Run(Toy, Config, temp.Path, new RunOptions { Resume = true }));

        Assert.Contains("cannot be resumed", error.Message);
    }

    [Fact]
    public void Metrics_of_finished_units_are_on_disk_before_the_run_ends()
    {
        using var temp = new TempDirectory();

        Assert.Throws<InvalidOperationException>(() => LabRunner.Run(new ToyExperiment { CrashAt = (2, 0) }, Config, temp.Path));

        Assert.Equal(2 * Config.Steps, MetricsRecorder.Read(Path.Combine(temp.Path, "metrics.csv")).Count);
        Assert.Equal("failed", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "summary.json")))!["status"]);
    }

    [Fact]
    public void A_full_disk_while_checkpointing_is_a_one_line_user_error_and_the_run_resumes_once_there_is_room()
    {
        using var temp = new TempDirectory();
        var expected = Uninterrupted(temp, Config);
        var dir = temp.Sub("full");
        int hits = 0;
        var fullDisk = new RunOptions { CheckpointFault = p => { if (++hits == 2) throw new IOException("No space left on device"); } };

        var error = Assert.Throws<LabUserException>(() => LabRunner.Run(Toy, Config, dir, fullDisk));
        LabRunner.Run(Toy, Config, dir, new RunOptions { Resume = true });

        Assert.Contains("No space left on device", error.Message);
        Assert.Contains("--resume", error.Message);
        Assert.Empty(Directory.EnumerateFiles(dir, "*.tmp*", SearchOption.AllDirectories));
        Assert.Equal(expected, Metrics(dir));
    }
}
