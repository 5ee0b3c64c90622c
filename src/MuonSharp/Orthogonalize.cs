using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp;

/// <summary>
/// Maps a matrix G = UΣVᵀ to (an approximation of) its polar factor UVᵀ — the update direction
/// of Muon and Spectral GD. Pure functions: inputs are never modified, shapes are preserved, and
/// every function is batched over leading dimensions (a <c>[k, m, n]</c> input is k matrices).
/// </summary>
public static class Orthogonalize
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
    /// convergent iteration (papers README, "Muon reference").
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
    public static Tensor NewtonSchulz(Tensor g, IReadOnlyList<Coefficients> schedule,
        ScalarType computeType = ScalarType.BFloat16, double eps = DefaultEpsilon, double normSafety = 1.0)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(schedule);
        RequireMatrices(g, nameof(g));
        RequireComputeType(computeType);
        if (schedule.Count == 0) throw new ArgumentException("The coefficient schedule is empty; give at least one step.", nameof(schedule));
        if (!double.IsFinite(eps) || eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be finite and ≥ 0.");
        if (!double.IsFinite(normSafety) || normSafety < 1) throw new ArgumentOutOfRangeException(nameof(normSafety), normSafety, "normSafety must be finite and ≥ 1.");

        using var scope = NewDisposeScope();
        // Iterate on the wide orientation so the Gram matrix XXᵀ is the smaller one (m ≤ n).
        bool tall = g.shape[^2] > g.shape[^1];
        var x = tall ? g.mT : g;

        // Frobenius normalization puts every singular value in [0, 1], inside each polynomial's
        // basin. It is done in at least float32: a bfloat16 norm of small entries can come out
        // low enough to push σ past 1, where steep schedules such as Polar Express blow up.
        var normType = computeType == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var wide = x.to(normType);
        var norm = linalg.matrix_norm(wide, "fro", new long[] { -2, -1 }, keepdim: true);
        x = (wide / (norm * normSafety + eps)).to(computeType);

        foreach (var (a, b, c) in schedule)
        {
            var gram = x.matmul(x.mT);                       // [..., m, m]
            var poly = gram * b + gram.matmul(gram) * c;      // b·A + c·A²
            x = x * a + poly.matmul(x);                       // aX + (bA + cA²)X
        }

        if (tall) x = x.mT;
        return x.to(g.dtype).contiguous().MoveToOuterDisposeScope();
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
    /// Default relative tolerance of <see cref="Polar"/>: singular values below
    /// <c>rtol · σ_max</c> count as zero, with <c>rtol = max(m, n) · ε(float64)</c> — the rule
    /// NumPy's and PyTorch's <c>matrix_rank</c> use.
    /// </summary>
    public static double DefaultPolarTolerance(long rows, long cols) => Math.Max(rows, cols) * Float64MachineEpsilon;

    /// <summary>Unit roundoff of IEEE double precision, 2⁻⁵².</summary>
    private const double Float64MachineEpsilon = 2.220446049250313e-16;

    /// <summary>
    /// Exact polar factor UVᵀ from the compact SVD G = UΣVᵀ, keeping only the singular values above
    /// <c>rtol · σ_max</c> (so a rank-r input gives a rank-r partial isometry and zero maps to zero).
    /// </summary>
    /// <param name="g">A matrix or a batch of matrices, shape <c>[..., m, n]</c>; any floating dtype.</param>
    /// <param name="rtol">Relative tolerance; <see cref="DefaultPolarTolerance"/> when null.</param>
    /// <param name="computeType">Dtype of the SVD: float64 (default) or float32.</param>
    /// <returns>A new tensor with the shape and dtype of <paramref name="g"/>.</returns>
    public static Tensor Polar(Tensor g, double? rtol = null, ScalarType computeType = ScalarType.Float64)
    {
        ArgumentNullException.ThrowIfNull(g);
        RequireMatrices(g, nameof(g));
        if (computeType is not (ScalarType.Float64 or ScalarType.Float32))
            throw new ArgumentException($"Polar computes the SVD in float64 or float32, not {computeType}.", nameof(computeType));
        double tolerance = rtol ?? DefaultPolarTolerance(g.shape[^2], g.shape[^1]);
        if (!double.IsFinite(tolerance) || tolerance < 0)
            throw new ArgumentOutOfRangeException(nameof(rtol), rtol, "rtol must be finite and ≥ 0.");

        using var scope = NewDisposeScope();
        var (u, s, vh) = linalg.svd(g.to(computeType), fullMatrices: false); // [..., m, k], [..., k], [..., k, n]
        var sMax = s.amax(new long[] { -1 }, keepdim: true);
        // Strictly above the cut-off: for the zero matrix σ_max = 0 and nothing is kept.
        var keep = (s > sMax * tolerance).to(computeType);                    // [..., k]
        var polar = (u * keep.unsqueeze(-2)).matmul(vh);
        return polar.to(g.dtype).contiguous().MoveToOuterDisposeScope();
    }

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
