using System.Diagnostics;
using System.Globalization;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;
using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Training;

/// <summary>
/// The one loop shape of the lab: seeds × optimizers, one unit of work each (<see cref="ForEachRun{T}"/>),
/// and inside each the steps of one run (<see cref="Train"/>): evaluate on a cadence, take the step's
/// loss and gradients, clip, update, follow the schedule — checkpointed at step boundaries so an
/// interrupted run continues where it stopped and ends with exactly the numbers of an uninterrupted one.
/// </summary>
public static class TrainingLoop
{
    /// <summary>
    /// Runs <paramref name="run"/> for every seed (outer) and optimizer (inner) of <paramref name="config"/>,
    /// each as a unit keyed <c>[label/]optimizer/seed{k}</c>: a resumed run returns a finished unit's recorded
    /// result instead of running it again, so <typeparamref name="T"/> must survive a JSON round trip.
    /// </summary>
    /// <typeparam name="T">What one run returns (a record of lists and numbers, e.g. a <see cref="Trajectory"/>).</typeparam>
    /// <param name="context">The run's context.</param>
    /// <param name="config">Seeds and optimizers.</param>
    /// <param name="run">Trains one (seed, optimizer); builds everything it draws from seed streams.</param>
    /// <param name="label">Distinguishes the units of one part of an experiment from another's (e.g. <c>d2</c>).</param>
    public static List<T> ForEachRun<T>(RunContext context, ExperimentConfig config, Func<int, string, T> run, string label = "")
    {
        var results = new List<T>();
        foreach (int seed in config.SeedList)
            foreach (var optimizer in config.Optimizers)
                results.Add(context.Unit(UnitKey(label, optimizer, seed), () => run(seed, optimizer)));
        return results;
    }

    /// <summary>The seeds × optimizers loop where each run is <see cref="Train"/> of the setup <paramref name="setup"/> builds.</summary>
    /// <param name="context">The run's context.</param>
    /// <param name="config">Seeds, optimizers and the optimizers' config keys.</param>
    /// <param name="options">Steps, cadence, recording.</param>
    /// <param name="setup">Builds one (seed, optimizer) run; disposed after it.</param>
    public static List<Trajectory> Run(RunContext context, ExperimentConfig config, TrainingOptions options, Func<int, string, TrainingSetup> setup) =>
        ForEachRun(context, config, (seed, optimizer) =>
        {
            using var built = setup(seed, optimizer);
            return Train(context, config, built, options);
        }, options.Label);

    /// <summary>
    /// Trains one run. At every step t = 0 … Steps: a step boundary (checkpoint due or stop requested), then
    /// an evaluation when t is a multiple of <see cref="TrainingOptions.EvaluateEvery"/> or the last step;
    /// then, before the last step, one update: the loss of the step's mini-batch and its gradients, the
    /// <see cref="TrainingSetup.AfterBackward"/> callback, clipping, the optimizer step and the schedule's step.
    /// A non-finite training loss ends the run (<see cref="Trajectory.DivergedAt"/>); a run whose final
    /// weights have a non-finite loss is not evaluated at the end.
    /// </summary>
    /// <param name="context">Metrics, log, progress, checkpoints.</param>
    /// <param name="config">The config the optimizer's keys are read from.</param>
    /// <param name="setup">What to train.</param>
    /// <param name="options">How.</param>
    public static Trajectory Train(RunContext context, ExperimentConfig config, TrainingSetup setup, TrainingOptions options)
    {
        if ((setup.Loss is null) == (setup.ClosedFormGradients is null))
            throw new ArgumentException("A training setup needs exactly one of Loss and ClosedFormGradients.", nameof(setup));
        var parameters = setup.Parameters.Select(p => p.Parameter).ToList();
        using var optimizer = OptimizerTable.Create(setup.Optimizer, setup.Parameters, config, setup.OptimizerOverrides, context.Log);
        double? peakMomentum = optimizer is optim.IMomentum m ? m.Momentum : null;   // read before a restored state overwrites it
        var trajectory = new Trajectory { Optimizer = setup.Optimizer, Seed = setup.Seed };
        var checkpoint = new LoopCheckpoint(setup, optimizer);
        int start = context.TryResume(out var resumeFrom) ? checkpoint.Restore(resumeFrom, ref trajectory) : 0;
        var scheduler = setup.Schedule?.Attach(optimizer, start);
        var momentumWarmup = MomentumWarmup(config, setup.Optimizer, optimizer, peakMomentum, start);
        string name = Describe(options, setup);
        if (momentumWarmup is not null)
            context.Log(FormattableString.Invariant($"{name}: momentum rises from {MomentumSchedule.ModdedNanoGptStart} to {peakMomentum} over the first {config.MomentumWarmupSteps} steps"));
        using var progress = context.Progress.Start(name, options.Steps);
        if (start > 0) progress.Advance(start);

        for (int step = start; ; step++)
        {
            context.StepBoundary(directory => checkpoint.Save(directory, step, trajectory));
            using var scope = NewDisposeScope();
            bool last = step == options.Steps;
            if (last && !double.IsFinite(FinalLoss(setup, step)))
            {
                trajectory.DivergedAt = step;
                context.Log($"{name}: the final weights' training loss is not finite; the run diverged");
                break;
            }
            if (step % options.EvaluateEvery == 0 || last)
            {
                Evaluate(context, setup, options, trajectory, step);
                if (setup.StopAfterEvaluation?.Invoke(trajectory) == true) break;
            }
            if (last) break;

            long updateStart = Stopwatch.GetTimestamp();
            optimizer.zero_grad();
            double loss = LossAndGradients(setup, step);
            if (!double.IsFinite(loss))
            {
                trajectory.DivergedAt = step;
                context.Log($"{name}: training loss {loss.ToString(CultureInfo.InvariantCulture)} at step {step}; the run stopped there (diverged)");
                break;
            }
            trajectory.TrainingLoss.Add(loss);
            using (no_grad())
            {
                setup.AfterBackward?.Invoke(step);
                if (options.ClipGradNorm is { } maxNorm) nn.utils.clip_grad_norm_(parameters, maxNorm);
            }
            long optimizerStart = Stopwatch.GetTimestamp();
            optimizer.step();
            if (setup.AfterStep is { } afterStep)
                using (no_grad()) afterStep(step);
            trajectory.OptimizerSeconds += Stopwatch.GetElapsedTime(optimizerStart).TotalSeconds;
            scheduler?.step();
            momentumWarmup?.step();
            trajectory.UpdateSeconds += Stopwatch.GetElapsedTime(updateStart).TotalSeconds;
            progress.Advance();
        }

        if (options.SaveWeights && context.RunDirectory is { } directory)
            ModelWeights.Save(Path.Combine(directory, WeightsFileName(options.Label, setup.Optimizer, setup.Seed)),
                setup.Parameters.Select(p => (p.Name, (Tensor)p.Parameter)).Concat(setup.Buffers));
        return trajectory;
    }

    /// <summary>
    /// The config's <c>momentum_warmup_steps</c> on a Muon-family optimizer: from modded-nanogpt's 0.85 to the
    /// optimizer's own momentum <paramref name="peak"/>, advanced to <paramref name="start"/> on a resumed run;
    /// null when the warm-up is off or does not apply to <paramref name="name"/>.
    /// </summary>
    internal static MomentumSchedule? MomentumWarmup(ExperimentConfig config, string name, OptimizerHelper optimizer, double? peak, int start)
    {
        if (config.MomentumWarmupSteps == 0 || !OptimizerTable.MuonFamily.Contains(name)) return null;
        var schedule = new MomentumSchedule(optimizer, MomentumSchedule.ModdedNanoGptStart, peak!.Value, config.MomentumWarmupSteps);
        for (int t = 0; t < start; t++) schedule.step();
        return schedule;
    }

    /// <summary>The file the final weights of one run are saved to: <c>model-[label-]&lt;optimizer&gt;-seed&lt;k&gt;.bin</c>.</summary>
    /// <param name="label">The runs' label (may be empty).</param>
    /// <param name="optimizer">Optimizer name.</param>
    /// <param name="seed">Seed.</param>
    public static string WeightsFileName(string label, string optimizer, int seed) =>
        $"model-{(label.Length > 0 ? label + "-" : "")}{optimizer}-seed{seed.ToString(CultureInfo.InvariantCulture)}.bin";

    private static string UnitKey(string label, string optimizer, int seed) =>
        $"{(label.Length > 0 ? label + "/" : "")}{optimizer}/seed{seed.ToString(CultureInfo.InvariantCulture)}";

    private static string Describe(TrainingOptions options, TrainingSetup setup) =>
        $"{(options.Label.Length > 0 ? options.Label + " " : "")}{setup.Optimizer} seed {setup.Seed}";

    private static void Evaluate(RunContext context, TrainingSetup setup, TrainingOptions options, Trajectory trajectory, long step)
    {
        if (setup.Evaluate is null)
        {
            trajectory.AddEvaluation(step, Array.Empty<(string, double)>());
            return;
        }
        IReadOnlyList<(string Metric, double Value)> values;
        using (no_grad()) values = setup.Evaluate(step);
        trajectory.AddEvaluation(step, values);
        if (!options.Record) return;
        foreach (var (metric, value) in values)
            context.Metrics.Add(step, setup.Optimizer, setup.Seed, options.MetricPrefix + metric, value);
    }

    /// <summary>The step's loss, with every parameter's gradient in <c>.grad</c>.</summary>
    private static double LossAndGradients(TrainingSetup setup, long step)
    {
        if (setup.ClosedFormGradients is { } closedForm) return closedForm(step);
        var loss = setup.Loss!(step);
        double value = loss.ToDouble();
        if (double.IsFinite(value)) loss.backward();
        return value;
    }

    /// <summary>The training loss of the final weights (no update follows, so no gradient is kept).</summary>
    private static double FinalLoss(TrainingSetup setup, long step)
    {
        if (setup.ClosedFormGradients is { } closedForm) return closedForm(step);
        using var noGrad = no_grad();
        return setup.Loss!(step).ToDouble();
    }
}
