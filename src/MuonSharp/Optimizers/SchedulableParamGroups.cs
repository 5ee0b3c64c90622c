using TorchSharp.Modules;
using static TorchSharp.torch.optim;

namespace MuonSharp.Optimizers;

/// <summary>Options with a <c>momentum</c> hyperparameter, which schedulers that cycle momentum drive.</summary>
public interface IMomentumOptions
{
    /// <summary>The momentum coefficient; null while inherited.</summary>
    double? momentum { get; set; }
}

/// <summary>Options with Adam-style <c>beta1</c> and <c>beta2</c>, which schedulers that cycle betas drive.</summary>
public interface IBetasOptions
{
    /// <summary>β1; null while inherited.</summary>
    double? beta1 { get; set; }

    /// <summary>β2; null while inherited.</summary>
    double? beta2 { get; set; }
}

/// <summary>A parameter group whose momentum TorchSharp's schedulers can read and set (<see cref="IMomentum"/>).</summary>
/// <typeparam name="TOptions">The optimizer's options.</typeparam>
public abstract class MomentumParamGroup<TOptions> : ParamGroup<TOptions>, IMomentum
    where TOptions : HyperparameterOptions, IMomentumOptions, new()
{
    /// <summary>An empty group (set <c>Parameters</c> and <c>Options</c>).</summary>
    protected MomentumParamGroup() { }

    /// <summary>A group with explicit options.</summary>
    /// <param name="parameters">The group's parameters.</param>
    /// <param name="options">Its hyperparameters; null fields are inherited.</param>
    protected MomentumParamGroup(IEnumerable<Parameter> parameters, TOptions? options) : base(parameters, options ?? new TOptions()) { }

    /// <summary>This group's momentum.</summary>
    public double Momentum { get => Options.momentum!.Value; set => Options.momentum = value; }
}

/// <summary>A parameter group whose (β1, β2) TorchSharp's schedulers can read and set (<see cref="IBetas"/>).</summary>
/// <typeparam name="TOptions">The optimizer's options.</typeparam>
public abstract class BetasParamGroup<TOptions> : ParamGroup<TOptions>, IBetas
    where TOptions : HyperparameterOptions, IBetasOptions, new()
{
    /// <summary>An empty group (set <c>Parameters</c> and <c>Options</c>).</summary>
    protected BetasParamGroup() { }

    /// <summary>A group with explicit options.</summary>
    /// <param name="parameters">The group's parameters.</param>
    /// <param name="options">Its hyperparameters; null fields are inherited.</param>
    protected BetasParamGroup(IEnumerable<Parameter> parameters, TOptions? options) : base(parameters, options ?? new TOptions()) { }

    /// <summary>This group's (β1, β2).</summary>
    public (double, double) Betas
    {
        get => (Options.beta1!.Value, Options.beta2!.Value);
        set => (Options.beta1, Options.beta2) = (value.Item1, value.Item2);
    }
}
