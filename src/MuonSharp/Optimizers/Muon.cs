using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
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
/// <c>Optim.MuonWithAuxAdamW</c>.
/// </summary>
public sealed class Muon : ManagedOptimizer<Muon.Options, Muon.State>, IMomentum
{
    /// <summary>Creates Muon over <paramref name="groups"/>; see <see cref="Optim.Muon(IEnumerable{Parameter}, double, double, bool, double, int, Optim.AdjustLr, ScalarType, Optim.NewtonSchulzMethod)"/>.</summary>
    /// <param name="groups">Parameter groups; unset options come from <paramref name="defaults"/>.</param>
    /// <param name="defaults">Every hyperparameter set.</param>
    /// <param name="names">Parameter names for error messages, when known.</param>
    public Muon(IEnumerable<ParamGroup> groups, Options defaults, IReadOnlyDictionary<IntPtr, string>? names = null)
        : base(groups, defaults, names)
    {
    }

    /// <summary>The Muon half of a hybrid, which may be empty (a model without hidden matrices).</summary>
    internal Muon(IEnumerable<ParamGroup> groups, Options defaults, IReadOnlyDictionary<IntPtr, string> names, bool allowEmpty)
        : base(groups, defaults, names, allowEmpty)
    {
    }

    /// <summary>Default momentum of the group that new groups inherit; schedulers that cycle momentum set it.</summary>
    public double Momentum { get => Defaults.momentum!.Value; set => Defaults.momentum = value; }

    /// <summary>
    /// The factor s multiplying the orthogonalized update of a <paramref name="rows"/>×<paramref name="cols"/>
    /// matrix (after flattening trailing dimensions into columns).
    /// </summary>
    /// <param name="rows">First dimension.</param>
    /// <param name="cols">Product of the remaining dimensions.</param>
    /// <param name="adjust">Which rule.</param>
    public static double ShapeScale(long rows, long cols, Optim.AdjustLr adjust) => adjust switch
    {
        // Keeps the update's RMS per entry comparable across aspect ratios (Jordan et al. 2024).
        Optim.AdjustLr.Original => Math.Sqrt(Math.Max(1.0, (double)rows / cols)),
        // An orthogonal m×n matrix has RMS 1/√max(m, n); AdamW's update RMS is about 0.2 (Moonlight, Liu et al. 2025).
        Optim.AdjustLr.MatchRmsAdamW => MatchRmsAdamWFactor * Math.Sqrt(Math.Max(rows, cols)),
        _ => throw new ArgumentOutOfRangeException(nameof(adjust), adjust, $"Accepted: {string.Join(", ", Enum.GetNames<Optim.AdjustLr>())}."),
    };

    /// <summary>Target update RMS of the Moonlight rule (Liu et al. 2025), matching AdamW's typical 0.2.</summary>
    public const double MatchRmsAdamWFactor = 0.2;

    /// <inheritdoc />
    protected override string? Refusal(Parameter parameter) => MatrixOnly.Refusal(parameter, nameof(Muon));

    /// <inheritdoc />
    protected override string RefusalAdvice => MatrixOnly.Advice;

    /// <inheritdoc />
    protected override State CreateState(Parameter parameter) => new(parameter);

    /// <summary>
    /// Orthogonalize all parameters of the same (flattened) shape in one batched Newton–Schulz
    /// call — stack, batched matmuls, unstack — as the fastest public implementations do. The
    /// result equals the one-by-one path up to floating-point rounding. Default true.
    /// </summary>
    public bool BatchSameShapes { get; set; } = true;

    /// <inheritdoc />
    protected override void StepGroup(ParamGroup<Options> group)
    {
        var options = group.Options;
        var pending = new List<(Parameter Parameter, Tensor Matrix)>();
        foreach (var parameter in group.Parameters)
        {
            var grad = GradientToApply(parameter);
            if (grad is null) continue; // No gradient (or a skipped one): neither the parameter nor its state changes.
            var state = StateOf(parameter);
            state.step++;
            var u = Lookahead(parameter, grad, state, options);
            pending.Add((parameter, u.reshape(u.shape[0], -1)));   // [out, in·kh·kw]
        }

        foreach (var sameShape in pending.GroupBy(p => (p.Matrix.shape[0], p.Matrix.shape[1])))
        {
            var bucket = sameShape.ToList();
            if (BatchSameShapes && bucket.Count > 1)
            {
                var orthogonal = Orthogonal(stack(bucket.Select(p => p.Matrix)), options).unbind(0);
                for (int i = 0; i < bucket.Count; i++) Apply(bucket[i].Parameter, orthogonal[i], options);
            }
            else
            {
                foreach (var (parameter, matrix) in bucket) Apply(parameter, Orthogonal(matrix, options), options);
            }
        }
    }

    /// <inheritdoc />
    protected override void Update(Parameter parameter, Tensor grad, State state, Options options)
    {
        var u = Lookahead(parameter, grad, state, options);
        Apply(parameter, Orthogonal(u.reshape(u.shape[0], -1), options), options);
    }

    /// <summary>buf ← β·buf + (1−β)·g; returns nesterov ? (1−β)·g + β·buf : buf.</summary>
    private static Tensor Lookahead(Parameter parameter, Tensor grad, State state, Options options)
    {
        double beta = options.momentum!.Value;
        var buf = state.momentum_buffer ??= zeros_like(parameter);
        buf.mul_(beta).add_(grad, alpha: 1 - beta);
        return options.nesterov!.Value ? grad.mul(1 - beta).add_(buf, alpha: beta) : buf;
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
            Optim.NewtonSchulzMethod.PolarExpress => Orthogonalize.NewtonSchulzInComputeType(matrices,
                Orthogonalize.PolarExpressSchedule(steps), dtype, Orthogonalize.DefaultEpsilon, Orthogonalize.PolarExpressSafety),
            _ => Orthogonalize.NewtonSchulzInComputeType(matrices, Enumerable.Repeat(Orthogonalize.JordanQuintic, steps).ToArray(), dtype),
        };
    }

    /// <summary>p ← p·(1 − lr·wd) − lr·s·O, with s from the flattened shape of O (O may be in a narrower dtype than p).</summary>
    private static void Apply(Parameter parameter, Tensor orthogonal, Options options)
    {
        double lr = options.LearningRate!.Value, wd = options.weight_decay!.Value;
        double scale = ShapeScale(orthogonal.shape[0], orthogonal.shape[1], options.adjust_lr!.Value);
        if (wd != 0) parameter.mul_(1 - lr * wd);                     // decoupled weight decay
        parameter.add_(orthogonal.view(parameter.shape), alpha: -lr * scale);
    }

    /// <summary>Muon's hyperparameters for one parameter group (PyTorch names).</summary>
    public sealed class Options : HyperparameterOptions
    {
        /// <summary>Momentum coefficient β in [0, 1).</summary>
        public double? momentum;
        /// <summary>Use the Nesterov look-ahead (1−β)·g + β·buf instead of buf.</summary>
        public bool? nesterov;
        /// <summary>Decoupled weight decay: p ← p·(1 − lr·wd) before the update.</summary>
        public double? weight_decay;
        /// <summary>Newton–Schulz iterations, at least 1.</summary>
        public int? ns_steps;
        /// <summary>How the orthogonalized update is scaled by the matrix shape.</summary>
        public Optim.AdjustLr? adjust_lr;
        /// <summary>Dtype of the Newton–Schulz iteration: BFloat16, Float32 or Float64.</summary>
        public ScalarType? ns_dtype;
        /// <summary>Which polynomials: Jordan's fixed quintic or the Polar Express schedule.</summary>
        public Optim.NewtonSchulzMethod? ns_method;

        /// <inheritdoc />
        public override void FillFrom(HyperparameterOptions defaults)
        {
            base.FillFrom(defaults);
            var d = (Options)defaults;
            momentum ??= d.momentum;
            nesterov ??= d.nesterov;
            weight_decay ??= d.weight_decay;
            ns_steps ??= d.ns_steps;
            adjust_lr ??= d.adjust_lr;
            ns_dtype ??= d.ns_dtype;
            ns_method ??= d.ns_method;
        }

        /// <inheritdoc />
        public override void Validate()
        {
            base.Validate();
            Hyperparameter.RequireUnitInterval(momentum, nameof(momentum));
            if (nesterov is null) throw new ArgumentException("nesterov is not set.", nameof(nesterov));
            Hyperparameter.RequireNonNegative(weight_decay, nameof(weight_decay));
            Hyperparameter.RequirePositive(ns_steps, nameof(ns_steps));
            Hyperparameter.RequireDefined(adjust_lr, nameof(adjust_lr));
            Hyperparameter.RequireOneOf(ns_dtype, nameof(ns_dtype), ScalarType.BFloat16, ScalarType.Float32, ScalarType.Float64);
            Hyperparameter.RequireDefined(ns_method, nameof(ns_method));
        }

        /// <inheritdoc />
        protected internal override void WriteValues(BinaryWriter writer)
        {
            base.WriteValues(writer);
            writer.Write(momentum!.Value);
            writer.Write(nesterov!.Value);
            writer.Write(weight_decay!.Value);
            writer.Write(ns_steps!.Value);
            writer.Write((int)adjust_lr!.Value);
            writer.Write((int)ns_dtype!.Value);
            writer.Write((int)ns_method!.Value);
        }

        /// <inheritdoc />
        protected internal override void ReadValues(BinaryReader reader)
        {
            base.ReadValues(reader);
            momentum = reader.ReadDouble();
            nesterov = reader.ReadBoolean();
            weight_decay = reader.ReadDouble();
            ns_steps = reader.ReadInt32();
            adjust_lr = (Optim.AdjustLr)reader.ReadInt32();
            ns_dtype = (ScalarType)reader.ReadInt32();
            ns_method = (Optim.NewtonSchulzMethod)reader.ReadInt32();
        }

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerOptions source)
        {
            base.LoadStateDict(source);
            var s = (Options)source;
            (momentum, nesterov, weight_decay, ns_steps, adjust_lr, ns_dtype, ns_method) =
                (s.momentum, s.nesterov, s.weight_decay, s.ns_steps, s.adjust_lr, s.ns_dtype, s.ns_method);
        }
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
    public sealed class ParamGroup : ParamGroup<Options>, IMomentum
    {
        /// <summary>An empty group (set <c>Parameters</c> and <c>Options</c>).</summary>
        public ParamGroup() { }

        /// <summary>A group with explicit options.</summary>
        /// <param name="parameters">The group's parameters (matrices or higher).</param>
        /// <param name="options">Its hyperparameters; null fields are inherited.</param>
        public ParamGroup(IEnumerable<Parameter> parameters, Options? options = null) : base(parameters, options ?? new Options()) { }

        /// <summary>This group's momentum.</summary>
        public double Momentum { get => Options.momentum!.Value; set => Options.momentum = value; }
    }
}
