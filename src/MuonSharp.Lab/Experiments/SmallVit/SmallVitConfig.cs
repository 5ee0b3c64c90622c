using MuonSharp.Lab.Experiments.SmallGpt;

namespace MuonSharp.Lab.Experiments.SmallVit;

/// <summary>
/// Settings of the vision-transformer control of <c>002 §5</c> ("in a matched small-ViT control, the ranking
/// reverses"; <c>002</c> uses CIFAR-10). CIFAR-10 is not available to the lab, so this runs on Fashion-MNIST from the
/// dataset layer. The optimizer settings and schedule are the GPT's (<see cref="TransformerComparisonConfig"/>: the
/// same two setups); the model follows the issue (patch 7, width 128, 4 layers); every other number is our choice,
/// documented where it is set.
/// </summary>
public sealed record SmallVitConfig : TransformerComparisonConfig
{
    /// <summary>Creates the paper-size defaults.</summary>
    public SmallVitConfig()
    {
        Steps = 1000;
        Seeds = 3;
        BatchSize = 128;   // our choice: 1000 steps ≈ 2 epochs of the 60,000 training images
        EvalEvery = 100;   // each evaluation reads the 10,000 test images
    }

    /// <summary>Patch side in pixels (7: 16 patches of a 28×28 image).</summary>
    public int Patch { get; init; } = 7;

    /// <inheritdoc />
    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate()) yield return problem;
        if (Patch < 1 || 28 % Patch != 0) yield return $"patch = {Patch}: must divide the image side 28 (1, 2, 4, 7, 14 or 28)";
    }
}
