using System.Text.Json.Nodes;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Runs;

public sealed class LabRunnerTests
{
    private static readonly ToyExperiment Toy = new();

    [Fact]
    public void A_run_writes_config_metrics_summary_log_and_plots_and_leaves_no_temporary_files()
    {
        using var temp = new TempDirectory();
        var dir = temp.Sub("toy");

        var summary = LabRunner.Run(Toy, Toy.Quick, dir);

        foreach (var file in new[] { "config.json", "metrics.csv", "summary.json", "log.txt", "plots/loss.png", "plots/loss.svg" })
            Assert.True(File.Exists(Path.Combine(dir, file)), $"{file} missing");
        Assert.Empty(Directory.EnumerateFiles(dir, "*.tmp*", SearchOption.AllDirectories));
        Assert.Equal(RunStatus.Completed, summary.Status);
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;
        Assert.Equal("toy", (string?)written["experiment"]);
        Assert.Equal("holds", (string?)written["claims"]![0]!["verdict"]);
        Assert.NotNull(written["claims"]![0]!["measured"]!["ratio"]);
        Assert.Equal(10, (int?)written["config"]!["steps"]);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        Assert.NotNull(config["muonsharp_version"]);
        Assert.NotNull(config["machine"]!["processors"]);
    }

    [Fact]
    public void The_same_config_and_seed_give_a_byte_identical_metrics_file()
    {
        using var temp = new TempDirectory();

        LabRunner.Run(Toy, Toy.Quick, temp.Sub("a"));
        LabRunner.Run(Toy, Toy.Quick, temp.Sub("b"));
        LabRunner.Run(Toy, Toy.Quick with { Seed = 5 }, temp.Sub("c"));

        var a = File.ReadAllBytes(Path.Combine(temp.Sub("a"), "metrics.csv"));
        Assert.Equal(a, File.ReadAllBytes(Path.Combine(temp.Sub("b"), "metrics.csv")));
        Assert.NotEqual(a, File.ReadAllBytes(Path.Combine(temp.Sub("c"), "metrics.csv")));
    }

    [Fact]
    public void An_interrupted_run_keeps_what_finished_and_says_it_was_interrupted()
    {
        using var temp = new TempDirectory();
        using var interrupter = new CancellationTokenSource();
        var experiment = new ToyExperiment { InterruptAtStep = 4, Interrupter = interrupter };

        var summary = LabRunner.Run(experiment, experiment.Quick, temp.Path, new RunOptions { Cancellation = interrupter.Token });

        Assert.Equal(RunStatus.Interrupted, summary.Status);
        Assert.Empty(summary.Claims);
        Assert.Equal(4, MetricsRecorder.Read(Path.Combine(temp.Path, "metrics.csv")).Count);
        Assert.Contains("interrupted", File.ReadAllText(Path.Combine(temp.Path, "log.txt")));
        Assert.Equal("interrupted", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "summary.json")))!["status"]);
    }

    [Fact]
    public void A_directory_that_already_holds_a_run_is_refused_and_left_untouched()
    {
        using var temp = new TempDirectory();
        LabRunner.Run(Toy, Toy.Quick, temp.Path);
        var before = File.ReadAllBytes(Path.Combine(temp.Path, "metrics.csv"));

        var error = Assert.Throws<LabUserException>(() => LabRunner.Run(Toy, Toy.Quick with { Seed = 9 }, temp.Path));

        Assert.Contains("already holds a run", error.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(temp.Path, "metrics.csv")));
    }

    [Fact]
    public void An_unknown_optimizer_is_refused_naming_the_known_ones()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<LabUserException>(() => LabRunner.Run(Toy, Toy.Quick with { Optimizers = new[] { "adam" } }, temp.Path));

        Assert.Contains("'adam'", error.Message);
        Assert.Contains("gd, gd-half", error.Message);
    }

    [Fact]
    public void Claims_round_trip_through_summary_json()
    {
        using var temp = new TempDirectory();
        var written = LabRunner.Run(Toy, Toy.Quick, temp.Path);

        var read = LabRunner.ReadSummary(temp.Path);

        Assert.Equal(written.Claims.Single().Measured["ratio"], read.Claims.Single().Measured["ratio"]);
        Assert.Equal(Verdict.Holds, read.Claims.Single().Verdict);
    }

    [Theory]
    [InlineData(ExperimentSize.Quick, 0, "quick")]
    [InlineData(ExperimentSize.Paper, 0, "paper")]
    [InlineData(ExperimentSize.Quick, 3, "custom")]
    public void Config_json_and_summary_say_the_size(ExperimentSize size, int seed, string expected)
    {
        using var temp = new TempDirectory();
        var config = (ToyConfig)Toy.DefaultConfig(size) with { Seed = seed };

        var summary = LabRunner.Run(Toy, config, temp.Path);

        Assert.Equal(expected, summary.Size);
        Assert.Equal(expected, (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "config.json")))!["size"]);
        Assert.True(summary.WallSeconds >= 0);
    }
}
