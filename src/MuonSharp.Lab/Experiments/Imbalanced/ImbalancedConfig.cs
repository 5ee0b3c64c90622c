using MuonSharp.Lab.Training;

namespace MuonSharp.Lab.Experiments.Imbalanced;

/// <summary>
/// Settings of the imbalanced Gaussian-mixture experiment (<c>001</c>, "Theoretical Insights" and
/// "Imbalanced and Long-Tail Data", after Vasudeva et al. 2025). <c>001</c> gives the setting in
/// words only (Gaussian mixture, class imbalance, linear / two-layer / deeper linear models, full
/// batch, a 100:1 imbalance in its vision example); every number below not named after it is our
/// choice, documented where it is set.
/// </summary>
public sealed record ImbalancedConfig : ExperimentConfig
{
    /// <summary>Largest-to-smallest class frequency (<c>001</c>: "a 100:1 imbalance between classes").</summary>
    public const double PaperImbalanceRatio = 100;

    /// <summary>Creates the paper-size defaults.</summary>
    public ImbalancedConfig()
    {
        Steps = 1000;
        Seeds = 5;
        Optimizers = ImbalancedExperiment.OptimizerNames.ToArray();
    }

    /// <summary>Number of classes C (our choice).</summary>
    public int Classes { get; init; } = 10;

    /// <summary>Input dimension d (our choice).</summary>
    public int InputDim { get; init; } = 64;

    /// <summary>Norm of every class mean (our choice; the means are orthonormal directions times it).</summary>
    public double MeanNorm { get; init; } = 1.0;

    /// <summary>Standard deviation σ of each noise coordinate (our choice: a class-mean projection has noise σ, so classes are well separated and only their frequency differs).</summary>
    public double NoiseStd { get; init; } = 0.25;

    /// <summary>Training samples of the most frequent class (our choice).</summary>
    public int LargestClass { get; init; } = 500;

    /// <summary>Largest-to-smallest class frequency; sizes fall geometrically in between (<c>001</c>: 100:1).</summary>
    public double ImbalanceRatio { get; init; } = PaperImbalanceRatio;

    /// <summary>Test samples per class (balanced test set).</summary>
    public int TestPerClass { get; init; } = 100;

    /// <summary>
    /// Model depths, each a separate comparison (<c>001</c>: "linear and deep linear models, with the
    /// gap widening with depth"): 1 = linear, 2 = two-layer linear, 4 = our "deeper" model.
    /// </summary>
    public int[] Depths { get; init; } = { 1, 2, 4 };

    /// <summary>Hidden width h of the deep models (our choice).</summary>
    public int HiddenWidth { get; init; } = 64;

    /// <summary>Initialization scale: entries N(0, (scale/√fan_in)²) (our choice: small).</summary>
    public double InitScale { get; init; } = 0.1;

    /// <summary>Steps between evaluations on the test set.</summary>
    public int EvalEvery { get; init; } = 10;

    /// <summary>
    /// The early window of claims (a), (c), (d): balanced accuracy is averaged over the evaluations in
    /// the first <c>EarlyFraction</c> of training (<c>001</c> speaks of "the first epoch" of a longer
    /// run; with full batches, we take the first quarter of the steps).
    /// </summary>
    public double EarlyFraction { get; init; } = 0.25;

    /// <summary>Accuracy the rarest class must reach for claim (b) (our choice: half its test samples right).</summary>
    public double RareClassThreshold { get; init; } = 0.5;

    /// <summary>GD's learning rate before tuning (the tuned value is used when <see cref="TuneFactors"/> has more than one entry).</summary>
    public double GdLr { get; init; } = 1;

    /// <summary>Learning rate of GD on per-layer normalized gradients, before tuning.</summary>
    public double NormalizedGdLr { get; init; } = 0.1;

    /// <summary>Adam's learning rate, before tuning.</summary>
    public double AdamLr { get; init; } = 0.01;

    /// <summary>Spectral GD's learning rate, before tuning.</summary>
    public double SpectralGdLr { get; init; } = 0.05;

    /// <summary>Muon's learning rate, before tuning (momentum 0.95, Nesterov: Jordan et al. 2024).</summary>
    public double MuonLr { get; init; } = 0.05;

    /// <summary>Shampoo's learning rate (Adam-grafted, so Adam's scale), before tuning.</summary>
    public double ShampooLr { get; init; } = 0.01;

    /// <summary>
    /// Factors multiplying each optimizer's base learning rate in a tuning sweep run on a separate
    /// seed before the measured runs; each optimizer and depth keeps the factor with the highest
    /// early-window balanced accuracy on that seed, so the baselines get their best step size for
    /// what the claims compare. Powers of 4 from 1/64 to 64 (our choice: a 4096× range, since the
    /// base rates are guesses). One factor = no tuning.
    /// </summary>
    public double[] TuneFactors { get; init; } = { 1.0 / 64, 1.0 / 16, 0.25, 1, 4, 16, 64 };

    /// <inheritdoc />
    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate()) yield return problem;
        if (Classes < 2) yield return $"classes = {Classes}: must be ≥ 2";
        if (InputDim < Classes) yield return $"input_dim = {InputDim}: must be ≥ classes = {Classes} (orthonormal class means)";
        if (!(MeanNorm > 0)) yield return $"mean_norm = {MeanNorm}: must be > 0";
        if (!(NoiseStd >= 0)) yield return $"noise_std = {NoiseStd}: must be ≥ 0";
        if (LargestClass < 1) yield return $"largest_class = {LargestClass}: must be ≥ 1";
        if (!(ImbalanceRatio >= 1)) yield return $"imbalance_ratio = {ImbalanceRatio}: must be ≥ 1";
        if (TestPerClass < 1) yield return $"test_per_class = {TestPerClass}: must be ≥ 1";
        if (Depths.Length == 0 || Depths.Any(d => d < 1)) yield return $"depths = [{string.Join(", ", Depths)}]: give at least one depth, each ≥ 1";
        if (Depths.Distinct().Count() != Depths.Length) yield return $"depths = [{string.Join(", ", Depths)}]: depths must be distinct";
        if (HiddenWidth < 1) yield return $"hidden_width = {HiddenWidth}: must be ≥ 1";
        if (!(InitScale > 0)) yield return $"init_scale = {InitScale}: must be > 0";
        if (EvalEvery < 1) yield return $"eval_every = {EvalEvery}: must be ≥ 1";
        if (!(EarlyFraction > 0 && EarlyFraction <= 1)) yield return $"early_fraction = {EarlyFraction}: must be in (0, 1]";
        if (!(RareClassThreshold > 0 && RareClassThreshold <= 1)) yield return $"rare_class_threshold = {RareClassThreshold}: must be in (0, 1]";
        foreach (var (key, lr) in new[] { ("gd_lr", GdLr), ("normalized_gd_lr", NormalizedGdLr), ("adam_lr", AdamLr),
                     ("spectral_gd_lr", SpectralGdLr), ("muon_lr", MuonLr), ("shampoo_lr", ShampooLr) })
            if (!(lr > 0)) yield return $"{key} = {lr}: must be > 0";
        if (TuneFactors.Length == 0 || TuneFactors.Any(f => !(f > 0))) yield return $"tune_factors = [{string.Join(", ", TuneFactors)}]: give at least one factor, each > 0";
        foreach (var problem in OptimizerTable.Unaccepted(Optimizers, ImbalancedExperiment.Accepted)) yield return problem;
    }
}
