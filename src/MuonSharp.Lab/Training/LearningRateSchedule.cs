using static TorchSharp.torch.optim;
using static TorchSharp.torch.optim.lr_scheduler;

namespace MuonSharp.Lab.Training;

/// <summary>
/// A learning-rate schedule: the factor of each group's initial learning rate at update t (0-based),
/// applied by TorchSharp's <c>LambdaLR</c> (so it drives every group, the hybrid's Muon and AdamW parts alike).
/// </summary>
/// <param name="Description">What it does, for logs.</param>
/// <param name="Factor">lr(t) / lr(0 before the schedule).</param>
public sealed record LearningRateSchedule(string Description, Func<int, double> Factor)
{
    /// <summary>
    /// Linear decay to zero, 1 − t/steps: a polar update has unit singular values however small the
    /// gradient, so only a shrinking step lets it settle (<c>000 §3.1</c> on its oscillations).
    /// </summary>
    /// <param name="steps">The run's number of updates.</param>
    public static LearningRateSchedule LinearToZero(int steps) =>
        new($"linear decay to 0 over {steps} steps", t => 1.0 - (double)t / steps);

    /// <summary>
    /// Linear warm-up over <paramref name="warmupSteps"/> updates — factor (t + 1)/warm-up, so the first
    /// update is not wasted at 0 — then cosine decay from 1 to <paramref name="finalFactor"/> at the last update.
    /// </summary>
    /// <param name="warmupSteps">Updates of warm-up (≥ 0).</param>
    /// <param name="steps">The run's number of updates (&gt; warm-up).</param>
    /// <param name="finalFactor">The factor at the last update (default 0).</param>
    public static LearningRateSchedule WarmupCosine(int warmupSteps, int steps, double finalFactor = 0)
    {
        if (warmupSteps < 0 || steps <= warmupSteps)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"Warm-up of {warmupSteps} steps in a run of {steps}: need 0 ≤ warm-up < steps.");
        return new($"linear warm-up over {warmupSteps} steps, then cosine to {finalFactor:G3}", t =>
        {
            if (t < warmupSteps) return (t + 1.0) / warmupSteps;
            double progress = Math.Min(1.0, (t - warmupSteps) / Math.Max(1.0, steps - 1 - warmupSteps));
            return finalFactor + (1 - finalFactor) * 0.5 * (1 + Math.Cos(Math.PI * progress));
        });
    }

    /// <summary>Linear warm-up over <paramref name="warmupSteps"/> updates, then constant.</summary>
    /// <param name="warmupSteps">Updates of warm-up (≥ 1).</param>
    public static LearningRateSchedule WarmupConstant(int warmupSteps)
    {
        if (warmupSteps < 1) throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"Warm-up of {warmupSteps} steps: need ≥ 1.");
        return new($"linear warm-up over {warmupSteps} steps, then constant", t => t < warmupSteps ? (t + 1.0) / warmupSteps : 1.0);
    }

    /// <summary>
    /// Attaches the schedule to <paramref name="optimizer"/> with <paramref name="completedSteps"/> updates
    /// already taken: the groups' learning rates are set for update <paramref name="completedSteps"/> now,
    /// and each <c>step()</c> of the returned scheduler moves them to the next update's.
    /// </summary>
    /// <param name="optimizer">The optimizer (its groups' initial learning rates are the base).</param>
    /// <param name="completedSteps">0 for a fresh run; the step counter when resuming.</param>
    public LRScheduler Attach(Optimizer optimizer, int completedSteps = 0) =>
        LambdaLR(optimizer, Factor, last_epoch: completedSteps - 1);
}
