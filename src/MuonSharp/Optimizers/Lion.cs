using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.optim;

namespace MuonSharp.Optimizers;

/// <summary>
/// Lion — EvoLved Sign Momentum (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms",
/// Algorithm 2). Every entry moves by exactly ±lr (or 0): the update is the sign of an
/// interpolation between the momentum and the fresh gradient. Per parameter, any shape:
/// <code>
/// c ← β1·m + (1−β1)·g
/// p ← p·(1 − lr·wd)                 decoupled weight decay
/// p ← p − lr·sign(c)
/// m ← β2·m + (1−β2)·g               the momentum tracks the gradient with the slower β2
/// </code>
/// Lion is the 𝒦 = ℓ∞-ball member of the Lion-𝒦 family (<c>001</c>, "Connections and
/// Generalizations"): replacing the entrywise sign by the matrix sign UVᵀ (𝒦 = nuclear norm) gives
/// Muon, so the two differ only in the norm whose steepest-descent step they take.
/// Because sign(·) has unit magnitude per entry, Lion's update has a larger norm than AdamW's:
/// Chen et al. use an lr 3–10× smaller and a weight decay 3–10× larger than AdamW's. With
/// <c>cautious_wd</c> the decay touches only the entries where sign(c) and the parameter have the same
/// sign (Chen et al. 2025, arXiv 2510.12402, which tests it on Lion).
/// </summary>
public sealed class Lion : ManagedOptimizer<Lion.Options, Lion.State>, IBetas
{
    /// <summary>Default learning rate (Chen et al. 2023, hyperparameter tuning: 3–10× below AdamW's usual 1e-3).</summary>
    public const double DefaultLearningRate = 1e-4;
    /// <summary>Default interpolation coefficient β1 of the update direction (Chen et al. 2023, Algorithm 2).</summary>
    public const double DefaultBeta1 = 0.9;
    /// <summary>Default momentum coefficient β2 (Chen et al. 2023, Algorithm 2).</summary>
    public const double DefaultBeta2 = 0.99;
    /// <summary>Default decoupled weight decay: none (Chen et al. use 3–10× more than AdamW when they decay).</summary>
    public const double DefaultWeightDecay = 0;
    /// <summary>Default: plain decoupled weight decay, not the cautious form.</summary>
    public const bool DefaultCautiousWeightDecay = false;

    /// <summary>Creates Lion over <paramref name="groups"/>; see <see cref="Optim.Lion{T}"/>.</summary>
    /// <param name="groups">Parameter groups; unset options come from <paramref name="defaults"/>.</param>
    /// <param name="defaults">Optimizer-wide hyperparameters; unset ones take their declared defaults.</param>
    /// <param name="names">Parameter names for error messages, when known.</param>
    public Lion(IEnumerable<ParamGroup<Options>> groups, Options? defaults = null, IReadOnlyDictionary<IntPtr, string>? names = null)
        : base(groups, defaults, names)
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
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value;
        double lr = options.LearningRate!.Value, wd = options.weight_decay!.Value;

        var m = state.exp_avg ??= zeros_like(parameter);
        using var s = new HeldScalars();
        var c = m.mul(s[beta1]).add_(grad, alpha: s[1 - beta1]);       // interpolation, then its sign

        var direction = c.sign_();
        DecoupledWeightDecay.Apply(parameter, lr, wd, options.cautious_wd!.Value, direction, s);
        parameter.add_(direction, alpha: s[-lr]);
        m.mul_(s[beta2]).add_(grad, alpha: s[1 - beta2]);
    }

    /// <summary>Lion's hyperparameters for one parameter group (names as in PyTorch's Adam family); null values are inherited.</summary>
    [DefaultLearningRate(DefaultLearningRate)]
    public sealed class Options : HyperparameterOptions, IBetasOptions
    {
        /// <summary>β1 in [0, 1): weight of the momentum in the direction c = β1·m + (1−β1)·g.</summary>
        [Hyperparameter(DefaultBeta1, HyperparameterRule.UnitInterval)]
        public double? beta1 { get; set; }

        /// <summary>β2 in [0, 1): decay of the momentum m ← β2·m + (1−β2)·g.</summary>
        [Hyperparameter(DefaultBeta2, HyperparameterRule.UnitInterval)]
        public double? beta2 { get; set; }

        /// <summary>Decoupled weight decay ≥ 0: p ← p·(1 − lr·wd) before the update.</summary>
        [Hyperparameter(DefaultWeightDecay, HyperparameterRule.NonNegative)]
        public double? weight_decay { get; set; }

        /// <summary>Cautious weight decay: decay only the entries where sign(c) and the parameter have the same sign (Chen et al. 2025).</summary>
        [Hyperparameter(DefaultCautiousWeightDecay, AbsentInOlderStates = true)]
        public bool? cautious_wd { get; set; }
    }

    /// <summary>Lion's per-parameter state: the momentum, created at the first gradient.</summary>
    public sealed class State : ParameterState
    {
        /// <summary>Creates the empty state of <paramref name="parameter"/>.</summary>
        /// <param name="parameter">The parameter.</param>
        public State(Parameter parameter) : base(parameter, slotCount: 1) { }

        /// <summary>Momentum m (β2-average of gradients), same shape and dtype as the parameter.</summary>
        public Tensor? exp_avg { get => GetSlot(0); set => SetSlot(0, value); }
    }

    /// <summary>A group of parameters sharing Lion hyperparameters; null fields take the optimizer's defaults.</summary>
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
