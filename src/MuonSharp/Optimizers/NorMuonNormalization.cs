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
        using var s = new HeldScalars();
        var o = orthogonal.to(secondMoment.dtype);                                // [(k,) m, n]
        var norm = FrobeniusNorms(o);                                             // ‖O‖_F per matrix, [(k,) 1, 1]
        var rowMeanSquare = o.pow(s[2]).mean(new long[] { -1 }, keepdim: true);    // [(k,) m, 1]
        secondMoment.lerp_(rowMeanSquare, tensor(1 - beta2, secondMoment.dtype));
        var normalized = o.div(secondMoment.sqrt().add_(s[Epsilon], s[1]));       // [(k,) m, n]
        return normalized.mul_(norm.div(FrobeniusNorms(normalized).add_(s[Epsilon], s[1])));
    }

    /// <summary>‖X‖_F of each matrix of [..., m, n], kept as [..., 1, 1].</summary>
    private static Tensor FrobeniusNorms(Tensor x) => linalg.vector_norm(x, 2, new long[] { -2, -1 }, keepdim: true);
}
