using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MuonSharp.Optimizers.OptimizerChoices;
using static TorchSharp.torch.optim;

namespace MuonSharp.Optimizers;

// Shampoo's bookkeeping types — hyperparameters, per-parameter state and parameter groups — kept
// apart from Shampoo.cs so that file reads as the algorithm alone.
public sealed partial class Shampoo
{
    /// <summary>Shampoo's hyperparameters for one parameter group; null values are inherited.</summary>
    [DefaultLearningRate(DefaultLearningRate)]
    public sealed class Options : HyperparameterOptions, IMomentumOptions
    {
        /// <summary>Momentum β in [0, 1) on the final update, in EMA form buf ← β·buf + (1−β)·u, so β leaves the steady-state step length (and the lr) unchanged; 0 turns it off.</summary>
        [Hyperparameter(DefaultMomentum, HyperparameterRule.UnitInterval)]
        public double? momentum { get; set; }

        /// <summary>β2 in [0, 1] of the statistics L, R (and the diagonal statistic); 1 sums them (Gupta et al. 2018), below 1 is an EMA.</summary>
        [Hyperparameter(DefaultBeta2, HyperparameterRule.ClosedUnitInterval)]
        public double? beta2 { get; set; }

        /// <summary>Absolute ε &gt; 0 added to the eigenvalues of L and R (and to the diagonal statistic) before the root.</summary>
        [Hyperparameter(DefaultEpsilon, HyperparameterRule.Positive)]
        public double? epsilon { get; set; }

        /// <summary>Decoupled weight decay ≥ 0: p ← p·(1 − lr·wd) before the update.</summary>
        [Hyperparameter(DefaultWeightDecay, HyperparameterRule.NonNegative)]
        public double? weight_decay { get; set; }

        /// <summary>Steps between inverse-root recomputations, ≥ 1.</summary>
        [Hyperparameter(DefaultPreconditionFrequency, HyperparameterRule.Positive)]
        public int? precondition_frequency { get; set; }

        /// <summary>Number of initial steps (≥ 0) that use the grafted direction only; the statistics accumulate meanwhile.</summary>
        [Hyperparameter(DefaultStartPreconditioningStep, HyperparameterRule.NonNegative)]
        public int? start_preconditioning_step { get; set; }

        /// <summary>Largest side (≥ 1) of a block's L or R; read when a parameter is added, since it fixes the parameter's block layout.</summary>
        [Hyperparameter(DefaultMaxPreconditionerDim, HyperparameterRule.Positive)]
        public int? max_preconditioner_dim { get; set; }

        /// <summary>The diagonal method whose step length each block's step takes.</summary>
        [Hyperparameter(DefaultGrafting)]
        public Grafting? grafting { get; set; }

        /// <summary>β2 in [0, 1) of Adam grafting's second moment.</summary>
        [Hyperparameter(DefaultGraftingBeta2, HyperparameterRule.UnitInterval)]
        public double? grafting_beta2 { get; set; }

        /// <summary>ε &gt; 0 of the grafting method's denominator √v + ε.</summary>
        [Hyperparameter(DefaultGraftingEpsilon, HyperparameterRule.Positive)]
        public double? grafting_epsilon { get; set; }
    }

    /// <summary>
    /// Shampoo's per-parameter state. Slots: the momentum buffer, the grafting accumulator, then either
    /// the diagonal statistic (vectors, scalars) or four tensors per block — L, R and their inverse
    /// fourth roots. The block layout is fixed from the parameter's shape when the state is created, so
    /// the slot count never changes and the state saves and loads like any other.
    /// </summary>
    public sealed class State : ParameterState
    {
        private const int MomentumSlot = 0, GraftingSlot = 1, FirstStatisticSlot = 2, SlotsPerBlock = 4;

        /// <summary>Creates the empty state of <paramref name="parameter"/>.</summary>
        /// <param name="parameter">The parameter.</param>
        /// <param name="blocks">Its block layout when it is preconditioned as a matrix, null for the diagonal path.</param>
        public State(Parameter parameter, IReadOnlyList<ShampooBlock>? blocks)
            : base(parameter, FirstStatisticSlot + (blocks is null ? 1 : SlotsPerBlock * blocks.Count), counterCount: 1)
        {
            Blocks = blocks;
        }

        /// <summary>
        /// Steps whose gradient had a nonzero entry: the clock of the warm-up, of the root refreshes and
        /// of Adam grafting's bias correction. An all-zero gradient (a parameter the batch did not use;
        /// TorchSharp's <c>zero_grad</c> zeroes gradients in place) tells the statistics nothing and does
        /// not advance it.
        /// </summary>
        public long gradient_steps { get => GetCounter(0); set => SetCounter(0, value); }

        /// <summary>The blocks of the flattened <c>[out, rest]</c> matrix, each with its own L and R; null for vectors and scalars.</summary>
        public IReadOnlyList<ShampooBlock>? Blocks { get; }

        /// <summary>Momentum buffer, parameter shape and dtype (only when momentum &gt; 0).</summary>
        public Tensor? momentum_buffer { get => GetSlot(MomentumSlot); set => SetSlot(MomentumSlot, value); }

        /// <summary>The grafting method's accumulator of squared gradients, parameter shape (not for Grafting.None).</summary>
        public Tensor? grafting_buffer { get => GetSlot(GraftingSlot); set => SetSlot(GraftingSlot, value); }

        /// <summary>Diagonal statistic (accumulated g²) of a vector or scalar; always null for matrices.</summary>
        public Tensor? diagonal_statistic
        {
            get => Blocks is null ? GetSlot(FirstStatisticSlot) : null;
            set => SetSlot(Blocks is null ? FirstStatisticSlot : throw new InvalidOperationException("Matrix parameters keep per-block L and R, not a diagonal statistic."), value);
        }

        /// <summary>Left statistic L of block <paramref name="block"/>, <c>[rows, rows]</c>.</summary>
        /// <param name="block">Index into <see cref="Blocks"/>.</param>
        public Tensor? Left(int block) => GetSlot(BlockSlot(block, 0));

        /// <summary>Right statistic R of block <paramref name="block"/>, <c>[cols, cols]</c>.</summary>
        /// <param name="block">Index into <see cref="Blocks"/>.</param>
        public Tensor? Right(int block) => GetSlot(BlockSlot(block, 1));

        /// <summary>(L + εI)^{-1/4} of block <paramref name="block"/> as last computed; null while its L or R has seen only zeros.</summary>
        /// <param name="block">Index into <see cref="Blocks"/>.</param>
        public Tensor? LeftRoot(int block) => GetSlot(BlockSlot(block, 2));

        /// <summary>(R + εI)^{-1/4} of block <paramref name="block"/> as last computed; null while its L or R has seen only zeros.</summary>
        /// <param name="block">Index into <see cref="Blocks"/>.</param>
        public Tensor? RightRoot(int block) => GetSlot(BlockSlot(block, 3));

        /// <inheritdoc />
        protected override (long[] Shape, ScalarType Type) SlotFormat(int index)
        {
            var statistics = StatisticsType(_parameter.dtype);
            if (index == MomentumSlot) return (_parameter.shape, _parameter.dtype);
            if (index == GraftingSlot || Blocks is null) return (_parameter.shape, statistics);
            var block = Blocks[(index - FirstStatisticSlot) / SlotsPerBlock];
            long side = (index - FirstStatisticSlot) % 2 == 0 ? block.Rows : block.Cols;   // L and its root, R and its root
            return (new[] { side, side }, statistics);
        }

        /// <summary>The block layout, [count, row, rows, col, cols, …]; empty for a vector or scalar.</summary>
        protected override IReadOnlyList<long> Layout =>
            Blocks is null ? Array.Empty<long>() : Blocks.SelectMany(b => new[] { b.Row, b.Rows, b.Col, b.Cols }).Prepend(Blocks.Count).ToArray();

        /// <inheritdoc />
        protected override string LayoutMismatch(IReadOnlyList<long> saved, HyperparameterOptions savedOptions, HyperparameterOptions options)
        {
            static string Count(long blocks) => blocks == 1 ? "1 block" : $"{blocks} blocks";
            int savedDim = ((Options)savedOptions).max_preconditioner_dim!.Value, dim = ((Options)options).max_preconditioner_dim!.Value;
            return $"Shampoo's state for it was saved with {Count(saved.Count > 0 ? saved[0] : 0)} (max_preconditioner_dim: {savedDim}), " +
                $"but this optimizer splits it into {Count(Blocks?.Count ?? 0)} (max_preconditioner_dim: {dim}); " +
                $"create the optimizer with max_preconditioner_dim: {savedDim} to load this state";
        }

        internal void SetLeft(int block, Tensor value) => SetSlot(BlockSlot(block, 0), value);
        internal void SetRight(int block, Tensor value) => SetSlot(BlockSlot(block, 1), value);
        internal void SetLeftRoot(int block, Tensor? value) => SetSlot(BlockSlot(block, 2), value);
        internal void SetRightRoot(int block, Tensor? value) => SetSlot(BlockSlot(block, 3), value);

        private int BlockSlot(int block, int offset)
        {
            if (Blocks is null || block < 0 || block >= Blocks.Count)
                throw new ArgumentOutOfRangeException(nameof(block), block, $"This parameter has {Blocks?.Count ?? 0} Shampoo blocks.");
            return FirstStatisticSlot + SlotsPerBlock * block + offset;
        }
    }

    /// <summary>A group of parameters sharing Shampoo hyperparameters; null fields take the optimizer's defaults.</summary>
    public sealed class ParamGroup : MomentumParamGroup<Options>
    {
        /// <summary>An empty group (set <c>Parameters</c> and <c>Options</c>).</summary>
        public ParamGroup() { }

        /// <summary>A group with explicit options.</summary>
        /// <param name="parameters">The group's parameters, any shape.</param>
        /// <param name="options">Its hyperparameters; null fields are inherited.</param>
        public ParamGroup(IEnumerable<Parameter> parameters, Options? options = null) : base(parameters, options) { }
    }
}
