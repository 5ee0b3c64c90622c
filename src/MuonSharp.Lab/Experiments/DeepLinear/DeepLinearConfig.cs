namespace MuonSharp.Lab.Experiments.DeepLinear;

/// <summary>
/// Settings of the two-layer deep linear network experiment (<c>000 §3</c>, Figs 1, 5, 6). The paper
/// gives the setting in words only — standard Gaussian inputs, targets a noised linear function of
/// them, small Gaussian initialization, full-batch (Spectral) GD — and none of the numbers, so every
/// default below is our choice; each says why.
/// </summary>
public sealed record DeepLinearConfig : ExperimentConfig
{
    /// <summary>The paper-size defaults: 1000 steps, 5 seeds, all three optimizers.</summary>
    public DeepLinearConfig()
    {
        // Long enough for GD's smallest mode at the default rates (its half-time is ≈ 600 steps, see
        // GdLr) plus a tail in which every optimizer has converged (claim d).
        Steps = 1000;
        Seeds = 5;
        Optimizers = new[] { "gd", "spectral-gd", "muon" };
    }

    /// <summary>Input dimension d (x ∈ R^d).</summary>
    public int InputDim { get; init; } = 20;

    /// <summary>Output dimension c (y ∈ R^c).</summary>
    public int OutputDim { get; init; } = 20;

    /// <summary>Hidden width h of W₁ ∈ R^{h×d}, W₂ ∈ R^{c×h}; at least the number of planted modes.</summary>
    public int HiddenWidth { get; init; } = 20;

    /// <summary>Number of training samples n (full batch).</summary>
    public int Samples { get; init; } = 1000;

    /// <summary>
    /// Singular values of the planted teacher W* = P·diag(s)·Qᵀ, strictly decreasing. The paper samples
    /// W* standard normal; we plant the spectrum so the modes are distinct and well separated (the
    /// theorems' assumption) and span a 16× range, enough to fit the power laws of claims (a) and (b).
    /// </summary>
    public double[] TargetSingularValues { get; init; } = { 8, 4, 2, 1, 0.5 };

    /// <summary>Standard deviation of the Gaussian label noise added to W*x.</summary>
    public double NoiseStd { get; init; } = 0.1;

    /// <summary>
    /// Whiten the sampled inputs so that Σxx = XᵀX/n = I exactly — the assumption of Thm 3.1/3.2
    /// (<c>000 §3.1</c>, "Assumptions"). False uses the raw Gaussian inputs as the paper's Fig. 1 does;
    /// then Σxx ≈ I only up to O(√(d/n)).
    /// </summary>
    public bool WhitenInputs { get; init; } = true;

    /// <summary>
    /// Standard deviation ε of the Gaussian initial weights. "Infinitesimal" in the theorems; here each
    /// mode of W₂W₁ starts GD's exponential growth from σ₀ ≈ ε²h/2 ≈ 10⁻¹¹, so the saddles are long
    /// (escape time ∝ ln(s/σ₀)) while every number stays far above float64 rounding.
    /// </summary>
    public double InitScale { get; init; } = 1e-6;

    /// <summary>
    /// Learning rate of GD. Stable below 1/s₁ (the top Hessian eigenvalue at the balanced minimum is
    /// 2s₁ when Σxx = I); 0.05 = 0.4/s₁ keeps GD close to its gradient flow.
    /// </summary>
    public double GdLr { get; init; } = 0.05;

    /// <summary>
    /// Learning rate of Spectral GD. Each unsaturated mode's factors grow by exactly this per step
    /// (App. B), so mode i saturates after ≈ √sᵢ / lr steps: 0.01 resolves the smallest mode's rise in
    /// ≈ 70 steps and saturates the largest in ≈ 280.
    /// </summary>
    public double SpectralGdLr { get; init; } = 0.01;

    /// <summary>Learning rate of Muon: the same step size as Spectral GD, so the two are comparable.</summary>
    public double MuonLr { get; init; } = 0.01;

    /// <summary>Momentum of Muon (Nesterov, as in Jordan et al. 2024; default 0.95).</summary>
    public double MuonMomentum { get; init; } = 0.95;

    /// <summary>Fraction of the last steps taken as "after convergence" for the oscillation claim (d).</summary>
    public double TailFraction { get; init; } = 0.2;

    /// <summary>Number of planted modes k (= number of <c>sigma_i</c> metrics).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int Modes => TargetSingularValues.Length;

    /// <inheritdoc />
    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate()) yield return problem;
        if (InputDim < 1) yield return $"input_dim = {InputDim}: must be ≥ 1";
        if (OutputDim < 1) yield return $"output_dim = {OutputDim}: must be ≥ 1";
        if (HiddenWidth < 1) yield return $"hidden_width = {HiddenWidth}: must be ≥ 1";
        int rank = Math.Min(InputDim, OutputDim);
        var s = TargetSingularValues ?? Array.Empty<double>();
        if (s.Length < 2)
            yield return $"target_singular_values has {s.Length} value(s): give at least 2 (the claims fit power laws across modes)";
        if (s.Length > Math.Min(rank, HiddenWidth))
            yield return $"target_singular_values has {s.Length} values: at most min(input_dim, output_dim, hidden_width) = {Math.Min(rank, HiddenWidth)}";
        if (s.Any(v => !(v > 0) || !double.IsFinite(v)))
            yield return $"target_singular_values = [{string.Join(", ", s)}]: every value must be finite and > 0";
        for (int i = 1; i < s.Length; i++)
            if (!(s[i] < s[i - 1]))
            {
                yield return $"target_singular_values = [{string.Join(", ", s)}]: must be strictly decreasing (distinct modes, 000 §3.1)";
                break;
            }
        if (Samples < 1) yield return $"samples = {Samples}: must be ≥ 1";
        else if (Samples < InputDim)
            yield return $"samples = {Samples} < input_dim = {InputDim}: Σxx must be invertible (for whitening and the least-squares loss); use samples ≥ input_dim";
        if (!(NoiseStd >= 0) || !double.IsFinite(NoiseStd)) yield return $"noise_std = {NoiseStd}: must be finite and ≥ 0";
        if (!(InitScale > 0) || !double.IsFinite(InitScale)) yield return $"init_scale = {InitScale}: must be finite and > 0";
        if (!(GdLr > 0)) yield return $"gd_lr = {GdLr}: must be > 0";
        else if (s.Length > 0 && s[0] > 0 && GdLr >= 1 / s[0])
            yield return $"gd_lr = {GdLr}: GD diverges at or above 1/s₁ = {1 / s[0]:G4} (top Hessian eigenvalue 2s₁ at the minimum); choose a smaller gd_lr";
        if (!(SpectralGdLr > 0)) yield return $"spectral_gd_lr = {SpectralGdLr}: must be > 0";
        if (!(MuonLr > 0)) yield return $"muon_lr = {MuonLr}: must be > 0";
        if (!(MuonMomentum >= 0 && MuonMomentum < 1)) yield return $"muon_momentum = {MuonMomentum}: must be in [0, 1)";
        if (!(TailFraction > 0 && TailFraction <= 0.5)) yield return $"tail_fraction = {TailFraction}: must be in (0, 0.5]";
    }
}
