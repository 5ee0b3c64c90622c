using MuonSharp.Lab.Experiments.SpuriousMnist;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Tests.Data;
using MuonSharp.Lab.Training;

namespace MuonSharp.Lab.Tests.Experiments.SpuriousMnist;

public sealed class SpuriousMnistExperimentTests
{
    [Fact]
    public void With_grids_each_optimizer_is_tuned_on_the_tuning_seed_and_its_choice_is_one_of_its_grid()
    {
        using var temp = new TempDirectory();
        var experiment = new SpuriousMnistExperiment();
        var config = experiment.Quick with
        {
            Steps = 6, EvalEvery = 3, Seed = 2, Seeds = 1, Intensities = new[] { 1.0 }, TrainDigits = 64, ValidationDigits = 40,
            SgdLrGrid = new[] { 0.01, 0.1 }, AdamLrGrid = new[] { 1e-3, 1e-2 }, MuonLrGrid = new[] { 0.01, 0.1 },
        };

        var summary = LabRunner.Run(experiment, config, temp.Path, new RunOptions { DataDirectory = TinyDatasets.QuickRunDirectory });

        Assert.Equal(RunStatus.Completed, summary.Status);
        var metrics = MetricsRecorder.Read(Path.Combine(temp.Path, "metrics.csv"));
        int tuningSeed = SeedStreams.TuningSeed(config);
        foreach (var optimizer in SpuriousMnistExperiment.OptimizerNames)
        {
            var tuned = Assert.Single(metrics, m => m.Metric == "tuned_lr" && m.Optimizer == optimizer);
            Assert.Equal(tuningSeed, tuned.Seed);
            Assert.Contains(tuned.Value, config.LrGrid(optimizer));
        }
        var log = File.ReadAllText(Path.Combine(temp.Path, "log.txt"));
        Assert.Contains("tune/muon (seed 10002): peak tuning-split accuracy at intensity 1 lr0.01 ", log);
        Assert.Contains("muon: parameter routing (Muon + AdamW)", log);
    }
}
