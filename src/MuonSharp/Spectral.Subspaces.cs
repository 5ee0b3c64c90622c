using static TorchSharp.torch;

namespace MuonSharp;

/// <summary>Which singular subspace of a matrix A = UΣVᵀ to compare.</summary>
public enum SubspaceSide
{
    /// <summary>Left singular vectors (columns of U): the column space, in R^rows.</summary>
    Left,

    /// <summary>Right singular vectors (columns of V): the row space, in R^columns.</summary>
    Right,
}

public static partial class Spectral
{
    /// <summary>
    /// ‖sin Θ‖_F between the top-<paramref name="k"/> singular subspaces of <paramref name="a"/> and
    /// <paramref name="b"/>, where Θ holds the k principal angles between them. With orthonormal
    /// bases U_a, U_b (columns = top-k singular vectors), ‖sin Θ‖²_F = k − ‖U_aᵀU_b‖²_F, because the
    /// singular values of U_aᵀU_b are the cosines of the principal angles.
    /// </summary>
    /// <remarks>
    /// 0 when the subspaces coincide, √k when they are orthogonal. The top-k subspace of a matrix is
    /// only well defined when σ_k &gt; σ_(k+1); otherwise the SVD picks one of the tied directions.
    /// Computed in float64; neither input is modified.
    /// </remarks>
    /// <param name="a">A matrix; <c>[m, n, ...]</c> is read as <c>[m, n·...]</c>.</param>
    /// <param name="b">A matrix of the same shape as <paramref name="a"/>.</param>
    /// <param name="k">Subspace dimension, 1 ≤ k ≤ min(m, n) of the flattened matrix.</param>
    /// <param name="side">Compare left (column-space) or right (row-space) singular vectors.</param>
    /// <returns>‖sin Θ‖_F in [0, √k] (up to rounding).</returns>
    /// <exception cref="ArgumentException">The shapes differ, or an input is not a floating-point matrix.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is outside [1, min(m, n)], or <paramref name="side"/> is unknown.</exception>
    public static double SubspaceMisalignment(Tensor a, Tensor b, int k, SubspaceSide side = SubspaceSide.Left)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.shape.SequenceEqual(b.shape))
            throw new ArgumentException(
                $"Expected matrices of the same shape; got a [{string.Join(", ", a.shape)}] and b [{string.Join(", ", b.shape)}].", nameof(b));
        if (side is not (SubspaceSide.Left or SubspaceSide.Right))
            throw new ArgumentOutOfRangeException(nameof(side), side, $"Expected {nameof(SubspaceSide.Left)} or {nameof(SubspaceSide.Right)}.");

        using var scope = NewDisposeScope();
        var ma = AsMatrix(a); // [m, n]
        var mb = AsMatrix(b); // [m, n]
        long rows = ma.shape[0], columns = ma.shape[1], maxK = Math.Min(rows, columns);
        if (k < 1 || k > maxK)
            throw new ArgumentOutOfRangeException(nameof(k), k,
                $"k = {k} is out of range: expected 1 ≤ k ≤ min(m, n) = {maxK} for {rows}×{columns} matrices.");

        var basisA = TopSingularBasis(ma, k, side); // [m, k] or [n, k]
        var basisB = TopSingularBasis(mb, k, side);
        // ‖sin Θ‖²_F = k − ‖U_aᵀU_b‖²_F = ‖(I − U_aU_aᵀ)U_b‖²_F (Pythagoras, columns of U_b being unit).
        // The residual form is used: k − Σcos²θᵢ cancels catastrophically for small angles (a true
        // misalignment of 1e-9 would come out as √(rounding) ≈ 1e-8), the residual does not.
        var residual = basisB - basisA.matmul(basisA.T.matmul(basisB)); // [m, k] or [n, k]
        using var s = new HeldScalars();
        return residual.pow(s[2]).sum().sqrt().item<double>();   // ‖·‖_F; pow(2) is square() with its Scalar held
    }

    /// <summary>Orthonormal basis of the top-k left (<c>[m, k]</c>) or right (<c>[n, k]</c>) singular subspace.</summary>
    private static Tensor TopSingularBasis(Tensor matrix, int k, SubspaceSide side)
    {
        var (u, _, vh) = linalg.svd(matrix, fullMatrices: false); // u [m, r], vh [r, n], r = min(m, n)
        return side == SubspaceSide.Left ? u[.., ..k] : vh[..k, ..].T;
    }
}
