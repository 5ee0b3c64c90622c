using MuonSharp.Lab.Experiments.FeatureLearning;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Tests.Training;
using MuonSharp.Lab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.FeatureLearning;

public sealed class MatchedLossTests
{
    private static Trajectory Checks(params double[] losses)
    {
        var trajectory = new Trajectory { Optimizer = "sgd", Seed = 0 };
        for (int i = 0; i < losses.Length; i++) trajectory.AddEvaluation(25L * i, new[] { (MatchedLoss.Metric, losses[i]) });
        return trajectory;
    }

    [Fact]
    public void The_reached_step_is_the_first_check_at_or_below_the_target()
    {
        Assert.Equal(50, MatchedLoss.ReachedStep(Checks(1.0, 0.5, 0.3, 0.29, 0.2), target: 0.3));
        Assert.Equal(75, MatchedLoss.ReachedStep(Checks(1.0, 0.5, 0.31, 0.29, 0.35), target: 0.3));
        Assert.Null(MatchedLoss.ReachedStep(Checks(1.0, 0.5, 0.31), target: 0.3));
    }

    [Fact]
    public void The_speed_score_ranks_faster_runs_higher_unreached_runs_below_reached_ones_and_diverged_runs_last()
    {
        double fast = MatchedLoss.SpeedScore(Checks(1.0, 0.2), 0.3, budget: 100);
        double slow = MatchedLoss.SpeedScore(Checks(1.0, 0.5, 0.4, 0.2), 0.3, budget: 100);
        double close = MatchedLoss.SpeedScore(Checks(1.0, 0.5, 0.31), 0.3, budget: 100);
        double far = MatchedLoss.SpeedScore(Checks(1.0, 0.9, 0.8), 0.3, budget: 100);
        var diverged = Checks(1.0, 0.2);
        diverged.DivergedAt = 30;

        Assert.Equal(-25, fast);
        Assert.Equal(-75, slow);
        Assert.True(slow > close && close > far, $"{slow} > {close} > {far}");
        Assert.Equal(double.NegativeInfinity, MatchedLoss.SpeedScore(diverged, 0.3, budget: 100));
    }

    [Fact]
    public void A_training_loop_with_the_rule_stops_at_the_first_check_that_reaches_the_target_and_keeps_those_weights()
    {
        // Loss (w − 1)² by plain GD with lr 0.05 (the toy config's): w after t updates is 1 − 0.9ᵗ, loss 0.81ᵗ.
        var w = new Parameter(zeros(1, dtype: ScalarType.Float64));
        using var one = 1.0.ToScalar();
        Tensor Loss() => w.sub(one).square().sum();
        double Check() { using var noGrad = no_grad(); using var loss = Loss(); return loss.item<double>(); }
        var setup = new TrainingSetup
        {
            Optimizer = "gd", Seed = 0, Parameters = new[] { ("w", w) }, Loss = _ => Loss(),
            Evaluate = _ => new[] { (MatchedLoss.Metric, Check()) },
            StopAfterEvaluation = run => MatchedLoss.Reached(run, 0.1),
        };
        var context = new RunContext(Path.Combine(Path.GetTempPath(), "muonsharp-matched-plots"), SilentProgress.Instance, CancellationToken.None);

        var run = TrainingLoop.Train(context, new RegressionToy().Quick, setup, new TrainingOptions { Steps = 1000, EvaluateEvery = 5 });

        // 0.81ᵗ ≤ 0.1 first at t = 11; checks every 5 steps: the first check at or below is step 15.
        Assert.Equal(15, MatchedLoss.ReachedStep(run, 0.1));
        Assert.Equal(new long[] { 0, 5, 10, 15 }, run.EvaluationSteps);
        Assert.Equal(1 - Math.Pow(0.9, 15), w.item<double>(), 12);
    }
}
