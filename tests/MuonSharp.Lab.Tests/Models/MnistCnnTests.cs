using MuonSharp.Lab.Models;
using MuonSharp.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Models;

public sealed class MnistCnnTests
{
    [Theory]
    [InlineData(MnistCnnLayout.PoolAfterConvolutions, 9216)]
    [InlineData(MnistCnnLayout.PoolBetweenConvolutions, 7744)]
    public void Each_layout_maps_images_to_ten_logits_through_its_fc1_width(MnistCnnLayout layout, int fc1Width)
    {
        using var model = new MnistCnn(layout: layout);
        using var images = zeros(2, 1, 28, 28);
        using var logits = model.call(images);

        Assert.Equal(new long[] { 2, 10 }, logits.shape);
        var shapes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal(new long[] { 32, 1, 3, 3 }, shapes["conv1.weight"]);
        Assert.Equal(new long[] { 64, 32, 3, 3 }, shapes["conv2.weight"]);
        Assert.Equal(new long[] { 128, fc1Width }, shapes["fc1.weight"]);
        Assert.Equal(new long[] { 10, 128 }, shapes["fc2.weight"]);
        Assert.Equal(fc1Width, MnistCnn.FlattenedWidth(layout));
    }

    [Fact]
    public void The_default_routing_sends_conv2_and_fc1_to_Muon_and_the_rest_to_AdamW()
    {
        using var model = new MnistCnn(layout: MnistCnnLayout.PoolBetweenConvolutions);

        var muon = ParameterRouting.Default().Assign(model.named_parameters()).Where(r => r.Route == Route.Muon).Select(r => r.Name);

        Assert.Equal(new[] { "conv2.weight", "fc1.weight" }, muon.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void The_Gaussian_initialization_has_the_asked_std_zero_mean_zero_biases_and_follows_its_generator()
    {
        using var model = new MnistCnn(layout: MnistCnnLayout.PoolBetweenConvolutions);
        using var generator = new Generator(7);
        model.InitializeGaussian(0.01, generator);
        using var again = new MnistCnn(layout: MnistCnnLayout.PoolBetweenConvolutions);
        using var sameSeed = new Generator(7);
        again.InitializeGaussian(0.01, sameSeed);

        var fc1 = model.named_parameters().Single(p => p.name == "fc1.weight").parameter;   // 991,232 draws
        Assert.Equal(0.01, fc1.std().ToDouble(), 4);                                       // SE of the sd ≈ 7e-6
        Assert.Equal(0, fc1.mean().ToDouble(), 4);                                          // SE of the mean = 1e-5
        Assert.All(model.named_parameters().Where(p => p.name.EndsWith(".bias")), p => Assert.Equal(0, p.parameter.abs().max().ToDouble()));
        foreach (var ((name, a), (_, b)) in model.named_parameters().Zip(again.named_parameters()))
            Assert.True(a.eq(b).all().item<bool>(), name);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.InitializeGaussian(0, generator));
    }
}
