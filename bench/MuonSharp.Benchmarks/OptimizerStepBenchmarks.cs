using BenchmarkDotNet.Attributes;
using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Benchmarks;

/// <summary>
/// One optimizer step on a parameter set's parameters (<see cref="Model"/>: the small GPT at width
/// 256 or 128, or the MNIST CNN; see <see cref="ParameterSets"/>), each with a fixed gradient. Every call
/// runs <see cref="StepsPerCall"/> steps and BenchmarkDotNet reports the time per step, so Shampoo's
/// inverse roots (every 10th step by default) are amortized as in training. Each benchmark has its own
/// copy of the parameters and is warmed up by <see cref="StepsPerCall"/> steps, so state is allocated
/// and Shampoo has started preconditioning. Seven measured iterations instead of ShortRun's three:
/// a call takes well under a second except Shampoo's (about 3 s), and the step model compares three
/// of these rows, so each needs its quiet moment.
/// </summary>
[ShortInProcessJob(iterationCount: 7, warmupCount: 10)]
public class OptimizerStepBenchmarks
{
    /// <summary>Steps per call: one full period of Shampoo's default <c>precondition_frequency</c>.</summary>
    public const int StepsPerCall = 10;

    private List<(string Name, Parameter Parameter)> _parameters = new();
    private OptimizerHelper? _optimizer;
    private List<Tensor> _buckets = new();
    private NewtonSchulzWorkspace _workspace = new();

    /// <summary>The parameter set, a <see cref="ParameterSets"/> name.</summary>
    [Params(ParameterSets.Gpt256, ParameterSets.Gpt128, ParameterSets.Cnn)]
    public string Model { get; set; } = ParameterSets.Gpt256;
    private List<(Tensor Parameter, Tensor Grad, Tensor ExpAvg, Tensor ExpAvgSq, Tensor Denominator)> _adamw = new();

    /// <summary>TorchSharp's AdamW on every parameter (lr 1e-3, β (0.9, 0.99), weight decay 0.1: <c>002</c>'s small GPT).</summary>
    [GlobalSetup(Target = nameof(AdamW))]
    public void SetupAdamW() => Prepare(p => torch.optim.AdamW(p.Select(x => x.Parameter), lr: 1e-3, beta1: 0.9, beta2: 0.99, weight_decay: 0.1));

    /// <summary>Lion on every parameter (defaults).</summary>
    [GlobalSetup(Target = nameof(Lion))]
    public void SetupLion() => Prepare(p => Optim.Lion(p));

    /// <summary>Shampoo on every parameter (defaults: Adam grafting, roots every 10 steps).</summary>
    [GlobalSetup(Target = nameof(Shampoo))]
    public void SetupShampoo() => Prepare(p => Optim.Shampoo(p));

    /// <summary>Muon on the block matrices, AdamW on the rest, one Newton–Schulz call per matrix.</summary>
    [GlobalSetup(Target = nameof(Muon))]
    public void SetupMuon() => Prepare(p => Hybrid(p, batched: false));

    /// <summary>As <see cref="SetupMuon"/>, same-shaped matrices orthogonalized in one call (the default).</summary>
    [GlobalSetup(Target = nameof(MuonBatched))]
    public void SetupMuonBatched() => Prepare(p => Hybrid(p, batched: true));

    /// <summary>As <see cref="SetupMuonBatched"/> with Gram Newton–Schulz off: every shape by bfloat16 Newton–Schulz, as before it existed.</summary>
    [GlobalSetup(Target = nameof(MuonBatchedWithoutGram))]
    public void SetupMuonBatchedWithoutGram() => Prepare(p =>
    {
        var optimizer = Hybrid(p, batched: true);
        optimizer.MuonPart.UseGramNewtonSchulz = false;
        return optimizer;
    });

    /// <summary>As <see cref="SetupMuonBatched"/> with NorMuon's row normalization (Muon's <c>normuon</c>).</summary>
    [GlobalSetup(Target = nameof(NorMuonBatched))]
    public void SetupNorMuonBatched() => Prepare(p => Hybrid(p, batched: true, normuon: true));

    /// <summary>As <see cref="SetupMuonBatched"/> with Muon's weight decay 0.1 too: the baseline of <see cref="MuonCautiousWeightDecay"/>.</summary>
    [GlobalSetup(Target = nameof(MuonWeightDecay))]
    public void SetupMuonWeightDecay() => Prepare(p => Hybrid(p, batched: true, muonWeightDecay: 0.1));

    /// <summary>As <see cref="SetupMuonWeightDecay"/> with cautious weight decay on both halves.</summary>
    [GlobalSetup(Target = nameof(MuonCautiousWeightDecay))]
    public void SetupMuonCautiousWeightDecay() => Prepare(p => Hybrid(p, batched: true, muonWeightDecay: 0.1, cautious: true));

    /// <summary>As <see cref="SetupMuonBatched"/> with each fused qkv [3w, w] split into q, k, v (on the CNN, which has none, the same as MuonBatched).</summary>
    [GlobalSetup(Target = nameof(MuonSplitQkv))]
    public void SetupMuonSplitQkv() => Prepare(p => Hybrid(p, batched: true, splitQkv: true));

    /// <summary>The parameters alone: the non-finite gradient check reads their gradients.</summary>
    [GlobalSetup(Target = nameof(NonFiniteGradientCheck))]
    public void SetupNonFiniteGradientCheck() => _parameters = ParameterSets.Create(Model);

    /// <summary>Stacks Muon's matrices by shape, as the batched step does, in float32.</summary>
    [GlobalSetup(Target = nameof(MuonNewtonSchulzOnly))]
    public void SetupNewtonSchulzOnly()
    {
        _buckets = ParameterSets.MuonShapes(Model).GroupBy(s => string.Join("x", s))
            .Select(bucket => randn(new[] { (long)bucket.Count(), bucket.First()[0], bucket.First()[1] }))
            .ToList();
    }

    /// <summary>
    /// Muon's matrices stacked by shape as the batched step stacks them, in the dtype of the algorithm
    /// each shape runs: bfloat16 for batched Newton–Schulz, float32 for Gram Newton–Schulz.
    /// </summary>
    [GlobalSetup(Target = nameof(MuonGemmsOnly))]
    public void SetupGemmsOnly()
    {
        var generator = new Generator(0);
        _buckets = ParameterSets.MuonShapes(Model).GroupBy(s => string.Join("x", s))
            .Select(bucket =>
            {
                long count = bucket.Count(), rows = bucket.First()[0], cols = bucket.First()[1];
                var x = randn(new[] { count, rows, cols }, generator: generator) / Math.Sqrt(rows * cols);
                return Flops.UsesGram(rows, cols) ? x : x.to(ScalarType.BFloat16);
            })
            .ToList();
        // Defined values in the Gram buffers the GEMMs read (uninitialized memory may hold denormals, which slow GEMMs down).
        foreach (var x in _buckets.Where(x => Flops.UsesGram(x.shape[1], x.shape[2])))
        {
            long m = Math.Min(x.shape[1], x.shape[2]);
            var b = _workspace.Gram(m);
            foreach (var t in new[] { b.S, b.R, b.P, b.Q, b.Next, b.T }) t.copy_(eye(m) + randn(new[] { m, m }, generator: generator) / m);
        }
    }

    /// <summary>Every parameter with AdamW's two moments and a denominator buffer, allocated once.</summary>
    [GlobalSetup(Target = nameof(AdamWElementwise))]
    public void SetupAdamWElementwise()
    {
        _parameters = ParameterSets.Create(Model);
        _adamw = _parameters.Select(p => ((Tensor)p.Parameter, p.Parameter.grad!, zeros_like(p.Parameter), zeros_like(p.Parameter), zeros_like(p.Parameter))).ToList();
    }

    /// <summary>Releases parameters, optimizer and buffers.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _optimizer?.Dispose();
        foreach (var (_, parameter) in _parameters) parameter.Dispose();
        foreach (var bucket in _buckets) bucket.Dispose();
        foreach (var (_, _, m, v, d) in _adamw) { m.Dispose(); v.Dispose(); d.Dispose(); }
        _workspace.Dispose();
        (_optimizer, _parameters, _buckets, _adamw, _workspace) = (null, new(), new(), new(), new());
    }

    /// <summary>AdamW step.</summary>
    [Benchmark(OperationsPerInvoke = StepsPerCall)]
    public void AdamW() => Steps();

    /// <summary>Lion step.</summary>
    [Benchmark(OperationsPerInvoke = StepsPerCall)]
    public void Lion() => Steps();

    /// <summary>Shampoo step, amortized over one root recomputation.</summary>
    [Benchmark(OperationsPerInvoke = StepsPerCall)]
    public void Shampoo() => Steps();

    /// <summary>Muon + auxiliary AdamW step, one matrix at a time.</summary>
    [Benchmark(OperationsPerInvoke = StepsPerCall), Flops(FlopModel.MuonStep, "mixed")]
    public void Muon() => Steps();

    /// <summary>Muon + auxiliary AdamW step, same shapes batched.</summary>
    [Benchmark(OperationsPerInvoke = StepsPerCall), Flops(FlopModel.MuonStep, "mixed")]
    public void MuonBatched() => Steps();

    /// <summary>Muon + auxiliary AdamW step, same shapes batched, no Gram path (compare with <see cref="MuonBatched"/>).</summary>
    [Benchmark(OperationsPerInvoke = StepsPerCall)]
    public void MuonBatchedWithoutGram() => Steps();

    /// <inheritdoc cref="SetupNorMuonBatched"/>
    [Benchmark(OperationsPerInvoke = StepsPerCall)]
    public void NorMuonBatched() => Steps();

    /// <inheritdoc cref="SetupMuonWeightDecay"/>
    [Benchmark(OperationsPerInvoke = StepsPerCall)]
    public void MuonWeightDecay() => Steps();

    /// <inheritdoc cref="SetupMuonCautiousWeightDecay"/>
    [Benchmark(OperationsPerInvoke = StepsPerCall)]
    public void MuonCautiousWeightDecay() => Steps();

    /// <inheritdoc cref="SetupMuonSplitQkv"/>
    [Benchmark(OperationsPerInvoke = StepsPerCall)]
    public void MuonSplitQkv() => Steps();

    /// <summary>
    /// The check every step() makes before it touches anything: do the gradients of all parameters
    /// hold NaN or ±Inf? (One sum per gradient, one synchronization.) Compare with the steps above.
    /// </summary>
    [Benchmark(OperationsPerInvoke = StepsPerCall)]
    public void NonFiniteGradientCheck()
    {
        var parameters = _parameters.Select(p => p.Parameter).ToList();
        for (int step = 0; step < StepsPerCall; step++)
            if (Optimizers.NonFiniteGradientCheck.Find(parameters).Count != 0) throw new InvalidOperationException("SmallGpt's gradients are finite.");
    }

    /// <summary>
    /// Only the orthogonalization calls of the batched step: batched bfloat16 Newton–Schulz (float32 in
    /// and out), or for the shapes Muon runs by Gram Newton–Schulz the float32 Gram factor and its
    /// product with each matrix.
    /// </summary>
    [Benchmark(OperationsPerInvoke = StepsPerCall), Flops(FlopModel.MuonStep, "mixed")]
    public void MuonNewtonSchulzOnly()
    {
        var schedule = Enumerable.Repeat(Orthogonalize.JordanQuintic, Flops.Steps).ToArray();
        for (int step = 0; step < StepsPerCall; step++)
            foreach (var bucket in _buckets)
            {
                using var scope = NewDisposeScope();
                if (!Flops.UsesGram(bucket.shape[1], bucket.shape[2])) Orthogonalize.NewtonSchulz(bucket);
                else foreach (var g in bucket.unbind(0)) Orthogonalize.GramNewtonSchulz(g, schedule);
            }
    }

    /// <summary>
    /// The floor of the Muon step model: the GEMMs of the algorithm Muon runs on each shape and no
    /// elementwise work. Batched Newton–Schulz (bfloat16): three per step (A = XXᵀ, A·A, A·X; tall
    /// matrices XᵀX and X·A, as the library does) as batched matmuls over each stack of same-shaped
    /// matrices. Gram Newton–Schulz (float32, one matrix at a time): S = XXᵀ, then per step R², P·Q
    /// and Q·S·Qᵀ as in <see cref="Orthogonalize.GramFactor"/>, then F·X — addmm_ into buffers
    /// allocated once. Its time is the FLOP model at the matmul rate measured for exactly these
    /// shapes. (Inputs stay fixed, so nothing grows over the iterations.)
    /// </summary>
    [Benchmark(OperationsPerInvoke = StepsPerCall), Flops(FlopModel.MuonStep, "mixed")]
    public void MuonGemmsOnly()
    {
        for (int step = 0; step < StepsPerCall; step++)
            foreach (var x in _buckets)
            {
                if (Flops.UsesGram(x.shape[1], x.shape[2]))
                {
                    foreach (var g in x.unbind(0)) GramGemms(g);
                    continue;
                }
                bool tall = x.shape[1] > x.shape[2];
                for (int k = 0; k < Flops.Steps; k++)
                {
                    using var scope = NewDisposeScope();
                    var gram = tall ? x.mT.matmul(x) : x.matmul(x.mT);   // [count, m, m]
                    var poly = gram.matmul(gram);
                    var next = tall ? x.matmul(poly) : poly.matmul(x);
                }
            }
    }

    /// <summary>The GEMMs of one Gram Newton–Schulz call on a wide or tall float32 matrix, nothing else.</summary>
    private void GramGemms(Tensor g)
    {
        using var scope = NewDisposeScope();
        bool tall = g.shape[0] > g.shape[1];
        var b = _workspace.Gram(Math.Min(g.shape[0], g.shape[1]));
        if (tall) b.S.addmm_(g.mT, g, beta: 0f, alpha: 1f);
        else b.S.addmm_(g, g.mT, beta: 0f, alpha: 1f);
        for (int k = 0; k < Flops.Steps; k++)
        {
            b.P.addmm_(b.R, b.R, beta: 0f, alpha: 1f);                             // R²
            if (k > 0) b.Next.addmm_(b.P, b.Q, beta: 0f, alpha: 1f);               // P·Q
            if (k == Flops.Steps - 1) break;
            b.T.addmm_(b.S, b.Q.mT, beta: 0f, alpha: 1f);                          // S·Qᵀ
            b.R.addmm_(b.Q, b.T, beta: 0f, alpha: 1f);                             // Q·(S·Qᵀ)
        }
        var output = g.new_empty(g.shape);
        if (tall) output.addmm_(g, b.Q.mT, beta: 0f, alpha: 1f);
        else output.addmm_(b.Q, g, beta: 0f, alpha: 1f);
    }

    /// <summary>
    /// The elementwise work of an AdamW step on every parameter and nothing else: the same update as
    /// <see cref="AdamW"/> (decoupled decay, both moments, bias-corrected denominator, the step) done
    /// entirely in place into buffers allocated once — the floor of "AdamW-like elementwise work" in
    /// the Muon step model, free of allocation and optimizer bookkeeping.
    /// </summary>
    [Benchmark(OperationsPerInvoke = StepsPerCall)]
    public void AdamWElementwise()
    {
        const double lr = 1e-3, beta1 = 0.9, beta2 = 0.99, weightDecay = 0.1, eps = 1e-8;
        using var noGrad = no_grad();
        for (int step = 1; step <= StepsPerCall; step++)
        {
            double correction1 = 1 - Math.Pow(beta1, step), correction2 = 1 - Math.Pow(beta2, step);
            foreach (var (p, g, m, v, d) in _adamw)
            {
                p.mul_(1 - lr * weightDecay);
                m.mul_(beta1).add_(g, alpha: 1 - beta1);
                v.mul_(beta2).addcmul_(g, g, value: 1 - beta2);
                d.copy_(v).sqrt_().div_(Math.Sqrt(correction2)).add_(eps);
                p.addcdiv_(m, d, value: -lr / correction1);
            }
        }
    }

    private void Steps()
    {
        for (int step = 0; step < StepsPerCall; step++) _optimizer!.step();
    }

    private void Prepare(Func<List<(string Name, Parameter Parameter)>, OptimizerHelper> create)
    {
        _parameters = ParameterSets.Create(Model);
        _optimizer = create(_parameters);
        Steps();
    }

    private static MuonWithAuxAdamW Hybrid(List<(string Name, Parameter Parameter)> parameters, bool batched,
        bool normuon = false, double muonWeightDecay = 0, bool cautious = false, bool splitQkv = false)
    {
        // 002's small-GPT settings: Muon lr 0.02, momentum 0.95; AdamW lr 1e-3, β (0.9, 0.99), wd 0.1.
        var qkv = parameters.Where(p => p.Name.EndsWith(".attn.c_attn.weight", StringComparison.Ordinal)).ToList();
        var layouts = splitQkv && qkv.Count > 0 ? new MatrixLayouts().For("*.attn.c_attn.weight", MatrixLayout.Split(Enumerable.Repeat(qkv[0].Parameter.shape[1], 3).ToArray())) : null;
        var optimizer = Optim.MuonWithAuxAdamW(parameters, lr: 0.02, momentum: 0.95, weight_decay: muonWeightDecay,
            adamw_lr: 1e-3, adamw_betas: (0.9, 0.99), adamw_weight_decay: 0.1,
            normuon: normuon, cautious_wd: cautious, adamw_cautious_wd: cautious, layouts: layouts);
        optimizer.MuonPart.BatchSameShapes = batched;
        return optimizer;
    }
}
