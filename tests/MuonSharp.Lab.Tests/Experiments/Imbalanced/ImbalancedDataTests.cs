using MuonSharp.Lab.Experiments.Imbalanced;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.Imbalanced;

public sealed class ImbalancedDataTests
{
    [Fact]
    public void Class_sizes_fall_geometrically_from_the_largest_to_the_largest_over_the_ratio()
    {
        Assert.Equal(new[] { 1000, 100, 10 }, ImbalancedData.ClassCounts(3, 1000, 100));
        Assert.Equal(new[] { 500, 5 }, ImbalancedData.ClassCounts(2, 500, 100));
        Assert.Equal(new[] { 4, 4, 4 }, ImbalancedData.ClassCounts(3, 4, 1));
        Assert.Equal(1, ImbalancedData.ClassCounts(3, 10, 1000)[^1]);
    }

    [Fact]
    public void The_training_set_is_imbalanced_the_test_set_balanced_and_the_means_orthogonal()
    {
        var config = new ImbalancedConfig { Classes = 3, InputDim = 5, LargestClass = 40, ImbalanceRatio = 4, TestPerClass = 7, MeanNorm = 2 };
        using var generator = new Generator(1);

        using var data = new ImbalancedData(config, generator);

        Assert.Equal(new[] { 40, 20, 10 }, data.Counts);
        Assert.Equal(new long[] { 70, 5 }, data.TrainX.shape);
        Assert.Equal(new long[] { 40, 20, 10 }, data.TrainY.bincount(null).data<long>().ToArray());
        Assert.Equal(new long[] { 7, 7, 7 }, data.TestY.bincount(null).data<long>().ToArray());
        Assert.True(data.Means.matmul(data.Means.t()).allclose(eye(3) * 4, atol: 1e-5));
    }

    [Fact]
    public void Without_noise_every_sample_is_its_class_mean()
    {
        var config = new ImbalancedConfig { Classes = 2, InputDim = 3, LargestClass = 3, ImbalanceRatio = 3, TestPerClass = 2, NoiseStd = 0 };
        using var generator = new Generator(2);

        using var data = new ImbalancedData(config, generator);

        Assert.True(data.TrainX.allclose(data.Means.index_select(0, data.TrainY)));
    }
}
