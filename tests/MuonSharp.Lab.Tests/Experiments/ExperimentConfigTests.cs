using System.Text.Json;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Tests.Training;

namespace MuonSharp.Lab.Tests.Experiments;

/// <summary>The keys every experiment's config has: cautious weight decay, momentum warm-up and the Muon family's polynomials.</summary>
public sealed class ExperimentConfigTests
{
    private static readonly TableConfig Muon = new() { Optimizers = new[] { "muon", "adamw" }, MuonWeightDecay = 0.1 };

    [Fact]
    public void Every_experiment_accepts_cautious_wd_momentum_warmup_steps_and_ns_method()
    {
        Assert.All(ExperimentRegistry.All, e =>
        {
            var keys = ConfigOverrides.Keys(e.ConfigType);
            Assert.Equal(typeof(bool), keys["cautious_wd"]);
            Assert.Equal(typeof(int), keys["momentum_warmup_steps"]);
            Assert.Equal(typeof(Optim.NewtonSchulzMethod), keys["ns_method"]);
        });
        var config = (TableConfig)ConfigOverrides.Apply(Muon, new[] { "cautious_wd=true", "momentum_warmup_steps=30", "ns_method=polar_express" });

        Assert.Equal((true, 30, Optim.NewtonSchulzMethod.PolarExpress), (config.CautiousWd, config.MomentumWarmupSteps, config.NsMethod));
    }

    [Fact]
    public void While_off_they_are_left_out_of_config_json_and_once_set_they_are_written_and_read_back()
    {
        using var temp = new TempDirectory();
        var on = Muon with { CautiousWd = true, MomentumWarmupSteps = 30, NsMethod = Optim.NewtonSchulzMethod.PolarExpress };
        var file = temp.Sub("on.json");
        File.WriteAllText(file, JsonSerializer.Serialize(on, ConfigOverrides.Json));

        string off = JsonSerializer.Serialize(Muon, ConfigOverrides.Json);
        var read = (TableConfig)ConfigOverrides.ApplyFile(Muon, file);

        Assert.DoesNotContain("cautious_wd", off);
        Assert.DoesNotContain("momentum_warmup_steps", off);
        Assert.DoesNotContain("ns_method", off);
        Assert.Contains("\"cautious_wd\": true", File.ReadAllText(file));
        Assert.Contains("\"ns_method\": \"polar_express\"", File.ReadAllText(file));
        Assert.Equal((true, 30, Optim.NewtonSchulzMethod.PolarExpress), (read.CautiousWd, read.MomentumWarmupSteps, read.NsMethod));
    }

    [Theory]
    [InlineData("momentum_warmup_steps=-1", "muon", "momentum_warmup_steps = -1: must be ≥ 0")]
    [InlineData("cautious_wd=true", "gd,adamw", "cautious_wd = true changes only muon, normuon, lion; this run's optimizers are gd, adamw")]
    [InlineData("momentum_warmup_steps=10", "lion", "momentum_warmup_steps = 10 changes only muon, normuon; this run's optimizers are lion")]
    [InlineData("cautious_wd=true", "lion,adamw", "every decay it would mask is 0 (lion_weight_decay = 0); set one above 0")]
    [InlineData("ns_method=polar_express", "adamw", "ns_method = polar_express changes only muon, normuon; this run's optimizers are adamw")]
    [InlineData("ns_method=cubic", "muon", "Config key 'ns_method' expects one of jordan_quintic, polar_express; got 'cubic'")]
    public void A_setting_out_of_range_or_that_would_change_none_of_the_runs_optimizers_is_refused(string assignment, string optimizers, string expected)
    {
        var error = Assert.Throws<LabUserException>(() => ConfigOverrides.Apply(Muon, new[] { "optimizers=" + optimizers, assignment }));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void An_enum_key_set_by_number_to_no_value_is_refused_naming_the_accepted_values()
    {
        using var temp = new TempDirectory();
        var file = temp.Sub("bad.json");
        File.WriteAllText(file, "{\"ns_method\": 7}");

        var error = Assert.Throws<LabUserException>(() => ConfigOverrides.ApplyFile(Muon, file));

        Assert.Contains("ns_method = 7: accepted are jordan_quintic, polar_express", error.Message);
        Assert.Empty((Muon with { NsMethod = (Optim.NewtonSchulzMethod)1 }).Validate());
    }

    [Theory]
    [InlineData("cautious_wd=true", "normuon")]   // normuon_weight_decay is read as muon_weight_decay = 0.1
    [InlineData("momentum_warmup_steps=10", "normuon")]
    [InlineData("ns_method=polar_express", "normuon,adamw")]
    public void The_same_setting_is_accepted_when_the_run_has_an_optimizer_it_changes(string assignment, string optimizers)
    {
        var config = ConfigOverrides.Apply(Muon, new[] { "optimizers=" + optimizers, assignment });

        Assert.Empty(config.Validate());
    }
}
