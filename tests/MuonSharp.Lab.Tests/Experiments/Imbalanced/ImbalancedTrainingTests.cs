using MuonSharp.Lab.Experiments.Imbalanced;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.Imbalanced;

public sealed class ImbalancedTrainingTests
{
    [Theory]
    [InlineData(1, new long[] { 4, 6 })]
    [InlineData(3, new long[] { 5, 6 }, new long[] { 5, 5 }, new long[] { 4, 5 })]
    public void Layers_run_from_input_to_classes(int depth, params long[][] shapes)
    {
        using var generator = new Generator(0);

        using var model = new LinearClassifier(depth, inputs: 6, hidden: 5, classes: 4, initScale: 0.1, generator);

        Assert.Equal(shapes, model.Layers.Select(l => l.shape));
        Assert.Equal(new long[] { 2, 4 }, model.Forward(zeros(2, 6)).shape);
    }

    [Fact]
    public void The_linear_classifier_is_the_product_of_its_layers()
    {
        using var generator = new Generator(0);
        using var model = new LinearClassifier(3, 6, 5, 4, 1.0, generator);
        var x = randn(3, 6, generator: generator);

        var expected = x.matmul((model.Layers[2].matmul(model.Layers[1]).matmul(model.Layers[0])).t());

        Assert.True(model.Forward(x).allclose(expected, atol: 1e-5));
    }

    [Fact]
    public void The_early_window_mean_and_the_first_step_reaching_a_level()
    {
        var steps = new[] { 0, 10, 20, 30, 40 };
        var values = new[] { 0.1, 0.3, 0.6, 0.8, 0.9 };

        Assert.Equal((0.1 + 0.3 + 0.6) / 3, ImbalancedClaims.WindowMean(steps, values, 20), 12);
        Assert.Equal(20, ImbalancedClaims.FirstStepReaching(steps, values, 0.5, never: 50));
        Assert.Equal(50, ImbalancedClaims.FirstStepReaching(steps, values, 0.95, never: 50));
    }
}
