using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Optimizers;

/// <summary>
/// The norm-matched control of <c>002</c>: a plain gradient step G rescaled so its Frobenius norm
/// equals that of the polar factor of the same gradient, ‖UVᵀ‖_F = √rank(G). It moves as far as
/// Spectral GD per step but in the gradient's own direction, separating "how far" from "which way".
/// The rank counts singular values above <see cref="Orthogonalize.DefaultPolarTolerance(long, long, ScalarType)"/>
/// of the gradient's dtype times σ_max, the cut-off <see cref="Orthogonalize.Polar"/> uses for that
/// gradient. A zero gradient gives a zero step.
/// </summary>
public sealed class NormMatchedGD : ManagedOptimizer<NormMatchedGD.Options, NormMatchedGD.State>
{
    /// <summary>Creates norm-matched GD over <paramref name="groups"/>.</summary>
    /// <param name="groups">Parameter groups; unset options come from <paramref name="defaults"/>.</param>
    /// <param name="defaults">The learning rate.</param>
    /// <param name="names">Parameter names for error messages, when known.</param>
    public NormMatchedGD(IEnumerable<ParamGroup<Options>> groups, Options defaults, IReadOnlyDictionary<IntPtr, string>? names = null)
        : base(groups, defaults, names)
    {
    }

    /// <inheritdoc />
    protected override string? Refusal(Parameter parameter) => MatrixOnly.Refusal(parameter, nameof(NormMatchedGD));

    /// <inheritdoc />
    protected override string RefusalAdvice => MatrixOnly.Advice;

    /// <inheritdoc />
    protected override State CreateState(Parameter parameter, Options options) => new(parameter);

    /// <inheritdoc />
    protected override void Update(Parameter parameter, Tensor grad, State state, Options options)
    {
        var matrix = grad.reshape(grad.shape[0], -1);                  // [out, in·kh·kw]
        var singular = Spectral.SingularValues(matrix);
        double cutoff = singular.Length == 0 ? 0 : singular[0] * Orthogonalize.DefaultPolarTolerance(matrix.shape[0], matrix.shape[1], grad.dtype);
        int rank = singular.Count(s => s > cutoff);
        double frobenius = Math.Sqrt(singular.Sum(s => s * s));
        if (rank == 0 || frobenius == 0) return;
        using var s = new HeldScalars();
        parameter.add_(grad, alpha: s[-options.LearningRate!.Value * Math.Sqrt(rank) / frobenius]);
    }

    /// <summary>Norm-matched GD's hyperparameters: the learning rate only, without a default.</summary>
    public sealed class Options : HyperparameterOptions { }

    /// <summary>A group of parameters sharing a learning rate.</summary>
    public sealed class ParamGroup : ParamGroup<Options>
    {
        /// <summary>An empty group (set <c>Parameters</c> and <c>Options</c>).</summary>
        public ParamGroup() { }

        /// <summary>A group with explicit options.</summary>
        /// <param name="parameters">The group's parameters (matrices or higher).</param>
        /// <param name="options">Its learning rate; null is inherited.</param>
        public ParamGroup(IEnumerable<Parameter> parameters, Options? options = null) : base(parameters, options ?? new Options()) { }
    }

    /// <summary>Norm-matched GD keeps no tensors; the state only counts steps.</summary>
    public sealed class State : ParameterState
    {
        /// <summary>Creates the state of <paramref name="parameter"/>.</summary>
        /// <param name="parameter">The parameter.</param>
        public State(Parameter parameter) : base(parameter, slotCount: 0) { }
    }
}
