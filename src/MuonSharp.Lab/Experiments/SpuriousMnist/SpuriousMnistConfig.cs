using MuonSharp.Lab.Training;

namespace MuonSharp.Lab.Experiments.SpuriousMnist;

/// <summary>
/// Settings of the spurious-pixel experiment (<c>000 §5</c>, App. C.3): MNIST digits, each training image
/// carrying its class's pixel, a small CNN from a small Gaussian initialization, SGD with momentum vs Adam
/// vs Muon. The network, the initialization and the intensity 1 of Fig. 3b–c are the paper's; the paper
/// gives no batch size, step budget, grids or schedule, so those below are our choices, said where set.
/// </summary>
public sealed record SpuriousMnistConfig : ExperimentConfig
{
    /// <summary>Creates the paper-size defaults.</summary>
    public SpuriousMnistConfig()
    {
        Steps = 2000;
        Seeds = 2;
        Optimizers = SpuriousMnistExperiment.OptimizerNames.ToArray();
    }

    /// <summary>Mini-batch size (our choice: PyTorch's MNIST example uses 64; the paper gives none).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Steps between evaluations on the validation sets (and the tuning split, when tuning).</summary>
    public int EvalEvery { get; init; } = 50;

    /// <summary>Training digits used, 0 for all the training split has after the tuning split is set aside.</summary>
    public int TrainDigits { get; init; }

    /// <summary>Held-out test digits forming both validation sets (clean and spurious), 0 for all.</summary>
    public int ValidationDigits { get; init; }

    /// <summary>Fraction of the training split set aside, clean, for tuning the learning rates (our choice).</summary>
    public double TuningFraction { get; init; } = 0.1;

    /// <summary>Scale of the initial weights: the standard deviation of their Gaussian (<c>000</c> App. C.3: 0.01; biases start at 0).</summary>
    public double InitScale { get; init; } = 0.01;

    /// <summary>
    /// Intensities of the spurious pixel, each a full set of runs (<c>000</c> Fig. 3d varies it; our
    /// values span 16× around the paper's 1).
    /// </summary>
    public double[] Intensities { get; init; } = { 0.25, 0.5, 1, 2, 4 };

    /// <summary>The intensity of Fig. 3b–c, at which the learning rates are tuned and claims (a)–(c) are judged (<c>000</c>: 1).</summary>
    public double FigureIntensity { get; init; } = 1;

    /// <summary>SGD's heavy-ball momentum (PyTorch convention; our choice, the paper says "SGD with momentum").</summary>
    public double SgdMomentum { get; init; } = 0.9;

    /// <summary>SGD's learning rates tried when tuning (one value: no tuning).</summary>
    public double[] SgdLrGrid { get; init; } = { 0.01, 0.03, 0.1, 0.3 };

    /// <summary>Adam's learning rates tried when tuning (one value: no tuning).</summary>
    public double[] AdamLrGrid { get; init; } = { 3e-4, 1e-3, 3e-3, 1e-2 };

    /// <summary>Muon's learning rates (its Muon part) tried when tuning (one value: no tuning).</summary>
    public double[] MuonLrGrid { get; init; } = { 0.003, 0.01, 0.03, 0.1 };

    /// <summary>Momentum of Muon's part, Nesterov (Jordan et al. 2024: 0.95).</summary>
    public double MuonMomentum { get; init; } = 0.95;

    /// <summary>Learning rate of the hybrid's AdamW part (conv1, fc2, biases), fixed while Muon's is tuned (our choice: Adam's usual 1e-3).</summary>
    public double AdamwLr { get; init; } = 1e-3;

    /// <summary>Claim (a): a run's clean accuracy must end at least this far below its peak (absolute accuracy; fixed before any run).</summary>
    public double DeclineMargin { get; init; } = 0.01;

    /// <summary>Claim (c): the curves have separated at the first evaluation where spurious − clean accuracy exceeds this (fixed before any run).</summary>
    public double SeparationMargin { get; init; } = 0.05;

    /// <summary>Claim (d): Muon's peak clean accuracy may fall at most this much across the switch intensity (fixed before any run).</summary>
    public double MuonDropTolerance { get; init; } = 0.02;

    /// <summary>The grid of <paramref name="optimizer"/>'s learning rates (a variant searches its base's: <c>normuon</c> Muon's).</summary>
    /// <param name="optimizer">One of <see cref="SpuriousMnistExperiment.Accepted"/>.</param>
    public double[] LrGrid(string optimizer) => OptimizerTable.BaseOf(optimizer) switch
    {
        SpuriousMnistExperiment.Sgd => SgdLrGrid,
        SpuriousMnistExperiment.Adam => AdamLrGrid,
        SpuriousMnistExperiment.Muon => MuonLrGrid,
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, $"Accepted: {string.Join(", ", SpuriousMnistExperiment.Accepted)}."),
    };

    /// <inheritdoc />
    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate()) yield return problem;
        if (BatchSize < 1) yield return $"batch_size = {BatchSize}: must be ≥ 1";
        if (EvalEvery < 1) yield return $"eval_every = {EvalEvery}: must be ≥ 1";
        if (TrainDigits < 0) yield return $"train_digits = {TrainDigits}: must be ≥ 0 (0 = all)";
        if (ValidationDigits < 0) yield return $"validation_digits = {ValidationDigits}: must be ≥ 0 (0 = all)";
        if (!(TuningFraction > 0 && TuningFraction < 1)) yield return $"tuning_fraction = {TuningFraction}: must be in (0, 1)";
        if (!(InitScale > 0 && double.IsFinite(InitScale))) yield return $"init_scale = {InitScale}: must be > 0";
        if (Intensities is null || Intensities.Length == 0 || Intensities.Any(i => !(i > 0 && double.IsFinite(i))))
            yield return $"intensities = [{Join(Intensities)}]: give at least one intensity, each > 0";
        else if (Intensities.Distinct().Count() != Intensities.Length)
            yield return $"intensities = [{Join(Intensities)}]: intensities must be distinct";
        else if (!Intensities.Contains(FigureIntensity))
            yield return $"figure_intensity = {FigureIntensity}: must be one of intensities [{Join(Intensities)}]";
        if (!(SgdMomentum >= 0 && SgdMomentum < 1)) yield return $"sgd_momentum = {SgdMomentum}: must be in [0, 1)";
        if (!(MuonMomentum >= 0 && MuonMomentum < 1)) yield return $"muon_momentum = {MuonMomentum}: must be in [0, 1)";
        if (!(AdamwLr > 0)) yield return $"adamw_lr = {AdamwLr}: must be > 0";
        foreach (var (key, grid) in new[] { ("sgd_lr_grid", SgdLrGrid), ("adam_lr_grid", AdamLrGrid), ("muon_lr_grid", MuonLrGrid) })
            if (grid is null || grid.Length == 0 || grid.Any(lr => !(lr > 0 && double.IsFinite(lr))))
                yield return $"{key} = [{Join(grid)}]: give at least one learning rate, each > 0";
        if (!(DeclineMargin >= 0 && DeclineMargin < 1)) yield return $"decline_margin = {DeclineMargin}: must be in [0, 1)";
        if (!(SeparationMargin > 0 && SeparationMargin < 1)) yield return $"separation_margin = {SeparationMargin}: must be in (0, 1)";
        if (!(MuonDropTolerance >= 0 && MuonDropTolerance < 1)) yield return $"muon_drop_tolerance = {MuonDropTolerance}: must be in [0, 1)";
        foreach (var problem in OptimizerTable.Unaccepted(Optimizers, SpuriousMnistExperiment.Accepted)) yield return problem;
    }

    private static string Join(double[]? values) => values is null ? "" : string.Join(", ", values);
}
