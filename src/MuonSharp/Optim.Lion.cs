using TorchSharp.Modules;

namespace MuonSharp;

public abstract partial class Optim
{
    /// <summary>Lion: the sign of interpolated momentum (Chen et al. 2023). See <see cref="Optimizers.Lion"/>.</summary>
    /// <typeparam name="T"><see cref="Parameter"/>, <c>(string name, Parameter parameter)</c> or <see cref="Optimizers.Lion.ParamGroup"/>.</typeparam>
    /// <param name="parameters">Parameters of any shape (matrices, vectors, scalars) — <c>parameters()</c>, <c>named_parameters()</c> or groups.</param>
    /// <param name="lr">Learning rate ≥ 0 (default 1e-4; Chen et al. use 3–10× less than AdamW).</param>
    /// <param name="beta1">β1 in [0, 1) of the update direction c = β1·m + (1−β1)·g (default 0.9).</param>
    /// <param name="beta2">β2 in [0, 1) of the momentum m ← β2·m + (1−β2)·g (default 0.99).</param>
    /// <param name="weight_decay">Decoupled weight decay ≥ 0 (default 0; Chen et al. use 3–10× more than AdamW).</param>
    /// <param name="cautious_wd">Cautious weight decay: decay only where sign(c) and the parameter agree in sign (default false; Chen et al. 2025).</param>
    public static Optimizers.Lion Lion<T>(IEnumerable<T> parameters, double lr = Optimizers.Lion.DefaultLearningRate,
        double beta1 = Optimizers.Lion.DefaultBeta1, double beta2 = Optimizers.Lion.DefaultBeta2,
        double weight_decay = Optimizers.Lion.DefaultWeightDecay, bool cautious_wd = Optimizers.Lion.DefaultCautiousWeightDecay)
    {
        var (groups, names) = GroupsOf(parameters, nameof(Lion), p => new Optimizers.Lion.ParamGroup(p));
        return new Optimizers.Lion(groups, new() { LearningRate = lr, beta1 = beta1, beta2 = beta2, weight_decay = weight_decay, cautious_wd = cautious_wd }, names);
    }
}
