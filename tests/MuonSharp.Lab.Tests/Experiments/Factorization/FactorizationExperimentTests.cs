using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Experiments.Factorization;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Experiments.Factorization;

public sealed class FactorizationExperimentTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "muonsharp-factorization-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void The_registry_finds_the_experiment()
    {
        Assert.IsType<FactorizationExperiment>(ExperimentRegistry.Get("factorization"));
    }

    [Fact]
    public void A_quick_run_writes_its_files_and_judges_every_claim()
    {
        // Given the quick size,
        var experiment = new FactorizationExperiment();
        var directory = Path.Combine(_root, "quick");

        // when it runs through the lab runner,
        var summary = LabRunner.Run(experiment, experiment.Quick, directory);

        // then every file is there and every declared claim got a verdict (whichever it is).
        Assert.Equal(RunStatus.Completed, summary.Status);
        foreach (var file in new[] { "config.json", "metrics.csv", "summary.json", "log.txt" })
            Assert.True(File.Exists(Path.Combine(directory, file)), file);
        Assert.NotEmpty(summary.Plots);
        Assert.All(summary.Plots, plot => Assert.True(File.Exists(Path.Combine(directory, plot)), plot));
        Assert.Equal(experiment.Claims.Select(c => c.Id), summary.Claims.Select(c => c.Id));
        Assert.All(summary.Claims, c => Assert.NotEmpty(c.Measured));
    }

    [Fact]
    public void Same_config_and_seed_give_identical_metrics()
    {
        // A cut-down quick config: every part runs, in well under a second.
        var experiment = new FactorizationExperiment();
        var config = experiment.Quick with
        {
            Seeds = 1, Steps = 40, FlowSteps = 40, UnstableSteps = 20, HessianIterations = 20,
            Kappas = new double[] { 2, 8 }, AnnealMaxSteps = 80, TwoStepSteps = 6,
        };

        LabRunner.Run(experiment, config, Path.Combine(_root, "first"));
        LabRunner.Run(experiment, config, Path.Combine(_root, "second"));

        Assert.Equal(File.ReadAllText(Path.Combine(_root, "first", "metrics.csv")), File.ReadAllText(Path.Combine(_root, "second", "metrics.csv")));
    }

    [Fact]
    public void A_cut_short_run_is_inconclusive_rather_than_wrong()
    {
        // Given too few steps for any mode to be learned,
        var experiment = new FactorizationExperiment();
        var config = experiment.Quick with { Seeds = 1, Steps = 5, FlowSteps = 5, UnstableSteps = 5, HessianIterations = 5, Kappas = new double[] { 2, 8 }, AnnealMaxSteps = 5, TwoStepSteps = 3 };

        var summary = LabRunner.Run(experiment, config, Path.Combine(_root, "short"));

        // then claim (a) cannot be decided.
        Assert.Equal(Verdict.Inconclusive, summary.Claims.Single(c => c.Id == "a-equal-rates").Verdict);
    }

    [Theory]
    [InlineData(39.6021035108607, 39.60210351)]
    [InlineData(39.60210351086069, 39.60210351)]
    [InlineData(-0.000123456789123, -0.0001234567891)]
    [InlineData(0.0, 0.0)]
    public void Hessian_eigenvalues_keep_the_ten_digits_power_iteration_vouches_for(double raw, double expected)
    {
        Assert.Equal(expected, CriticalStepSize.RoundToSignificantDigits(raw, 10), 15);
    }

    [Theory]
    [InlineData("kappas=4", "kappas")]
    [InlineData("unstable_factors=0.9", "unstable_factors")]
    [InlineData("hidden_width=4", "hidden_width")]
    [InlineData("anneal_gamma=1", "anneal_gamma")]
    [InlineData("two_step_steps=1", "two_step_steps")]
    public void Bad_values_are_rejected_naming_the_key(string assignment, string key)
    {
        var experiment = new FactorizationExperiment();

        var error = Assert.Throws<LabUserException>(() => ConfigOverrides.Apply(experiment.Quick, new[] { assignment }));

        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void Paper_defaults_are_003_s_settings()
    {
        var paper = new FactorizationExperiment().Paper;

        Assert.Equal((32, 32, 10.0, 5e-3, 1e-4), (paper.TargetDim, paper.HiddenWidth, paper.TargetScale, paper.InitScale, paper.TwoStepInitScale));
        Assert.Equal(new[] { "spectral-gd", "gd" }, paper.Optimizers);
        Assert.Empty(paper.Validate());
    }
}
