namespace MuonSharp.Lab.Experiments.Factorization;

/// <summary>
/// Settings of the matrix-factorization experiment (<c>003</c>): min over P, Q of ‖M* − PᵀQ‖²_F with
/// a planted diagonal target. Defaults are the paper's (papers README, "Matrix factorization");
/// where the paper gives no number (step sizes, step counts, sweep points) the value is ours and
/// its comment says why.
/// </summary>
public sealed record FactorizationConfig : ExperimentConfig
{
    /// <summary>Creates the paper-size config.</summary>
    public FactorizationConfig()
    {
        // Part (a): long enough for GD's smallest mode (10/32) to escape its saddle and converge at
        // gd_lr = 0.01 (≈ 1,400 steps measured); the polar step needs ≈ √10 / spectral_gd_lr ≈ 320.
        Steps = 1500;
        Seeds = 3;
        Optimizers = new[] { FactorizationExperiment.PolarStep, "gd" };
    }

    /// <summary>Size d of the square target M* (d×d); 003: 32.</summary>
    public int TargetDim { get; init; } = 32;

    /// <summary>Inner (hidden) dimension N of the factors P, Q ∈ R^(N×d); 003: N = d = 32.</summary>
    public int HiddenWidth { get; init; } = 32;

    /// <summary>Largest target singular value; the planted spectrum is s_k = s_max / k (003: 10/k).</summary>
    public double TargetScale { get; init; } = 10;

    /// <summary>Entries of P and Q start as N(0, 1) × this (003: 5e-3).</summary>
    public double InitScale { get; init; } = 5e-3;

    /// <summary>Step size of the polar step (003's Muon) in part (a). Ours: each factor singular value grows by about this per step.</summary>
    public double SpectralGdLr { get; init; } = 0.01;

    /// <summary>GD step size in parts (a) and (d). Ours: a fifth of GD's critical 2/λ_max ≈ 0.05.</summary>
    public double GdLr { get; init; } = 0.01;

    /// <summary>Record curves and evaluate the conserved quantities every this many steps (claims use every step's curves).</summary>
    public int EvalEvery { get; init; } = 5;

    /// <summary>
    /// Misalignment (see <see cref="FactorizationMetrics.Misalignment"/>) at or below which the
    /// factors count as aligned; used for the random-init conservation numbers of claim (b).
    /// </summary>
    public double AlignedThreshold { get; init; } = 0.05;

    /// <summary>
    /// Step size of the polar step in the conservation runs (b): small, because the claim is about flows.
    /// </summary>
    public double SpectralGdFlowLr { get; init; } = 1e-3;

    /// <summary>
    /// Step size of GD in the conservation runs (b): small, because the claim is about flows and GD's
    /// discrete steps shrink PPᵀ − QQᵀ by a factor (1 − η²g²) per step.
    /// </summary>
    public double GdFlowLr { get; init; } = 1e-3;

    /// <summary>Steps of the conservation runs (b).</summary>
    public int FlowSteps { get; init; } = 4000;

    /// <summary>The aligned start of (b) draws each mode's factor singular value uniformly from [low, high].</summary>
    public double AlignedInitLow { get; init; } = 0.05;

    /// <summary>Upper end of the aligned start's factor singular values.</summary>
    public double AlignedInitHigh { get; init; } = 0.3;

    /// <summary>
    /// Part (c) runs both optimizers at each of these multiples of GD's critical step size 2/λ_max,
    /// ascending. The authors sweep up to 20× (<c>fig1.ipynb</c>); the points between are ours.
    /// </summary>
    public double[] UnstableFactors { get; init; } = { 1.5, 2, 5, 10, 20 };

    /// <summary>Steps of the runs above the critical step size (c).</summary>
    public int UnstableSteps { get; init; } = 500;

    /// <summary>Power-iteration steps for λ_max of the loss Hessian (c).</summary>
    public int HessianIterations { get; init; } = 300;

    /// <summary>
    /// Condition numbers s_1/s_d swept in (d). The spectrum s_k = s_max / (1 + (κ − 1)(k − 1)/(d − 1))
    /// is the paper's 10/k when κ = d; the other points are ours.
    /// </summary>
    public double[] Kappas { get; init; } = { 4, 32, 256, 2048 };

    /// <summary>The polar step's step size in (d) before annealing starts (held for ⌈√s_max / lr⌉ steps).</summary>
    public double SpectralGdAnnealLr { get; init; } = 0.05;

    /// <summary>Per-step decay factor of the exponential annealing in (d).</summary>
    public double AnnealGamma { get; init; } = 0.9;

    /// <summary>Step budget of each (d) run; a run that has not reached the threshold by then did not reach it.</summary>
    public int AnnealMaxSteps { get; init; } = 3000;

    /// <summary>(d) threshold: a run is done when loss ≤ this × ‖M*‖²_F.</summary>
    public double LossThreshold { get; init; } = 1e-8;

    /// <summary>
    /// α of the two-step schedule (e): P₀, Q₀ start as α × a random orthogonal matrix and the first
    /// step is η₀ = α (003's authors' <c>fig4.ipynb</c>: init_scale = lr = 1e-4).
    /// </summary>
    public double TwoStepInitScale { get; init; } = 1e-4;

    /// <summary>Steps of the two-step schedule runs (e): η₀, then η₁ = √s_max, then halving.</summary>
    public int TwoStepSteps { get; init; } = 60;

    /// <summary>Target size n of the alignment-rate part (g); 003's authors' fig3.ipynb: 128.</summary>
    public int RatesTargetDim { get; init; } = 128;

    /// <summary>Rank r of the spike in (g)'s target (fig3.ipynb: n/4 = 32); the under-parameterized width is r.</summary>
    public int RatesSpikeRank { get; init; } = 32;

    /// <summary>Height of the spike over the noise in (g)'s target (fig3.ipynb: 4).</summary>
    public double RatesSnr { get; init; } = 4;

    /// <summary>Inner widths of (g) as multiples of n (fig3.ipynb: 0.25, 1, 4).</summary>
    public double[] RatesWidthRatios { get; init; } = { 0.25, 1, 4 };

    /// <summary>Init scales α of (g) (fig3.ipynb: 1e-5, 1e-4, 1e-3); the start is N(0,1) × α/√max(n, N), the step 0.2α.</summary>
    public double[] RatesAlphas { get; init; } = { 1e-5, 1e-4, 1e-3 };

    /// <summary>Steps of (g)'s runs with N ≥ n (fig3.ipynb: 100).</summary>
    public int RatesSteps { get; init; } = 100;

    /// <summary>(g)'s under-parameterized runs take this / α steps (fig3.ipynb: 10,000, 1,000, 100 for α = 1e-5, 1e-4, 1e-3).</summary>
    public double RatesUnderparameterizedTime { get; init; } = 0.1;

    /// <inheritdoc />
    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate()) yield return problem;
        if (TargetDim < 2) yield return $"target_dim = {TargetDim}: must be ≥ 2";
        if (HiddenWidth < TargetDim) yield return $"hidden_width = {HiddenWidth}: must be ≥ target_dim = {TargetDim} (the aligned start needs N ≥ d orthonormal columns)";
        if (!(TargetScale > 0) || !double.IsFinite(TargetScale)) yield return $"target_scale = {TargetScale}: must be a positive number";
        if (!(InitScale > 0) || !double.IsFinite(InitScale)) yield return $"init_scale = {InitScale}: must be a positive number";
        foreach (var (key, value) in new[] { ("spectral_gd_lr", SpectralGdLr), ("gd_lr", GdLr), ("spectral_gd_flow_lr", SpectralGdFlowLr), ("gd_flow_lr", GdFlowLr),
                     ("spectral_gd_anneal_lr", SpectralGdAnnealLr), ("two_step_init_scale", TwoStepInitScale) })
            if (!(value > 0) || !double.IsFinite(value)) yield return $"{key} = {value}: must be a positive number";
        if (EvalEvery < 1) yield return $"eval_every = {EvalEvery}: must be ≥ 1";
        if (!(AlignedThreshold > 0 && AlignedThreshold < 1)) yield return $"aligned_threshold = {AlignedThreshold}: must be in (0, 1)";
        if (FlowSteps < 1) yield return $"flow_steps = {FlowSteps}: must be ≥ 1";
        if (!(AlignedInitLow > 0 && AlignedInitHigh >= AlignedInitLow) || !double.IsFinite(AlignedInitHigh))
            yield return $"aligned_init_low = {AlignedInitLow}, aligned_init_high = {AlignedInitHigh}: need 0 < low ≤ high";
        if (UnstableFactors.Length == 0 || UnstableFactors.Any(f => !(f > 1) || !double.IsFinite(f)) || !UnstableFactors.Zip(UnstableFactors.Skip(1)).All(z => z.First < z.Second))
            yield return $"unstable_factors = [{string.Join(", ", UnstableFactors)}]: need ascending multiples, each > 1 (above the critical step size)";
        if (UnstableSteps < 1) yield return $"unstable_steps = {UnstableSteps}: must be ≥ 1";
        if (HessianIterations < 1) yield return $"hessian_iterations = {HessianIterations}: must be ≥ 1";
        if (Kappas.Length < 2 || Kappas.Any(k => !(k >= 1) || !double.IsFinite(k)) || Kappas.Distinct().Count() != Kappas.Length)
            yield return $"kappas = [{string.Join(", ", Kappas)}]: need at least 2 distinct condition numbers, each ≥ 1";
        if (!(AnnealGamma > 0 && AnnealGamma < 1)) yield return $"anneal_gamma = {AnnealGamma}: must be in (0, 1)";
        if (AnnealMaxSteps < 1) yield return $"anneal_max_steps = {AnnealMaxSteps}: must be ≥ 1";
        if (!(LossThreshold > 0 && LossThreshold < 1)) yield return $"loss_threshold = {LossThreshold}: must be in (0, 1)";
        if (RatesSpikeRank < 1 || RatesSpikeRank >= RatesTargetDim) yield return $"rates_spike_rank = {RatesSpikeRank}: need 1 ≤ r < rates_target_dim = {RatesTargetDim}";
        if (RatesWidthRatios.Length == 0 || RatesWidthRatios.Any(r => !(r > 0) || (int)(r * RatesTargetDim) < 1)) yield return $"rates_width_ratios = [{string.Join(", ", RatesWidthRatios)}]: each must give a width ≥ 1";
        if (!RatesWidthRatios.Any(r => r < 1) || !RatesWidthRatios.Any(r => r > 1)) yield return $"rates_width_ratios = [{string.Join(", ", RatesWidthRatios)}]: need one below 1 and one above 1 (the two predicted regimes)";
        if (RatesAlphas.Length == 0 || RatesAlphas.Any(a => !(a > 0) || !double.IsFinite(a))) yield return $"rates_alphas = [{string.Join(", ", RatesAlphas)}]: need positive numbers";
        if (RatesSteps < 2) yield return $"rates_steps = {RatesSteps}: must be ≥ 2";
        if (!(RatesUnderparameterizedTime > 0)) yield return $"rates_underparameterized_time = {RatesUnderparameterizedTime}: must be positive";
        if (TwoStepSteps < 2) yield return $"two_step_steps = {TwoStepSteps}: must be ≥ 2 (the claim is read after step 2)";
    }
}
