using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp;

public static partial class Spectral
{
    /// <summary>
    /// Singular values of <paramref name="matrix"/>, largest first, from the eigenvalues of its smaller
    /// Gram matrix (float64). For a tall <c>[n, d]</c> matrix with n ≫ d — a batch of activations,
    /// a layer's weight or gradient — this is one GEMM of n·d² and an eigendecomposition of d×d instead of
    /// an SVD of the whole matrix. Squaring loses the singular values below about √(n·ε)·σ₁ ≈ 1e-7·σ₁:
    /// eigenvalues under the Gram's rounding error max(rows, cols)·ε·λ₁ are set to zero (the cut-off rule of
    /// <see cref="Orthogonalize.DefaultPolarTolerance(long, long)"/>), so a rank-r matrix keeps r singular values
    /// and the ranks move by less than 1e-6 relatively.
    /// </summary>
    /// <param name="matrix">A matrix; trailing dimensions are flattened into columns.</param>
    internal static double[] SingularValuesViaGram(Tensor matrix)
    {
        using var scope = NewDisposeScope();
        var m = AsMatrix(matrix);                                       // [rows, cols], float64
        var gram = SmallerGram(m);                                      // [k, k], k = min(rows, cols)
        var eigenvalues = linalg.eigvalsh(gram).data<double>().Reverse().ToArray();          // descending
        double cutoff = eigenvalues.Length == 0 ? 0 : Orthogonalize.DefaultPolarTolerance(m.shape[0], m.shape[1]) * eigenvalues[0];
        return eigenvalues.Select(e => e > cutoff ? Math.Sqrt(e) : 0).ToArray();
    }

    /// <summary>
    /// Stable rank ‖A‖²_F / ‖A‖²_op from a Gram matrix AᵀA or AAᵀ already formed (any floating dtype;
    /// iterated in float64): trace / λ_max, with λ_max by power iteration (d² per iteration, no d³
    /// eigendecomposition). Callers form the Gram in the activations' own precision and without
    /// materializing A where that would copy it (a convolution's patches: a sum of per-image Grams).
    /// The start vector is drawn from <paramref name="generator"/>, so the caller's random stream is
    /// untouched. The Rayleigh quotient converges like (λ₂/λ₁)^(2k) and never overshoots λ₁, so the
    /// estimate is at least the true stable rank.
    /// </summary>
    /// <param name="gram">A symmetric positive semi-definite <c>[k, k]</c> matrix.</param>
    /// <param name="generator">The generator of the random start vector.</param>
    /// <param name="maxIterations">Upper bound on power iterations.</param>
    /// <param name="relativeTolerance">Stop when the Rayleigh quotient changes by less than this, relatively.</param>
    internal static double StableRankOfGram(Tensor gram, Generator generator, int maxIterations = 300, double relativeTolerance = 1e-13)
    {
        using var scope = NewDisposeScope();
        gram = gram.to(ScalarType.Float64);
        double frobeniusSquared = gram.trace().item<double>();
        if (frobeniusSquared == 0) return 0;

        using var held = new HeldScalars();
        var v = randn(new[] { gram.shape[0] }, dtype: ScalarType.Float64, generator: generator);
        v = v.div(v.norm());
        double top = 0;
        // Reading a number back from libtorch costs more than a d×d matrix-vector product at these sizes,
        // so convergence is checked once per block of iterations.
        for (int done = 0; done < maxIterations; done += IterationsPerCheck)
        {
            for (int i = 0; i < IterationsPerCheck; i++)
            {
                var w = gram.mv(v);
                v = w.div(w.norm().clamp_min(held[double.Epsilon]));
            }
            double rayleigh = v.dot(gram.mv(v)).item<double>();   // v has unit norm
            bool converged = Math.Abs(rayleigh - top) <= relativeTolerance * Math.Abs(rayleigh);
            top = rayleigh;
            if (converged || rayleigh == 0) break;
        }
        return top <= 0 ? 0 : frobeniusSquared / top;
    }

    private const int IterationsPerCheck = 10;

    /// <summary>MᵀM or MMᵀ, whichever is smaller: <c>[k, k]</c> with k = min(rows, cols); same nonzero eigenvalues σᵢ².</summary>
    internal static Tensor SmallerGram(Tensor m) => m.shape[0] >= m.shape[1] ? m.t().matmul(m) : m.matmul(m.t());
}
