using TorchSharp;
using MuonSharp.Lab.Data;
using MuonSharp.Lab.Training;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.FeatureLearning;

/// <summary>Labelled images <c>[n, 1, 28, 28]</c> in [0, 1] with int64 labels.</summary>
/// <param name="Images">The images.</param>
/// <param name="Labels">Their labels.</param>
public sealed record LabelledImages(Tensor Images, Tensor Labels) : IDisposable
{
    /// <summary>Number of images.</summary>
    public int Count => (int)Labels.shape[0];

    /// <summary>The first <paramref name="count"/> images (all when 0 or more than there are), as a copy.</summary>
    /// <param name="count">How many.</param>
    public LabelledImages First(int count)
    {
        long n = count == 0 ? Count : Math.Min(count, Count);
        return new(Images.narrow(0, 0, n).clone(), Labels.narrow(0, 0, n).clone());
    }

    /// <summary>The images at <paramref name="rows"/>, as a copy.</summary>
    /// <param name="rows">int64 indices.</param>
    public LabelledImages Select(Tensor rows) => new(Images.index_select(0, rows), Labels.index_select(0, rows));

    /// <summary>Takes both tensors out of every dispose scope (the caller owns them from here), and returns this.</summary>
    public LabelledImages Keep()
    {
        Images.DetachFromDisposeScope();
        Labels.DetachFromDisposeScope();
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// Fashion-MNIST divided by class: the <b>pretraining</b> task is classes 0–4 (T-shirt/top, trouser, pullover,
/// dress, coat), the <b>downstream</b> task the held-out classes 5–9 (sandal, shirt, sneaker, bag, ankle boot),
/// relabelled 0–4. Pixels stay in [0, 1] without normalization, so noise and attack radii are in pixel units
/// and clamping to [0, 1] keeps images valid. Within the pretraining training images a fixed permutation
/// (the same for every seed and optimizer) puts the check set and the Hessian batch first.
/// </summary>
public sealed class FeatureLearningData : IDisposable
{
    /// <summary>Classes per task.</summary>
    public const int Classes = 5;

    /// <summary>Seed of the fixed permutation of the pretraining images (not a run's seed).</summary>
    private const int SplitSeed = 0;

    /// <summary>Divides <paramref name="dataset"/> as <paramref name="config"/> says.</summary>
    /// <param name="dataset">Fashion-MNIST (or any ten-class 28×28 dataset).</param>
    /// <param name="config">Image counts.</param>
    public FeatureLearningData(ImageDataset dataset, FeatureLearningConfig config)
    {
        using var scope = NewDisposeScope();
        using var pretrainAll = ClassRange(dataset.Train, 0);
        if (config.TrainImages > pretrainAll.Count)
            throw new LabUserException($"train_images = {config.TrainImages:N0}: {dataset.Name} has {pretrainAll.Count:N0} training images of classes 0–4; use at most that (0 = all).");
        using var generator = SeedStreams.Generator(SplitSeed, "feature-learning/pretraining-order");
        using var shuffled = pretrainAll.Select(randperm(pretrainAll.Count, generator: generator));
        Pretraining = shuffled.First(config.TrainImages).Keep();
        foreach (var (key, wanted) in new[] { ("check_images", config.CheckImages), ("hessian_images", config.HessianImages) })
            if (wanted > Pretraining.Count)
                throw new LabUserException($"{key} = {wanted:N0}: the pretraining set has {Pretraining.Count:N0} images; use at most that.");
        CheckSet = Pretraining.First(config.CheckImages).Keep();
        HessianBatch = Pretraining.First(config.HessianImages).Keep();

        using var pretrainTest = ClassRange(dataset.Test, 0);
        if (config.RobustnessImages > pretrainTest.Count)
            throw new LabUserException($"robustness_images = {config.RobustnessImages:N0}: {dataset.Name} has {pretrainTest.Count:N0} test images of classes 0–4; use at most that.");
        RobustnessSet = pretrainTest.First(config.RobustnessImages).Keep();

        DownstreamTraining = ClassRange(dataset.Train, Classes).Keep();
        int fewest = Enumerable.Range(0, Classes).Min(c => CountOf(DownstreamTraining, c));
        int wantedPerClass = Math.Max(config.ProbeImagesPerClass, config.FineTuneShots.Max());
        if (wantedPerClass > fewest)
            throw new LabUserException($"probe_images_per_class / fine_tune_shots ask for {wantedPerClass:N0} images of a class; {dataset.Name} has {fewest:N0} of the rarest held-out class.");
        using var downstreamTest = ClassRange(dataset.Test, Classes);
        if (config.DownstreamTestImages > downstreamTest.Count)
            throw new LabUserException($"downstream_test_images = {config.DownstreamTestImages:N0}: {dataset.Name} has {downstreamTest.Count:N0} test images of classes 5–9; use at most that (0 = all).");
        DownstreamTest = downstreamTest.First(config.DownstreamTestImages).Keep();
    }

    /// <summary>The pretraining training images (classes 0–4) in the fixed order.</summary>
    public LabelledImages Pretraining { get; }

    /// <summary>The first <c>check_images</c> pretraining images: the target is checked on their loss.</summary>
    public LabelledImages CheckSet { get; }

    /// <summary>The first <c>hessian_images</c> pretraining images: the one fixed batch of the flatness measurements.</summary>
    public LabelledImages HessianBatch { get; }

    /// <summary>Pretraining test images (classes 0–4) the robustness is measured on.</summary>
    public LabelledImages RobustnessSet { get; }

    /// <summary>Training images of the held-out classes, relabelled 0–4, in the dataset's order.</summary>
    public LabelledImages DownstreamTraining { get; }

    /// <summary>Test images of the held-out classes, relabelled 0–4.</summary>
    public LabelledImages DownstreamTest { get; }

    /// <summary>The first <paramref name="perClass"/> downstream training images of every class (the probe's training set), in class order.</summary>
    /// <param name="perClass">Images per class.</param>
    public LabelledImages DownstreamFirstPerClass(int perClass)
    {
        using var scope = NewDisposeScope();
        var rows = cat(Enumerable.Range(0, Classes).Select(c => RowsOf(DownstreamTraining, c).narrow(0, 0, perClass)).ToList());
        var chosen = DownstreamTraining.Select(rows);
        chosen.Images.MoveToOuterDisposeScope();
        chosen.Labels.MoveToOuterDisposeScope();
        return chosen;
    }

    /// <summary>
    /// <paramref name="perClass"/> downstream training images of every class drawn without replacement from
    /// <paramref name="seed"/>'s <c>fine-tune/shots{k}</c> stream (the fine-tuning set of that budget).
    /// </summary>
    /// <param name="perClass">Images per class.</param>
    /// <param name="seed">The run's seed.</param>
    public LabelledImages DownstreamSample(int perClass, int seed)
    {
        using var scope = NewDisposeScope();
        using var generator = SeedStreams.Generator(seed, $"fine-tune/shots{perClass}");
        var rows = cat(Enumerable.Range(0, Classes).Select(c =>
        {
            var ofClass = RowsOf(DownstreamTraining, c);
            return ofClass.index_select(0, randperm(ofClass.shape[0], generator: generator).narrow(0, 0, perClass));
        }).ToList());
        var chosen = DownstreamTraining.Select(rows);
        chosen.Images.MoveToOuterDisposeScope();
        chosen.Labels.MoveToOuterDisposeScope();
        return chosen;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var part in new[] { Pretraining, CheckSet, HessianBatch, RobustnessSet, DownstreamTraining, DownstreamTest }) part.Dispose();
    }

    /// <summary>The images of classes <paramref name="first"/> … first + 4 of <paramref name="split"/>, relabelled from 0, in the split's order.</summary>
    private static LabelledImages ClassRange(ImageSplit split, int first)
    {
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();
        var labels = split.LabelsTensor();
        var rows = nonzero(labels.ge(s[first]).logical_and(labels.lt(s[first + Classes]))).squeeze(1);
        var images = split.ImagesTensor().unsqueeze(1).index_select(0, rows).MoveToOuterDisposeScope();
        return new(images, labels.index_select(0, rows).sub_(s[first]).MoveToOuterDisposeScope());
    }

    private static int CountOf(LabelledImages images, int label)
    {
        using var rows = RowsOf(images, label);
        return (int)rows.shape[0];
    }

    /// <summary>Indices (int64) of the images labelled <paramref name="label"/>, in order (in the caller's dispose scope).</summary>
    private static Tensor RowsOf(LabelledImages images, int label)
    {
        using var s = new HeldScalars();
        using var matches = images.Labels.eq(s[label]);
        using var found = nonzero(matches);
        return found.squeeze(1);
    }
}
