using MuonSharp.Lab.Training;

namespace MuonSharp.Lab.Experiments.FeatureLearning;

/// <summary>
/// The matched-loss rule: a pretraining run stops at the first check whose loss on the fixed check set is at
/// most the common target, so every optimizer is measured at the same fit (Liu et al. 2023 compare models
/// at the same pretraining loss). The check's loss is recorded as <see cref="Metric"/> in the trajectory.
/// </summary>
public static class MatchedLoss
{
    /// <summary>The trajectory's metric holding the check-set loss.</summary>
    public const string Metric = "check_loss";

    /// <summary>True when the latest check reached <paramref name="target"/>: the loop's stop rule.</summary>
    /// <param name="trajectory">The run so far.</param>
    /// <param name="target">The common target loss.</param>
    public static bool Reached(Trajectory trajectory, double target) => trajectory.Last(Metric) <= target;

    /// <summary>The step of the first check at or below <paramref name="target"/>, or null when no check reached it.</summary>
    /// <param name="trajectory">A finished run.</param>
    /// <param name="target">The common target loss.</param>
    public static long? ReachedStep(Trajectory trajectory, double target)
    {
        var losses = trajectory.Series(Metric);
        for (int i = 0; i < losses.Count; i++)
            if (losses[i] <= target) return trajectory.EvaluationSteps[i];
        return null;
    }

    /// <summary>
    /// A tuning run's score, higher for faster: −(steps to the target) when reached; −(budget + final check loss)
    /// when not, below every run that reached it and ordered by how close it came; −∞ when it diverged.
    /// </summary>
    /// <param name="trajectory">A finished tuning run.</param>
    /// <param name="target">The common target loss.</param>
    /// <param name="budget">The run's step budget.</param>
    public static double SpeedScore(Trajectory trajectory, double target, int budget) =>
        trajectory.Diverged ? double.NegativeInfinity
        : ReachedStep(trajectory, target) is { } step ? -step
        : -(budget + trajectory.Last(Metric));
}
