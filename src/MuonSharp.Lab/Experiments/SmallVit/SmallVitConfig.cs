using MuonSharp.Lab.Experiments.SmallGpt;

namespace MuonSharp.Lab.Experiments.SmallVit;

/// <summary>
/// Settings of the vision-transformer control of <c>002 §5</c> ("in a matched small-ViT control, the ranking
/// reverses"; <c>002</c> uses CIFAR-10). CIFAR-10 is not available to the lab, so this runs on Fashion-MNIST from the
/// dataset layer. The optimizer settings are the GPT's (the same two setups); the model follows the issue (patch 7,
/// width 128, 4 layers); every other number is our choice, documented where it is set.
/// </summary>
public sealed record SmallVitConfig : ExperimentConfig
{
    /// <summary>Creates the paper-size defaults.</summary>
    public SmallVitConfig()
    {
        Steps = 1000;
        Seeds = 3;
        Optimizers = SmallGptExperiment.OptimizerNames.ToArray();
    }

    /// <summary>Patch side in pixels (7: 16 patches of a 28×28 image).</summary>
    public int Patch { get; init; } = 7;

    /// <summary>Transformer blocks.</summary>
    public int Layers { get; init; } = 4;

    /// <summary>Attention heads.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Token width.</summary>
    public int Width { get; init; } = 128;

    /// <summary>Images per mini-batch (our choice: 128; 1000 steps ≈ 2 epochs of the 60,000 training images).</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>AdamW's learning rate (the GPT's 1e-3); also the AdamW part of the Muon hybrid.</summary>
    public double AdamwLr { get; init; } = 1e-3;

    /// <summary>AdamW's β2 (the GPT's 0.99); also the AdamW part of the hybrid.</summary>
    public double AdamwBeta2 { get; init; } = 0.99;

    /// <summary>AdamW's decoupled weight decay (the GPT's 0.1); also the AdamW part of the hybrid.</summary>
    public double AdamwWeightDecay { get; init; } = 0.1;

    /// <summary>Muon's learning rate for the block matrices (the GPT's 0.02).</summary>
    public double MuonLr { get; init; } = 0.02;

    /// <summary>Muon's momentum, Nesterov (the GPT's 0.95).</summary>
    public double MuonMomentum { get; init; } = 0.95;

    /// <summary>Muon's decoupled weight decay (the GPT's 0.1).</summary>
    public double MuonWeightDecay { get; init; } = 0.1;

    /// <summary>Fraction of the steps of linear warm-up (the GPT's 5%).</summary>
    public double WarmupFraction { get; init; } = 0.05;

    /// <summary>The learning-rate factor the cosine decay ends at (the GPT's 10%).</summary>
    public double CosineFinalFactor { get; init; } = 0.1;

    /// <summary>Steps between evaluations of the accuracy on the test images (Fashion-MNIST has no separate validation split).</summary>
    public int EvalEvery { get; init; } = 100;

    /// <inheritdoc />
    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate()) yield return problem;
        if (Patch < 1 || 28 % Patch != 0) yield return $"patch = {Patch}: must divide the image side 28 (1, 2, 4, 7, 14 or 28)";
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
        foreach (var name in Optimizers)
            if (!SmallGptExperiment.OptimizerNames.Contains(name))
                yield return $"optimizers contains '{name}': accepted are {string.Join(", ", SmallGptExperiment.OptimizerNames)}";
    }
}
