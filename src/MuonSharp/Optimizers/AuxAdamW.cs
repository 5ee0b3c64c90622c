using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.optim;

namespace MuonSharp.Optimizers;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization", Algorithm 2) as the
/// auxiliary half of <see cref="MuonWithAuxAdamW"/>: embeddings, the output head, biases and gains.
/// Per parameter, any shape, with t this parameter's step:
/// <code>
/// p ← p·(1 − lr·wd)                                   decoupled weight decay
/// m ← β1·m + (1−β1)·g,   v ← β2·v + (1−β2)·g²
/// p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε)
/// </code>
/// The same update, in the same order of operations, as TorchSharp's <c>torch.optim.AdamW</c> (and
/// PyTorch's), so results agree bit for bit; it is ours so that the hybrid's two halves share one
/// step protocol (hyperparameter checks, non-finite gradients) and one state format, and so that its
/// moments are allocated at a parameter's first gradient rather than at construction. With
/// <c>cautious_wd</c> the decay touches only the entries where the step m/(√v + ε) and the parameter
/// have the same sign (Chen et al. 2025, arXiv 2510.12402).
/// </summary>
public sealed class AuxAdamW : ManagedOptimizer<AuxAdamW.Options, AuxAdamW.State>, IBetas
{
    /// <summary>Default learning rate: 3e-4, a common choice for embeddings and heads beside Muon.</summary>
    public const double DefaultLearningRate = 3e-4;
    /// <summary>Default first-moment decay β1 (Kingma &amp; Ba 2015).</summary>
    public const double DefaultBeta1 = 0.9;
    /// <summary>Default second-moment decay β2: 0.95, as the reference Muon's auxiliary Adam (Jordan et al. 2024).</summary>
    public const double DefaultBeta2 = 0.95;
    /// <summary>Default ε: 1e-10, as the reference Muon's auxiliary Adam (Jordan et al. 2024).</summary>
    public const double DefaultEps = 1e-10;
    /// <summary>Default decoupled weight decay: none.</summary>
    public const double DefaultWeightDecay = 0;
    /// <summary>Default: plain decoupled weight decay, not the cautious form.</summary>
    public const bool DefaultCautiousWeightDecay = false;

    /// <summary>Creates AdamW over <paramref name="groups"/>.</summary>
    /// <param name="groups">Parameter groups; unset options come from <paramref name="defaults"/>.</param>
    /// <param name="defaults">Optimizer-wide hyperparameters; unset ones take their declared defaults.</param>
    /// <param name="names">Parameter names for error messages, when known.</param>
    public AuxAdamW(IEnumerable<ParamGroup<Options>> groups, Options? defaults = null, IReadOnlyDictionary<IntPtr, string>? names = null)
        : base(groups, defaults, names)
    {
    }

    /// <summary>The AdamW half of a hybrid, which may be empty.</summary>
    internal AuxAdamW(IEnumerable<ParamGroup<Options>> groups, Options defaults, IReadOnlyDictionary<IntPtr, string> names, bool allowEmpty)
        : base(groups, defaults, names, allowEmpty)
    {
    }

    /// <summary>Default (β1, β2) that new groups inherit; schedulers that cycle betas set it.</summary>
    public (double, double) Betas
    {
        get => (Defaults.beta1!.Value, Defaults.beta2!.Value);
        set => (Defaults.beta1, Defaults.beta2) = (value.Item1, value.Item2);
    }

    /// <inheritdoc />
    protected override State CreateState(Parameter parameter, Options options) => new(parameter);

    /// <inheritdoc />
    protected override void Update(Parameter parameter, Tensor grad, State state, Options options)
    {
        double lr = options.LearningRate!.Value, beta1 = options.beta1!.Value, beta2 = options.beta2!.Value;
        double correction1 = 1 - Math.Pow(beta1, state.step), correction2 = 1 - Math.Pow(beta2, state.step);

        var m = state.exp_avg ??= zeros_like(parameter);
        var v = state.exp_avg_sq ??= zeros_like(parameter);
        double wd = options.weight_decay!.Value;
        using var s = new HeldScalars();
        m.mul_(s[beta1]).add_(grad, alpha: s[1 - beta1]);
        v.mul_(s[beta2]).addcmul_(grad, grad, value: s[1 - beta2]);
        // The step is m/denominator times a positive factor: its sign is m's, which the cautious decay reads.
        DecoupledWeightDecay.Apply(parameter, lr, wd, options.cautious_wd!.Value, m, s);
        var denominator = v.sqrt().div_(s[Math.Sqrt(correction2)]).add_(s[options.eps!.Value], s[1]);
        parameter.addcdiv_(m, denominator, value: s[-lr / correction1]);
    }

    /// <summary>AdamW's hyperparameters for one parameter group (PyTorch names); null values are inherited.</summary>
    [DefaultLearningRate(DefaultLearningRate)]
    public sealed class Options : HyperparameterOptions, IBetasOptions
    {
        /// <summary>First-moment decay β1 in [0, 1).</summary>
        [Hyperparameter(DefaultBeta1, HyperparameterRule.UnitInterval)]
        public double? beta1 { get; set; }

        /// <summary>Second-moment decay β2 in [0, 1).</summary>
        [Hyperparameter(DefaultBeta2, HyperparameterRule.UnitInterval)]
        public double? beta2 { get; set; }

        /// <summary>ε ≥ 0 added to the bias-corrected √v.</summary>
        [Hyperparameter(DefaultEps, HyperparameterRule.NonNegative)]
        public double? eps { get; set; }

        /// <summary>Decoupled weight decay ≥ 0: p ← p·(1 − lr·wd) before the update.</summary>
        [Hyperparameter(DefaultWeightDecay, HyperparameterRule.NonNegative)]
        public double? weight_decay { get; set; }

        /// <summary>Cautious weight decay: decay only the entries where the step and the parameter have the same sign (Chen et al. 2025).</summary>
        [Hyperparameter(DefaultCautiousWeightDecay, AbsentInOlderStates = true)]
        public bool? cautious_wd { get; set; }
    }

    /// <summary>AdamW's per-parameter state: both moments, created at the first gradient.</summary>
    public sealed class State : ParameterState
    {
        /// <summary>Creates the empty state of <paramref name="parameter"/>.</summary>
        /// <param name="parameter">The parameter.</param>
        public State(Parameter parameter) : base(parameter, slotCount: 2) { }

        /// <summary>First moment m, same shape and dtype as the parameter.</summary>
        public Tensor? exp_avg { get => GetSlot(0); set => SetSlot(0, value); }

        /// <summary>Second moment v, same shape and dtype as the parameter.</summary>
        public Tensor? exp_avg_sq { get => GetSlot(1); set => SetSlot(1, value); }
    }

    /// <summary>A group of parameters sharing AdamW hyperparameters; null fields take the optimizer's defaults.</summary>
    public sealed class ParamGroup : BetasParamGroup<Options>
    {
        /// <summary>An empty group (set <c>Parameters</c> and <c>Options</c>).</summary>
        public ParamGroup() { }

        /// <summary>A group with explicit options.</summary>
        /// <param name="parameters">The group's parameters, any shape.</param>
        /// <param name="options">Its hyperparameters; null fields are inherited.</param>
        public ParamGroup(IEnumerable<Parameter> parameters, Options? options = null) : base(parameters, options) { }
    }
}
