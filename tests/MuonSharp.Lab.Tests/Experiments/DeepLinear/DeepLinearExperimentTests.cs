using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Experiments.DeepLinear;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Experiments.DeepLinear;

/// <summary>
/// The deep-linear experiment end to end at its quick size: files, metrics, verdicts, determinism,
/// config errors. Whether the paper's claims hold is what the experiment measures, not what these
/// tests assert.
/// </summary>
public sealed class DeepLinearExperimentTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "muonsharp-deeplinear-tests", Guid.NewGuid().ToString("N"));
    private readonly DeepLinearExperiment _experiment = new();

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void The_registry_finds_the_experiment_by_its_id()
    {
        Assert.IsType<DeepLinearExperiment>(ExperimentRegistry.Get("deep-linear"));
        Assert.Equal(new[] { "gd", "spectral-gd", "muon", "normuon" }, _experiment.KnownOptimizers);
        Assert.Equal(4, _experiment.Claims.Count);
    }

    [Fact]
    public void A_quick_run_writes_its_files_records_every_metric_and_judges_every_claim()
    {
        var config = _experiment.Quick;
        var directory = Path.Combine(_root, "quick");

        var summary = LabRunner.Run(_experiment, config, directory);

        Assert.Equal(RunStatus.Completed, summary.Status);
        foreach (var file in new[] { "config.json", "metrics.csv", "summary.json", "log.txt" })
            Assert.True(File.Exists(Path.Combine(directory, file)), file);
        foreach (var plot in new[] { "sigma-gd", "sigma-spectral-gd", "sigma-muon", "excess-loss", "tail-loss", "half-times", "plateaus", "tail-oscillation" })
            Assert.True(File.Exists(Path.Combine(directory, "plots", plot + ".png")), plot);

        Assert.Equal(_experiment.Claims.Select(c => c.Id), summary.Claims.Select(c => c.Id));
        Assert.All(summary.Claims, c => Assert.NotEmpty(c.Measured));

        var rows = MetricsRecorder.Read(Path.Combine(directory, "metrics.csv"));
        var expectedMetrics = new[] { "loss", "excess_loss" }.Concat(Enumerable.Range(1, config.Modes).Select(i => $"sigma_{i}"));
        foreach (var optimizer in config.Optimizers)
            foreach (int seed in config.SeedList)
                foreach (var metric in expectedMetrics)
                    Assert.Equal(config.Steps + 1, rows.Count(r => r.Optimizer == optimizer && r.Seed == seed && r.Metric == metric));
    }

    [Fact]
    public void The_same_config_and_seed_give_identical_metrics()
    {
        var config = _experiment.Quick with { Seeds = 1, Steps = 60 };

        LabRunner.Run(_experiment, config, Path.Combine(_root, "first"));
        LabRunner.Run(_experiment, config, Path.Combine(_root, "second"));

        Assert.Equal(File.ReadAllText(Path.Combine(_root, "first", "metrics.csv")),
                     File.ReadAllText(Path.Combine(_root, "second", "metrics.csv")));
    }

    [Fact]
    public void Claims_that_compare_optimizers_are_inconclusive_when_one_is_missing()
    {
        var config = _experiment.Quick with { Optimizers = new[] { "gd" }, Seeds = 1 };

        var summary = LabRunner.Run(_experiment, config, Path.Combine(_root, "gd-only"));

        var verdicts = summary.Claims.ToDictionary(c => c.Id, c => c.Verdict);
        Assert.Equal(Verdict.Inconclusive, verdicts["b-spectral-equal-rate"]);
        Assert.Equal(Verdict.Inconclusive, verdicts["c-plateaus"]);
        Assert.Equal(Verdict.Inconclusive, verdicts["d-oscillation"]);
    }

    [Fact]
    public void Too_few_steps_make_the_claims_inconclusive_rather_than_wrong()
    {
        var config = _experiment.Quick with { Seeds = 1, Steps = 10 };

        var summary = LabRunner.Run(_experiment, config, Path.Combine(_root, "short"));

        Assert.All(summary.Claims, c => Assert.Equal(Verdict.Inconclusive, c.Verdict));
    }

    [Theory]
    [InlineData("target_singular_values=1,2,3", "strictly decreasing")]
    [InlineData("target_singular_values=4", "at least 2")]
    [InlineData("hidden_width=2", "at most min(input_dim, output_dim, hidden_width)")]
    [InlineData("gd_lr=0.3", "1/s₁")]
    [InlineData("samples=4", "samples ≥ input_dim")]
    [InlineData("muon_momentum=1", "muon_momentum")]
    [InlineData("tail_fraction=0.9", "tail_fraction")]
    public void Bad_settings_are_user_errors_naming_the_key(string assignment, string expected)
    {
        var error = Assert.Throws<LabUserException>(() => ConfigOverrides.Apply(_experiment.Quick, new[] { assignment }));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Overrides_by_snake_case_key_reach_the_config()
    {
        var config = (DeepLinearConfig)ConfigOverrides.Apply(_experiment.Paper, new[] { "target_singular_values=6,3,1", "whiten_inputs=false", "init_scale=1e-5" });
        Assert.Equal(new double[] { 6, 3, 1 }, config.TargetSingularValues);
        Assert.False(config.WhitenInputs);
        Assert.Equal(1e-5, config.InitScale);
        Assert.Equal(3, config.Modes);
    }
}
