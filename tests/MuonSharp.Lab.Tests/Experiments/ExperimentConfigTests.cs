using System.Text.Json;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Tests.Training;

namespace MuonSharp.Lab.Tests.Experiments;

/// <summary>The keys every experiment's config has: cautious weight decay and momentum warm-up.</summary>
public sealed class ExperimentConfigTests
{
    private static readonly TableConfig Muon = new() { Optimizers = new[] { "muon", "adamw" }, MuonWeightDecay = 0.1 };

    [Fact]
    public void Every_experiment_accepts_cautious_wd_and_momentum_warmup_steps()
    {
        Assert.All(ExperimentRegistry.All, e =>
        {
            var keys = ConfigOverrides.Keys(e.ConfigType);
            Assert.Equal(typeof(bool), keys["cautious_wd"]);
            Assert.Equal(typeof(int), keys["momentum_warmup_steps"]);
        });
        var config = (TableConfig)ConfigOverrides.Apply(Muon, new[] { "cautious_wd=true", "momentum_warmup_steps=30" });

        Assert.Equal((true, 30), (config.CautiousWd, config.MomentumWarmupSteps));
    }

    [Fact]
    public void While_off_they_are_left_out_of_config_json_and_once_set_they_are_written_and_read_back()
    {
        using var temp = new TempDirectory();
        var on = Muon with { CautiousWd = true, MomentumWarmupSteps = 30 };
        var file = temp.Sub("on.json");
        File.WriteAllText(file, JsonSerializer.Serialize(on, ConfigOverrides.Json));

        string off = JsonSerializer.Serialize(Muon, ConfigOverrides.Json);
        var read = (TableConfig)ConfigOverrides.ApplyFile(Muon, file);

        Assert.DoesNotContain("cautious_wd", off);
        Assert.DoesNotContain("momentum_warmup_steps", off);
        Assert.Contains("\"cautious_wd\": true", File.ReadAllText(file));
        Assert.Equal((true, 30), (read.CautiousWd, read.MomentumWarmupSteps));
    }

    [Theory]
    [InlineData("momentum_warmup_steps=-1", "muon", "momentum_warmup_steps = -1: must be ≥ 0")]
    [InlineData("cautious_wd=true", "gd,adamw", "cautious_wd = true changes only muon, normuon, lion; this run's optimizers are gd, adamw")]
    [InlineData("momentum_warmup_steps=10", "lion", "momentum_warmup_steps = 10 changes only muon, normuon; this run's optimizers are lion")]
    [InlineData("cautious_wd=true", "lion,adamw", "every decay it would mask is 0 (lion_weight_decay = 0); set one above 0")]
    public void A_setting_out_of_range_or_that_would_change_none_of_the_runs_optimizers_is_refused(string assignment, string optimizers, string expected)
    {
        var error = Assert.Throws<LabUserException>(() => ConfigOverrides.Apply(Muon, new[] { "optimizers=" + optimizers, assignment }));

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("cautious_wd=true", "normuon")]   // normuon_weight_decay is read as muon_weight_decay = 0.1
    [InlineData("momentum_warmup_steps=10", "normuon")]
    public void The_same_setting_is_accepted_when_the_run_has_an_optimizer_it_changes(string assignment, string optimizers)
    {
        var config = ConfigOverrides.Apply(Muon, new[] { "optimizers=" + optimizers, assignment });

        Assert.Empty(config.Validate());
    }
}
