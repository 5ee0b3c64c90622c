namespace MuonSharp.Lab.Experiments.RandomFeatures;

/// <summary>
/// The step sizes of the two rules compared in 004 §3 — the updates themselves are the lab's <c>gd</c> and
/// <c>spectral-gd</c> with the nuclear-norm scale — and the bookkeeping of a race to a target loss.
/// </summary>
/// <remarks>
/// Derivation (004 §3.1–3.2; the extracted text lost its formulas, rebuilt here from the words and the
/// papers README). L(W) = (1/2n)‖WA − Y‖²_F is quadratic, so L(W + Δ) = L(W) + ⟨G, Δ⟩ + (1/2n)‖ΔA‖²_F
/// exactly, with G = (1/n)(WA − Y)Aᵀ. Bounding the last term two ways and minimizing each upper model:
/// <list type="bullet">
/// <item>Euclidean, ‖ΔA‖_F ≤ ‖Δ‖_F‖A‖_op: Δ = −(n/‖A‖²_op)·G, guaranteed decrease n‖G‖²_F / (2‖A‖²_op);</item>
/// <item>spectral, ‖ΔA‖_F ≤ ‖Δ‖_op‖A‖_F: Δ = −(n/‖A‖²_F)·‖G‖_*·polar(G), guaranteed decrease n‖G‖²_* / (2‖A‖²_F).</item>
/// </list>
/// The guarantees' quotient is nr(G)/st(A) (<see cref="Spectral.LayerwiseConditionOf"/>).
/// </remarks>
internal static class StepRules
{
    /// <summary>GD's step size n/‖A‖²_op (004 §3.1; papers README).</summary>
    /// <param name="samples">n.</param>
    /// <param name="featureOperatorSquared">‖A‖²_op.</param>
    public static double GradientStepSize(long samples, double featureOperatorSquared) => samples / featureOperatorSquared;

    /// <summary>Spectral GD's scale n/‖A‖²_F, multiplied by ‖G‖_* in the step (004 §3.1; papers README).</summary>
    /// <param name="samples">n.</param>
    /// <param name="featureFrobeniusSquared">‖A‖²_F.</param>
    public static double SpectralStepScale(long samples, double featureFrobeniusSquared) => samples / featureFrobeniusSquared;

    /// <summary>
    /// Steps a run needs to reach <paramref name="target"/>: the first k with
    /// <paramref name="relativeLoss"/>[k] ≤ target, where entry k is the loss after k steps; −1 if never.
    /// </summary>
    /// <param name="relativeLoss">L(W_k)/L(W_0) for k = 0, 1, ….</param>
    /// <param name="target">The target fraction of the initial loss.</param>
    public static int StepsToTarget(IReadOnlyList<double> relativeLoss, double target)
    {
        for (int k = 0; k < relativeLoss.Count; k++) if (relativeLoss[k] <= target) return k;
        return -1;
    }
}
