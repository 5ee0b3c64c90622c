using MuonSharp.Lab.Data;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Experiments.FeatureLearning;
using MuonSharp.Lab.Tests.Data;

namespace MuonSharp.Lab.Tests.Experiments.FeatureLearning;

public sealed class FeatureLearningDataTests : IDisposable
{
    // Generated images: image i has every pixel (7i mod 256) / 255 and label i mod 10.
    private const int Train = 400, Test = 100;
    private readonly TempDirectory _temp = new();
    private readonly ImageDataset _fashion;

    public FeatureLearningDataTests()
    {
        TinyDatasets.WriteImages(Path.Combine(_temp.Path, DatasetNames.FashionMnist), Train, Test);
        _fashion = new DatasetStore(_temp.Path, _temp.Sub("cache")).FashionMnist();
    }

    public void Dispose() => _temp.Dispose();

    private static FeatureLearningConfig Config => new FeatureLearningExperiment().Quick with { TrainImages = 0, CheckImages = 50, HessianImages = 30, ProbeImagesPerClass = 10, RobustnessImages = 20, DownstreamTestImages = 0 };

    [Fact]
    public void Pretraining_uses_classes_0_to_4_and_downstream_the_other_five_relabelled_from_0()
    {
        using var data = new FeatureLearningData(_fashion, Config);

        Assert.Equal(Train / 2, data.Pretraining.Count);
        Assert.True(data.Pretraining.Labels.lt(5).all().item<bool>());
        Assert.Equal(Train / 2, data.DownstreamTraining.Count);
        Assert.Equal(Test / 2, data.DownstreamTest.Count);
        // Downstream image k of the training split is dataset image i with i mod 10 ≥ 5, labelled (i mod 10) − 5.
        var pixels = data.DownstreamTraining.Images[.., 0, 0, 0].contiguous().data<float>().ToArray();
        var labels = data.DownstreamTraining.Labels.data<long>().ToArray();
        var expected = Enumerable.Range(0, Train).Where(i => i % 10 >= 5).ToList();
        Assert.Equal(expected.Select(i => (long)(i % 10 - 5)), labels);
        Assert.Equal(expected.Select(i => (float)(TinyDatasets.PixelOf(i) / 255.0)), pixels);
        Assert.Equal(20, data.RobustnessSet.Count);
        Assert.True(data.RobustnessSet.Labels.lt(5).all().item<bool>());
    }

    [Fact]
    public void The_check_set_and_hessian_batch_are_the_first_of_one_fixed_order_of_the_pretraining_images()
    {
        using var data = new FeatureLearningData(_fashion, Config);
        using var again = new FeatureLearningData(_fashion, Config);

        Assert.True(data.Pretraining.Images.eq(again.Pretraining.Images).all().item<bool>());
        Assert.True(data.CheckSet.Images.eq(data.Pretraining.Images.narrow(0, 0, 50)).all().item<bool>());
        Assert.True(data.HessianBatch.Labels.eq(data.Pretraining.Labels.narrow(0, 0, 30)).all().item<bool>());
        Assert.False(data.Pretraining.Labels.narrow(0, 0, 20).eq(data.Pretraining.Labels.sort().Values.narrow(0, 0, 20)).all().item<bool>());   // shuffled
    }

    [Fact]
    public void Fine_tuning_samples_have_k_images_per_class_drawn_by_the_seed()
    {
        using var data = new FeatureLearningData(_fashion, Config);

        using var a = data.DownstreamSample(3, seed: 0);
        using var b = data.DownstreamSample(3, seed: 0);
        using var c = data.DownstreamSample(3, seed: 1);
        using var probe = data.DownstreamFirstPerClass(4);

        Assert.Equal(new long[] { 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4 }, a.Labels.data<long>().ToArray());
        Assert.True(a.Images.eq(b.Images).all().item<bool>());
        Assert.False(a.Images.eq(c.Images).all().item<bool>());
        Assert.Equal(new long[] { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4 }, probe.Labels.data<long>().ToArray());
    }

    [Theory]
    [InlineData("train_images", 201)]
    [InlineData("check_images", 201)]
    [InlineData("robustness_images", 51)]
    [InlineData("probe_images_per_class", 41)]
    public void Asking_for_more_images_than_there_are_is_a_user_error_naming_the_key(string key, int value)
    {
        var config = key switch
        {
            "train_images" => Config with { TrainImages = value },
            "check_images" => Config with { CheckImages = value },
            "robustness_images" => Config with { RobustnessImages = value },
            _ => Config with { ProbeImagesPerClass = value },
        };
        var error = Assert.Throws<LabUserException>(() => new FeatureLearningData(_fashion, config));
        Assert.Contains(key, error.Message);
    }
}
