using MuonSharp.Optimizers;
using TorchSharp.Modules;

namespace MuonSharp;

public static partial class Optim
{
    // ---- Lion ---------------------------------------------------------------------------------

    /// <summary>Lion: the sign of interpolated momentum (Chen et al. 2023). See <see cref="Optimizers.Lion"/>.</summary>
    /// <param name="parameters">Parameters of any shape (matrices, vectors, scalars).</param>
    /// <param name="lr">Learning rate ≥ 0 (default 1e-4; Chen et al. use 3–10× less than AdamW).</param>
    /// <param name="beta1">β1 in [0, 1) of the update direction c = β1·m + (1−β1)·g (default 0.9).</param>
    /// <param name="beta2">β2 in [0, 1) of the momentum m ← β2·m + (1−β2)·g (default 0.99).</param>
    /// <param name="weight_decay">Decoupled weight decay ≥ 0 (default 0; Chen et al. use 3–10× more than AdamW).</param>
    public static Lion Lion(IEnumerable<Parameter> parameters, double lr = Optimizers.Lion.DefaultLearningRate,
        double beta1 = Optimizers.Lion.DefaultBeta1, double beta2 = Optimizers.Lion.DefaultBeta2, double weight_decay = 0) =>
        Lion(new[] { new Lion.ParamGroup(parameters) }, lr, beta1, beta2, weight_decay);

    /// <summary>Lion over named parameters (names appear in error messages).</summary>
    /// <inheritdoc cref="Lion(IEnumerable{Parameter}, double, double, double, double)"/>
    public static Lion Lion(IEnumerable<(string name, Parameter parameter)> parameters, double lr = Optimizers.Lion.DefaultLearningRate,
        double beta1 = Optimizers.Lion.DefaultBeta1, double beta2 = Optimizers.Lion.DefaultBeta2, double weight_decay = 0)
    {
        var (list, names) = Named(parameters);
        return new Optimizers.Lion(new[] { new Lion.ParamGroup(list) }, LionDefaults(lr, beta1, beta2, weight_decay), names);
    }

    /// <summary>Lion over parameter groups; options a group leaves null come from these arguments.</summary>
    /// <inheritdoc cref="Lion(IEnumerable{Parameter}, double, double, double, double)"/>
    public static Lion Lion(IEnumerable<Lion.ParamGroup> parameters, double lr = Optimizers.Lion.DefaultLearningRate,
        double beta1 = Optimizers.Lion.DefaultBeta1, double beta2 = Optimizers.Lion.DefaultBeta2, double weight_decay = 0) =>
        new(parameters, LionDefaults(lr, beta1, beta2, weight_decay));

    private static Lion.Options LionDefaults(double lr, double beta1, double beta2, double weight_decay) =>
        new() { LearningRate = lr, beta1 = beta1, beta2 = beta2, weight_decay = weight_decay };
}
