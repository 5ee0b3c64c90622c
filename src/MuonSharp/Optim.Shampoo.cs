using MuonSharp.Optimizers;
using TorchSharp.Modules;

namespace MuonSharp;

public static partial class Optim
{
    /// <summary>
    /// The diagonal method whose step length Shampoo's direction takes, block by block
    /// (grafting, Agarwal et al. 2020; used by Anil et al. 2020): the learning rate is then that
    /// method's learning rate.
    /// </summary>
    public enum Grafting
    {
        /// <summary>
        /// No grafting: the raw direction L^{-1/4} G R^{-1/4}, whose length the statistics set (the first
        /// one is UVᵀ, spectral norm 1, so lr then behaves like Spectral GD's and the steps shrink as the
        /// sums grow); before preconditioning starts, the plain gradient.
        /// </summary>
        None,
        /// <summary>AdaGrad (Duchi et al. 2011): the step g / (√Σg² + ε).</summary>
        AdaGrad,
        /// <summary>Adam (Kingma &amp; Ba 2015) without its first moment: g / (√v̂ + ε) with v̂ the bias-corrected EMA of g²; Shampoo's momentum plays the first moment.</summary>
        Adam,
    }

    // ---- Shampoo ------------------------------------------------------------------------------

    /// <summary>Shampoo: Kronecker-factored preconditioning L^{-1/4} G R^{-1/4} with grafting (Gupta et al. 2018; Anil et al. 2020). See <see cref="Optimizers.Shampoo"/>.</summary>
    /// <param name="parameters">Parameters of any shape: matrices (and flattened conv filters) get L and R per block, vectors and scalars a diagonal statistic.</param>
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
    public static Shampoo Shampoo(IEnumerable<Parameter> parameters, double lr = Optimizers.Shampoo.DefaultLearningRate,
        double momentum = Optimizers.Shampoo.DefaultMomentum, double beta2 = Optimizers.Shampoo.DefaultBeta2, double epsilon = Optimizers.Shampoo.DefaultEpsilon,
        double weight_decay = 0, int precondition_frequency = Optimizers.Shampoo.DefaultPreconditionFrequency,
        int start_preconditioning_step = Optimizers.Shampoo.DefaultStartPreconditioningStep,
        int max_preconditioner_dim = Optimizers.Shampoo.DefaultMaxPreconditionerDim, Grafting grafting = Grafting.Adam,
        double grafting_beta2 = Optimizers.Shampoo.DefaultGraftingBeta2, double grafting_epsilon = Optimizers.Shampoo.DefaultGraftingEpsilon) =>
        Shampoo(new[] { new Shampoo.ParamGroup(parameters) }, lr, momentum, beta2, epsilon, weight_decay, precondition_frequency,
            start_preconditioning_step, max_preconditioner_dim, grafting, grafting_beta2, grafting_epsilon);

    /// <summary>Shampoo over named parameters (names appear in error messages).</summary>
    /// <inheritdoc cref="Shampoo(IEnumerable{Parameter}, double, double, double, double, double, int, int, int, Grafting, double, double)"/>
    public static Shampoo Shampoo(IEnumerable<(string name, Parameter parameter)> parameters, double lr = Optimizers.Shampoo.DefaultLearningRate,
        double momentum = Optimizers.Shampoo.DefaultMomentum, double beta2 = Optimizers.Shampoo.DefaultBeta2, double epsilon = Optimizers.Shampoo.DefaultEpsilon,
        double weight_decay = 0, int precondition_frequency = Optimizers.Shampoo.DefaultPreconditionFrequency,
        int start_preconditioning_step = Optimizers.Shampoo.DefaultStartPreconditioningStep,
        int max_preconditioner_dim = Optimizers.Shampoo.DefaultMaxPreconditionerDim, Grafting grafting = Grafting.Adam,
        double grafting_beta2 = Optimizers.Shampoo.DefaultGraftingBeta2, double grafting_epsilon = Optimizers.Shampoo.DefaultGraftingEpsilon)
    {
        var (list, names) = Named(parameters);
        return new Optimizers.Shampoo(new[] { new Shampoo.ParamGroup(list) },
            ShampooDefaults(lr, momentum, beta2, epsilon, weight_decay, precondition_frequency, start_preconditioning_step,
                max_preconditioner_dim, grafting, grafting_beta2, grafting_epsilon), names);
    }

    /// <summary>Shampoo over parameter groups; options a group leaves null come from these arguments.</summary>
    /// <inheritdoc cref="Shampoo(IEnumerable{Parameter}, double, double, double, double, double, int, int, int, Grafting, double, double)"/>
    public static Shampoo Shampoo(IEnumerable<Shampoo.ParamGroup> parameters, double lr = Optimizers.Shampoo.DefaultLearningRate,
        double momentum = Optimizers.Shampoo.DefaultMomentum, double beta2 = Optimizers.Shampoo.DefaultBeta2, double epsilon = Optimizers.Shampoo.DefaultEpsilon,
        double weight_decay = 0, int precondition_frequency = Optimizers.Shampoo.DefaultPreconditionFrequency,
        int start_preconditioning_step = Optimizers.Shampoo.DefaultStartPreconditioningStep,
        int max_preconditioner_dim = Optimizers.Shampoo.DefaultMaxPreconditionerDim, Grafting grafting = Grafting.Adam,
        double grafting_beta2 = Optimizers.Shampoo.DefaultGraftingBeta2, double grafting_epsilon = Optimizers.Shampoo.DefaultGraftingEpsilon) =>
        new(parameters, ShampooDefaults(lr, momentum, beta2, epsilon, weight_decay, precondition_frequency, start_preconditioning_step,
            max_preconditioner_dim, grafting, grafting_beta2, grafting_epsilon));

    private static Shampoo.Options ShampooDefaults(double lr, double momentum, double beta2, double epsilon, double weight_decay,
        int precondition_frequency, int start_preconditioning_step, int max_preconditioner_dim, Grafting grafting,
        double grafting_beta2, double grafting_epsilon) => new()
        {
            LearningRate = lr, momentum = momentum, beta2 = beta2, epsilon = epsilon, weight_decay = weight_decay,
            precondition_frequency = precondition_frequency, start_preconditioning_step = start_preconditioning_step,
            max_preconditioner_dim = max_preconditioner_dim, grafting = grafting,
            grafting_beta2 = grafting_beta2, grafting_epsilon = grafting_epsilon,
        };
}
