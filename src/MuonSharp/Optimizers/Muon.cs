using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MuonSharp.Optimizers.OptimizerChoices;
using static TorchSharp.torch.optim;

namespace MuonSharp.Optimizers;

/// <summary>
/// Muon — MomentUm Orthogonalized by Newton–Schulz (Jordan et al. 2024): momentum whose update
/// matrix is replaced by an approximation of its polar factor UVᵀ. Per matrix parameter:
/// <code>
/// buf ← β·buf + (1−β)·g
/// u   ← nesterov ? (1−β)·g + β·buf : buf
/// O   ← NewtonSchulz(u) · s          s = √max(1, rows/cols)  or  0.2·√max(rows, cols)
/// p   ← p·(1 − lr·wd) − lr·O
/// </code>
/// This is the reference form; PyTorch's <c>torch.optim.Muon</c> agrees. Parameters with more
/// than two dimensions (conv filters <c>[out, in, kh, kw]</c>) are orthogonalized as
/// <c>[out, in·kh·kw]</c> and <c>s</c> is computed on that flattened shape. Vectors and scalars are
/// refused: route them (and embeddings and the output head) to AdamW with
/// <c>Optim.MuonWithAuxAdamW</c>. All parameters of one flattened shape are orthogonalized in one
/// batched Newton–Schulz call (<see cref="BatchSameShapes"/>).
/// </summary>
public sealed class Muon : ManagedOptimizer<Muon.Options, Muon.State>, IMomentum
{
    /// <summary>Default learning rate (Jordan et al. 2024).</summary>
    public const double DefaultLearningRate = 0.02;
    /// <summary>Default momentum β (Jordan et al. 2024).</summary>
    public const double DefaultMomentum = 0.95;
    /// <summary>Default: the Nesterov look-ahead on (Jordan et al. 2024).</summary>
    public const bool DefaultNesterov = true;
    /// <summary>Default decoupled weight decay: none.</summary>
    public const double DefaultWeightDecay = 0;
    /// <summary>Default shape scaling, Jordan et al.'s (2024).</summary>
    public const AdjustLr DefaultAdjustLr = AdjustLr.Original;
    /// <summary>Default dtype of the Newton–Schulz iteration: bfloat16, whose GEMMs make Muon cheap (Jordan et al. 2024).</summary>
    public const ScalarType DefaultNsDtype = ScalarType.BFloat16;
    /// <summary>Default polynomials: Jordan et al.'s (2024) quintic.</summary>
    public const NewtonSchulzMethod DefaultNsMethod = NewtonSchulzMethod.JordanQuintic;

    /// <summary>Creates Muon over <paramref name="groups"/>; see <see cref="Optim.Muon{T}"/>.</summary>
    /// <param name="groups">Parameter groups; unset options come from <paramref name="defaults"/>.</param>
    /// <param name="defaults">Optimizer-wide hyperparameters; unset ones take their declared defaults.</param>
    /// <param name="names">Parameter names for error messages, when known.</param>
    public Muon(IEnumerable<ParamGroup<Options>> groups, Options? defaults = null, IReadOnlyDictionary<IntPtr, string>? names = null)
        : base(groups, defaults, names)
    {
    }

    /// <summary>The Muon half of a hybrid, which may be empty (a model without hidden matrices).</summary>
    internal Muon(IEnumerable<ParamGroup<Options>> groups, Options defaults, IReadOnlyDictionary<IntPtr, string> names, bool allowEmpty)
        : base(groups, defaults, names, allowEmpty)
    {
    }

    /// <summary>Default momentum of the group that new groups inherit; schedulers that cycle momentum set it.</summary>
    public double Momentum { get => Defaults.momentum!.Value; set => Defaults.momentum = value; }

    /// <summary>
    /// Orthogonalize all parameters of the same (flattened) shape in one batched Newton–Schulz
    /// call — stack, batched matmuls, unstack — as the fastest public implementations do. The
    /// result equals the one-by-one path up to floating-point rounding. Default true.
    /// </summary>
    public bool BatchSameShapes { get; set; } = true;

    /// <summary>
    /// The factor s multiplying the orthogonalized update of a <paramref name="rows"/>×<paramref name="cols"/>
    /// matrix (after flattening trailing dimensions into columns).
    /// </summary>
    /// <param name="rows">First dimension.</param>
    /// <param name="cols">Product of the remaining dimensions.</param>
    /// <param name="adjust">Which rule.</param>
    public static double ShapeScale(long rows, long cols, AdjustLr adjust) => adjust switch
    {
        // Keeps the update's RMS per entry comparable across aspect ratios (Jordan et al. 2024).
        AdjustLr.Original => Math.Sqrt(Math.Max(1.0, (double)rows / cols)),
        // An orthogonal m×n matrix has RMS 1/√max(m, n); AdamW's update RMS is about 0.2 (Moonlight, Liu et al. 2025).
        AdjustLr.MatchRmsAdamW => MatchRmsAdamWFactor * Math.Sqrt(Math.Max(rows, cols)),
        _ => throw new ArgumentOutOfRangeException(nameof(adjust), adjust, $"Accepted: {string.Join(", ", Enum.GetNames<AdjustLr>())}."),
    };

    /// <summary>Target update RMS of the Moonlight rule (Liu et al. 2025), matching AdamW's typical 0.2.</summary>
    public const double MatchRmsAdamWFactor = 0.2;

    /// <inheritdoc />
    protected override string? Refusal(Parameter parameter) => MatrixOnly.Refusal(parameter, nameof(Muon));

    /// <inheritdoc />
    protected override string RefusalAdvice => MatrixOnly.Advice;

    /// <inheritdoc />
    protected override State CreateState(Parameter parameter, Options options) => new(parameter);

    /// <summary>One parameter: momentum, Newton–Schulz of its flattened look-ahead, the update.</summary>
    protected override void Update(Parameter parameter, Tensor grad, State state, Options options)
    {
        var u = Lookahead(parameter, grad, state, options);
        Apply(parameter, Orthogonal(u.reshape(u.shape[0], -1), options), options);   // [out, in·kh·kw]
    }

    /// <summary>With <see cref="BatchSameShapes"/>, each set of same-shaped matrices goes through one batched Newton–Schulz call.</summary>
    protected override void UpdateGroup(IReadOnlyList<ParameterStep> steps, Options options)
    {
        if (!BatchSameShapes)
        {
            base.UpdateGroup(steps, options);
            return;
        }
        foreach (var sameShape in steps.GroupBy(s => (s.Parameter.shape[0], s.Parameter.numel() / s.Parameter.shape[0])))
        {
            var bucket = sameShape.ToList();
            if (bucket.Count == 1)
            {
                base.UpdateGroup(bucket, options);
                continue;
            }
            var (rows, cols) = sameShape.Key;
            var lookaheads = bucket.Select(s => Lookahead(s.Parameter, s.Gradient, s.State, options).reshape(rows, cols));
            var orthogonal = Orthogonal(stack(lookaheads), options).unbind(0);   // [k, out, in·kh·kw] → k × [out, in·kh·kw]
            for (int i = 0; i < bucket.Count; i++) Apply(bucket[i].Parameter, orthogonal[i], options);
        }
    }

    /// <summary>buf ← β·buf + (1−β)·g; returns nesterov ? (1−β)·g + β·buf : buf.</summary>
    private static Tensor Lookahead(Parameter parameter, Tensor grad, State state, Options options)
    {
        double beta = options.momentum!.Value;
        var buf = state.momentum_buffer ??= zeros_like(parameter);
        using var s = new HeldScalars();
        buf.mul_(s[beta]).add_(grad, alpha: s[1 - beta]);
        return options.nesterov!.Value ? grad.mul(s[1 - beta]).add_(buf, alpha: s[beta]) : buf;
    }

    /// <summary>
    /// Newton–Schulz of one matrix [m, n] or a batch [k, m, n] with the group's method, left in
    /// <c>ns_dtype</c>: <see cref="Apply"/> adds it into the parameter, widening exactly.
    /// </summary>
    private static Tensor Orthogonal(Tensor matrices, Options options)
    {
        int steps = options.ns_steps!.Value;
        var dtype = options.ns_dtype!.Value;
        return options.ns_method switch
        {
            NewtonSchulzMethod.PolarExpress => Orthogonalize.NewtonSchulzInComputeType(matrices,
                Orthogonalize.PolarExpressSchedule(steps), dtype, Orthogonalize.DefaultEpsilon, Orthogonalize.PolarExpressSafety),
            _ => Orthogonalize.NewtonSchulzInComputeType(matrices, Enumerable.Repeat(Orthogonalize.JordanQuintic, steps).ToArray(), dtype),
        };
    }

    /// <summary>p ← p·(1 − lr·wd) − lr·s·O, with s from the flattened shape of O (O may be in a narrower dtype than p).</summary>
    private static void Apply(Parameter parameter, Tensor orthogonal, Options options)
    {
        double lr = options.LearningRate!.Value, wd = options.weight_decay!.Value;
        double scale = ShapeScale(orthogonal.shape[0], orthogonal.shape[1], options.adjust_lr!.Value);
        using var s = new HeldScalars();
        if (wd != 0) parameter.mul_(s[1 - lr * wd]);                  // decoupled weight decay
        parameter.add_(orthogonal.view(parameter.shape), alpha: s[-lr * scale]);
    }

    /// <summary>Muon's hyperparameters for one parameter group (PyTorch names); null values are inherited.</summary>
    [DefaultLearningRate(DefaultLearningRate)]
    public sealed class Options : HyperparameterOptions, IMomentumOptions
    {
        /// <summary>Momentum coefficient β in [0, 1).</summary>
        [Hyperparameter(DefaultMomentum, HyperparameterRule.UnitInterval)]
        public double? momentum { get; set; }

        /// <summary>Use the Nesterov look-ahead (1−β)·g + β·buf instead of buf.</summary>
        [Hyperparameter(DefaultNesterov)]
        public bool? nesterov { get; set; }

        /// <summary>Decoupled weight decay ≥ 0: p ← p·(1 − lr·wd) before the update.</summary>
        [Hyperparameter(DefaultWeightDecay, HyperparameterRule.NonNegative)]
        public double? weight_decay { get; set; }

        /// <summary>Newton–Schulz iterations, at least 1.</summary>
        [Hyperparameter(Orthogonalize.DefaultSteps, HyperparameterRule.Positive)]
        public int? ns_steps { get; set; }

        /// <summary>How the orthogonalized update is scaled by the matrix shape.</summary>
        [Hyperparameter(DefaultAdjustLr)]
        public AdjustLr? adjust_lr { get; set; }

        /// <summary>Dtype of the Newton–Schulz iteration: BFloat16, Float32 or Float64.</summary>
        [Hyperparameter(DefaultNsDtype, Accepted = new object[] { ScalarType.BFloat16, ScalarType.Float32, ScalarType.Float64 })]
        public ScalarType? ns_dtype { get; set; }

        /// <summary>Which polynomials: Jordan's fixed quintic or the Polar Express schedule.</summary>
        [Hyperparameter(DefaultNsMethod)]
        public NewtonSchulzMethod? ns_method { get; set; }
    }

    /// <summary>Muon's per-parameter state: the momentum buffer, created at the first gradient.</summary>
    public sealed class State : ParameterState
    {
        /// <summary>Creates the empty state of <paramref name="parameter"/>.</summary>
        /// <param name="parameter">The parameter.</param>
        public State(Parameter parameter) : base(parameter, slotCount: 1) { }

        /// <summary>Exponential moving average of gradients, same shape and dtype as the parameter.</summary>
        public Tensor? momentum_buffer { get => GetSlot(0); set => SetSlot(0, value); }
    }

    /// <summary>A group of parameters sharing Muon hyperparameters; null fields take the optimizer's defaults.</summary>
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
