using MuonSharp.Lab.Training;
using MuonSharp.Optimizers;

namespace MuonSharp.Lab.Experiments.SmallGpt;

/// <summary>
/// What <c>002 §5</c>'s two small-transformer comparisons share — the GPT (<see cref="SmallGptConfig"/>) and its ViT
/// control (<c>SmallVit.SmallVitConfig</c>): the transformer's size, the batch, the two optimizer setups (AdamW; the
/// Muon + AdamW hybrid at AdamW's settings for the rest) and their common schedule. The optimizer numbers are the
/// small setting of the papers README ("Small GPT"); each derived config sets its own model and batch.
/// </summary>
public abstract record TransformerComparisonConfig : ExperimentConfig
{
    /// <summary>Creates the shared defaults: both optimizers.</summary>
    protected TransformerComparisonConfig() => Optimizers = SmallGptExperiment.OptimizerNames.ToArray();

    /// <summary>Transformer blocks (small setting: 4).</summary>
    public int Layers { get; init; } = 4;

    /// <summary>Attention heads (small setting: 4).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Token width (small setting: 128).</summary>
    public int Width { get; init; } = 128;

    /// <summary>Sequences or images per mini-batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>AdamW's learning rate (small setting: 1e-3); also the AdamW part of the Muon hybrid.</summary>
    public double AdamwLr { get; init; } = 1e-3;

    /// <summary>AdamW's β2 (small setting: β = (0.9, 0.99)); also the AdamW part of the Muon hybrid.</summary>
    public double AdamwBeta2 { get; init; } = 0.99;

    /// <summary>AdamW's decoupled weight decay (small setting: 0.1); also the AdamW part of the Muon hybrid.</summary>
    public double AdamwWeightDecay { get; init; } = 0.1;

    /// <summary>Muon's learning rate for the block matrices (small setting: 0.02).</summary>
    public double MuonLr { get; init; } = 0.02;

    /// <summary>Muon's momentum, Nesterov (small setting: 0.95).</summary>
    public double MuonMomentum { get; init; } = 0.95;

    /// <summary>Muon's decoupled weight decay (the issue: 0.1, as AdamW's).</summary>
    public double MuonWeightDecay { get; init; } = 0.1;

    /// <summary>Fraction of the steps of linear learning-rate warm-up, for both optimizers (our choice: 5%).</summary>
    public double WarmupFraction { get; init; } = 0.05;

    /// <summary>The learning-rate factor the cosine decay ends at (our choice: 10% of the peak).</summary>
    public double CosineFinalFactor { get; init; } = 0.1;

    /// <summary>Steps between evaluations.</summary>
    public int EvalEvery { get; init; } = 50;

    /// <summary>
    /// How Muon orthogonalizes each block's fused q, k, v matrix <c>c_attn</c> [3·width, width]: as one matrix
    /// (<c>fused</c>, the default and what the recorded runs used), as q, k and v separately (<c>split</c>, as
    /// modded-nanogpt), or every head's q, k and v separately (<c>heads</c>, dion's <c>num_heads</c>). Left out
    /// of config.json while fused, so runs written before the key existed still resume.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public QkvLayout QkvLayout { get; init; }

    /// <summary>The Muon matrix layouts <see cref="QkvLayout"/> asks for; null for the fused default.</summary>
    public MatrixLayouts? MuonLayouts() => QkvLayout switch
    {
        QkvLayout.Split => new MatrixLayouts().For(FusedQkv, MatrixLayout.Split(Width, Width, Width)),
        QkvLayout.Heads => new MatrixLayouts().For(FusedQkv, MatrixLayout.Heads(3 * Heads)),
        _ => null,
    };

    /// <summary>The fused q, k, v weight of every block (<see cref="Models.TransformerBlock"/>'s names).</summary>
    private const string FusedQkv = "*.attn.c_attn.weight";

    /// <summary>The schedule of a run of <paramref name="steps"/> updates: warm-up over <c>WarmupFraction</c>, then cosine to <c>CosineFinalFactor</c>.</summary>
    /// <param name="steps">The run's updates.</param>
    public LearningRateSchedule Schedule(int steps) =>
        LearningRateSchedule.WarmupCosine((int)Math.Round(WarmupFraction * steps), steps, CosineFinalFactor);

    /// <inheritdoc />
    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate()) yield return problem;
        if (Layers < 1) yield return $"layers = {Layers}: must be ≥ 1";
        if (Heads < 1) yield return $"heads = {Heads}: must be ≥ 1";
        else if (Width < 1 || Width % Heads != 0) yield return $"width = {Width}: must be a positive multiple of heads = {Heads}";
        if (BatchSize < 1) yield return $"batch_size = {BatchSize}: must be ≥ 1";
        foreach (var (key, lr) in new[] { ("adamw_lr", AdamwLr), ("muon_lr", MuonLr) })
            if (!(lr > 0)) yield return $"{key} = {lr}: must be > 0";
        if (!(AdamwBeta2 > 0 && AdamwBeta2 < 1)) yield return $"adamw_beta2 = {AdamwBeta2}: must be in (0, 1)";
        if (!(MuonMomentum >= 0 && MuonMomentum < 1)) yield return $"muon_momentum = {MuonMomentum}: must be in [0, 1)";
        foreach (var (key, wd) in new[] { ("adamw_weight_decay", AdamwWeightDecay), ("muon_weight_decay", MuonWeightDecay) })
            if (!(wd >= 0)) yield return $"{key} = {wd}: must be ≥ 0";
        if (!(WarmupFraction >= 0 && WarmupFraction < 1)) yield return $"warmup_fraction = {WarmupFraction}: must be in [0, 1)";
        if (!(CosineFinalFactor >= 0 && CosineFinalFactor <= 1)) yield return $"cosine_final_factor = {CosineFinalFactor}: must be in [0, 1]";
        if (EvalEvery < 1) yield return $"eval_every = {EvalEvery}: must be ≥ 1";
        foreach (var problem in OptimizerTable.Unaccepted(Optimizers, SmallGptExperiment.Accepted)) yield return problem;
    }
}

/// <summary>How Muon treats the fused q, k, v matrix of an attention block (see <see cref="TransformerComparisonConfig.QkvLayout"/>).</summary>
public enum QkvLayout
{
    /// <summary>One [3·width, width] matrix.</summary>
    Fused,
    /// <summary>q, k and v, three [width, width] matrices.</summary>
    Split,
    /// <summary>Every head's q, k and v: 3·heads matrices [width/heads, width].</summary>
    Heads,
}
