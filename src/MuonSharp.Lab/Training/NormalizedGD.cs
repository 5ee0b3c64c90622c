using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Training;

/// <summary>
/// The <c>normalized-gd</c> control (<c>001</c>: "giving GD per-layer adaptive step sizes doesn't erase
/// this"): each parameter's gradient is divided by its Frobenius norm before a plain gradient step, so
/// every layer moves by exactly lr per step, as Spectral GD's layers move by lr in spectral norm. A zero
/// gradient gives a zero step. Unlike <see cref="NormMatchedGD"/> the step length does not depend on the
/// gradient's rank. The gradient is normalized in place (the next step's backward overwrites it).
/// </summary>
public sealed class NormalizedGD : ManagedOptimizer<NormalizedGD.Options, NormalizedGD.State>
{
    /// <summary>Creates normalized GD over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">Parameters of any shape, with their names for error messages.</param>
    /// <param name="lr">The learning rate: the Frobenius length of every parameter's step.</param>
    public NormalizedGD(IEnumerable<(string Name, Parameter Parameter)> parameters, double lr)
        : base(new[] { new ParamGroup<Options>(parameters.Select(p => p.Parameter), new Options()) },
            new Options { LearningRate = lr },
            parameters.GroupBy(p => p.Parameter.Handle).ToDictionary(g => g.Key, g => g.First().Name))
    {
    }

    /// <inheritdoc />
    protected override State CreateState(Parameter parameter, Options options) => new(parameter);

    /// <inheritdoc />
    protected override void Update(Parameter parameter, Tensor grad, State state, Options options)
    {
        double norm = grad.norm().ToDouble();
        using var s = new HeldScalars();
        if (norm > 0) grad.div_(s[norm]);
        parameter.add_(grad, alpha: s[-options.LearningRate!.Value]);   // torch.optim.SGD's plain step
    }

    /// <summary>Normalized GD's hyperparameters: the learning rate only.</summary>
    public sealed class Options : HyperparameterOptions { }

    /// <summary>Normalized GD keeps no tensors; the state only counts steps.</summary>
    public sealed class State : ParameterState
    {
        /// <summary>Creates the state of <paramref name="parameter"/>.</summary>
        /// <param name="parameter">The parameter.</param>
        public State(Parameter parameter) : base(parameter, slotCount: 0) { }
    }
}
