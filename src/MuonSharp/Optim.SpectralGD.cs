using TorchSharp.Modules;

namespace MuonSharp;

public abstract partial class Optim
{
    /// <summary>Spectral GD: the exact polar update. See <see cref="Optimizers.SpectralGD"/>.</summary>
    /// <typeparam name="T"><see cref="Parameter"/>, <c>(string name, Parameter parameter)</c> or <see cref="Optimizers.SpectralGD.ParamGroup"/>.</typeparam>
    /// <param name="parameters">Matrix (or conv filter) parameters — <c>parameters()</c>, <c>named_parameters()</c> or groups; vectors are refused.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="momentum">Heavy-ball momentum β in [0, 1) (default 0).</param>
    /// <param name="scale">Step size rule (default None).</param>
    public static Optimizers.SpectralGD SpectralGD<T>(IEnumerable<T> parameters, double lr,
        double momentum = Optimizers.SpectralGD.DefaultMomentum, SpectralScale scale = Optimizers.SpectralGD.DefaultScale)
    {
        var (groups, names) = GroupsOf(parameters, nameof(SpectralGD), p => new Optimizers.SpectralGD.ParamGroup(p));
        return new Optimizers.SpectralGD(groups, new() { LearningRate = lr, momentum = momentum, scale = scale }, names);
    }

    /// <summary>Gradient step rescaled to the Frobenius norm of its polar factor (<c>002</c>'s control). See <see cref="Optimizers.NormMatchedGD"/>.</summary>
    /// <typeparam name="T"><see cref="Parameter"/>, <c>(string name, Parameter parameter)</c> or <see cref="Optimizers.NormMatchedGD.ParamGroup"/>.</typeparam>
    /// <param name="parameters">Matrix (or conv filter) parameters — <c>parameters()</c>, <c>named_parameters()</c> or groups; vectors are refused.</param>
    /// <param name="lr">Learning rate.</param>
    public static Optimizers.NormMatchedGD NormMatchedGD<T>(IEnumerable<T> parameters, double lr)
    {
        var (groups, names) = GroupsOf(parameters, nameof(NormMatchedGD), p => new Optimizers.NormMatchedGD.ParamGroup(p));
        return new Optimizers.NormMatchedGD(groups, new() { LearningRate = lr }, names);
    }
}
