using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Experiments.Imbalanced;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Experiments.Imbalanced;

public sealed class ImbalancedExperimentTests
{
    private static readonly ImbalancedExperiment Experiment = new();

    [Fact]
    public void The_registry_finds_imbalanced()
    {
        Assert.IsType<ImbalancedExperiment>(ExperimentRegistry.Get("imbalanced"));
    }

    [Fact]
    public void A_quick_run_draws_its_plots_per_depth()
    {
        using var temp = new TempDirectory();

        LabRunner.Run(Experiment, Experiment.Quick, temp.Path);

        var files = new[] { "plots/early_gap_vs_depth.png" }
            .Concat(Experiment.Quick.Depths.SelectMany(d => new[] { $"plots/balanced_accuracy_depth{d}.png", $"plots/rarest_class_accuracy_depth{d}.png" }));
        foreach (var file in files)
            Assert.True(File.Exists(Path.Combine(temp.Path, file)), $"{file} missing");
    }

    [Fact]
    public void Tuning_picks_a_factor_and_the_same_config_and_seed_give_identical_metrics()
    {
        using var temp = new TempDirectory();
        var config = Experiment.Quick with { Steps = 20, Seeds = 1, Depths = new[] { 2 }, TuneFactors = new[] { 0.5, 2.0 }, Optimizers = new[] { "gd", "muon" } };

        LabRunner.Run(Experiment, config, temp.Sub("a"));
        LabRunner.Run(Experiment, config, temp.Sub("b"));

        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Sub("a"), "metrics.csv")), File.ReadAllBytes(Path.Combine(temp.Sub("b"), "metrics.csv")));
        var tuned = MetricsRecorder.Read(Path.Combine(temp.Sub("a"), "metrics.csv")).Where(r => r.Metric == "d2_tuned_lr").ToList();
        Assert.Equal(2, tuned.Count);
        Assert.All(tuned, r => Assert.Contains(r.Value / (r.Optimizer == "gd" ? config.GdLr : config.MuonLr), new[] { 0.5, 2.0 }));
    }

    [Fact]
    public void With_one_depth_claim_d_is_inconclusive_and_without_normalized_gd_claim_c_is()
    {
        using var temp = new TempDirectory();
        var config = Experiment.Quick with { Steps = 10, Seeds = 1, Depths = new[] { 1 }, Optimizers = new[] { "gd", "spectral-gd" } };

        var summary = LabRunner.Run(Experiment, config, temp.Path);

        Assert.Equal(Verdict.Inconclusive, summary.Claims.Single(c => c.Id == ImbalancedClaims.NotStepSize.Id).Verdict);
        Assert.Equal(Verdict.Inconclusive, summary.Claims.Single(c => c.Id == ImbalancedClaims.DepthWidens.Id).Verdict);
    }
}
