using TorchSharp.Modules;

namespace MuonSharp;

public abstract partial class Optim
{
    /// <summary>Shampoo: Kronecker-factored preconditioning L^{-1/4} G R^{-1/4} with grafting (Gupta et al. 2018; Anil et al. 2020). See <see cref="Optimizers.Shampoo"/>.</summary>
    /// <typeparam name="T"><see cref="Parameter"/>, <c>(string name, Parameter parameter)</c> or <see cref="Optimizers.Shampoo.ParamGroup"/>.</typeparam>
    /// <param name="parameters">Parameters of any shape — <c>parameters()</c>, <c>named_parameters()</c> or groups: matrices (and flattened conv filters) get L and R per block, vectors and scalars a diagonal statistic.</param>
    /// <param name="lr">Learning rate ≥ 0, the grafted method's (default 1e-3, Adam's).</param>
    /// <param name="momentum">Momentum β in [0, 1) on the final update, EMA form (default 0.9, Adam's β1; 0 turns it off as in Gupta et al. 2018).</param>
    /// <param name="beta2">β2 in [0, 1] of the statistics (default 1: pure sums L += GGᵀ, R += GᵀG).</param>
    /// <param name="epsilon">Absolute ε &gt; 0 added to the eigenvalues of L and R before the root (default 1e-12).</param>
    /// <param name="weight_decay">Decoupled weight decay ≥ 0 (default 0).</param>
    /// <param name="precondition_frequency">Steps between inverse-root recomputations, ≥ 1 (default 10).</param>
    /// <param name="start_preconditioning_step">Initial steps, ≥ 0, that take the grafted direction only (default 10).</param>
    /// <param name="max_preconditioner_dim">Largest block side, ≥ 1; larger matrices are split into blocks (default 1024).</param>
    /// <param name="grafting">Whose step length each block takes (default Adam).</param>
    /// <param name="grafting_beta2">β2 in [0, 1) of Adam grafting (default 0.999).</param>
    /// <param name="grafting_epsilon">ε &gt; 0 of the grafting denominator (default 1e-8).</param>
    public static Optimizers.Shampoo Shampoo<T>(IEnumerable<T> parameters, double lr = Optimizers.Shampoo.DefaultLearningRate,
        double momentum = Optimizers.Shampoo.DefaultMomentum, double beta2 = Optimizers.Shampoo.DefaultBeta2, double epsilon = Optimizers.Shampoo.DefaultEpsilon,
        double weight_decay = Optimizers.Shampoo.DefaultWeightDecay, int precondition_frequency = Optimizers.Shampoo.DefaultPreconditionFrequency,
        int start_preconditioning_step = Optimizers.Shampoo.DefaultStartPreconditioningStep,
        int max_preconditioner_dim = Optimizers.Shampoo.DefaultMaxPreconditionerDim, Grafting grafting = Optimizers.Shampoo.DefaultGrafting,
        double grafting_beta2 = Optimizers.Shampoo.DefaultGraftingBeta2, double grafting_epsilon = Optimizers.Shampoo.DefaultGraftingEpsilon)
    {
        var (groups, names) = GroupsOf(parameters, nameof(Shampoo), p => new Optimizers.Shampoo.ParamGroup(p));
        return new Optimizers.Shampoo(groups, new()
        {
            LearningRate = lr, momentum = momentum, beta2 = beta2, epsilon = epsilon, weight_decay = weight_decay,
            precondition_frequency = precondition_frequency, start_preconditioning_step = start_preconditioning_step,
            max_preconditioner_dim = max_preconditioner_dim, grafting = grafting,
            grafting_beta2 = grafting_beta2, grafting_epsilon = grafting_epsilon,
        }, names);
    }
}
