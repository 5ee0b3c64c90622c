namespace MuonSharp.Lab.Experiments.MatrixSensing;

/// <summary>How weight decay λ enters an update (<c>002</c>, Corollary 3 and Fig. 9).</summary>
public enum DecayStyle
{
    /// <summary>W ← W·(1 − lr·λ) − lr·step(G): the decay never passes through the optimizer (AdamW/Muon style).</summary>
    Decoupled,
    /// <summary>G ← G + λ·W before the optimizer: for the polar step the decay is orthogonalized together with the gradient.</summary>
    Coupled,
}

/// <summary>
/// Settings of the matrix-sensing experiment of <c>002</c> (§4 model, §6 experiments, Fig. 3 and 9).
/// Defaults are the paper's settings as gathered in <c>papers/README.md</c> ("Matrix sensing"); where
/// neither the extracted text nor the README states a value, the default is our choice and says so.
/// </summary>
public sealed record MatrixSensingConfig : ExperimentConfig
{
    /// <summary>
    /// The polar step whose spectrum 002 analyses — "Muon" in 002's sensing experiments is the exact polar
    /// step without momentum, so this experiment runs the lab's exact-SVD <c>spectral-gd</c>, not Newton–Schulz
    /// Muon, and the measured spectrum is the polar flow's.
    /// </summary>
    public const string PolarStep = "spectral-gd";

    /// <summary>The optimizer names this experiment knows.</summary>
    public static readonly string[] AllOptimizers = { PolarStep, "gd", "norm-matched-gd" };

    /// <summary>Creates the paper-size defaults.</summary>
    public MatrixSensingConfig()
    {
        // Our choice: 002's figures run 3000+ steps (Fig. 7/8 axes); 3000 lets the exact polar step at
        // lr 0.01 reach σ₁ = κ (it moves each singular value at most lr per step) and settle.
        Steps = 3000;
        // 002 Fig. 3 (right): "10-seed family".
        Seeds = 10;
        Optimizers = AllOptimizers;
    }

    /// <summary>Rows m of W (papers README: m = n = 20).</summary>
    public int Rows { get; init; } = 20;

    /// <summary>Columns n of W.</summary>
    public int Cols { get; init; } = 20;

    /// <summary>Rank r of the sensing target W* (papers README: rank 2).</summary>
    public int Rank { get; init; } = 2;

    /// <summary>
    /// Condition number κ: W*'s nonzero singular values are spaced linearly from κ down to 1, in the
    /// low-rank targets and across the K blocks of the ATSR target. Our choice, fixed before the runs
    /// with the one-normalization loss and the final-mass ATSR were looked at: neither 002's extracted
    /// text nor the README gives κ.
    /// </summary>
    public double Kappa { get; init; } = 10;

    /// <summary>Number of measurements p (papers README: p = 200 &lt; m·n = 400, underdetermined).</summary>
    public int Measurements { get; init; } = 200;

    /// <summary>Standard deviation of Gaussian noise added to each b_i (0: noiseless, the README's default).</summary>
    public double NoiseStd { get; init; }

    /// <summary>Learning rate of the polar step, main runs and ATSR sweep (papers README: 0.01 for every optimizer).</summary>
    public double SpectralGdLr { get; init; } = 0.01;

    /// <summary>Learning rate of GD (papers README: 0.01).</summary>
    public double GdLr { get; init; } = 0.01;

    /// <summary>Learning rate of norm-matched GD (papers README: 0.01, the polar step's, so both move the same Frobenius distance).</summary>
    public double NormMatchedGdLr { get; init; } = 0.01;

    /// <summary>W₀ = InitScale·N(0, 1) entrywise, shared by all optimizers of a seed (papers README: 0.1).</summary>
    public double InitScale { get; init; } = 0.1;

    /// <summary>Evaluate (record loss and spectrum metrics) every this many steps, and at the first and last step.</summary>
    public int EvalEvery { get; init; } = 10;

    /// <summary>How many of the largest singular values are recorded (normalized by their sum) per record.</summary>
    public int TopSingularValues { get; init; } = 5;

    /// <summary>Relative tolerance of the convex solver: feasibility ‖𝒜(W) − b‖/‖b‖ and duality gap.</summary>
    public double SolverTolerance { get; init; } = 1e-6;

    /// <summary>Iteration cap of the convex solver (a run that hits it is reported as not certified).</summary>
    public int SolverMaxIterations { get; init; } = 20000;

    /// <summary>Blocks K along the diagonal of the ATSR target (papers README: K = 4 blocks of 5×5).</summary>
    public int AtsrBlocks { get; init; } = 4;

    /// <summary>
    /// Fraction f of its final singular-value mass at which a block counts as acquired. Our choice, fixed
    /// before looking: 002 and the README say "a threshold fraction" without the number.
    /// </summary>
    public double AtsrThreshold { get; init; } = 0.9;

    /// <summary>Weight decays λ of the ATSR sweep (002 Fig. 9 spans 1e-5 … 1e-1 with its boundary at 1e-2).</summary>
    public double[] WeightDecays { get; init; } = { 0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1 };

    /// <summary>Seeds of the ATSR sweep (the first <c>AtsrSeeds</c> of the run's seeds).</summary>
    public int AtsrSeeds { get; init; } = 5;

    /// <summary>Steps of each ATSR run.</summary>
    public int AtsrSteps { get; init; } = 3000;

    /// <summary>Side d of the square W of 002 Fig. 3's large nuclear-norm-gap instance, "p = 50, d = 20" (our reading: W is d×d).</summary>
    public int GapLargeSide { get; init; } = 20;

    /// <summary>Measurements p of 002 Fig. 3's large instance ("p = 50").</summary>
    public int GapLargeMeasurements { get; init; } = 50;

    /// <summary>Rows d of W in 002 Fig. 3's 10-seed family, "p = n = 6, d = 10" (our reading: W is d×n).</summary>
    public int GapFamilyRows { get; init; } = 10;

    /// <summary>Columns n of W in 002 Fig. 3's family ("n = 6").</summary>
    public int GapFamilyCols { get; init; } = 6;

    /// <summary>Measurements p of 002 Fig. 3's family ("p = 6").</summary>
    public int GapFamilyMeasurements { get; init; } = 6;

    /// <summary>The three nuclear-norm-gap instances (name, rows, cols, measurements): 002 Fig. 3's large instance and family, and the main instance.</summary>
    public IReadOnlyList<(string Name, int Rows, int Cols, int Measurements)> GapInstances() => new[]
    {
        ("large", GapLargeSide, GapLargeSide, GapLargeMeasurements),
        ("family", GapFamilyRows, GapFamilyCols, GapFamilyMeasurements),
        ("main", Rows, Cols, Measurements),
    };

    /// <inheritdoc />
    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate()) yield return problem;
        foreach (var name in Optimizers)
            if (!AllOptimizers.Contains(name))
                yield return $"optimizers: unknown '{name}'; accepted: {string.Join(", ", AllOptimizers)}";
        if (Rows < 1 || Cols < 1) yield return $"rows = {Rows}, cols = {Cols}: both must be ≥ 1";
        if (Rank < 1 || Rank > Math.Min(Rows, Cols)) yield return $"rank = {Rank}: must be in [1, min(rows, cols) = {Math.Min(Rows, Cols)}]";
        if (!(Kappa >= 1) || !double.IsFinite(Kappa)) yield return $"kappa = {Kappa}: must be a finite number ≥ 1";
        if (Measurements < 1 || Measurements > Rows * Cols)
            yield return $"measurements = {Measurements}: must be in [1, rows·cols = {Rows * Cols}] (the convex solver needs 𝒜 onto)";
        foreach (var (name, rows, cols, count) in GapInstances().Take(2))
        {
            if (rows < 1 || cols < 1 || Rank > Math.Min(rows, cols))
                yield return $"gap instance '{name}' is {rows}×{cols}: both sides must be ≥ 1 and ≥ rank = {Rank}";
            if (count < 1 || count > rows * cols) yield return $"gap instance '{name}': measurements = {count} must be in [1, {rows * cols}]";
        }
        if (!(NoiseStd >= 0) || !double.IsFinite(NoiseStd)) yield return $"noise_std = {NoiseStd}: must be finite and ≥ 0";
        foreach (var (key, lr) in new[] { ("spectral_gd_lr", SpectralGdLr), ("gd_lr", GdLr), ("norm_matched_gd_lr", NormMatchedGdLr) })
            if (!(lr > 0) || !double.IsFinite(lr)) yield return $"{key} = {lr}: must be finite and > 0";
        if (!(InitScale >= 0) || !double.IsFinite(InitScale)) yield return $"init_scale = {InitScale}: must be finite and ≥ 0";
        if (EvalEvery < 1) yield return $"eval_every = {EvalEvery}: must be ≥ 1";
        if (TopSingularValues < 1) yield return $"top_singular_values = {TopSingularValues}: must be ≥ 1";
        if (!(SolverTolerance > 0) || SolverTolerance >= 1) yield return $"solver_tolerance = {SolverTolerance}: must be in (0, 1)";
        if (SolverMaxIterations < 1) yield return $"solver_max_iterations = {SolverMaxIterations}: must be ≥ 1";
        if (AtsrBlocks < 1 || Rows % AtsrBlocks != 0 || Cols % AtsrBlocks != 0)
            yield return $"atsr_blocks = {AtsrBlocks}: must be ≥ 1 and divide rows = {Rows} and cols = {Cols}";
        if (!(AtsrThreshold > 0 && AtsrThreshold <= 1)) yield return $"atsr_threshold = {AtsrThreshold}: must be in (0, 1]";
        if (WeightDecays.Any(l => !(l >= 0) || !double.IsFinite(l))) yield return $"weight_decays = [{string.Join(", ", WeightDecays)}]: each must be finite and ≥ 0";
        if (WeightDecays.Length > 0 && !WeightDecays.Contains(0)) yield return "weight_decays must contain 0 (the baseline ATSR is measured at λ = 0)";
        if (AtsrSeeds < 0 || AtsrSeeds > Seeds) yield return $"atsr_seeds = {AtsrSeeds}: must be in [0, seeds = {Seeds}] (0 skips the sweep)";
        if (AtsrSteps < 1) yield return $"atsr_steps = {AtsrSteps}: must be ≥ 1";
    }
}
