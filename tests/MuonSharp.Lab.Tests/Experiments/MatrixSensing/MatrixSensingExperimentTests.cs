using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Experiments.MatrixSensing;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Experiments.MatrixSensing;

public sealed class MatrixSensingExperimentTests
{
    private static readonly MatrixSensingExperiment Experiment = new();

    [Fact]
    public void The_experiment_is_registered_and_its_paper_defaults_are_the_papers_settings()
    {
        Assert.Same(typeof(MatrixSensingExperiment), ExperimentRegistry.Get("matrix-sensing").GetType());
        var paper = Experiment.Paper;
        Assert.Equal((20, 20, 2, 200, 0.01, 0.1), (paper.Rows, paper.Cols, paper.Rank, paper.Measurements, paper.SpectralGdLr, paper.InitScale));
        Assert.Equal(10, paper.Seeds);
        Assert.Equal(4, paper.AtsrBlocks);
        Assert.Empty(paper.Validate());
        Assert.Empty(Experiment.Quick.Validate());
    }

    [Fact]
    public void A_quick_run_writes_its_files_and_gives_every_claim_a_verdict()
    {
        using var temp = new TempDirectory();

        var summary = LabRunner.Run(Experiment, Experiment.Quick, temp.Path);

        Assert.Equal(RunStatus.Completed, summary.Status);
        foreach (var file in new[] { "config.json", "metrics.csv", "summary.json", "log.txt" })
            Assert.True(File.Exists(Path.Combine(temp.Path, file)), $"{file} missing");
        foreach (var plot in new[] { "spectral_entropy", "loss", "stable_rank", "nuclear_norm_ratio", "atsr" })
            Assert.True(File.Exists(Path.Combine(temp.Path, "plots", plot + ".png")), $"plot {plot} missing");
        Assert.Equal(MatrixSensingClaims.All.Select(c => c.Id), summary.Claims.Select(c => c.Id));
        Assert.All(summary.Claims, c => Assert.True(c.Measured.Count > 0, c.Id));
        var metrics = MetricsRecorder.Read(Path.Combine(temp.Path, "metrics.csv"));
        foreach (var name in new[] { "loss", "spectral_entropy", "stable_rank", "sigma_1", "nuclear_norm_ratio", "atsr" })
            Assert.Contains(metrics, r => r.Metric == name);
        Assert.Contains(metrics, r => r.Optimizer == "convex" && r.Metric == "relative_gap");
    }

    [Fact]
    public void Bad_settings_are_reported_by_key_with_what_is_accepted()
    {
        var error = Assert.Throws<LabUserException>(() => ConfigOverrides.Apply(Experiment.Paper,
            new[] { "atsr_blocks=3", "rank=30", "measurements=500", "weight_decays=0.1,0.2", "optimizers=spectral-gd,adam" }));

        foreach (var key in new[] { "atsr_blocks = 3", "rank = 30", "measurements = 500", "weight_decays must contain 0", "unknown 'adam'" })
            Assert.Contains(key, error.Message);
    }
}
