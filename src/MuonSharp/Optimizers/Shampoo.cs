using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MuonSharp.Optimizers.OptimizerChoices;
using static TorchSharp.torch.optim;

namespace MuonSharp.Optimizers;

/// <summary>
/// Shampoo (Gupta et al. 2018) with the practical refinements of Anil et al. (2020): blocking,
/// infrequent inverse roots, a warm-up on the grafted direction, and grafting (Agarwal et al. 2020).
/// Per matrix parameter (trailing dimensions flattened: <c>[out, rest]</c>), per block G of at most
/// <c>max_preconditioner_dim</c> along each side:
/// <code>
/// L ← β2·L + (1−β2)·GGᵀ,  R ← β2·R + (1−β2)·GᵀG      (β2 = 1: plain sums L += GGᵀ, R += GᵀG)
/// D ← (L + εI)^{-1/4} · G · (R + εI)^{-1/4}          roots recomputed every precondition_frequency steps
/// D ← D · ‖S‖_F / ‖D‖_F                               S: the grafting method's step on G (skipped for None)
/// </code>
/// Vectors and scalars get the diagonal statistic d ← β2·d + (1−β2)·g² and D = g·(d + ε)^{-1/2}
/// (Shampoo of order 1, i.e. AdaGrad). For the first <c>start_preconditioning_step</c> steps D is
/// S itself (the plain gradient under <see cref="Grafting.None"/>) while L and R accumulate;
/// so is a block's D while its L or R has seen only zeros (it has no roots then). These steps are
/// counted only when the gradient is not all zero (<see cref="State.gradient_steps"/>): a parameter's
/// unused steps neither shorten its warm-up nor feed its statistics.
/// Then, with u the blocks of D reassembled to the parameter's shape (0 for an all-zero gradient):
/// <code>
/// buf ← β·buf + (1−β)·u   (β = momentum; skipped when 0)
/// p   ← p·(1 − lr·wd) − lr·buf
/// </code>
/// Grafting makes each block step exactly as long as the diagonal method's, so that method's
/// learning rate carries over; Shampoo contributes only the direction, which whitens the
/// gradient's row and column covariances (<c>001</c>, "Shampoo"). Statistics and roots are kept in
/// float64 for float64 parameters and in float32 otherwise; every eigendecomposition runs in float64.
/// </summary>
public sealed partial class Shampoo : ManagedOptimizer<Shampoo.Options, Shampoo.State>, IMomentum
{
    /// <summary>
    /// Default learning rate. It is the grafted method's: with the default Adam grafting each block
    /// moves as far as an Adam step would, so AdamW's customary 1e-3 applies.
    /// </summary>
    public const double DefaultLearningRate = 1e-3;
    /// <summary>
    /// Default momentum β, Adam's β1 (Kingma &amp; Ba 2015): with Adam grafting the pair (momentum,
    /// grafting_beta2) plays Adam's (β1, β2). Without momentum a constant-lr run behaves like RMSprop
    /// and keeps bouncing near the minimum (we measured this on a convex quadratic).
    /// </summary>
    public const double DefaultMomentum = 0.9;
    /// <summary>Default β2 of the statistics: 1, the pure sums of Gupta et al. (2018, Algorithm 1).</summary>
    public const double DefaultBeta2 = 1.0;
    /// <summary>
    /// Default ε, absolute (not scaled by the largest eigenvalue): added to every eigenvalue of L and R
    /// (after clamping them at 0) before the root, as Gupta et al. (2018, Algorithm 1) start from
    /// L₀ = εI; with β2 = 1 the two are the same. It bounds every root entry by ε^{-1/4} = 1e3 and is
    /// far below the statistics of gradients of ordinary size. For float32 parameters the rounding of
    /// the float32 statistics (about 1e-7 of the largest eigenvalue) is the effective floor instead.
    /// With tiny gradients (entries ≪ 1e-6) ε starts to dominate and the direction drifts toward the
    /// plain gradient; lower ε then.
    /// </summary>
    public const double DefaultEpsilon = 1e-12;
    /// <summary>
    /// Default steps between inverse-root recomputations: each costs an O(d³) float64 eigendecomposition
    /// per block side, while the statistics (sums over all steps) change slowly, so refreshing every
    /// 10 steps costs little accuracy (<c>001</c>, "Shampoo", Scalability; Anil et al. 2020).
    /// </summary>
    public const int DefaultPreconditionFrequency = 10;
    /// <summary>
    /// Default number of initial steps that use the grafted direction only. Until L and R have summed
    /// several gradients they are rank-deficient, and roots computed from them multiply any later
    /// gradient component outside their range by up to ε^{-1/4} per side — a component that
    /// grafting's rescaling would then let dominate the block's step until the next refresh.
    /// </summary>
    public const int DefaultStartPreconditioningStep = 10;
    /// <summary>
    /// Default largest side of a block's L or R (Anil et al. 2020 block large layers). One inverse
    /// root of a 1024×1024 statistic (float64 eigendecomposition) took about 2 s on a 2-core x86 CPU;
    /// each block needs two every <c>precondition_frequency</c> steps.
    /// </summary>
    public const int DefaultMaxPreconditionerDim = 1024;
    /// <summary>Default β2 of Adam grafting, Adam's own (Kingma &amp; Ba 2015).</summary>
    public const double DefaultGraftingBeta2 = 0.999;
    /// <summary>Default ε of the grafting method's denominator √v + ε, Adam's own (Kingma &amp; Ba 2015).</summary>
    public const double DefaultGraftingEpsilon = 1e-8;
    /// <summary>Default decoupled weight decay: none.</summary>
    public const double DefaultWeightDecay = 0;
    /// <summary>Default grafting: Adam, so AdamW's learning rate transfers (Anil et al. 2020 graft from Adam or AdaGrad).</summary>
    public const Grafting DefaultGrafting = Grafting.Adam;

    /// <summary>Creates Shampoo over <paramref name="groups"/>; see <see cref="Optim.Shampoo{T}"/>.</summary>
    /// <param name="groups">Parameter groups; unset options come from <paramref name="defaults"/>.</param>
    /// <param name="defaults">Optimizer-wide hyperparameters; unset ones take their declared defaults.</param>
    /// <param name="names">Parameter names for error messages, when known.</param>
    public Shampoo(IEnumerable<ParamGroup<Options>> groups, Options? defaults = null, IReadOnlyDictionary<IntPtr, string>? names = null)
        : base(groups, defaults, names)
    {
    }

    /// <summary>Default momentum of the group that new groups inherit; schedulers that cycle momentum set it.</summary>
    public double Momentum { get => Defaults.momentum!.Value; set => Defaults.momentum = value; }

    /// <summary>A matrix's state holds L, R and their roots per block of its group's <c>max_preconditioner_dim</c>; a vector's, the diagonal statistic.</summary>
    protected override State CreateState(Parameter parameter, Options options) =>
        new(parameter, parameter.dim() < 2 ? null
            : ShampooPreconditioner.Partition(parameter.shape[0], parameter.numel() / Math.Max(1, parameter.shape[0]), options.max_preconditioner_dim!.Value));

    /// <inheritdoc />
    protected override void Update(Parameter parameter, Tensor grad, State state, Options options)
    {
        double lr = options.LearningRate!.Value, beta = options.momentum!.Value, wd = options.weight_decay!.Value;
        var g = grad.to(StatisticsType(parameter.dtype));
        var update = g.any().ToBoolean() ? Direction(g, state, options).reshape(parameter.shape).to(parameter.dtype) : null;

        using var s = new HeldScalars();
        if (beta != 0)
        {
            var buf = state.momentum_buffer ??= zeros_like(parameter);
            buf.mul_(s[beta]);
            if (update is not null) buf.add_(update, alpha: s[1 - beta]);
            update = buf;
        }
        if (wd != 0) parameter.mul_(s[1 - lr * wd]);                   // decoupled weight decay
        if (update is not null) parameter.add_(update, alpha: s[-lr]);
    }

    /// <summary>D for a gradient that is not all zero, in the statistics' dtype; advances <see cref="State.gradient_steps"/>.</summary>
    private static Tensor Direction(Tensor g, State state, Options options)
    {
        state.gradient_steps++;
        bool precondition = state.gradient_steps > options.start_preconditioning_step!.Value;
        var graft = GraftStep(g, state, options);                        // null for Grafting.None
        return state.Blocks is null
            ? DiagonalDirection(g, graft, state, options, precondition)
            : MatrixDirection(g, graft, state, options, precondition);
    }

    private static Tensor MatrixDirection(Tensor g, Tensor? graft, State state, Options options, bool precondition)
    {
        var matrix = g.reshape(g.shape[0], -1);                          // [out, rest]
        var graftMatrix = graft?.reshape(matrix.shape);
        if (!precondition) graftMatrix ??= matrix;                       // warm-up: the grafted step (or plain gradient)
        var direction = precondition ? zeros_like(matrix) : graftMatrix!;

        double beta2 = options.beta2!.Value, epsilon = options.epsilon!.Value;
        // Roots are refreshed at the first preconditioned step and every precondition_frequency steps after it.
        bool refresh = (state.gradient_steps - options.start_preconditioning_step!.Value - 1) % options.precondition_frequency!.Value == 0;
        for (int b = 0; b < state.Blocks!.Count; b++)
        {
            var block = state.Blocks[b];
            var gb = block.Of(matrix);                                   // [rows, cols]
            state.SetLeft(b, Accumulate(state.Left(b), gb.mm(gb.T), beta2));   // [rows, rows]
            state.SetRight(b, Accumulate(state.Right(b), gb.T.mm(gb), beta2));  // [cols, cols]
            if (!precondition) continue;

            if (refresh) RefreshRoots(state, b, epsilon);
            if (state.LeftRoot(b) is null)
            {
                block.Of(direction).copy_(block.Of(graftMatrix ?? matrix));   // no roots yet: the grafted step (or plain gradient)
                continue;
            }
            var db = state.LeftRoot(b)!.mm(gb).mm(state.RightRoot(b)!);
            if (graftMatrix is not null) RescaleToNorm(db, block.Of(graftMatrix));
            block.Of(direction).copy_(db);
        }
        return direction;
    }

    /// <summary>
    /// Recomputes block <paramref name="b"/>'s inverse roots, or clears them while its L or R is zero: the
    /// root of a statistic that has seen nothing is ε^{-1/4}·I, which would multiply the block's next
    /// gradients by ε^{-1/2} = 10⁶ (at the default ε) until the following refresh.
    /// </summary>
    private static void RefreshRoots(State state, int b, double epsilon)
    {
        var (left, right) = (state.Left(b)!, state.Right(b)!);
        bool seen = left.trace().ToDouble() > 0 && right.trace().ToDouble() > 0;   // PSD: zero trace ⇔ zero matrix
        state.SetLeftRoot(b, seen ? ShampooPreconditioner.InverseRoot(left, ShampooPreconditioner.MatrixRoot, epsilon) : null);
        state.SetRightRoot(b, seen ? ShampooPreconditioner.InverseRoot(right, ShampooPreconditioner.MatrixRoot, epsilon) : null);
    }

    private static Tensor DiagonalDirection(Tensor g, Tensor? graft, State state, Options options, bool precondition)
    {
        using var s = new HeldScalars();
        var statistic = Accumulate(state.diagonal_statistic, g.pow(s[2]), options.beta2!.Value);   // g²
        state.diagonal_statistic = statistic;
        if (!precondition) return graft ?? g;
        var direction = g.mul(statistic.add(s[options.epsilon!.Value], s[1]).pow_(s[-1.0 / ShampooPreconditioner.DiagonalRoot]));
        if (graft is not null) RescaleToNorm(direction, graft);
        return direction;
    }

    /// <summary>The grafting method's step on the whole gradient, its accumulator updated; null for None.</summary>
    private static Tensor? GraftStep(Tensor g, State state, Options options)
    {
        double epsilon = options.grafting_epsilon!.Value;
        using var s = new HeldScalars();
        switch (options.grafting!.Value)
        {
            case Grafting.AdaGrad:                                 // Duchi et al. 2011: v ← v + g²
            {
                var v = state.grafting_buffer ??= zeros_like(g);
                v.addcmul_(g, g, s[1]);
                return g.div(v.sqrt().add_(s[epsilon], s[1]));
            }
            case Grafting.Adam:                                    // Kingma & Ba 2015, second moment with bias correction;
            {                                                            // the first moment is this optimizer's momentum
                double beta2 = options.grafting_beta2!.Value;
                var v = state.grafting_buffer ??= zeros_like(g);
                v.mul_(s[beta2]).addcmul_(g, g, s[1 - beta2]);
                double correction = 1 - Math.Pow(beta2, state.gradient_steps);
                return g.div(v.div(s[correction]).sqrt_().add_(s[epsilon], s[1]));
            }
            default:
                return null;
        }
    }

    /// <summary>statistic ← β2·statistic + (1−β2)·update, or statistic + update when β2 = 1; starts from zero.</summary>
    private static Tensor Accumulate(Tensor? statistic, Tensor update, double beta2)
    {
        using var s = new HeldScalars();
        if (statistic is null) return beta2 < 1 ? update.mul(s[1 - beta2]) : update.clone();
        return beta2 < 1 ? statistic.mul_(s[beta2]).add_(update, alpha: s[1 - beta2]) : statistic.add_(update, s[1]);
    }

    /// <summary>Scales <paramref name="direction"/> in place to the Frobenius norm of <paramref name="graft"/> (a zero direction stays zero).</summary>
    private static void RescaleToNorm(Tensor direction, Tensor graft)
    {
        double norm = direction.norm().ToDouble();
        using var s = new HeldScalars();
        direction.mul_(s[norm > 0 ? graft.norm().ToDouble() / norm : 0]);
    }

    /// <summary>Float64 parameters keep float64 statistics; every other dtype accumulates in float32.</summary>
    private static ScalarType StatisticsType(ScalarType parameterType) =>
        parameterType == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
}
