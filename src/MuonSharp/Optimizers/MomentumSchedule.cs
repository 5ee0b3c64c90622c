using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch.optim;

namespace MuonSharp.Optimizers;

/// <summary>
/// Momentum warm-up and cool-down, stepped like TorchSharp's learning-rate schedulers and used beside
/// them (it touches only the momentum): modded-nanogpt ramps Muon's momentum linearly from 0.85 to
/// 0.95 over the first 300 steps, because a high momentum averages over gradients of a model that still
/// changes fast, and lowers it again over the last steps of the run. The momentum at step t is
/// <code>
/// t &lt; warmup_steps:                    start + (peak − start)·t / warmup_steps
/// t ≥ total_steps − cooldown_steps:     peak + (end − peak)·(t − (total_steps − cooldown_steps)) / cooldown_steps
/// otherwise:                           peak
/// </code>
/// (the cool-down reaches <c>end</c> at t = total_steps and stays there). It drives every parameter
/// group that implements <see cref="IMomentum"/> (the Muon groups of a hybrid; AdamW's groups keep
/// their betas) and the optimizer's default momentum when the optimizer implements it too. Call
/// <see cref="step"/> after each <c>optimizer.step()</c>, as with an LR scheduler.
/// </summary>
public sealed class MomentumSchedule
{
    /// <summary>modded-nanogpt's starting momentum.</summary>
    public const double ModdedNanoGptStart = 0.85;
    /// <summary>modded-nanogpt's momentum after the warm-up (Muon's default, Jordan et al. 2024).</summary>
    public const double ModdedNanoGptPeak = 0.95;
    /// <summary>modded-nanogpt's warm-up length in steps.</summary>
    public const int ModdedNanoGptWarmupSteps = 300;

    private readonly OptimizerHelper _optimizer;
    private readonly List<IMomentum> _driven;

    /// <summary>Attaches the schedule to <paramref name="optimizer"/> and sets the momentum of step 0.</summary>
    /// <param name="optimizer">An optimizer with at least one parameter group implementing <see cref="IMomentum"/> (Muon, the hybrid, Spectral GD, …).</param>
    /// <param name="start">Momentum at step 0, in [0, 1).</param>
    /// <param name="peak">Momentum after the warm-up, in [0, 1).</param>
    /// <param name="warmup_steps">Length of the linear warm-up, ≥ 0 (0: start at <paramref name="peak"/>).</param>
    /// <param name="end">Momentum at the end of the cool-down, in [0, 1); ignored without a cool-down.</param>
    /// <param name="cooldown_steps">Length of the linear cool-down at the end of the run, ≥ 0 (0: none).</param>
    /// <param name="total_steps">Length of the run, needed for a cool-down: ≥ warmup_steps + cooldown_steps.</param>
    public MomentumSchedule(OptimizerHelper optimizer, double start = ModdedNanoGptStart, double peak = ModdedNanoGptPeak,
        int warmup_steps = ModdedNanoGptWarmupSteps, double end = ModdedNanoGptStart, int cooldown_steps = 0, int total_steps = 0)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        CheckMomentum(start, nameof(start));
        CheckMomentum(peak, nameof(peak));
        CheckMomentum(end, nameof(end));
        if (warmup_steps < 0) throw new ArgumentOutOfRangeException(nameof(warmup_steps), warmup_steps, $"Invalid warmup_steps: {warmup_steps}. Accepted: an integer ≥ 0.");
        if (cooldown_steps < 0) throw new ArgumentOutOfRangeException(nameof(cooldown_steps), cooldown_steps, $"Invalid cooldown_steps: {cooldown_steps}. Accepted: an integer ≥ 0.");
        if (cooldown_steps > 0 && total_steps < warmup_steps + cooldown_steps)
            throw new ArgumentOutOfRangeException(nameof(total_steps), total_steps,
                $"Invalid total_steps: {total_steps}. Accepted with a cool-down: an integer ≥ warmup_steps + cooldown_steps = {warmup_steps + cooldown_steps}.");
        _optimizer = optimizer;
        _driven = optimizer.ParamGroups.OfType<IMomentum>().ToList();
        if (_driven.Count == 0)
            throw new ArgumentException($"{optimizer.GetType().Name} has no parameter group with a momentum (IMomentum); a momentum schedule drives Muon, its hybrid, Spectral GD and other momentum optimizers.", nameof(optimizer));
        (Start, Peak, WarmupSteps, End, CooldownSteps, TotalSteps) = (start, peak, warmup_steps, end, cooldown_steps, total_steps);
        Apply();
    }

    /// <summary>Momentum at step 0.</summary>
    public double Start { get; }
    /// <summary>Momentum after the warm-up.</summary>
    public double Peak { get; }
    /// <summary>Length of the warm-up in steps.</summary>
    public int WarmupSteps { get; }
    /// <summary>Momentum at the end of the cool-down.</summary>
    public double End { get; }
    /// <summary>Length of the cool-down in steps (0: none).</summary>
    public int CooldownSteps { get; }
    /// <summary>Length of the run (used by the cool-down).</summary>
    public int TotalSteps { get; }

    /// <summary>Steps taken so far (the index of the optimizer step the current momentum is for).</summary>
    public int last_epoch { get; private set; }

    /// <summary>The momentum the groups hold now.</summary>
    public double CurrentMomentum => MomentumAt(last_epoch);

    /// <summary>Advances one step and sets the momentum of the next optimizer step.</summary>
    public void step()
    {
        last_epoch++;
        Apply();
    }

    /// <summary>The schedule's momentum at step <paramref name="t"/> (0-based), by the formula in the class summary.</summary>
    /// <param name="t">A step index ≥ 0.</param>
    public double MomentumAt(int t)
    {
        int cooldownStart = TotalSteps - CooldownSteps;
        if (CooldownSteps > 0 && t >= cooldownStart)
            return Peak + (End - Peak) * Math.Min(1.0, (double)(t - cooldownStart) / CooldownSteps);
        if (t < WarmupSteps) return Start + (Peak - Start) * t / WarmupSteps;
        return Peak;
    }

    private void Apply()
    {
        double momentum = MomentumAt(last_epoch);
        foreach (var group in _driven) group.Momentum = momentum;
        if (_optimizer is IMomentum whole) whole.Momentum = momentum;
    }

    private static void CheckMomentum(double value, string name)
    {
        if (!(value >= 0 && value < 1))
            throw new ArgumentOutOfRangeException(name, value, $"Invalid {name}: {value.ToString(CultureInfo.InvariantCulture)}. Accepted: a momentum in [0, 1).");
    }
}
