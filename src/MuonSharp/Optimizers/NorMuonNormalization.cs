using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Optimizers;

/// <summary>
/// NorMuon's neuron-wise normalization (Li et al. 2025, "NorMuon: Making Muon more efficient and
/// scalable", arXiv 2510.05491, Algorithm 1; the authors' reference code and microsoft/dion's
/// <c>normuon.py</c> agree): the orthogonalized update O of an m×n matrix has rows (output neurons) of
/// very different norms, so each row is divided by the root of an exponential moving average of its
/// mean square, then the whole update is rescaled back to O's Frobenius norm:
/// <code>
/// v ← β2·v + (1−β2)·mean_cols(O⊙O)          v: [m, 1], one entry per row
/// Ô ← O ⊘ (√v + ε)                           row i divided by √vᵢ + ε
/// Ô ← Ô · ‖O‖_F / (‖Ô‖_F + ε)                the update keeps O's overall norm
/// </code>
/// Muon's shape scale and learning rate then apply as usual. The paper writes the last line as a step
/// η̂ = 0.2·η·√(mn)/‖Ô‖_F; an exact polar factor of a full-rank matrix has ‖O‖_F = √min(m, n), so the
/// two agree when Muon's <c>adjust_lr</c> is <see cref="OptimizerChoices.AdjustLr.MatchRmsAdamW"/>
/// (0.2·√max(m, n)) and the orthogonalization is exact.
/// </summary>
internal static class NorMuonNormalization
{
    /// <summary>ε added to √v and to ‖Ô‖_F (the authors' reference code: 1e-10).</summary>
    public const double Epsilon = 1e-10;

    /// <summary>
    /// Updates <paramref name="secondMoment"/> in place and returns the normalized update, in the
    /// second moment's dtype (the parameter's).
    /// </summary>
    /// <param name="orthogonal">The orthogonalized update O, [m, n] or a batch [k, m, n], any floating dtype.</param>
    /// <param name="secondMoment">The running mean square per row v, [m, 1] or [k, m, 1].</param>
    /// <param name="beta2">Decay β2 in [0, 1) of v.</param>
    public static Tensor Apply(Tensor orthogonal, Tensor secondMoment, double beta2)
    {
        // Three passes over O: its conversion, its row norms, one multiply. The norms ‖O‖_F and ‖Ô‖_F
        // follow from the row norms (‖Ô‖²_F = Σᵢ ‖Oᵢ‖²/(√vᵢ + ε)²), so the whole update is O times one
        // factor per row.
        using var s = new HeldScalars();
        var o = orthogonal.to(secondMoment.dtype);                                               // [(k,) m, n]
        var rowNorms = linalg.vector_norm(o, 2, new long[] { -1 }, keepdim: true);               // ‖Oᵢ‖, [(k,) m, 1]
        var rowSquares = rowNorms.mul(rowNorms);
        secondMoment.lerp_(rowSquares.div(s[o.shape[^1]]), tensor(1 - beta2, secondMoment.dtype));   // mean square per row
        var rowScale = secondMoment.sqrt().add_(s[Epsilon], s[1]);                               // √vᵢ + ε
        var matrixDims = new long[] { -2, -1 };
        var norm = rowSquares.sum(matrixDims, keepdim: true).sqrt_();                            // ‖O‖_F, [(k,) 1, 1]
        var normalizedNorm = rowSquares.div(rowScale.mul(rowScale)).sum(matrixDims, keepdim: true).sqrt_();   // ‖Ô‖_F
        var rowFactors = norm.div(normalizedNorm.add_(s[Epsilon], s[1])).div(rowScale);          // [(k,) m, 1]
        return o.mul(rowFactors);
    }
}
