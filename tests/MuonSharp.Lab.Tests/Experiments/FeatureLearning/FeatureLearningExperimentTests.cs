using MuonSharp.Lab.Data;
using MuonSharp.Lab.Experiments.FeatureLearning;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;

namespace MuonSharp.Lab.Tests.Experiments.FeatureLearning;

public sealed class FeatureLearningExperimentTests
{
    /// <summary>
    /// A learnable Fashion-MNIST stand-in: image i has label i mod 10 and a bright 5×5 square at its class's own
    /// place on a dim background that varies with i — so every optimizer reaches the quick target and every
    /// measurement runs (the shared generated datasets are uniform images no network can tell apart).
    /// </summary>
    private static string LearnableFashion(TempDirectory temp)
    {
        string folder = Path.Combine(temp.Path, DatasetNames.FashionMnist);
        Directory.CreateDirectory(folder);
        void Split(string images, string labels, int count)
        {
            var pixels = new byte[count * 28 * 28];
            for (int i = 0; i < count; i++)
            {
                int label = i % 10, row = 3 + 5 * (label / 4), column = 3 + 6 * (label % 4);
                for (int p = 0; p < 28 * 28; p++) pixels[i * 784 + p] = (byte)((i * 13 + p * 7) % 40);
                for (int r = row; r < row + 5; r++)
                    for (int c = column; c < column + 5; c++) pixels[i * 784 + r * 28 + c] = 255;
            }
            IdxFile.Write(Path.Combine(folder, images), new IdxArray(new[] { count, 28, 28 }, pixels));
            IdxFile.Write(Path.Combine(folder, labels), new IdxArray(new[] { count }, Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray()));
        }
        Split("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 1000);
        Split("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 300);
        return temp.Path;
    }

    [Fact]
    public void On_learnable_data_every_run_reaches_the_target_is_measured_there_and_the_learning_rate_is_tuned_for_speed()
    {
        using var data = new TempDirectory();
        using var temp = new TempDirectory();
        var experiment = new FeatureLearningExperiment();
        var config = experiment.Quick with { Seed = 1, SgdLrGrid = new[] { 1e-4, 0.1 } };

        var summary = LabRunner.Run(experiment, config, temp.Path, new RunOptions { DataDirectory = LearnableFashion(data) });

        Assert.Equal(RunStatus.Completed, summary.Status);
        var log = File.ReadAllText(Path.Combine(temp.Path, "log.txt"));
        Assert.DoesNotContain("did not reach the target", log);
        var metrics = MetricsRecorder.Read(Path.Combine(temp.Path, "metrics.csv"));
        foreach (var optimizer in FeatureLearningExperiment.OptimizerNames)
            foreach (int seed in config.SeedList)
                foreach (var metric in new[] { "reached_step", "hessian_trace", "hessian_top_eigenvalue", "probe_accuracy", "fine_tune_5shot_accuracy", "pgd0.04_accuracy", "feature_effective_rank" })
                    Assert.True(double.IsFinite(Assert.Single(metrics, m => m.Optimizer == optimizer && m.Seed == seed && m.Metric == metric).Value), $"{optimizer} seed {seed} {metric}");
        // The tiny rate reaches the target far later, if at all: the search must pick the other one.
        Assert.Equal(0.1, Assert.Single(metrics, m => m.Metric == "tuned_lr" && m.Optimizer == "sgd").Value);
        Assert.Contains("plots/probe_accuracy_vs_hessian_trace.png", summary.Plots);
        Assert.Contains("plots/pretraining_check_loss.png", summary.Plots);
    }
}
