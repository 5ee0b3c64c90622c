using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.Factorization;

/// <summary>
/// What the factorization experiment measures, as pure functions of (P, Q) or of recorded curves.
/// Tensors are float64; P, Q are [N, d]; U, V are the target's singular vectors, [d, d].
/// </summary>
/// <remarks>
/// Conserved quantities, derived here (the paper's formulas were lost in extraction). For
/// L(PᵀQ), gradient flow Ṗ = −Q∇ᵀ, Q̇ = −P∇ gives d(PPᵀ)/dt = d(QQᵀ)/dt = −Q∇ᵀPᵀ − P∇Qᵀ, so
/// PPᵀ − QQᵀ (the N×N Gram matrices over the inner dimension, Du et al. 2018's balancedness) is
/// conserved. Once aligned, P = R D_p Uᵀ and Q = R D_q Vᵀ, Muon flow moves every mode's p_k and
/// q_k by the same sign(s_k − p_k q_k), so √(PPᵀ) − √(QQᵀ) = R diag(p − q) Rᵀ is conserved.
/// The extracted text writes PᵀP − QᵀQ and √(PᵀP) − √(QᵀQ), the d×d Gram matrices on the outer
/// side; for the symmetric (diagonal) planted target and aligned factors those have the same
/// spectra, diag(p² − q²) and diag(p − q), so the claim is the same. We measure the inner-side
/// forms because only they are exact for GD flow before alignment too.
/// </remarks>
public static class FactorizationMetrics
{
    /// <summary>σ_k of PᵀQ projected on the target's singular vectors: the diagonal of UᵀPᵀQV.</summary>
    /// <param name="p">[N, d].</param>
    /// <param name="q">[N, d].</param>
    /// <param name="u">[d, d].</param>
    /// <param name="v">[d, d].</param>
    public static double[] ModeSigmas(Tensor p, Tensor q, Tensor u, Tensor v)
    {
        using var scope = NewDisposeScope();
        return u.T.matmul(p.T).matmul(q).matmul(v).diagonal().data<double>().ToArray();
    }

    /// <summary>
    /// Each factor's size in each target mode: ‖P u_k‖ (or ‖Q v_k‖). When the factors are aligned
    /// these are the factor's singular values, mode by mode.
    /// </summary>
    /// <param name="factor">[N, d].</param>
    /// <param name="basis">[d, d]: U for P, V for Q.</param>
    public static double[] ModeNorms(Tensor factor, Tensor basis)
    {
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();   // pow(s[2]) is square() with its Scalar held
        return factor.matmul(basis).pow(s[2]).sum(dim: 0).sqrt().data<double>().ToArray();
    }

    /// <summary>
    /// How far the factors are from being aligned with each other and with the target, in [0, 1]:
    /// the largest of the off-diagonal fractions ‖offdiag(X)‖_F / ‖X‖_F of X = UᵀPᵀQV (the product in
    /// the target's bases: P and Q share their inner singular vectors mode by mode), UᵀPᵀPU (P's
    /// right singular vectors are U) and VᵀQᵀQV (Q's are V). 0 exactly when aligned; 1 when the
    /// product has no diagonal at all (e.g. Q's modes are a cyclic shift of P's).
    /// </summary>
    /// <remarks>
    /// Needs distinct target singular values (true for the planted spectra here). A factor with a
    /// flat spectrum (PᵀP ∝ I) counts as aligned on its own side, as any basis diagonalizes it; the
    /// product term is what sees whether P and Q agree.
    /// </remarks>
    /// <param name="p">[N, d].</param>
    /// <param name="q">[N, d].</param>
    /// <param name="u">[d, d].</param>
    /// <param name="v">[d, d].</param>
    public static double Misalignment(Tensor p, Tensor q, Tensor u, Tensor v)
    {
        using var scope = NewDisposeScope();
        var product = u.T.matmul(p.T).matmul(q).matmul(v);
        var gramP = u.T.matmul(p.T).matmul(p).matmul(u);
        var gramQ = v.T.matmul(q.T).matmul(q).matmul(v);
        return Math.Max(OffDiagonalFraction(product), Math.Max(OffDiagonalFraction(gramP), OffDiagonalFraction(gramQ)));
    }

    /// <summary>‖X − diag(X)‖_F / ‖X‖_F; NaN for the zero matrix.</summary>
    /// <param name="x">A square matrix.</param>
    public static double OffDiagonalFraction(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();   // pow(s[2]) is square() with its Scalar held
        double total = x.pow(s[2]).sum().item<double>();
        double diagonal = x.diagonal().pow(s[2]).sum().item<double>();
        return total > 0 ? Math.Sqrt(Math.Max(0, total - diagonal) / total) : double.NaN;
    }

    /// <summary>√(PPᵀ) − √(QQᵀ), [N, N]: the quantity the polar (Muon) flow conserves once aligned.</summary>
    /// <param name="p">[N, d].</param>
    /// <param name="q">[N, d].</param>
    public static Tensor SqrtGramDifference(Tensor p, Tensor q)
    {
        using var scope = NewDisposeScope();
        return (GramSquareRoot(p) - GramSquareRoot(q)).MoveToOuterDisposeScope();
    }

    /// <summary>PPᵀ − QQᵀ, [N, N]: the quantity gradient flow conserves.</summary>
    /// <param name="p">[N, d].</param>
    /// <param name="q">[N, d].</param>
    public static Tensor GramDifference(Tensor p, Tensor q) => p.matmul(p.T) - q.matmul(q.T);

    /// <summary>
    /// The alignment scores of 003's authors (<c>fig3.ipynb</c>), each in [0, 1] with 1 = aligned, for a
    /// diagonal target with singular values <paramref name="target"/>: left and right compare PᵀQ's
    /// singular vectors with the target's (the standard basis), inner compares P's and Q's singular
    /// vectors on the inner side. Each is Σ over blocks of ‖O[block, block]‖²_F / r, where adjacent modes
    /// share a block unless both spectra separate them by a relative gap &gt; <paramref name="relativeGap"/>
    /// and an absolute gap &gt; <paramref name="absoluteGap"/> (its square for the inner score), so that
    /// nearly degenerate modes may mix freely.
    /// </summary>
    /// <param name="p">[N, d].</param>
    /// <param name="q">[N, d].</param>
    /// <param name="target">s_1 ≥ … ≥ s_d.</param>
    /// <param name="relativeGap">Relative gap that separates two modes.</param>
    /// <param name="absoluteGap">Absolute gap that separates two modes.</param>
    public static (double Left, double Right, double Inner) AlignmentScores(Tensor p, Tensor q, IReadOnlyList<double> target, double relativeGap, double absoluteGap)
    {
        using var scope = NewDisposeScope();
        int r = (int)Math.Min(p.shape[0], p.shape[1]);
        var (u, sv, vh) = linalg.svd(p.T.matmul(q), fullMatrices: false); // [d, d], [d], [d, d]
        var model = sv.data<double>().Take(r).ToArray();
        var tgt = target.Take(r).ToArray();
        var block = TensorIndex.Slice(0, r);
        double left = BlockScore(u[block, block], model, tgt, relativeGap, absoluteGap);
        double right = BlockScore(vh[block, block], model, tgt, relativeGap, absoluteGap);
        var (up, sp, _) = linalg.svd(p, fullMatrices: false); // [N, k], [k]
        var (uq, sq, _) = linalg.svd(q, fullMatrices: false);
        double inner = BlockScore(up.T.matmul(uq), sp.data<double>().ToArray(), sq.data<double>().ToArray(), relativeGap, absoluteGap * absoluteGap);
        return (left, right, inner);
    }

    private static double BlockScore(Tensor overlap, double[] first, double[] second, double relativeGap, double absoluteGap)
    {
        bool Separated(double[] sv, int j) => sv[j] / Math.Max(sv[j + 1], 1e-30) > 1 + relativeGap && Math.Abs(sv[j] - sv[j + 1]) > absoluteGap;
        int n = (int)overlap.shape[0];
        var cuts = new List<int> { 0 };
        for (int j = 0; j + 1 < n; j++)
            if (Separated(first, j) && Separated(second, j)) cuts.Add(j + 1);
        cuts.Add(n);
        double total = 0;
        using var s = new HeldScalars();
        for (int b = 0; b + 1 < cuts.Count; b++)
        {
            var range = TensorIndex.Slice(cuts[b], cuts[b + 1]);
            total += overlap[range, range].pow(s[2]).sum().item<double>();
        }
        return total / n;
    }

    /// <summary>
    /// Imbalance ‖PPᵀ − QQᵀ‖_F / ‖M*‖_F: 0 at a balanced solution (PPᵀ = QQᵀ, each factor carrying
    /// √s_k of every mode), about 1 when one factor carries everything.
    /// </summary>
    /// <param name="p">[N, d].</param>
    /// <param name="q">[N, d].</param>
    /// <param name="targetNormSquared">‖M*‖²_F.</param>
    public static double Imbalance(Tensor p, Tensor q, double targetNormSquared)
    {
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();   // pow(s[2]) is square() with its Scalar held
        return GramDifference(p, q).pow(s[2]).sum().sqrt().item<double>() / Math.Sqrt(targetNormSquared);
    }

    /// <summary>
    /// sign det(PᵀQ) for square PᵀQ (d×d): +1, −1, or 0 when singular. Read from slogdet because at a
    /// small init the determinant itself (α^(2d)) underflows.
    /// </summary>
    /// <param name="p">[N, d].</param>
    /// <param name="q">[N, d].</param>
    public static int DeterminantSign(Tensor p, Tensor q)
    {
        using var scope = NewDisposeScope();
        var (sign, _) = linalg.slogdet(p.T.matmul(q));
        return (int)Math.Round(sign.item<double>());
    }

    /// <summary>
    /// √(XXᵀ) = U_X Σ_X U_Xᵀ from the compact SVD X = U_X Σ_X V_Xᵀ: the symmetric positive square root,
    /// computed from X rather than from XXᵀ so small singular values keep their accuracy.
    /// </summary>
    /// <param name="x">[N, d].</param>
    public static Tensor GramSquareRoot(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (u, s, _) = linalg.svd(x, fullMatrices: false); // u [N, r], s [r]
        return (u * s.unsqueeze(0)).matmul(u.T).MoveToOuterDisposeScope();
    }

    /// <summary>‖C − C_ref‖_F / ‖C_ref‖_F; NaN when C_ref = 0.</summary>
    /// <param name="current">C.</param>
    /// <param name="reference">C_ref (same shape).</param>
    public static double RelativeDrift(Tensor current, Tensor reference)
    {
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();   // pow(s[2]) is square() with its Scalar held
        double norm = reference.pow(s[2]).sum().sqrt().item<double>();
        return norm > 0 ? (current - reference).pow(s[2]).sum().sqrt().item<double>() / norm : double.NaN;
    }

    /// <summary>First index whose value is ≤ <paramref name="threshold"/>; −1 if none (a falling curve's crossing).</summary>
    /// <param name="values">A curve, e.g. the loss per step.</param>
    /// <param name="threshold">The level.</param>
    public static int FirstAtOrBelow(IReadOnlyList<double> values, double threshold)
    {
        for (int i = 0; i < values.Count; i++) if (values[i] <= threshold) return i;
        return -1;
    }

    /// <summary>
    /// Per-step growth of a mode's factor size while the mode is being learned: the least-squares
    /// slope of <paramref name="factorNorm"/> over the steps where <paramref name="sigma"/> lies in
    /// [lo·s, hi·s], up to the first step it reaches hi·s. NaN with fewer than 2 such steps.
    /// </summary>
    /// <param name="factorNorm">‖P u_k‖ per step.</param>
    /// <param name="sigma">σ_k of PᵀQ per step.</param>
    /// <param name="target">s_k.</param>
    /// <param name="lo">Window start as a fraction of s_k.</param>
    /// <param name="hi">Window end as a fraction of s_k.</param>
    public static double GrowthPerStep(IReadOnlyList<double> factorNorm, IReadOnlyList<double> sigma, double target, double lo = 0.2, double hi = 0.8)
    {
        var steps = new List<double>();
        var values = new List<double>();
        for (int t = 0; t < sigma.Count; t++)
        {
            if (sigma[t] >= hi * target) break;
            if (sigma[t] >= lo * target) { steps.Add(t); values.Add(factorNorm[t]); }
        }
        return steps.Count < 2 ? double.NaN : Analysis.Stats.LinearFit(steps, values).Slope;
    }
}
