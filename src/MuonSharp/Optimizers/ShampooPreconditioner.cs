using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Optimizers;

/// <summary>
/// One block of a matrix parameter that Shampoo preconditions on its own: rows
/// <c>[Row, Row + Rows)</c> and columns <c>[Col, Col + Cols)</c> of the flattened <c>[out, rest]</c> matrix.
/// </summary>
/// <param name="Row">First row.</param>
/// <param name="Rows">Number of rows (the side of this block's L).</param>
/// <param name="Col">First column.</param>
/// <param name="Cols">Number of columns (the side of this block's R).</param>
public readonly record struct ShampooBlock(long Row, long Rows, long Col, long Cols)
{
    /// <summary>This block of <paramref name="matrix"/> (a view, no copy).</summary>
    /// <param name="matrix">A tensor of the flattened parameter's shape <c>[out, rest]</c>.</param>
    public Tensor Of(Tensor matrix) => matrix.narrow(0, Row, Rows).narrow(1, Col, Cols);
}

/// <summary>
/// The matrix functions behind <see cref="Shampoo"/>, kept pure so they can be tested alone:
/// the block partition of a large matrix and the inverse p-th root of a symmetric PSD statistic.
/// </summary>
public static class ShampooPreconditioner
{
    /// <summary>
    /// The root taken of each Kronecker factor of a matrix gradient: the direction is
    /// L^{-1/4} G R^{-1/4}. Gupta et al. (2018) use 1/4 for matrices (Algorithm 1; order-k tensors
    /// get −1/(2k), Algorithm 2), so that L^{-1/4} ⊗ R^{-1/4} is the inverse square root of their
    /// Kronecker bound L^{1/2} ⊗ R^{1/2} on full-matrix AdaGrad's statistic Σ vec(G)vec(G)ᵀ.
    /// For a single gradient G = UΣVᵀ this gives UVᵀ as ε → 0 (Σ^{-1/2}·Σ·Σ^{-1/2} = I): Shampoo's
    /// first step is Muon's polar step. (<c>001</c>, "Shampoo", prints L^{-1/2} G R^{-1/2}; with
    /// L = ΣGGᵀ that would give UΣ^{-1}Vᵀ, which is not scale-invariant, so we follow Gupta et al.)
    /// </summary>
    public const int MatrixRoot = 4;

    /// <summary>
    /// The root for vectors and scalars, Shampoo of order k = 1 (exponent −1/2, Gupta et al. 2018, Algorithm 2):
    /// a diagonal statistic, i.e. AdaGrad (or RMSprop when β2 &lt; 1).
    /// </summary>
    public const int DiagonalRoot = 2;

    /// <summary>
    /// Splits a <paramref name="rows"/>×<paramref name="cols"/> matrix into blocks of at most
    /// <paramref name="maxDim"/> along each dimension, row-major; the last block of each dimension
    /// takes the remainder. Blocking bounds the cost of each root at O(maxDim³) (Anil et al. 2020;
    /// <c>001</c>, "Shampoo", Scalability: "block-partitioning large layers").
    /// </summary>
    /// <param name="rows">First dimension of the flattened parameter.</param>
    /// <param name="cols">Product of the remaining dimensions.</param>
    /// <param name="maxDim">Largest side of a block's L or R, ≥ 1.</param>
    public static IReadOnlyList<ShampooBlock> Partition(long rows, long cols, int maxDim)
    {
        if (maxDim < 1) throw new ArgumentOutOfRangeException("max_preconditioner_dim", maxDim, $"Invalid max_preconditioner_dim: {maxDim}. Accepted: an integer ≥ 1.");
        var blocks = new List<ShampooBlock>();
        for (long r = 0; r < rows; r += maxDim)
            for (long c = 0; c < cols; c += maxDim)
                blocks.Add(new ShampooBlock(r, Math.Min(maxDim, rows - r), c, Math.Min(maxDim, cols - c)));
        return blocks;
    }

    /// <summary>
    /// (A + εI)^{-1/<paramref name="root"/>} of a symmetric positive semi-definite
    /// <paramref name="statistic"/>, through its eigendecomposition in float64: A = QΛQᵀ, then
    /// Q·diag((max(λ, 0) + ε)^{-1/root})·Qᵀ. Eigenvalues that rounding pushed below zero are clamped
    /// to zero first, so the root is always finite for ε &gt; 0. The result has the input's dtype.
    /// </summary>
    /// <param name="statistic">A square symmetric PSD matrix <c>[d, d]</c>; only its lower triangle is read.</param>
    /// <param name="root">p ≥ 1 in A^{-1/p}.</param>
    /// <param name="epsilon">Absolute regularizer ε &gt; 0 added to every eigenvalue.</param>
    public static Tensor InverseRoot(Tensor statistic, int root, double epsilon)
    {
        ArgumentNullException.ThrowIfNull(statistic);
        if (statistic.dim() != 2 || statistic.shape[0] != statistic.shape[1])
            throw new ArgumentException($"Expected a square matrix, got shape [{string.Join(", ", statistic.shape)}].", nameof(statistic));
        if (root < 1) throw new ArgumentOutOfRangeException(nameof(root), root, $"Invalid root: {root}. Accepted: an integer ≥ 1.");
        if (!(epsilon > 0 && double.IsFinite(epsilon)))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"Invalid epsilon: {epsilon}. Accepted: a finite number > 0.");

        using var scope = NewDisposeScope();
        var (eigenvalues, eigenvectors) = linalg.eigh(statistic.to(ScalarType.Float64));   // [d], [d, d]
        using var s = new HeldScalars();
        var scale = eigenvalues.clamp_min(s[0]).add_(s[epsilon], s[1]).pow_(s[-1.0 / root]);  // [d]
        var result = eigenvectors.mul(scale.unsqueeze(0)).mm(eigenvectors.T);              // Q·diag(s)·Qᵀ
        return result.to(statistic.dtype).MoveToOuterDisposeScope();
    }
}
