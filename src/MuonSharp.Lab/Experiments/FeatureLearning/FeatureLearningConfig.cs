using MuonSharp.Lab.Training;

namespace MuonSharp.Lab.Experiments.FeatureLearning;

/// <summary>
/// Settings of the feature-learning experiment: <c>001</c>'s open questions ("Goal": is Muon good for feature
/// learning, what does pretraining give downstream, is it more robust?) measured at matched pretraining loss.
/// 001 is a research plan and fixes no numbers; every value below is our choice, said where set, and was
/// fixed before the first paper-size run.
/// </summary>
public sealed record FeatureLearningConfig : ExperimentConfig
{
    /// <summary>Creates the paper-size defaults.</summary>
    public FeatureLearningConfig()
    {
        Steps = 3000;
        Seeds = 3;
        Optimizers = FeatureLearningExperiment.OptimizerNames.ToArray();
    }

    /// <summary>Mini-batch size of pretraining (PyTorch's MNIST example: 64).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The common pretraining target: a run stops at the first check whose loss on the check set is at most this.</summary>
    public double TargetLoss { get; init; } = 0.2;

    /// <summary>Steps between checks of the pretraining loss against the target.</summary>
    public int CheckEvery { get; init; } = 25;

    /// <summary>Pretraining images the target is checked on (a fixed subset of the training images: the training loss, without mini-batch noise).</summary>
    public int CheckImages { get; init; } = 1024;

    /// <summary>Pretraining images used for training, 0 for all 30,000 of the five classes.</summary>
    public int TrainImages { get; init; }

    /// <summary>SGD's heavy-ball momentum (PyTorch convention).</summary>
    public double SgdMomentum { get; init; } = 0.9;

    /// <summary>SGD's learning rates tried when tuning (one value: no tuning).</summary>
    public double[] SgdLrGrid { get; init; } = { 0.01, 0.03, 0.1 };

    /// <summary>AdamW's learning rates tried when tuning.</summary>
    public double[] AdamwLrGrid { get; init; } = { 3e-4, 1e-3, 3e-3 };

    /// <summary>Muon's learning rates (its Muon part; the AdamW part stays at <see cref="AdamwLr"/>) tried when tuning.</summary>
    public double[] MuonLrGrid { get; init; } = { 0.01, 0.03, 0.1 };

    /// <summary>Shampoo's learning rates (Adam grafting) tried when tuning.</summary>
    public double[] ShampooLrGrid { get; init; } = { 3e-4, 1e-3, 3e-3 };

    /// <summary>Lion's learning rates tried when tuning (Chen et al. 2023: 3–10× smaller than AdamW's).</summary>
    public double[] LionLrGrid { get; init; } = { 3e-5, 1e-4, 3e-4 };

    /// <summary>Learning rate of the hybrid's AdamW part (conv1, the head, biases), fixed while Muon's is tuned (Adam's usual 1e-3).</summary>
    public double AdamwLr { get; init; } = 1e-3;

    /// <summary>Momentum of Muon's part, Nesterov (Jordan et al. 2024: 0.95).</summary>
    public double MuonMomentum { get; init; } = 0.95;

    /// <summary>Shampoo: steps between inverse-root recomputations (every 10 costs ≈ 2 s per 1024-wide block here; 50 keeps it cheap).</summary>
    public int ShampooPreconditionFrequency { get; init; } = 50;

    /// <summary>Shampoo: largest block side (fc1's 7744 inputs become blocks of 256).</summary>
    public int ShampooMaxPreconditionerDim { get; init; } = 256;

    /// <summary>Images of the one fixed batch the Hessian of the pretraining loss is measured on.</summary>
    public int HessianImages { get; init; } = 512;

    /// <summary>Rademacher probes of Hutchinson's trace estimate.</summary>
    public int HutchinsonProbes { get; init; } = 30;

    /// <summary>Most Hessian-vector products of the power iteration for the top eigenvalue (it stops earlier when settled to 1e-3).</summary>
    public int PowerIterations { get; init; } = 30;

    /// <summary>Downstream training images per class the linear probe is fitted on.</summary>
    public int ProbeImagesPerClass { get; init; } = 1000;

    /// <summary>Full-batch steps of the probe's fixed recipe (Adam on the multinomial logistic loss of standardized features).</summary>
    public int ProbeSteps { get; init; } = 500;

    /// <summary>Labelled downstream examples per class for fine-tuning, one budget each.</summary>
    public int[] FineTuneShots { get; init; } = { 10, 100 };

    /// <summary>Full-batch steps of the fine-tuning recipe (every weight, Adam lr 1e-3, a new head).</summary>
    public int FineTuneSteps { get; init; } = 100;

    /// <summary>Downstream test images scored (0: all 5,000 of the five held-out classes).</summary>
    public int DownstreamTestImages { get; init; }

    /// <summary>Pretraining test images the robustness is measured on (the first of the test split of the five classes).</summary>
    public int RobustnessImages { get; init; } = 1000;

    /// <summary>Standard deviations of the Gaussian pixel noise (pixels in [0, 1], clamped after the noise).</summary>
    public double[] NoiseSigmas { get; init; } = { 0.05, 0.1, 0.2 };

    /// <summary>L∞ radii of the FGSM and PGD attacks, in pixel units (pixels in [0, 1]).</summary>
    public double[] AttackEpsilons { get; init; } = { 0.01, 0.02, 0.04 };

    /// <summary>Steps of PGD, each of size 2.5 ε / steps (Madry et al. 2018), from the clean image.</summary>
    public int PgdSteps { get; init; } = 10;

    /// <summary>Permutations of the rank-correlation test (q4).</summary>
    public int Permutations { get; init; } = 10_000;

    /// <summary>The significance level of the rank-correlation test (q4).</summary>
    public double SignificanceLevel { get; init; } = 0.05;

    /// <summary>The grid of <paramref name="optimizer"/>'s learning rates (a variant searches its base's: <c>normuon</c> Muon's).</summary>
    /// <param name="optimizer">One of <see cref="FeatureLearningExperiment.Accepted"/>.</param>
    public double[] LrGrid(string optimizer) => OptimizerTable.BaseOf(optimizer) switch
    {
        FeatureLearningExperiment.Sgd => SgdLrGrid,
        FeatureLearningExperiment.AdamW => AdamwLrGrid,
        FeatureLearningExperiment.Muon => MuonLrGrid,
        FeatureLearningExperiment.Shampoo => ShampooLrGrid,
        FeatureLearningExperiment.Lion => LionLrGrid,
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, $"Accepted: {string.Join(", ", FeatureLearningExperiment.Accepted)}."),
    };

    /// <inheritdoc />
    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate()) yield return problem;
        foreach (var (key, value) in new[]
        {
            ("batch_size", BatchSize), ("check_every", CheckEvery), ("check_images", CheckImages), ("shampoo_precondition_frequency", ShampooPreconditionFrequency),
            ("shampoo_max_preconditioner_dim", ShampooMaxPreconditionerDim), ("hessian_images", HessianImages), ("hutchinson_probes", HutchinsonProbes),
            ("power_iterations", PowerIterations), ("probe_images_per_class", ProbeImagesPerClass), ("probe_steps", ProbeSteps),
            ("fine_tune_steps", FineTuneSteps), ("robustness_images", RobustnessImages), ("pgd_steps", PgdSteps), ("permutations", Permutations),
        })
            if (value < 1) yield return $"{key} = {value}: must be ≥ 1";
        if (TrainImages < 0) yield return $"train_images = {TrainImages}: must be ≥ 0 (0 = all)";
        if (DownstreamTestImages < 0) yield return $"downstream_test_images = {DownstreamTestImages}: must be ≥ 0 (0 = all)";
        if (!(TargetLoss > 0 && double.IsFinite(TargetLoss))) yield return $"target_loss = {TargetLoss}: must be > 0";
        if (!(SgdMomentum >= 0 && SgdMomentum < 1)) yield return $"sgd_momentum = {SgdMomentum}: must be in [0, 1)";
        if (!(MuonMomentum >= 0 && MuonMomentum < 1)) yield return $"muon_momentum = {MuonMomentum}: must be in [0, 1)";
        if (!(AdamwLr > 0 && double.IsFinite(AdamwLr))) yield return $"adamw_lr = {AdamwLr}: must be > 0";
        if (!(SignificanceLevel > 0 && SignificanceLevel < 1)) yield return $"significance_level = {SignificanceLevel}: must be in (0, 1)";
        foreach (var (key, grid) in new[] { ("sgd_lr_grid", SgdLrGrid), ("adamw_lr_grid", AdamwLrGrid), ("muon_lr_grid", MuonLrGrid), ("shampoo_lr_grid", ShampooLrGrid), ("lion_lr_grid", LionLrGrid) })
            if (grid is null || grid.Length == 0 || grid.Any(lr => !(lr > 0 && double.IsFinite(lr))))
                yield return $"{key} = [{Join(grid)}]: give at least one learning rate, each > 0";
        if (FineTuneShots is null || FineTuneShots.Length == 0 || FineTuneShots.Any(k => k < 1) || FineTuneShots.Distinct().Count() != FineTuneShots.Length)
            yield return $"fine_tune_shots = [{(FineTuneShots is null ? "" : string.Join(", ", FineTuneShots))}]: give at least one budget, each ≥ 1 and distinct";
        if (NoiseSigmas is null || NoiseSigmas.Length == 0 || NoiseSigmas.Any(s => !(s > 0 && double.IsFinite(s))))
            yield return $"noise_sigmas = [{Join(NoiseSigmas)}]: give at least one deviation, each > 0";
        if (AttackEpsilons is null || AttackEpsilons.Length == 0 || AttackEpsilons.Any(e => !(e > 0 && e < 1)))
            yield return $"attack_epsilons = [{Join(AttackEpsilons)}]: give at least one radius, each in (0, 1)";
        foreach (var problem in OptimizerTable.Unaccepted(Optimizers, FeatureLearningExperiment.Accepted)) yield return problem;
    }

    private static string Join(double[]? values) => values is null ? "" : string.Join(", ", values);
}
