using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Experiments;

/// <summary>One reproducible experiment of a paper: settings, a run, and the claims it judges.</summary>
public interface IExperiment
{
    /// <summary>Command-line id, e.g. <c>deep-linear</c>.</summary>
    string Id { get; }

    /// <summary>One line saying what is run.</summary>
    string Description { get; }

    /// <summary>Paper and sections reproduced, e.g. <c>000 §3, App. A–B</c>.</summary>
    string Source { get; }

    /// <summary>Optimizer names this experiment understands.</summary>
    IReadOnlyList<string> KnownOptimizers { get; }

    /// <summary>The claims it tests.</summary>
    IReadOnlyList<ClaimSpec> Claims { get; }

    /// <summary>The config record type (for overrides and JSON).</summary>
    Type ConfigType { get; }

    /// <summary>Defaults: the paper's settings or the quick size.</summary>
    /// <param name="size">Which size.</param>
    ExperimentConfig DefaultConfig(ExperimentSize size);

    /// <summary>Runs every seed and optimizer, records metrics, draws plots, judges claims.</summary>
    /// <param name="context">Where metrics, plots, log and progress go.</param>
    /// <param name="config">A validated config of <see cref="ConfigType"/>.</param>
    IReadOnlyList<ClaimResult> Run(RunContext context, ExperimentConfig config);
}

/// <summary>Typed base for experiments: implement the generic members, the rest is plumbing.</summary>
/// <typeparam name="TConfig">The experiment's config record.</typeparam>
public abstract class Experiment<TConfig> : IExperiment where TConfig : ExperimentConfig
{
    /// <inheritdoc />
    public abstract string Id { get; }
    /// <inheritdoc />
    public abstract string Description { get; }
    /// <inheritdoc />
    public abstract string Source { get; }
    /// <inheritdoc />
    public abstract IReadOnlyList<string> KnownOptimizers { get; }
    /// <inheritdoc />
    public abstract IReadOnlyList<ClaimSpec> Claims { get; }
    /// <inheritdoc />
    public Type ConfigType => typeof(TConfig);

    /// <summary>The paper's settings.</summary>
    public abstract TConfig Paper { get; }

    /// <summary>A few-seconds size for tests and smoke runs.</summary>
    public abstract TConfig Quick { get; }

    /// <inheritdoc />
    public ExperimentConfig DefaultConfig(ExperimentSize size) => size == ExperimentSize.Quick ? Quick : Paper;

    /// <inheritdoc />
    public IReadOnlyList<ClaimResult> Run(RunContext context, ExperimentConfig config) => Run(context, (TConfig)config);

    /// <summary>Runs the experiment with its own config type.</summary>
    /// <param name="context">Where metrics, plots, log and progress go.</param>
    /// <param name="config">The validated config.</param>
    protected abstract IReadOnlyList<ClaimResult> Run(RunContext context, TConfig config);
}
