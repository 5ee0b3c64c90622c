using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Experiments.Routing;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Experiments.Routing;

public sealed class RoutingExperimentTests
{
    private static readonly RoutingExperiment Experiment = new();

    [Fact]
    public void The_registry_finds_routing()
    {
        Assert.IsType<RoutingExperiment>(ExperimentRegistry.Get("routing"));
    }

    [Fact]
    public void A_quick_run_writes_its_files_and_judges_every_claim()
    {
        using var temp = new TempDirectory();

        var summary = LabRunner.Run(Experiment, Experiment.Quick, temp.Path);

        Assert.Equal(RunStatus.Completed, summary.Status);
        foreach (var file in new[] { "config.json", "metrics.csv", "summary.json", "log.txt",
                     "plots/errors.png", "plots/shared_singular_values.png", "plots/learned_singular_values.png", "plots/effective_rank.png" })
            Assert.True(File.Exists(Path.Combine(temp.Path, file)), $"{file} missing");
        Assert.Equal(Experiment.Claims.Select(c => c.Id), summary.Claims.Select(c => c.Id));
        Assert.All(summary.Claims, c => Assert.NotEmpty(c.Measured));
        Assert.All(Experiment.Quick.Optimizers, o => Assert.Contains(summary.Claims[1].Measured.Keys, k => k.StartsWith(o + "_")));
    }

    [Fact]
    public void At_the_quick_size_too_few_steps_make_every_claim_inconclusive_not_failed()
    {
        using var temp = new TempDirectory();

        var summary = LabRunner.Run(Experiment, Experiment.Quick, temp.Path);

        Assert.All(summary.Claims, c => Assert.Equal(MuonSharp.Lab.Claims.Verdict.Inconclusive, c.Verdict));
        Assert.Contains("too few steps", summary.Claims[0].Note);
    }

    [Fact]
    public void The_same_config_and_seed_give_identical_metrics()
    {
        using var temp = new TempDirectory();
        var config = Experiment.Quick with { Steps = 30, Seeds = 1, EvalEvery = 10 };

        LabRunner.Run(Experiment, config, temp.Sub("a"));
        LabRunner.Run(Experiment, config, temp.Sub("b"));

        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Sub("a"), "metrics.csv")), File.ReadAllBytes(Path.Combine(temp.Sub("b"), "metrics.csv")));
    }

    [Fact]
    public void Invalid_settings_are_named()
    {
        var problems = (Experiment.Paper with { Domains = 2, CodeDim = 3 }).Validate().ToList();

        Assert.Contains(problems, p => p.StartsWith("domains = 2"));
        Assert.Contains(problems, p => p.StartsWith("code_dim = 3"));
    }
}
