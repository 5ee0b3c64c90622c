namespace MuonSharp.Optimizers;

/// <summary>
/// The enumerated settings of MuonSharp's optimizers. Users write them as <c>Optim.AdjustLr</c>,
/// <c>Optim.Grafting</c>, …: the factory class <see cref="Optim"/> derives from this class for that
/// reason only, so that the optimizers (this namespace) do not depend on their factories.
/// </summary>
public abstract class OptimizerChoices
{
    /// <summary>Only <see cref="Optim"/> derives from this class.</summary>
    private protected OptimizerChoices() { }

    /// <summary>How Muon scales the orthogonalized update by the matrix shape.</summary>
    public enum AdjustLr
    {
        /// <summary>s = √max(1, rows/cols) (Jordan et al. 2024).</summary>
        Original,
        /// <summary>s = 0.2·√max(rows, cols): the update's RMS matches AdamW's, so AdamW's lr and wd transfer (Moonlight, Liu et al. 2025).</summary>
        MatchRmsAdamW,
    }

    /// <summary>Which polynomials Muon's Newton–Schulz iteration uses.</summary>
    public enum NewtonSchulzMethod
    {
        /// <summary>(3.4445, −4.7750, 2.0315) at every step (Jordan et al. 2024).</summary>
        JordanQuintic,
        /// <summary>
        /// The per-step minimax schedule of Amsel et al. (2025) with its 1.01 safety factor. Its early
        /// polynomials map singular values into about [0, 2] by design and later ones fold them back;
        /// in bfloat16 we measured rare blow-ups on small matrices (a value rounded past the interval the
        /// next polynomial was built for, e.g. a 4×6 matrix reaching σ = 5.5 after 5 steps), so prefer
        /// <c>ns_dtype: Float32</c> with it.
        /// </summary>
        PolarExpress,
    }

    /// <summary>Step size rule of Spectral GD.</summary>
    public enum SpectralScale
    {
        /// <summary>W ← W − lr·UVᵀ.</summary>
        None,
        /// <summary>W ← W − lr·‖G‖_*·UVᵀ (<c>004 §10.1</c>).</summary>
        Nuclear,
    }

    /// <summary>
    /// The diagonal method whose step length Shampoo's direction takes, block by block
    /// (grafting, Agarwal et al. 2020; used by Anil et al. 2020): the learning rate is then that
    /// method's learning rate.
    /// </summary>
    public enum Grafting
    {
        /// <summary>
        /// No grafting: the raw direction L^{-1/4} G R^{-1/4}, whose length the statistics set (the first
        /// one is UVᵀ, spectral norm 1, so lr then behaves like Spectral GD's and the steps shrink as the
        /// sums grow); before preconditioning starts, the plain gradient.
        /// </summary>
        None,
        /// <summary>AdaGrad (Duchi et al. 2011): the step g / (√Σg² + ε).</summary>
        AdaGrad,
        /// <summary>Adam (Kingma &amp; Ba 2015) without its first moment: g / (√v̂ + ε) with v̂ the bias-corrected EMA of g²; Shampoo's momentum plays the first moment.</summary>
        Adam,
    }
}
