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
        var gram = m.shape[0] >= m.shape[1] ? m.t().matmul(m) : m.matmul(m.t());   // [k, k], k = min(rows, cols)
        var eigenvalues = linalg.eigvalsh(gram).data<double>().Reverse().ToArray();          // descending
        double cutoff = eigenvalues.Length == 0 ? 0 : Orthogonalize.DefaultPolarTolerance(m.shape[0], m.shape[1]) * eigenvalues[0];
        return eigenvalues.Select(e => e > cutoff ? Math.Sqrt(e) : 0).ToArray();
    }

    /// <summary>
    /// Stable rank ‖A‖²_F / ‖A‖²_op with ‖A‖²_op estimated by power iteration on the smaller Gram matrix
    /// (d² per iteration after one n·d² GEMM, no d³ eigendecomposition). The start vector is drawn from
    /// <paramref name="generator"/>, so the caller's random stream is untouched. The Rayleigh quotient
    /// converges like (σ₂/σ₁)^(4k) and never overshoots σ₁², so the estimate is at least the true stable rank.
    /// </summary>
    /// <param name="matrix">A matrix; trailing dimensions are flattened into columns.</param>
    /// <param name="generator">The generator of the random start vector.</param>
    /// <param name="maxIterations">Upper bound on power iterations.</param>
    /// <param name="relativeTolerance">Stop when the Rayleigh quotient changes by less than this, relatively.</param>
    internal static double StableRankByPowerIteration(Tensor matrix, Generator generator, int maxIterations = 300, double relativeTolerance = 1e-13)
    {
        using var scope = NewDisposeScope();
        var m = AsMatrix(matrix);                                       // [rows, cols], float64
        var gram = m.shape[0] >= m.shape[1] ? m.t().matmul(m) : m.matmul(m.t());   // [k, k]
        double frobeniusSquared = gram.trace().item<double>();
        if (frobeniusSquared == 0) return 0;

        var v = randn(new[] { gram.shape[0] }, dtype: ScalarType.Float64, generator: generator);
        double top = 0;
        for (int i = 0; i < maxIterations; i++)
        {
            var w = gram.mv(v);
            double norm = w.norm().item<double>();
            if (norm == 0) break;
            double rayleigh = v.dot(w).item<double>() / v.dot(v).item<double>();
            using var inverse = (1.0 / norm).ToScalar();
            v = w.mul(inverse);
            bool converged = Math.Abs(rayleigh - top) <= relativeTolerance * Math.Abs(rayleigh);
            top = rayleigh;
            if (converged) break;
        }
        return top <= 0 ? 0 : frobeniusSquared / top;
    }
}
