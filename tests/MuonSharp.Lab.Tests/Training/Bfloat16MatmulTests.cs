using MuonSharp.Lab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Training;

public sealed class Bfloat16MatmulTests
{
    [Fact]
    public void The_product_matches_float32_to_bfloat16_precision_and_comes_back_in_float32()
    {
        using var generator = new Generator(0);
        using var x = randn(32, 64, generator: generator);
        using var w = randn(16, 64, generator: generator);
        using var b = randn(16, generator: generator);

        using var y = Bfloat16Matmul.Linear(x, w, b);
        using var exact = x.matmul(w.t()) + b;

        Assert.Equal(ScalarType.Float32, y.dtype);
        double relative = ((y - exact).norm() / exact.norm()).item<float>();
        Assert.InRange(relative, 1e-5, 1e-2);   // rounded (not float32-exact), within bfloat16's 8-bit mantissa
    }

    [Fact]
    public void Gradients_reach_the_float32_weights()
    {
        using var generator = new Generator(1);
        var w = new Parameter(randn(4, 8, generator: generator));
        using var x = randn(5, 8, generator: generator);

        Bfloat16Matmul.Linear(x, w).square().sum().backward();

        Assert.Equal(ScalarType.Float32, w.grad!.dtype);
        using var expected = (2 * x.matmul(w.t())).t().matmul(x);           // d/dW ‖xWᵀ‖² = 2(xWᵀ)ᵀx
        Assert.True(((w.grad - expected).norm() / expected.norm()).item<float>() < 2e-2);
    }
}
