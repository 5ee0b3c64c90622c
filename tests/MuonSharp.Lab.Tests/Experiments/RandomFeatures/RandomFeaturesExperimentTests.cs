using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Experiments.RandomFeatures;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Experiments.RandomFeatures;

public sealed class RandomFeaturesExperimentTests
{
    private static readonly RandomFeaturesExperiment Experiment = new();

    /// <summary>Smaller than Quick: the tests check plumbing and determinism, not the paper's claims.</summary>
    private static RandomFeaturesConfig Tiny => Experiment.Quick with { Steps = 40, SwigluSteps = 40, SweepScales = new[] { 0.25, 0.5 }, SweepMaxSteps = 300 };

    [Fact]
    public void The_registry_finds_the_experiment_with_the_papers_settings()
    {
        var found = ExperimentRegistry.Get("random-features");

        var paper = (RandomFeaturesConfig)found.DefaultConfig(ExperimentSize.Paper);
        Assert.IsType<RandomFeaturesExperiment>(found);
        Assert.Equal((100, 100, 50, 400), (paper.OutputDim, paper.FeatureDim, paper.InputDim, paper.Samples));
        Assert.Equal(new[] { "gd", "spectral-gd" }, paper.Optimizers);
        Assert.Empty(paper.Validate());
        Assert.Empty(Experiment.Quick.Validate());
        Assert.True(Experiment.Quick.Seeds >= 2);
    }

    [Fact]
    public void A_quick_run_draws_its_plots_and_records_its_metrics()
    {
        using var temp = new TempDirectory();

        LabRunner.Run(Experiment, Experiment.Quick, temp.Path);

        foreach (var plot in new[] { "relu_loss", "relu_condition", "swiglu_loss", "swiglu_condition", "sweep_speedup", "sweep_steps", "steps_to_target" })
            Assert.True(File.Exists(Path.Combine(temp.Path, "plots", plot + ".png")), $"{plot}.png missing");
        var metrics = MetricsRecorder.Read(Path.Combine(temp.Path, "metrics.csv")).Select(r => r.Metric).ToHashSet();
        Assert.Superset(new HashSet<string> { "relu/relative_loss", "relu/nuclear_rank_g", "relu/stable_rank_a", "relu/condition_ratio", "swiglu/relative_loss", "sweep/steps_to_target", "sweep/speedup" }, metrics);
    }

    [Fact]
    public void The_same_config_and_seed_give_identical_metrics()
    {
        using var temp = new TempDirectory();

        LabRunner.Run(Experiment, Tiny, temp.Sub("a"));
        LabRunner.Run(Experiment, Tiny, temp.Sub("b"));

        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Sub("a"), "metrics.csv")), File.ReadAllBytes(Path.Combine(temp.Sub("b"), "metrics.csv")));
    }

    [Fact]
    public void With_one_optimizer_the_comparisons_are_inconclusive_not_errors()
    {
        using var temp = new TempDirectory();

        var summary = LabRunner.Run(Experiment, Tiny with { Optimizers = new[] { "gd" }, Swiglu = false }, temp.Path);

        Assert.All(summary.Claims, c => Assert.Equal(Verdict.Inconclusive, c.Verdict));
    }

    [Theory]
    [InlineData("target_fraction=1.5", "target_fraction")]
    [InlineData("sweep_scales=0.001,1", "sweep_scales")]
    [InlineData("swiglu_steps=0", "swiglu_steps")]
    [InlineData("samples=1", "samples")]
    public void Bad_values_are_refused_naming_the_key(string assignment, string key)
    {
        var error = Assert.Throws<LabUserException>(() => ConfigOverrides.Apply(Experiment.Quick, new[] { assignment }));

        Assert.Contains(key, error.Message);
    }
}
