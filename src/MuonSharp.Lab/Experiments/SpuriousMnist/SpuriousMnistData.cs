using MuonSharp.Lab.Data;
using MuonSharp.Lab.Training;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.SpuriousMnist;

/// <summary>
/// The digits of one experiment, as tensors <c>[n, 1, 28, 28]</c> in [0, 1] (no normalization; the paper
/// states none) with int64 labels. The dataset's training split is divided once — by a fixed permutation,
/// the same for every seed and optimizer — into the training digits and a clean <b>tuning</b> split, which
/// only the learning-rate search looks at. The test split gives the <b>validation</b> digits, used twice:
/// clean and with the class pixel. So the clean accuracy reported is never the one learning rates were
/// chosen on. The training images get their pixel per intensity (<see cref="TrainingImages"/>).
/// </summary>
public sealed class SpuriousMnistData : IDisposable
{
    /// <summary>The seed of the permutation that divides the training split (any fixed value; not a run's seed).</summary>
    private const int SplitSeed = 0;

    private readonly Dictionary<double, Tensor> _training = new();

    /// <summary>Divides <paramref name="dataset"/> as <paramref name="config"/> says.</summary>
    /// <param name="dataset">MNIST (or any 28×28 ten-class dataset).</param>
    /// <param name="config">Digit counts and the tuning fraction.</param>
    public SpuriousMnistData(ImageDataset dataset, SpuriousMnistConfig config)
    {
        using var scope = NewDisposeScope();
        int total = dataset.Train.Count;
        int tuning = (int)Math.Round(config.TuningFraction * total);
        int available = total - tuning;
        if (tuning < 1 || available < 1)
            throw new LabUserException($"Dataset {dataset.Name} has {total:N0} training digits: too few to set tuning_fraction = {config.TuningFraction} of them aside and train on the rest.");
        if (config.TrainDigits > available)
            throw new LabUserException($"train_digits = {config.TrainDigits:N0}: dataset {dataset.Name} has {available:N0} training digits after the tuning split; use at most that (0 = all).");
        int validation = config.ValidationDigits == 0 ? dataset.Test.Count : config.ValidationDigits;
        if (validation > dataset.Test.Count)
            throw new LabUserException($"validation_digits = {config.ValidationDigits:N0}: dataset {dataset.Name} has {dataset.Test.Count:N0} test digits; use at most that (0 = all).");

        using var images = dataset.Train.ImagesTensor().unsqueeze(1);
        using var labels = dataset.Train.LabelsTensor();
        using var generator = SeedStreams.Generator(SplitSeed, "spurious-mnist/split");
        var order = randperm(total, generator: generator);
        var tuningIndex = order.narrow(0, available, tuning);
        var trainIndex = order.narrow(0, 0, config.TrainDigits == 0 ? available : config.TrainDigits);
        CleanTraining = images.index_select(0, trainIndex).MoveToOuterDisposeScope();
        TrainingLabels = labels.index_select(0, trainIndex).MoveToOuterDisposeScope();
        TuningImages = images.index_select(0, tuningIndex).MoveToOuterDisposeScope();
        TuningLabels = labels.index_select(0, tuningIndex).MoveToOuterDisposeScope();

        using var testImages = dataset.Test.ImagesTensor().unsqueeze(1);
        using var testLabels = dataset.Test.LabelsTensor();
        ValidationClean = testImages.narrow(0, 0, validation).clone().MoveToOuterDisposeScope();
        ValidationLabels = testLabels.narrow(0, 0, validation).clone().MoveToOuterDisposeScope();
    }

    /// <summary>Training digits without the pixel (what the pixel is added to).</summary>
    public Tensor CleanTraining { get; }

    /// <summary>Labels of the training digits.</summary>
    public Tensor TrainingLabels { get; }

    /// <summary>The clean tuning split: held-out training digits.</summary>
    public Tensor TuningImages { get; }

    /// <summary>Labels of the tuning split.</summary>
    public Tensor TuningLabels { get; }

    /// <summary>The clean validation set: held-out test digits as they are.</summary>
    public Tensor ValidationClean { get; }

    /// <summary>Labels of both validation sets.</summary>
    public Tensor ValidationLabels { get; }

    /// <summary>Number of training digits.</summary>
    public int TrainingCount => (int)TrainingLabels.shape[0];

    /// <summary>The training digits with their class pixel at <paramref name="intensity"/> (made once per intensity, owned here).</summary>
    /// <param name="intensity">The pixel's intensity.</param>
    public Tensor TrainingImages(double intensity)
    {
        if (!_training.TryGetValue(intensity, out var images))
            _training[intensity] = images = SpuriousPixel.Add(CleanTraining, TrainingLabels, intensity);
        return images;
    }

    /// <summary>The spurious validation set: the validation digits with their class pixel at <paramref name="intensity"/> (caller disposes).</summary>
    /// <param name="intensity">The pixel's intensity.</param>
    public Tensor ValidationSpurious(double intensity) => SpuriousPixel.Add(ValidationClean, ValidationLabels, intensity);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in _training.Values) tensor.Dispose();
        foreach (var tensor in new[] { CleanTraining, TrainingLabels, TuningImages, TuningLabels, ValidationClean, ValidationLabels }) tensor.Dispose();
    }
}
