namespace MuonSharp;

/// <summary>The names of the metrics <see cref="SpectralMonitor"/> records (the <c>metric</c> column of its rows).</summary>
public static class SpectralMetrics
{
    /// <summary>st(A) = ‖A‖²_F / ‖A‖²_op of the activations entering the layer.</summary>
    public const string StableRankA = "stable_rank_a";

    /// <summary>nr(G) = ‖G‖²_* / ‖G‖²_F of the layer's gradient.</summary>
    public const string NuclearRankG = "nuclear_rank_g";

    /// <summary>nr(G) / st(A): ≥ 1 favors the spectral update, &lt; 1 the Euclidean one (<c>004 §3.2</c>).</summary>
    public const string ConditionRatio = "condition_ratio";

    /// <summary>Stable rank of the weight.</summary>
    public const string StableRankW = "stable_rank_w";

    /// <summary>Effective rank (exp of the spectral entropy) of the weight.</summary>
    public const string EffectiveRankW = "effective_rank_w";

    /// <summary>σ_max of the weight (its spectral norm).</summary>
    public const string SigmaMaxW = "sigma_max_w";

    /// <summary>RMS of the change the optimizer step after the observed step made: ‖ΔW‖_F / √numel.</summary>
    public const string UpdateRms = "update_rms";

    /// <summary>Spectral norm ‖ΔW‖_op of that change.</summary>
    public const string UpdateSpectralNorm = "update_spectral_norm";

    /// <summary>‖NS(M) − Polar(M)‖_F / ‖Polar(M)‖_F for Muon's momentum M of one sampled layer.</summary>
    public const string NsOrthogonalityError = "ns_orthogonality_error";

    /// <summary>Top eigenvalue of the loss's Hessian on the user's batch.</summary>
    public const string HessianTopEigenvalue = "hessian_top_eigenvalue";

    /// <summary>Hutchinson estimate of the trace of the loss's Hessian on the user's batch.</summary>
    public const string HessianTrace = "hessian_trace";
}
