using MuonSharp.Lab.Experiments.FeatureLearning;
using MuonSharp.Lab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.FeatureLearning;

public sealed class FineTuningTests
{
    /// <summary>Images of five classes, class c a bright 6×6 square at its own place on a faint noisy background.</summary>
    private static LabelledImages Squares(int perClass, ulong seed)
    {
        using var generator = new Generator(seed);
        using var s = new HeldScalars();
        var labels = arange(5, dtype: ScalarType.Int64).repeat_interleave(perClass);
        var images = rand(5 * perClass, 1, 28, 28, generator: generator).mul_(s[0.2]);
        var classes = labels.data<long>().ToArray();
        for (int i = 0; i < classes.Length; i++)
            images[i, 0, TensorIndex.Slice(2 + 5 * classes[i], 8 + 5 * classes[i]), TensorIndex.Slice(11, 17)].fill_(s[1]);
        return new LabelledImages(images, labels);
    }

    [Fact]
    public void Fine_tuning_learns_separable_downstream_classes_from_a_few_examples_and_leaves_the_pretrained_network_unchanged()
    {
        random.manual_seed(7);
        using var pretrained = new MnistCnn(layout: MnistCnnLayout.PoolBetweenConvolutions, classes: 5);
        var before = pretrained.parameters().Select(p => p.detach().clone()).ToList();
        using var examples = Squares(perClass: 4, seed: 1);
        using var test = Squares(perClass: 20, seed: 2);

        double accuracy = FineTuning.Accuracy(pretrained, examples, test, classes: 5, steps: 40, seed: 0);
        double untrained = FineTuning.Accuracy(pretrained, examples, test, classes: 5, steps: 1, seed: 0);

        Assert.Equal(1.0, accuracy);
        Assert.True(untrained < 0.9, $"one step already reached {untrained}: the test cannot tell training from none");
        Assert.All(pretrained.parameters().Zip(before), pair => Assert.True(pair.First.eq(pair.Second).all().item<bool>()));
        Assert.Equal(accuracy, FineTuning.Accuracy(pretrained, examples, test, classes: 5, steps: 40, seed: 0));   // seeded: reproducible
    }
}
