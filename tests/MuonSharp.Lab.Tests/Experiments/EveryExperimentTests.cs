using System.Globalization;
using System.Text.RegularExpressions;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Experiments;

/// <summary>What every registered experiment must do at its quick size, checked once for all of them.</summary>
public sealed partial class EveryExperimentTests
{
    /// <summary>Experiments on real datasets read generated ones: tests never download.</summary>
    private static RunOptions WithData => new() { DataDirectory = Data.TinyDatasets.QuickRunDirectory };

    public static TheoryData<string> Ids() => new(ExperimentRegistry.All.Select(e => e.Id));

    [Theory]
    [MemberData(nameof(Ids))]
    public void A_quick_run_completes_writes_its_files_and_judges_every_declared_claim(string id)
    {
        using var temp = new TempDirectory();
        var experiment = ExperimentRegistry.Get(id);
        // Not seed 0, so that a per-seed number keyed by its position instead of its seed would show.
        var config = experiment.DefaultConfig(ExperimentSize.Quick) with { Seed = 3 };

        var summary = LabRunner.Run(experiment, config, temp.Path, WithData);

        Assert.Equal(RunStatus.Completed, summary.Status);
        Assert.Equal("quick", summary.Size);
        Assert.Equal(experiment.Claims.Select(c => c.Id), summary.Claims.Select(c => c.Id));
        Assert.All(summary.Claims, c => Assert.NotEmpty(c.Measured));
        Assert.All(summary.Claims, c => Assert.True(c.Verdict != Claims.Verdict.Inconclusive || c.Note is not null, $"{c.Id} is inconclusive without a reason"));
        foreach (var file in new[] { "config.json", "metrics.csv", "summary.json", "log.txt" })
            Assert.True(File.Exists(Path.Combine(temp.Path, file)), $"{file} missing");
        Assert.NotEmpty(summary.Plots);
        Assert.All(summary.Plots, plot => Assert.True(File.Exists(Path.Combine(temp.Path, plot)), $"{plot} missing"));
        Assert.NotEmpty(MetricsRecorder.Read(Path.Combine(temp.Path, "metrics.csv")));
        var namedSeeds = summary.Claims.SelectMany(c => c.Measured.Keys).Select(k => PerSeedKey().Match(k)).Where(m => m.Success);
        Assert.All(namedSeeds, m => Assert.Contains(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), config.SeedList));
    }

    public static TheoryData<string> IdsRunningMuon() => new(ExperimentRegistry.All.Where(e => e.KnownOptimizers.Contains("muon")).Select(e => e.Id));

    [Theory]
    [MemberData(nameof(IdsRunningMuon))]
    public void Every_experiment_that_runs_muon_runs_normuon_alone_from_its_muon_settings(string id)
    {
        using var temp = new TempDirectory();
        var experiment = ExperimentRegistry.Get(id);
        var config = experiment.DefaultConfig(ExperimentSize.Quick) with { Optimizers = new[] { "normuon" } };

        var summary = LabRunner.Run(experiment, config, temp.Path, WithData);

        Assert.Contains("normuon", experiment.KnownOptimizers);
        Assert.Equal(RunStatus.Completed, summary.Status);
        Assert.Equal(experiment.Claims.Select(c => c.Id), summary.Claims.Select(c => c.Id));
        var rows = MetricsRecorder.Read(Path.Combine(temp.Path, "metrics.csv"));
        Assert.Contains(rows, r => r.Optimizer == "normuon");
        Assert.DoesNotContain(rows, r => r.Optimizer != "normuon" && MuonSharp.Lab.Training.OptimizerTable.Names.Contains(r.Optimizer));
    }

    /// <summary>A measured number of one seed names the seed (<c>seed7_…</c>, <c>…_seed7</c>), so runs line up by seed in reports.</summary>
    [GeneratedRegex(@"(?:^|_)seed(\d+)(?:_|$)")]
    private static partial Regex PerSeedKey();

    [Theory]
    [MemberData(nameof(Ids))]
    public void A_quick_run_that_crashed_after_its_first_unit_resumes_to_a_byte_identical_metrics_file(string id)
    {
        using var temp = new TempDirectory();
        var experiment = ExperimentRegistry.Get(id);
        var config = experiment.DefaultConfig(ExperimentSize.Quick);
        LabRunner.Run(experiment, config, temp.Sub("whole"), WithData);
        int units = 0;
        var crashing = WithData with { CheckpointFault = point => { if (point == "unit result written" && ++units == 2) throw new InvalidOperationException("simulated crash"); } };

        Assert.Throws<InvalidOperationException>(() => LabRunner.Run(experiment, config, temp.Sub("crashed"), crashing));
        var resumed = LabRunner.Run(experiment, config, temp.Sub("crashed"), WithData with { Resume = true });

        Assert.Equal(RunStatus.Completed, resumed.Status);
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Sub("whole"), "metrics.csv")), File.ReadAllBytes(Path.Combine(temp.Sub("crashed"), "metrics.csv")));
        Assert.Equal(LabRunner.ReadSummary(temp.Sub("whole")).Claims.Select(c => c.Verdict), resumed.Claims.Select(c => c.Verdict));
    }
}
