namespace MuonSharp.Lab.Experiments.StableRankInit;

/// <summary>
/// Settings of the stable-rank-at-initialization experiment (<c>004 §5</c>; papers README, "Stable rank at
/// init": n = 512 Gaussian inputs of dimension d = 128, Fig. 1's network d → 4d → 4d → 4d → 1).
/// </summary>
/// <remarks>
/// Nothing is trained here, so two of the engine's common keys are reinterpreted, and said so:
/// <c>optimizers</c> names the <em>activations</em> to measure (abs, relu, relu2, gelu) and is the
/// optimizer column of metrics.csv; <c>steps</c> is unused (one Gaussian draw per width and seed) and
/// must stay 1. The width is the step column of the width sweep, the layer index that of the depth probe.
/// </remarks>
public sealed record StableRankInitConfig : ExperimentConfig
{
    /// <summary>The paper's settings: every activation, 5 seeds.</summary>
    public StableRankInitConfig()
    {
        Steps = 1;
        Seeds = 5;
        Optimizers = StableRankInitExperiment.ActivationNames.ToArray();
    }

    /// <summary>Widths (rows of the post-activation matrix σ(WX)) of the sweep (004 §5.1; 64 … 2048).</summary>
    public int[] Widths { get; init; } = { 64, 128, 256, 512, 1024, 2048 };

    /// <summary>n: Gaussian input samples, the columns of X (papers README: 512).</summary>
    public int Samples { get; init; } = 512;

    /// <summary>d: input dimension, the rows of X (papers README: 128).</summary>
    public int InputDim { get; init; } = 128;

    /// <summary>Hidden width of the depth probe as a multiple of d (Fig. 1: 4d).</summary>
    public int DepthWidthMultiplier { get; init; } = 4;

    /// <summary>Hidden layers of the depth probe (Fig. 1: d → 4d → 4d → 4d → 1, three).</summary>
    public int DepthHiddenLayers { get; init; } = 3;

    /// <summary>"Far below the width": the stable rank at the largest width must be at most this fraction of it (our threshold; 5%).</summary>
    public double WidthFraction { get; init; } = 0.05;

    /// <inheritdoc />
    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate()) yield return problem;
        if (Steps != 1) yield return $"steps = {Steps}: stable-rank-init trains nothing (one Gaussian draw per width and seed); leave steps at 1";
        if (Widths.Length < 2) yield return $"widths = {string.Join(",", Widths)}: give at least two widths (the claims compare them)";
        if (Widths.Any(w => w < 1)) yield return $"widths = {string.Join(",", Widths)}: every width must be ≥ 1";
        if (Widths.Distinct().Count() != Widths.Length) yield return $"widths = {string.Join(",", Widths)}: widths must be distinct";
        if (Samples < 2) yield return $"samples = {Samples}: must be ≥ 2";
        if (InputDim < 1) yield return $"input_dim = {InputDim}: must be ≥ 1";
        if (DepthWidthMultiplier < 1) yield return $"depth_width_multiplier = {DepthWidthMultiplier}: must be ≥ 1";
        if (DepthHiddenLayers < 1) yield return $"depth_hidden_layers = {DepthHiddenLayers}: must be ≥ 1";
        if (!(WidthFraction > 0 && WidthFraction <= 1)) yield return $"width_fraction = {WidthFraction}: must be in (0, 1]";
    }
}
