using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp;

/// <summary>
/// Maps a matrix G = UΣVᵀ to (an approximation of) its polar factor UVᵀ — the update direction
/// of Muon and Spectral GD. Pure functions: inputs are never modified, shapes are preserved, and
/// every function is batched over leading dimensions (a <c>[k, m, n]</c> input is k matrices).
/// </summary>
public static partial class Orthogonalize
{
    /// <summary>
    /// Coefficients (a, b, c) of one odd polynomial step X ← aX + b(XXᵀ)X + c(XXᵀ)²X.
    /// </summary>
    /// <param name="A">Linear coefficient.</param>
    /// <param name="B">Cubic coefficient.</param>
    /// <param name="C">Quintic coefficient.</param>
    public readonly record struct Coefficients(double A, double B, double C);

    /// <summary>
    /// The quintic of Jordan et al. (2024), tuned to push small singular values up fast rather than
    /// to converge: after 5 steps the singular values land roughly in [0.5, 1.5] instead of at 1.
    /// That band is intended — training does not suffer and it needs half the steps of a
    /// convergent iteration (Jordan et al. 2024, "Muon: An optimizer for hidden layers in neural networks").
    /// One step of an m×n matrix with m ≤ n costs 4m²n + 2m³ FLOPs.
    /// </summary>
    public static readonly Coefficients JordanQuintic = new(3.4445, -4.7750, 2.0315);

    /// <summary>
    /// The classic cubic Newton–Schulz iteration X ← 1.5X − 0.5(XXᵀ)X. It converges to the polar
    /// factor for singular values in (0, √3) — guaranteed here by the Frobenius normalization —
    /// but slowly for small singular values.
    /// </summary>
    public static readonly Coefficients Cubic = new(1.5, -0.5, 0.0);

    /// <summary>Default number of Newton–Schulz steps (Jordan et al. 2024).</summary>
    public const int DefaultSteps = 5;

    /// <summary>Added to ‖X‖_F before dividing, so the zero matrix maps to zero (Jordan et al. 2024).</summary>
    public const double DefaultEpsilon = 1e-7;

    /// <summary>
    /// Approximate polar factor by <paramref name="steps"/> repetitions of one polynomial.
    /// </summary>
    /// <param name="g">A matrix or a batch of matrices, shape <c>[..., m, n]</c>; any floating dtype.</param>
    /// <param name="steps">Number of iterations, at least 1.</param>
    /// <param name="coefficients">Polynomial per step; <see cref="JordanQuintic"/> when null.</param>
    /// <param name="computeType">Dtype of the iteration: bfloat16 (Muon's choice), float32 or float64.</param>
    /// <param name="eps">Added to the Frobenius norm before normalizing.</param>
    /// <returns>A new tensor with the shape and dtype of <paramref name="g"/>.</returns>
    public static Tensor NewtonSchulz(Tensor g, int steps = DefaultSteps, Coefficients? coefficients = null,
        ScalarType computeType = ScalarType.BFloat16, double eps = DefaultEpsilon)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "Newton–Schulz needs at least 1 step.");
        var step = coefficients ?? JordanQuintic;
        return NewtonSchulz(g, Enumerable.Repeat(step, steps).ToArray(), computeType, eps);
    }

    /// <summary>
    /// Approximate polar factor with a different polynomial at every step (e.g. the Polar Express
    /// schedule): step k uses <c>schedule[k]</c>.
    /// </summary>
    /// <param name="g">A matrix or a batch of matrices, shape <c>[..., m, n]</c>; any floating dtype.</param>
    /// <param name="schedule">One coefficient triple per step, at least one.</param>
    /// <param name="computeType">Dtype of the iteration: bfloat16, float32 or float64.</param>
    /// <param name="eps">Added to the Frobenius norm before normalizing.</param>
    /// <param name="normSafety">The Frobenius norm is multiplied by this (≥ 1) before dividing, keeping
    /// bfloat16 rounding from pushing a singular value above 1 (Polar Express uses 1.01).</param>
    /// <returns>A new tensor with the shape and dtype of <paramref name="g"/>.</returns>
    /// <remarks>
    /// In bfloat16 and float32 each step is three GEMMs with the scalings folded into them (addmm's β
    /// and α); float64, and inputs autograd is recording, iterate the formula as written.
    /// </remarks>
    public static Tensor NewtonSchulz(Tensor g, IReadOnlyList<Coefficients> schedule,
        ScalarType computeType = ScalarType.BFloat16, double eps = DefaultEpsilon, double normSafety = 1.0)
    {
        using var scope = NewDisposeScope();
        var x = NewtonSchulzInComputeType(g, schedule, computeType, eps, normSafety);
        return (x.dtype == g.dtype ? x : x.to(g.dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <see cref="NewtonSchulz(Tensor, IReadOnlyList{Coefficients}, ScalarType, double, double)"/> without the
    /// final conversion back to <paramref name="g"/>'s dtype: the result is in <paramref name="computeType"/>.
    /// Muon adds it straight into its float32 parameters (an exact bfloat16 → float32 widening inside
    /// the add), which saves one full-size pass and allocation per step.
    /// </summary>
    internal static Tensor NewtonSchulzInComputeType(Tensor g, IReadOnlyList<Coefficients> schedule,
        ScalarType computeType, double eps = DefaultEpsilon, double normSafety = 1.0)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(schedule);
        RequireMatrices(g, nameof(g));
        RequireComputeType(computeType);
        if (schedule.Count == 0) throw new ArgumentException("The coefficient schedule is empty; give at least one step.", nameof(schedule));
        if (!double.IsFinite(eps) || eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be finite and ≥ 0.");
        if (!double.IsFinite(normSafety) || normSafety < 1) throw new ArgumentOutOfRangeException(nameof(normSafety), normSafety, "normSafety must be finite and ≥ 1.");

        using var scope = NewDisposeScope();
        var x = UsesFusedGemms(g, computeType)
            ? IterateFused(g, schedule, computeType, eps, normSafety)
            : IteratePlain(g, schedule, computeType, eps, normSafety);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Whether <see cref="NewtonSchulz(Tensor, IReadOnlyList{Coefficients}, ScalarType, double, double)"/>
    /// takes the fused path. Not for float64: <c>addmm</c> takes its β and α as float, which would round
    /// the coefficients, and the float64 path promises the formula with exact double scalars. Not when
    /// autograd is recording through <paramref name="g"/>: the fused path reuses buffers in place,
    /// which autograd cannot differentiate through.
    /// </summary>
    internal static bool UsesFusedGemms(Tensor g, ScalarType computeType)
    {
        if (computeType == ScalarType.Float64 || g.numel() == 0) return false;
        return !(g.requires_grad && is_grad_enabled());
    }

    /// <summary>
    /// A new contiguous copy of <paramref name="g"/> (transposed when <paramref name="transpose"/>) in
    /// <paramref name="computeType"/>, divided by <c>normSafety·‖g‖_F + eps</c> per matrix.
    /// </summary>
    private static Tensor Normalized(Tensor g, bool transpose, ScalarType computeType, double eps, double normSafety)
    {
        // Frobenius normalization puts every singular value in [0, 1], inside each polynomial's
        // basin. The norm is taken in at least float32: a bfloat16 norm of small entries can come out
        // low enough to push σ past 1, where steep schedules such as Polar Express blow up. A float32
        // or float64 input is read as it is (no full-size upcast copy).
        var normType = computeType == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var source = g.dtype == normType || g.dtype == ScalarType.Float64 ? g : g.to(normType);
        var norm = linalg.matrix_norm(source, "fro", MatrixDimensions, keepdim: true);   // [..., 1, 1]
        var view = transpose ? g.mT : g;
        var x = g.new_empty(view.shape, computeType);
        x.copy_(view);                            // one pass: dtype conversion (and transpose)
        if (!norm.isfinite().all().ToBoolean()) norm = OverflowFreeNorm(source);
        using var s = new HeldScalars();
        x.div_(norm.mul(s[normSafety]).add(s[eps], s[1]));   // ‖g‖·safety + ε, in place; computed in the norm's dtype, rounded once to computeType
        return x;
    }

    private static readonly long[] MatrixDimensions = { -2, -1 };

    /// <summary>
    /// ‖g‖_F per matrix, in float64, for inputs whose entries are so large (≳ 1e18 in float32) that the
    /// sum of their squares overflows: the norm would be ∞ and every entry of X would become 0. Dividing
    /// by the largest |entry| first keeps the squares ≤ 1; the float64 result holds any float32 or
    /// bfloat16 matrix's norm. Only taken when the plain norm is not finite, so ordinary inputs pay one
    /// finiteness check and nothing else. A non-finite input stays non-finite.
    /// </summary>
    private static Tensor OverflowFreeNorm(Tensor source)
    {
        using var s = new HeldScalars();
        var largest = source.abs().amax(MatrixDimensions, keepdim: true).clamp_min(s[float.Epsilon]);   // [..., 1, 1]; 0/0 avoided
        var scaled = linalg.matrix_norm(source / largest, "fro", MatrixDimensions, keepdim: true);
        return scaled.to(ScalarType.Float64) * largest.to(ScalarType.Float64);
    }

    /// <summary>
    /// The iteration as written, X ← aX + (bA + cA²)X with A = XXᵀ on the wide orientation, with
    /// double-precision scalars: the float64 path and the reference the fused path is tested against.
    /// </summary>
    private static Tensor IteratePlain(Tensor g, IReadOnlyList<Coefficients> schedule, ScalarType computeType, double eps, double normSafety)
    {
        // Iterate on the wide orientation so the Gram matrix XXᵀ is the smaller one (m ≤ n).
        bool tall = g.shape[^2] > g.shape[^1];
        var x = Normalized(g, tall, computeType, eps, normSafety);
        using var s = new HeldScalars();
        foreach (var (a, b, c) in schedule)
        {
            var gram = x.matmul(x.mT);                                        // [..., m, m]
            var poly = gram.mul(s[b]).add_(gram.matmul(gram).mul_(s[c]), s[1]);   // b·A + c·A²
            x = x.mul(s[a]).add_(poly.matmul(x), s[1]);                        // aX + (bA + cA²)X
        }
        return tall ? x.mT.contiguous() : x;
    }

    /// <summary>
    /// The same iteration in three GEMMs per step and no elementwise pass over an m×n matrix. A single
    /// matrix X [m, n] (m ≤ n; a tall matrix uses A = XᵀX and multiplies from the right instead of
    /// being transposed) is iterated in buffers allocated once:
    /// <code>
    /// A ← X·Xᵀ                       addmm_, β = 0
    /// P ← b·A + c·A·A                copy_ A (m×m), then addmm_ with β = b, α = c
    /// P ← P + a·I                    m diagonal entries
    /// X ← P·X  (= aX + (bA + cA²)X)  addmm_ into the other buffer, β = 0
    /// </code>
    /// Why: a bfloat16 GEMM runs at several hundred GFLOP/s on the build machine, while every separate
    /// elementwise pass over X (X·a, the sum) is a full memory round trip and every freshly allocated
    /// large tensor costs page faults (above glibc's 32 MiB mmap threshold, every time). Folding the
    /// scalings into the GEMM's β/α — the issue's B = addmm(A, A, A, β = b, α = c) — and a into P's
    /// diagonal removes both. β and α are floats, so b and c are rounded to float32 — far below the
    /// resolution of a float32 or bfloat16 iteration; float64 keeps the plain path for that reason.
    /// Batches go to <see cref="IterateBatched"/>.
    /// </summary>
    private static Tensor IterateFused(Tensor g, IReadOnlyList<Coefficients> schedule, ScalarType computeType, double eps, double normSafety)
    {
        bool tall = g.shape[^2] > g.shape[^1];
        long rows = g.shape[^2], cols = g.shape[^1], m = Math.Min(rows, cols);
        var x = Normalized(g, transpose: false, computeType, eps, normSafety);   // [..., rows, cols]
        if (x.dim() > 2) return IterateBatched(x, schedule, tall);   // a batch, also of one matrix [1, rows, cols]: addmm_ takes 2-D only
        var y = x.new_empty(x.shape, computeType);
        var gram = x.new_empty(new[] { m, m }, computeType);
        var poly = x.new_empty(new[] { m, m }, computeType);
        var diagonal = poly.diagonal(0, -2, -1);
        Tensor current = x, next = y;
        using var s = new HeldScalars();
        foreach (var (a, b, c) in schedule)
        {
            if (tall) gram.addmm_(current.mT, current, beta: 0f, alpha: 1f);   // XᵀX [m, m]
            else gram.addmm_(current, current.mT, beta: 0f, alpha: 1f);        // XXᵀ [m, m]
            poly.copy_(gram);
            if (c != 0) poly.addmm_(gram, gram, beta: (float)b, alpha: (float)c);
            else poly.mul_(s[b]);
            diagonal.add_(s[a], s[1]);
            if (tall) next.addmm_(current, poly, beta: 0f, alpha: 1f);          // X·P [rows, m]
            else next.addmm_(poly, current, beta: 0f, alpha: 1f);               // P·X [m, cols]
            (current, next) = (next, current);
        }
        return current;
    }

    /// <summary>
    /// The fused iteration for a batch [..., rows, cols]: batched matmuls, so a batch costs three GEMM
    /// calls per step whatever its size (one call per matrix would pay libtorch's per-call overhead —
    /// thread wake-up, oneDNN dispatch — for every matrix). TorchSharp has no in-place batched
    /// product (its <c>Tensor.baddbmm</c> also passes its operands to the native call in the wrong
    /// order in 0.107), so the scalings are folded into the operands instead:
    /// <code>
    /// A ← X·Xᵀ
    /// P ← A·(c·A + b·I) + a·I        an m×m elementwise pass, m diagonal entries twice
    /// X ← P·X
    /// </code>
    /// No elementwise pass touches an m×n matrix.
    /// </summary>
    private static Tensor IterateBatched(Tensor x, IReadOnlyList<Coefficients> schedule, bool tall)
    {
        using var s = new HeldScalars();
        foreach (var (a, b, c) in schedule)
        {
            var gram = tall ? x.mT.matmul(x) : x.matmul(x.mT);       // [..., m, m]
            Tensor poly;
            if (c != 0)
            {
                var q = gram.mul(s[c]);
                q.diagonal(0, -2, -1).add_(s[b], s[1]);                // c·A + b·I
                poly = gram.matmul(q);                                 // bA + cA²
            }
            else poly = gram.mul(s[b]);
            poly.diagonal(0, -2, -1).add_(s[a], s[1]);                 // + a·I
            x = tall ? x.matmul(poly) : poly.matmul(x);
        }
        return x;
    }

    /// <summary>
    /// The Polar Express schedule (Amsel et al. 2025, Algorithm 1): the degree-5 polynomials that are
    /// minimax-optimal at each step for singular values in [10⁻³, 1], as published, before the
    /// bfloat16 safety factor. After the eighth step the last polynomial repeats.
    /// </summary>
    public static readonly IReadOnlyList<Coefficients> PolarExpressRaw = new Coefficients[]
    {
        new(8.28721201814563, -23.595886519098837, 17.300387312530933),
        new(4.107059111542203, -2.9478499167379106, 0.5448431082926601),
        new(3.9486908534822946, -2.908902115962949, 0.5518191394370137),
        new(3.3184196573706015, -2.488488024314874, 0.51004894012372),
        new(2.300652019954817, -1.6689039845747493, 0.4188073119525673),
        new(1.891301407787398, -1.2679958271945868, 0.37680408948524835),
        new(1.8750014808534479, -1.2500016453999487, 0.3750001645474248),
        new(1.875, -1.25, 0.375),
    };

    /// <summary>
    /// Polar Express's safety factor (Amsel et al. 2025, §4.4): each polynomial but the last is
    /// evaluated at x/1.01 — (a/1.01, b/1.01³, c/1.01⁵) — and the input is divided by 1.01·‖X‖_F,
    /// so bfloat16 rounding cannot push a singular value out of the interval the polynomials were
    /// optimized for.
    /// </summary>
    public const double PolarExpressSafety = 1.01;

    /// <summary>The first <paramref name="steps"/> Polar Express polynomials with the safety factor applied.</summary>
    /// <param name="steps">Number of steps, at least 1; beyond eight the last polynomial repeats.</param>
    public static IReadOnlyList<Coefficients> PolarExpressSchedule(int steps)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "Polar Express needs at least 1 step.");
        var last = PolarExpressRaw.Count - 1;
        return Enumerable.Range(0, steps).Select(k =>
        {
            var (a, b, c) = PolarExpressRaw[Math.Min(k, last)];
            double s = PolarExpressSafety;
            return k < last ? new Coefficients(a / s, b / (s * s * s), c / Math.Pow(s, 5)) : new Coefficients(a, b, c);
        }).ToArray();
    }

    /// <summary>Approximate polar factor by the Polar Express schedule (Amsel et al. 2025).</summary>
    /// <param name="g">A matrix or a batch of matrices, shape <c>[..., m, n]</c>; any floating dtype.</param>
    /// <param name="steps">Number of steps, at least 1.</param>
    /// <param name="computeType">Dtype of the iteration: bfloat16, float32 or float64.</param>
    /// <returns>A new tensor with the shape and dtype of <paramref name="g"/>.</returns>
    public static Tensor PolarExpress(Tensor g, int steps = DefaultSteps, ScalarType computeType = ScalarType.BFloat16) =>
        NewtonSchulz(g, PolarExpressSchedule(steps), computeType, DefaultEpsilon, PolarExpressSafety);

    /// <summary>
    /// Default relative tolerance of <see cref="Polar"/> for a float64 matrix:
    /// <see cref="DefaultPolarTolerance(long, long, ScalarType)"/> with <see cref="ScalarType.Float64"/>.
    /// </summary>
    /// <param name="rows">Rows of the matrix.</param>
    /// <param name="cols">Columns of the matrix.</param>
    public static double DefaultPolarTolerance(long rows, long cols) => DefaultPolarTolerance(rows, cols, ScalarType.Float64);

    /// <summary>
    /// Default relative tolerance of <see cref="Polar"/>: singular values below <c>rtol · σ_max</c>
    /// count as zero, with <c>rtol = max(m, n) · ε(dtype)</c> — the rule NumPy's and PyTorch's
    /// <c>matrix_rank</c> use, with ε the machine epsilon of the precision the matrix is known to. A
    /// rank-1 float32 matrix carries rounding errors of about ε(float32)·σ_max in every direction; a
    /// float64 cut-off would count each of them as rank.
    /// </summary>
    /// <param name="rows">Rows of the matrix.</param>
    /// <param name="cols">Columns of the matrix.</param>
    /// <param name="dtype">The coarsest floating-point type the matrix passed through (its own, the SVD's).</param>
    public static double DefaultPolarTolerance(long rows, long cols, ScalarType dtype) => Math.Max(rows, cols) * finfo(dtype).eps;

    /// <summary>
    /// Exact polar factor UVᵀ from the compact SVD G = UΣVᵀ, keeping only the singular values above
    /// <c>rtol · σ_max</c> (so a rank-r input gives a rank-r partial isometry and zero maps to zero).
    /// </summary>
    /// <param name="g">A matrix or a batch of matrices, shape <c>[..., m, n]</c>; any floating dtype.</param>
    /// <param name="rtol">Relative tolerance; when null, <see cref="DefaultPolarTolerance(long, long, ScalarType)"/> of
    /// the coarser of <paramref name="g"/>'s dtype and <paramref name="computeType"/>.</param>
    /// <param name="computeType">Dtype of the SVD: float64 (default) or float32.</param>
    /// <returns>A new tensor with the shape and dtype of <paramref name="g"/>.</returns>
    public static Tensor Polar(Tensor g, double? rtol = null, ScalarType computeType = ScalarType.Float64)
    {
        ArgumentNullException.ThrowIfNull(g);
        RequireMatrices(g, nameof(g));
        if (computeType is not (ScalarType.Float64 or ScalarType.Float32))
            throw new ArgumentException($"Polar computes the SVD in float64 or float32, not {computeType}.", nameof(computeType));
        double tolerance = rtol ?? DefaultPolarTolerance(g.shape[^2], g.shape[^1], Coarser(g.dtype, computeType));
        if (!double.IsFinite(tolerance) || tolerance < 0)
            throw new ArgumentOutOfRangeException(nameof(rtol), rtol, "rtol must be finite and ≥ 0.");

        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        var (u, s, vh) = linalg.svd(g.to(computeType), fullMatrices: false); // [..., m, k], [..., k], [..., k, n]
        var sMax = s.amax(new long[] { -1 }, keepdim: true);
        // Strictly above the cut-off: for the zero matrix σ_max = 0 and nothing is kept.
        var keep = (s > sMax.mul(held[tolerance])).to(computeType);          // [..., k]
        var polar = (u * keep.unsqueeze(-2)).matmul(vh);
        return polar.to(g.dtype).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Of two floating-point types, the one with the larger machine epsilon.</summary>
    internal static ScalarType Coarser(ScalarType a, ScalarType b) => finfo(a).eps >= finfo(b).eps ? a : b;

    internal static void RequireMatrices(Tensor g, string name)
    {
        if (g.dim() < 2)
            throw new ArgumentException($"Expected a matrix or a batch of matrices [..., m, n]; got shape [{string.Join(", ", g.shape)}].", name);
        if (!g.is_floating_point())
            throw new ArgumentException($"Expected a floating-point tensor; got {g.dtype}.", name);
    }

    internal static void RequireComputeType(ScalarType computeType)
    {
        if (computeType is not (ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"Newton–Schulz runs in BFloat16, Float32 or Float64, not {computeType}.", nameof(computeType));
    }
}
