using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Training;

/// <summary>
/// What the loop trains in one (seed, optimizer) run: the parameters, how to get a step's loss and
/// gradients, how to evaluate, and the per-run choices. An experiment builds it inside the run's unit,
/// from generators derived from the seed (<see cref="SeedStreams"/>); disposing it disposes what it owns.
/// </summary>
public sealed class TrainingSetup : IDisposable
{
    /// <summary>Canonical optimizer name (see <see cref="OptimizerTable"/>).</summary>
    public required string Optimizer { get; init; }

    /// <summary>The run's seed (the seed column of metrics.csv).</summary>
    public required int Seed { get; init; }

    /// <summary>What the optimizer updates and the final weights file holds, with their names.</summary>
    public required IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; init; }

    /// <summary>
    /// The loss of update <c>t</c> (its mini-batch, drawn from the setup's own generators), as a scalar
    /// tensor the loop back-propagates. Set this or <see cref="ClosedFormGradients"/>.
    /// </summary>
    public Func<long, Tensor>? Loss { get; init; }

    /// <summary>
    /// For problems with a closed-form gradient: writes every parameter's <c>.grad</c> for update <c>t</c>
    /// and returns the loss. Set this or <see cref="Loss"/>.
    /// </summary>
    public Func<long, double>? ClosedFormGradients { get; init; }

    /// <summary>The metrics at evaluation step <c>t</c>, in recording order (runs under <c>no_grad</c>); none when null.</summary>
    public Func<long, IReadOnlyList<(string Metric, double Value)>>? Evaluate { get; init; }

    /// <summary>After an evaluation: true ends the run there (e.g. a target loss was reached).</summary>
    public Func<Trajectory, bool>? StopAfterEvaluation { get; init; }

    /// <summary>
    /// Called with the step once the gradients are in <c>.grad</c>, before clipping and the optimizer step,
    /// under <c>no_grad</c> (e.g. weight decay that enters the gradient or the weights outside the optimizer).
    /// </summary>
    public Action<long>? AfterBackward { get; init; }

    /// <summary>
    /// Called with the step right after the optimizer's step, under <c>no_grad</c> (e.g. QK-clip rescaling the
    /// attention weights the step just moved); its time counts as the optimizer's.
    /// </summary>
    public Action<long>? AfterStep { get; init; }

    /// <summary>Learning rate, spectral scale or routing fixed by the experiment instead of its config.</summary>
    public OptimizerOverrides OptimizerOverrides { get; init; } = new();

    /// <summary>The learning-rate schedule; constant when null.</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Generators drawn from during training (mini-batch order, noise): their state is part of a checkpoint.</summary>
    public IReadOnlyList<(string Name, Generator Generator)> Generators { get; init; } = Array.Empty<(string, Generator)>();

    /// <summary>Extra tensors whose values a checkpoint must keep besides parameters (e.g. a model's buffers).</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> Buffers { get; init; } = Array.Empty<(string, Tensor)>();

    /// <summary>Disposed with the setup: the model, the problem, the generators.</summary>
    public IReadOnlyList<IDisposable> Owned { get; init; } = Array.Empty<IDisposable>();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var owned in Owned.Reverse()) owned.Dispose();
    }
}

/// <summary>How the loop runs: steps, evaluation cadence, recording, clipping, saving.</summary>
public sealed record TrainingOptions
{
    /// <summary>Updates per run; evaluations see steps 0 … Steps.</summary>
    public required int Steps { get; init; }

    /// <summary>Evaluate at every step divisible by this, and after the last update.</summary>
    public int EvaluateEvery { get; init; } = 1;

    /// <summary>Prepended to every recorded metric name (e.g. <c>d2_</c>, <c>relu/</c>).</summary>
    public string MetricPrefix { get; init; } = "";

    /// <summary>Record evaluations to the run's metrics (false: the trajectory only, e.g. tuning runs).</summary>
    public bool Record { get; init; } = true;

    /// <summary>Clip the gradients' global norm to this before every update; no clipping when null.</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>Save the final weights as <c>model-[label-]&lt;optimizer&gt;-seed&lt;k&gt;.bin</c> in the run directory.</summary>
    public bool SaveWeights { get; init; }

    /// <summary>Names the runs of one part of an experiment in progress text, unit keys and weight files (e.g. <c>d2</c>).</summary>
    public string Label { get; init; } = "";
}
