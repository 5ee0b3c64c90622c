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
/// <c>Optim.MuonWithAuxAdamW</c>. A matrix more than four times wider than tall (or taller than
/// wide) is orthogonalized by Gram Newton–Schulz in float32 and written into the parameter by one GEMM
/// (<see cref="UseGramNewtonSchulz"/>); all parameters of one other flattened shape go through one
/// batched Newton–Schulz call (<see cref="BatchSameShapes"/>).
/// <para>
/// Two variants practitioners use are options: <c>normuon</c> normalizes each row of O by a running
/// mean square before the update, keeping O's norm (NorMuon, Li et al. 2025; see
/// <c>NorMuonNormalization</c>), and <c>cautious_wd</c> decays only the entries where the update and the
/// parameter have the same sign (Chen et al. 2025).
/// </para>
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
    /// <summary>Default: plain decoupled weight decay, not the cautious form.</summary>
    public const bool DefaultCautiousWeightDecay = false;
    /// <summary>Default: plain Muon, without NorMuon's row normalization.</summary>
    public const bool DefaultNorMuon = false;
    /// <summary>Default β2 of NorMuon's second moment (Li et al. 2025, Algorithm 1 and the authors' code: 0.95).</summary>
    public const double DefaultNorMuonBeta2 = 0.95;
    /// <summary>Default lower singular-value bound ℓ of the Polar Express schedule: the published table's 1e-3 (Amsel et al. 2025).</summary>
    public const double DefaultPolarExpressLowerBound = Orthogonalize.PolarExpressLowerBound;

    /// <summary>Creates Muon over <paramref name="groups"/>; see <see cref="Optim.Muon{T}"/>.</summary>
    /// <param name="groups">Parameter groups; unset options come from <paramref name="defaults"/>.</param>
    /// <param name="defaults">Optimizer-wide hyperparameters; unset ones take their declared defaults.</param>
    /// <param name="names">Parameter names for error messages, when known.</param>
    public Muon(IEnumerable<ParamGroup<Options>> groups, Options? defaults = null, IReadOnlyDictionary<IntPtr, string>? names = null)
        : base(groups, defaults, names)
    {
    }

    /// <summary>Creates Muon over <paramref name="groups"/>, reading the parameters <paramref name="layouts"/> names with their <see cref="MatrixLayout"/>.</summary>
    /// <param name="groups">Parameter groups; unset options come from <paramref name="defaults"/>.</param>
    /// <param name="defaults">Optimizer-wide hyperparameters; unset ones take their declared defaults.</param>
    /// <param name="names">Parameter names, which the layouts' patterns match.</param>
    /// <param name="layouts">Per-parameter matrix layouts (fused qkv, heads, expert stacks); null: all flattened.</param>
    public Muon(IEnumerable<ParamGroup<Options>> groups, Options? defaults, IReadOnlyDictionary<IntPtr, string> names, MatrixLayouts? layouts)
        : base(groups, defaults, names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (layouts is null) return;
        var named = ParamGroups.Cast<ParamGroup<Options>>().SelectMany(g => g.Parameters)
            .Where(p => names.ContainsKey(p.Handle)).Select(p => (names[p.Handle], p));
        UseLayouts(layouts.Resolve(named));
    }

    /// <summary>The Muon half of a hybrid, which may be empty (a model without hidden matrices), with its resolved layouts.</summary>
    internal Muon(IEnumerable<ParamGroup<Options>> groups, Options defaults, IReadOnlyDictionary<IntPtr, string> names, bool allowEmpty,
        IReadOnlyDictionary<IntPtr, MatrixLayout>? layouts = null)
        : base(groups, defaults, names, allowEmpty)
    {
        if (layouts is not null) UseLayouts(layouts);
    }

    private readonly Dictionary<IntPtr, MatrixLayout> _layouts = new();

    /// <summary>Records each parameter's layout; a batched layout's second moment has a row per row of every matrix.</summary>
    private void UseLayouts(IReadOnlyDictionary<IntPtr, MatrixLayout> layouts)
    {
        foreach (var group in ParamGroups.Cast<ParamGroup<Options>>())
            foreach (var parameter in group.Parameters)
                if (layouts.TryGetValue(parameter.Handle, out var layout) && !layout.IsFlattened)
                {
                    _layouts[parameter.Handle] = layout;
                    var (batch, rows, _) = layout.Shape3(parameter.shape);
                    StateOf(parameter).SecondMomentRows = batch * rows;
                }
    }

    /// <summary>How <paramref name="parameter"/> is read as matrices (<see cref="MatrixLayout.Flattened"/> unless a layout was given).</summary>
    /// <param name="parameter">A parameter of this optimizer.</param>
    public MatrixLayout LayoutOf(Parameter parameter) => _layouts.GetValueOrDefault(parameter.Handle) ?? MatrixLayout.Flattened;

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

    /// <summary>
    /// Orthogonalize a matrix more than four times wider than tall (or taller than wide) by Gram
    /// Newton–Schulz in float32, written straight into the parameter (<see cref="Orthogonalize.GramFactor"/>):
    /// about half the time of bfloat16 Newton–Schulz on such shapes (the MNIST CNN's fc1 [128, 9216],
    /// its second conv [64, 288]) and closer to the float64 iteration (docs/PERFORMANCE.md). Taken for
    /// float32 parameters, Jordan's quintic and a bfloat16 or float32 <c>ns_dtype</c>, without
    /// <c>normuon</c> or cautious weight decay (both need the update before it is applied); Polar Express
    /// keeps the plain path (its steep first polynomial amplifies the float32 rounding of the Gram
    /// matrix past the tolerance the Gram path is tested to). Default true.
    /// </summary>
    public bool UseGramNewtonSchulz { get; set; } = true;

    private readonly NewtonSchulzWorkspace _workspace = new();

    /// <summary>One parameter: momentum, Newton–Schulz of its flattened look-ahead (or of its layout's matrices), the update.</summary>
    protected override void Update(Parameter parameter, Tensor grad, State state, Options options)
    {
        var u = Lookahead(parameter, grad, state, options);
        var layout = LayoutOf(parameter);
        if (!layout.IsFlattened)
        {
            Step(parameter, LaidOutUpdate(parameter, u, layout, state, options), scale: 1, options);
            return;
        }
        var matrix = u.reshape(u.shape[0], -1);   // [out, in·kh·kw]
        if (UsesGram(parameter, matrix.shape[1], options) && ApplyGram(parameter, matrix, options)) return;
        Apply(parameter, Orthogonal(matrix, options), state, options);
    }

    /// <summary>
    /// With <see cref="BatchSameShapes"/>, each set of same-shaped matrices goes through one batched
    /// Newton–Schulz call; shapes on the Gram path go one by one (they are the very rectangular
    /// matrices a model has few of, and the Gram path writes each straight into its parameter).
    /// </summary>
    protected override void UpdateGroup(IReadOnlyList<ParameterStep> steps, Options options)
    {
        if (!BatchSameShapes)
        {
            base.UpdateGroup(steps, options);
            return;
        }
        // A parameter with a layout batches its own matrices (one by one here); the flattened ones batch by shape.
        var laidOut = steps.Where(s => _layouts.ContainsKey(s.Parameter.Handle)).ToList();
        if (laidOut.Count > 0) base.UpdateGroup(laidOut, options);
        foreach (var sameShape in steps.Where(s => !_layouts.ContainsKey(s.Parameter.Handle)).GroupBy(s => (s.Parameter.shape[0], s.Parameter.numel() / s.Parameter.shape[0])))
        {
            var bucket = sameShape.ToList();
            var (rows, cols) = sameShape.Key;
            if (bucket.Count == 1 || UsesGram(bucket[0].Parameter, cols, options))
            {
                base.UpdateGroup(bucket, options);
                continue;
            }
            var lookaheads = bucket.Select(s => Lookahead(s.Parameter, s.Gradient, s.State, options).reshape(rows, cols));
            var orthogonal = Orthogonal(stack(lookaheads), options).unbind(0);   // [k, out, in·kh·kw] → k × [out, in·kh·kw]
            for (int i = 0; i < bucket.Count; i++) Apply(bucket[i].Parameter, orthogonal[i], bucket[i].State, options);
        }
    }

    /// <summary>buf ← β·buf + (1−β)·g as one lerp pass; returns nesterov ? (1−β)·g + β·buf (one more) : buf.</summary>
    private static Tensor Lookahead(Parameter parameter, Tensor grad, State state, Options options)
    {
        double beta = options.momentum!.Value;
        var buf = state.momentum_buffer ??= zeros_like(parameter);
        // TorchSharp's lerp takes its weight as a tensor (a 0-D one broadcasts); two passes become one.
        buf.lerp_(grad, tensor(1 - beta, buf.dtype));                     // buf + (1−β)(g − buf)
        return options.nesterov!.Value ? grad.lerp(buf, tensor(beta, buf.dtype)) : buf;   // g + β(buf − g)
    }

    /// <summary>Whether this parameter, flattened to [rows, <paramref name="cols"/>], takes the Gram path (see <see cref="UseGramNewtonSchulz"/>).</summary>
    private bool UsesGram(Parameter parameter, long cols, Options options) =>
        UseGramNewtonSchulz
        && parameter.dtype == ScalarType.Float32
        && options.ns_method == NewtonSchulzMethod.JordanQuintic
        && !options.normuon!.Value
        && !(options.cautious_wd!.Value && options.weight_decay!.Value != 0)
        && Orthogonalize.PrefersGram(parameter.shape[0], cols, options.ns_dtype!.Value);

    /// <summary>
    /// p ← (1 − lr·wd)·p − lr·s·F·U (tall: U·Fᵀ) in one <c>addmm_</c>, F the Gram factor of the
    /// look-ahead U; false (nothing touched) when ‖U‖² overflows float32 and the plain path must scale it.
    /// </summary>
    private bool ApplyGram(Parameter parameter, Tensor matrix, Options options)
    {
        var schedule = Enumerable.Repeat(Orthogonalize.JordanQuintic, options.ns_steps!.Value).ToArray();
        var factor = Orthogonalize.GramFactor(matrix, schedule, Orthogonalize.DefaultEpsilon, 1.0, _workspace);
        if (factor is null) return false;
        double lr = options.LearningRate!.Value, wd = options.weight_decay!.Value;
        double scale = ShapeScale(matrix.shape[0], matrix.shape[1], options.adjust_lr!.Value);
        float beta = (float)(1 - lr * wd), alpha = (float)(-lr * scale);
        var target = parameter.view(matrix.shape);
        if (matrix.shape[0] > matrix.shape[1]) target.addmm_(matrix, factor.mT, beta, alpha);
        else target.addmm_(factor, matrix, beta, alpha);
        return true;
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
                PolarExpressSchedule(steps, options.polar_express_lower_bound!.Value), dtype, Orthogonalize.DefaultEpsilon, Orthogonalize.PolarExpressSafety),
            _ => Orthogonalize.NewtonSchulzInComputeType(matrices, Enumerable.Repeat(Orthogonalize.JordanQuintic, steps).ToArray(), dtype),
        };
    }

    /// <summary>
    /// The published Polar Express table for ℓ = 1e-3; for another ℓ, the composition computed for it
    /// (Amsel et al. 2025, Algorithm 1; a few 4×4 solves per step, cheaper than one matrix product).
    /// </summary>
    internal static IReadOnlyList<Orthogonalize.Coefficients> PolarExpressSchedule(int steps, double lowerBound) =>
        lowerBound == Orthogonalize.PolarExpressLowerBound
            ? Orthogonalize.PolarExpressSchedule(steps)
            : Orthogonalize.PolarExpressSchedule(steps, lowerBound, Orthogonalize.PolarExpressSafety);

    /// <summary>
    /// p ← p·(1 − lr·wd) − lr·s·O, with s from the flattened shape of O (O may be in a narrower dtype than p);
    /// with <c>normuon</c>, O row-normalized first.
    /// </summary>
    private static void Apply(Parameter parameter, Tensor orthogonal, State state, Options options)
    {
        double scale = ShapeScale(orthogonal.shape[0], orthogonal.shape[1], options.adjust_lr!.Value);
        var update = options.normuon!.Value ? NorMuonNormalization.Apply(orthogonal, SecondMoment(parameter, state), options.normuon_beta2!.Value) : orthogonal;
        Step(parameter, update.view(parameter.shape), scale, options);
    }

    /// <summary>
    /// The scaled update of a parameter read with <paramref name="layout"/>: [batch, rows, cols], each row
    /// block split into its matrices, each batch of matrices orthogonalized in one call, scaled by its own
    /// shape (and row-normalized with its rows of the second moment), then put back together.
    /// </summary>
    private static Tensor LaidOutUpdate(Parameter parameter, Tensor lookahead, MatrixLayout layout, State state, Options options)
    {
        var (batch, rows, cols) = layout.Shape3(parameter.shape);
        var matrices = lookahead.reshape(batch, rows, cols);
        var secondMoment = options.normuon!.Value ? SecondMoment(parameter, state).view(batch, rows, 1) : null;
        using var s = new HeldScalars();
        var blocks = new List<Tensor>();
        foreach (var (offset, blockRows, count) in layout.RowBlocks(rows))
        {
            long matrixRows = blockRows / count;
            var block = matrices.narrow(1, offset, blockRows).reshape(batch * count, matrixRows, cols);   // [batch·count, matrixRows, cols]
            var orthogonal = Orthogonal(block, options).to(parameter.dtype);
            if (secondMoment is not null)
            {
                var rowsOfBlock = secondMoment.narrow(1, offset, blockRows);
                var v = rowsOfBlock.reshape(batch * count, matrixRows, 1).clone();   // its own copy (reshape may or may not alias), written back
                orthogonal = NorMuonNormalization.Apply(orthogonal, v, options.normuon_beta2!.Value);
                rowsOfBlock.copy_(v.view(batch, blockRows, 1));
            }
            blocks.Add(orthogonal.mul_(s[ShapeScale(matrixRows, cols, options.adjust_lr!.Value)]).reshape(batch, blockRows, cols));
        }
        return cat(blocks, 1).view(parameter.shape);
    }

    /// <summary>NorMuon's per-row second moment of <paramref name="parameter"/>, [rows of all its matrices, 1], created at its first use.</summary>
    private static Tensor SecondMoment(Parameter parameter, State state) =>
        state.second_momentum_buffer ??= zeros(state.SecondMomentRows, 1, dtype: parameter.dtype, device: parameter.device);

    /// <summary>
    /// p ← p·(1 − lr·wd) − lr·scale·update, <paramref name="update"/> shaped like p; with <c>cautious_wd</c>
    /// the decay only where the update and p agree in sign.
    /// </summary>
    private static void Step(Parameter parameter, Tensor update, double scale, Options options)
    {
        double lr = options.LearningRate!.Value, wd = options.weight_decay!.Value;
        using var s = new HeldScalars();
        DecoupledWeightDecay.Apply(parameter, lr, wd, options.cautious_wd!.Value, update, s);
        parameter.add_(update, alpha: s[-lr * scale]);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _workspace.Dispose();
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

        /// <summary>Cautious weight decay: decay only the entries where the update and the parameter have the same sign (Chen et al. 2025).</summary>
        [Hyperparameter(DefaultCautiousWeightDecay, AbsentInOlderStates = true)]
        public bool? cautious_wd { get; set; }

        /// <summary>NorMuon (Li et al. 2025): divide each row of the orthogonalized update by its running RMS, keeping the update's norm.</summary>
        [Hyperparameter(DefaultNorMuon, AbsentInOlderStates = true)]
        public bool? normuon { get; set; }

        /// <summary>Decay β2 in [0, 1) of NorMuon's per-row second moment (used when <c>normuon</c> is on).</summary>
        [Hyperparameter(DefaultNorMuonBeta2, HyperparameterRule.UnitInterval, AbsentInOlderStates = true)]
        public double? normuon_beta2 { get; set; }

        /// <summary>
        /// With <c>ns_method</c> PolarExpress: the smallest normalized singular value ℓ in (0, 1) the
        /// polynomials bring close to 1; 1e-3 uses the published table, any other ℓ a schedule computed for it.
        /// </summary>
        [Hyperparameter(DefaultPolarExpressLowerBound, HyperparameterRule.OpenUnitInterval, AbsentInOlderStates = true)]
        public double? polar_express_lower_bound { get; set; }
    }

    /// <summary>
    /// Muon's per-parameter state: the momentum buffer, created at the first gradient, and with
    /// <c>normuon</c> the per-row second moment (added later: states saved without it load with it empty).
    /// </summary>
    public sealed class State : ParameterState
    {
        /// <summary>Creates the empty state of <paramref name="parameter"/>.</summary>
        /// <param name="parameter">The parameter.</param>
        public State(Parameter parameter) : base(parameter, slotCount: 2, counterCount: 0, slotsInOlderStates: 1) => SecondMomentRows = parameter.shape[0];

        /// <summary>Exponential moving average of gradients, same shape and dtype as the parameter.</summary>
        public Tensor? momentum_buffer { get => GetSlot(0); set => SetSlot(0, value); }

        /// <summary>
        /// NorMuon's running mean square of each row of the orthogonalized update, [rows, 1] in the parameter's
        /// dtype: rows its first dimension, or with a batched <see cref="MatrixLayout"/> the rows of all its matrices.
        /// </summary>
        public Tensor? second_momentum_buffer { get => GetSlot(1); set => SetSlot(1, value); }

        /// <summary>Rows of <see cref="second_momentum_buffer"/>.</summary>
        internal long SecondMomentRows { get; set; }

        /// <inheritdoc />
        protected override (long[] Shape, ScalarType Type) SlotFormat(int index) =>
            index == 1 ? (new[] { SecondMomentRows, 1L }, _parameter.dtype) : base.SlotFormat(index);
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
