using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MuonSharp.Optimizers.OptimizerChoices;
using static TorchSharp.torch.optim;

namespace MuonSharp.Optimizers;

/// <summary>
/// Spectral gradient descent — the exact-SVD polar update the papers analyse
/// (<c>000 §2.1</c>, <c>004 §2.2</c>): W ← W − lr·c·UVᵀ where U Σ Vᵀ is the (momentum) gradient,
/// c = 1 (<see cref="SpectralScale.None"/>, steepest descent under the spectral norm with a
/// fixed step) or c = ‖G‖_* (<see cref="SpectralScale.Nuclear"/>, the dual-norm step of
/// <c>004 §10.1</c>). Momentum follows PyTorch's SGD convention, buf ← β·buf + g, and the update
/// uses buf; with β = 0 it is plain Spectral GD.
/// </summary>
public sealed class SpectralGD : ManagedOptimizer<SpectralGD.Options, SpectralGD.State>, IMomentum
{
    /// <summary>Default momentum: none, plain Spectral GD as the papers analyse it (<c>000 §2.1</c>).</summary>
    public const double DefaultMomentum = 0;
    /// <summary>Default step size rule: a fixed step.</summary>
    public const SpectralScale DefaultScale = SpectralScale.None;

    /// <summary>Creates Spectral GD over <paramref name="groups"/>; see <see cref="Optim.SpectralGD{T}"/>.</summary>
    /// <param name="groups">Parameter groups; unset options come from <paramref name="defaults"/>.</param>
    /// <param name="defaults">Optimizer-wide hyperparameters, the learning rate among them; unset ones take their declared defaults.</param>
    /// <param name="names">Parameter names for error messages, when known.</param>
    public SpectralGD(IEnumerable<ParamGroup<Options>> groups, Options defaults, IReadOnlyDictionary<IntPtr, string>? names = null)
        : base(groups, defaults, names)
    {
    }

    /// <summary>Default momentum of new groups.</summary>
    public double Momentum { get => Defaults.momentum!.Value; set => Defaults.momentum = value; }

    /// <inheritdoc />
    protected override string? Refusal(Parameter parameter) => MatrixOnly.Refusal(parameter, nameof(SpectralGD));

    /// <inheritdoc />
    protected override string RefusalAdvice => MatrixOnly.Advice;

    /// <inheritdoc />
    protected override State CreateState(Parameter parameter, Options options) => new(parameter);

    /// <inheritdoc />
    protected override void Update(Parameter parameter, Tensor grad, State state, Options options)
    {
        double beta = options.momentum!.Value, lr = options.LearningRate!.Value;
        var direction = grad;
        using var s = new HeldScalars();
        if (beta != 0)
        {
            var buf = state.momentum_buffer ??= zeros_like(parameter);
            buf.mul_(s[beta]).add_(grad, s[1]);
            direction = buf;
        }

        var matrix = direction.reshape(direction.shape[0], -1);        // [out, in·kh·kw]
        var polar = Orthogonalize.Polar(matrix);
        double step = lr;
        if (options.scale == SpectralScale.Nuclear)
            step *= Spectral.NuclearNorm(matrix);
        parameter.add_(polar.view(parameter.shape), alpha: s[-step]);
    }

    /// <summary>Spectral GD's hyperparameters for one parameter group; the learning rate has no default.</summary>
    public sealed class Options : HyperparameterOptions, IMomentumOptions
    {
        /// <summary>Heavy-ball momentum coefficient β in [0, 1); 0 turns momentum off.</summary>
        [Hyperparameter(DefaultMomentum, HyperparameterRule.UnitInterval)]
        public double? momentum { get; set; }

        /// <summary>Step size rule: fixed (None) or multiplied by the nuclear norm (Nuclear).</summary>
        [Hyperparameter(DefaultScale)]
        public SpectralScale? scale { get; set; }
    }

    /// <summary>Spectral GD's per-parameter state: the momentum buffer (only when momentum &gt; 0).</summary>
    public sealed class State : ParameterState
    {
        /// <summary>Creates the empty state of <paramref name="parameter"/>.</summary>
        /// <param name="parameter">The parameter.</param>
        public State(Parameter parameter) : base(parameter, slotCount: 1) { }

        /// <summary>Heavy-ball sum of gradients, same shape and dtype as the parameter.</summary>
        public Tensor? momentum_buffer { get => GetSlot(0); set => SetSlot(0, value); }
    }

    /// <summary>A group of parameters sharing Spectral GD hyperparameters.</summary>
    public sealed class ParamGroup : MomentumParamGroup<Options>
    {
        /// <summary>An empty group (set <c>Parameters</c> and <c>Options</c>).</summary>
        public ParamGroup() { }

        /// <summary>A group with explicit options.</summary>
        /// <param name="parameters">The group's parameters (matrices or higher).</param>
        /// <param name="options">Its hyperparameters; null fields are inherited.</param>
        public ParamGroup(IEnumerable<Parameter> parameters, Options? options = null) : base(parameters, options) { }
    }
}
