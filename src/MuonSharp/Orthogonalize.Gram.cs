using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp;

public static partial class Orthogonalize
{
    /// <summary>
    /// Aspect ratio (long side ÷ short side) above which Gram Newton–Schulz in float32 is used for
    /// a bfloat16 or float32 iteration. Measured (docs/PERFORMANCE.md, "Gram Newton–Schulz"): at
    /// 128×9216 and 64×288 the float32 Gram path takes about half the time of bfloat16 Newton–Schulz;
    /// at most ~4× wider than tall it is no faster, because float32 GEMMs run at less than half
    /// bfloat16's rate and the Gram path saves too little work to make up for it.
    /// </summary>
    internal const double GramAspectRatio = 4.0;

    /// <summary>Whether a <paramref name="rows"/>×<paramref name="cols"/> matrix is orthogonalized by <see cref="GramFactor"/>.</summary>
    internal static bool PrefersGram(long rows, long cols, ScalarType computeType) =>
        computeType != ScalarType.Float64
        && Math.Max(rows, cols) > GramAspectRatio * Math.Min(rows, cols);

    /// <summary>
    /// Newton–Schulz by its Gram matrix, for a single matrix G [m, n] whose short side is m (or a
    /// tall one, with everything transposed). Every iterate is Xₖ = Qₖ·X₀ with X₀ = G / (safety·‖G‖_F + ε)
    /// and Qₖ an m×m polynomial in S = X₀X₀ᵀ, so the iteration runs on m×m matrices:
    /// <code>
    /// S ← G·Gᵀ / d²                   d = safety·√trace(G·Gᵀ) + ε  (trace(GGᵀ) = ‖G‖²_F)
    /// R₀ = S,  Q₀ = I
    /// Pₖ ← a·I + b·Rₖ + c·Rₖ²
    /// Qₖ₊₁ ← Pₖ·Qₖ                     (Q₁ = P₀)
    /// Rₖ₊₁ ← Qₖ₊₁·S·Qₖ₊₁ᵀ              (= Xₖ₊₁Xₖ₊₁ᵀ)
    /// </code>
    /// and returns F = Q_steps / d, the factor with NewtonSchulz(G) ≈ F·G (tall: G·Fᵀ). In exact
    /// arithmetic Q is a polynomial in S, symmetric and commuting with S, so Qᵀ = Q; in float32 it is
    /// not, and where Q amplifies small directions ~a⁵-fold the difference shows: writing R as Q·S·Q,
    /// or a tall matrix's product as G·F, put the output 0.07–0.17 (relative) away from float64
    /// Newton–Schulz on momentum-like and κ = 10⁶ inputs, against ≤ 6e-4 with the transposes kept. The
    /// caller
    /// applies it — Muon writes F·G straight into the parameter with one <c>addmm_</c>. G is read twice
    /// (S and the final product) and no m×n matrix is written: 4m²n + (8·steps − 6)·m³ FLOPs against
    /// steps·(4m²n + 2m³) for the plain iteration.
    /// <para>
    /// Everything runs in float32, whatever <c>ns_dtype</c> asks for: in bfloat16, rounding S makes its
    /// small eigenvalues negative on momentum-like inputs (a few dominant directions plus noise), and
    /// the polynomial blows them up — singular values of 10³–10⁵ in the output, silently. Tested against
    /// float64 Newton–Schulz and <see cref="Polar"/> on Gaussian, momentum-like and ill-conditioned
    /// inputs (OrthogonalizeGramTests).
    /// </para>
    /// </summary>
    /// <param name="g">A float32 matrix [rows, cols]; not modified.</param>
    /// <param name="schedule">One coefficient triple per step.</param>
    /// <param name="eps">Added to the scaled norm.</param>
    /// <param name="normSafety">Multiplies the norm (≥ 1).</param>
    /// <param name="workspace">Where the m×m buffers live; the result is one of them, valid until the workspace's next use.</param>
    /// <returns>F [m, m] (apply as F·G, or G·Fᵀ to a tall G), or null when ‖G‖² is not finite in float32 (the caller falls back to the plain path, which scales safely).</returns>
    internal static Tensor? GramFactor(Tensor g, IReadOnlyList<Coefficients> schedule, double eps, double normSafety, NewtonSchulzWorkspace workspace)
    {
        if (g.dim() != 2 || g.dtype != ScalarType.Float32)
            throw new ArgumentException($"Gram Newton–Schulz takes one float32 matrix; got {g.dtype} of shape [{string.Join(", ", g.shape)}].", nameof(g));
        bool tall = g.shape[0] > g.shape[1];
        long m = Math.Min(g.shape[0], g.shape[1]);
        var buffers = workspace.Gram(m);
        var (s, r, p, q, next, t) = (buffers.S, buffers.R, buffers.P, buffers.Q, buffers.Next, buffers.T);

        if (tall) s.addmm_(g.mT, g, beta: 0f, alpha: 1f);   // GᵀG [m, m]
        else s.addmm_(g, g.mT, beta: 0f, alpha: 1f);        // GGᵀ [m, m]
        double squaredNorm = s.trace().item<float>();
        if (!double.IsFinite(squaredNorm)) return null;
        double d = normSafety * Math.Sqrt(squaredNorm) + eps;
        using var held = new HeldScalars();
        s.mul_(held[1 / (d * d)]);

        var diagonal = p.diagonal(0, -2, -1);
        var rk = s;
        for (int k = 0; k < schedule.Count; k++)
        {
            var (a, b, c) = schedule[k];
            p.copy_(rk);
            if (c != 0) p.addmm_(rk, rk, beta: (float)b, alpha: (float)c);   // b·R + c·R²
            else p.mul_(held[b]);
            diagonal.add_(held[a], held[1]);
            if (k == 0) q.copy_(p);
            else
            {
                next.addmm_(p, q, beta: 0f, alpha: 1f);
                (q, next) = (next, q);
            }
            if (k == schedule.Count - 1) break;
            t.addmm_(s, q.mT, beta: 0f, alpha: 1f);
            r.addmm_(q, t, beta: 0f, alpha: 1f);             // Q·S·Qᵀ
            rk = r;
        }
        return q.mul_(held[1 / d]);
    }

    /// <summary>
    /// Newton–Schulz of one matrix by <see cref="GramFactor"/>, returned as a new float32 matrix:
    /// what Muon adds into a parameter, for tests and benchmarks that compare it with the other paths.
    /// </summary>
    internal static Tensor GramNewtonSchulz(Tensor g, IReadOnlyList<Coefficients> schedule, double eps = DefaultEpsilon, double normSafety = 1.0)
    {
        using var workspace = new NewtonSchulzWorkspace();
        var g32 = g.dtype == ScalarType.Float32 ? g : g.to(ScalarType.Float32);
        var factor = GramFactor(g32, schedule, eps, normSafety, workspace)
            ?? throw new ArgumentException("‖g‖² overflows float32; use NewtonSchulz, which scales such inputs safely.", nameof(g));
        return g32.shape[0] > g32.shape[1] ? g32.matmul(factor.mT) : factor.matmul(g32);
    }
}
