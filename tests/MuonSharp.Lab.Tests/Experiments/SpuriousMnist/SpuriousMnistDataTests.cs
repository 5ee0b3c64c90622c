using MuonSharp.Lab.Data;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Experiments.SpuriousMnist;
using MuonSharp.Lab.Tests.Data;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.SpuriousMnist;

public sealed class SpuriousMnistDataTests : IDisposable
{
    private const int Train = 200, Test = 30;
    private readonly TempDirectory _temp = new();
    private readonly ImageDataset _mnist;

    public SpuriousMnistDataTests()
    {
        // Image i is uniformly 7i mod 256 with label i mod 10: (value, label) names the image (i < 1280).
        TinyDatasets.WriteImages(Path.Combine(_temp.Path, DatasetNames.Mnist), Train, Test);
        _mnist = new DatasetStore(_temp.Path, _temp.Sub("cache")).Mnist();
    }

    public void Dispose() => _temp.Dispose();

    private static SpuriousMnistConfig Config => new() { TuningFraction = 0.1 };

    /// <summary>The index i each image was generated from, read from its row 0 (never touched by a class pixel) and its label.</summary>
    private static List<int> Identities(Tensor images, Tensor labels)
    {
        using var corner = images[.., 0, 0, 0].contiguous();
        var values = corner.data<float>().Select(v => (int)Math.Round(v * 255)).ToArray();
        var classes = labels.data<long>().ToArray();
        return values.Select((v, k) => Enumerable.Range(0, 1280).Single(i => TinyDatasets.PixelOf(i) == v && i % 10 == classes[k])).ToList();
    }

    [Fact]
    public void The_training_split_divides_into_disjoint_training_and_tuning_digits_the_same_way_every_time()
    {
        using var data = new SpuriousMnistData(_mnist, Config);
        using var again = new SpuriousMnistData(_mnist, Config);

        var training = Identities(data.CleanTraining, data.TrainingLabels);
        var tuning = Identities(data.TuningImages, data.TuningLabels);
        Assert.Equal(180, training.Count);
        Assert.Equal(20, tuning.Count);
        Assert.Empty(training.Intersect(tuning));
        Assert.Equal(Enumerable.Range(0, Train), training.Concat(tuning).Order());
        Assert.Equal(training, Identities(again.CleanTraining, again.TrainingLabels));
        Assert.Equal(Test, data.ValidationLabels.shape[0]);
    }

    [Fact]
    public void Clean_sets_carry_no_pixel_and_the_spurious_sets_carry_exactly_their_class_pixel()
    {
        using var data = new SpuriousMnistData(_mnist, Config);
        using var testImages = _mnist.Test.ImagesTensor().unsqueeze(1);

        Assert.True(data.ValidationClean.eq(testImages).all().item<bool>());
        Assert.Equal(Identities(data.CleanTraining, data.TrainingLabels).Select(i => (float)(TinyDatasets.PixelOf(i) / 255.0)),
            data.CleanTraining[.., 0, 1, 5].contiguous().data<float>().ToArray());   // class 0's pixel position, untouched in the clean copy

        using var spurious = data.ValidationSpurious(2.5);
        using var expected = SpuriousPixel.Add(data.ValidationClean, data.ValidationLabels, 2.5);
        Assert.True(spurious.eq(expected).all().item<bool>());
        var trainingPixels = data.TrainingImages(0.5);
        using var expectedTraining = SpuriousPixel.Add(data.CleanTraining, data.TrainingLabels, 0.5);
        Assert.True(trainingPixels.eq(expectedTraining).all().item<bool>());
        Assert.Same(trainingPixels, data.TrainingImages(0.5));
    }

    [Fact]
    public void Digit_counts_are_honoured_and_impossible_ones_refused_with_the_key_and_the_limit()
    {
        using var data = new SpuriousMnistData(_mnist, Config with { TrainDigits = 50, ValidationDigits = 12 });
        Assert.Equal(50, data.TrainingCount);
        Assert.Equal(12, data.ValidationLabels.shape[0]);

        var tooMany = Assert.Throws<LabUserException>(() => new SpuriousMnistData(_mnist, Config with { TrainDigits = 181 }));
        Assert.Contains("train_digits = 181", tooMany.Message);
        Assert.Contains("180", tooMany.Message);
        Assert.Contains("validation_digits = 31", Assert.Throws<LabUserException>(() => new SpuriousMnistData(_mnist, Config with { ValidationDigits = 31 })).Message);
    }
}
