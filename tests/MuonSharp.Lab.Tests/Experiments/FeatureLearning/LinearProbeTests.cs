using MuonSharp.Lab.Experiments.FeatureLearning;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.FeatureLearning;

public sealed class LinearProbeTests
{
    /// <summary>Five well-separated Gaussian clusters in 16 dimensions, the same centres for both sets.</summary>
    private static (Tensor Features, Tensor Labels) Clusters(int perClass, ulong seed, double spread)
    {
        using var three = 3.ToScalar();
        using var centres = randn(5, 16, generator: new Generator(99)).mul_(three);
        using var generator = new Generator(seed);
        var labels = arange(5, dtype: ScalarType.Int64).repeat_interleave(perClass);
        using var s = new HeldScalars();
        var features = centres.index_select(0, labels).add(randn(5 * perClass, 16, generator: generator).mul_(s[spread]));
        return (features, labels);
    }

    [Fact]
    public void The_probe_separates_separable_features_and_stays_near_chance_on_shuffled_labels()
    {
        var (train, trainLabels) = Clusters(40, seed: 1, spread: 0.3);
        var (test, testLabels) = Clusters(40, seed: 2, spread: 0.3);
        Assert.Equal(1.0, LinearProbe.Accuracy(train, trainLabels, test, testLabels, classes: 5, steps: 300));

        // The same features with labels unrelated to them: nothing transfers to the test set.
        using var shuffled = trainLabels.index_select(0, randperm(200, generator: new Generator(5)));
        using var noise = randn(200, 16, generator: new Generator(6));
        Assert.InRange(LinearProbe.Accuracy(noise, shuffled, test, testLabels, classes: 5, steps: 300), 0.0, 0.45);
    }

    [Fact]
    public void Features_of_different_widths_and_zero_steps_are_refused()
    {
        using var a = zeros(4, 3);
        using var b = zeros(4, 5);
        using var y = zeros(4, dtype: ScalarType.Int64);
        Assert.Contains("[4, 5]", Assert.Throws<ArgumentException>(() => LinearProbe.Accuracy(a, y, b, y, 2, 10)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearProbe.Accuracy(a, y, a, y, 2, 0));
    }
}
