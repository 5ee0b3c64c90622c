using MuonSharp.Lab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Training;

public sealed class NormalizedGDTests
{
    [Fact]
    public void One_step_moves_every_parameter_by_exactly_lr_in_frobenius_norm_along_its_gradient()
    {
        using var generator = new Generator(0);
        var parameters = new[] { ("a", new Parameter(randn(5, 3, generator: generator))), ("b", new Parameter(randn(4, generator: generator))) };
        var before = parameters.Select(p => p.Item2.detach().clone()).ToList();
        using var optimizer = new NormalizedGD(parameters, lr: 0.25);
        parameters.Aggregate(zeros(1), (sum, p) => sum + p.Item2.pow(3).sum()).backward();
        var gradients = parameters.Select(p => p.Item2.grad!.clone()).ToList();

        optimizer.step();

        for (int i = 0; i < parameters.Length; i++)
        {
            var step = before[i] - parameters[i].Item2.detach();
            Assert.Equal(0.25, step.norm().item<float>(), 5);
            Assert.True(step.allclose(gradients[i] * (0.25 / gradients[i].norm().item<float>()), atol: 1e-6));
        }
    }

    [Fact]
    public void A_zero_gradient_leaves_the_parameter_where_it_is()
    {
        var p = new Parameter(ones(2, 2));
        using var optimizer = new NormalizedGD(new[] { ("p", p) }, lr: 1);
        p.grad = zeros(2, 2);

        optimizer.step();

        Assert.True(p.equal(ones(2, 2)).all().item<bool>());
    }
}
