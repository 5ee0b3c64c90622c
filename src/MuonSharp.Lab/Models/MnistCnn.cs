using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Models;

/// <summary>
/// The MNIST network of PyTorch's examples: conv 1→32 (3×3), ReLU, conv 32→64 (3×3), ReLU, 2×2 max-pool,
/// fc 9216→128, ReLU, fc 128→10. Input <c>[batch, 1, 28, 28]</c>, output logits <c>[batch, 10]</c>.
/// </summary>
public sealed class MnistCnn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2;
    private readonly Linear fc1, fc2;

    /// <summary>Creates the network with TorchSharp's default initialization (drawn from the global generator).</summary>
    /// <param name="dtype">The parameters' dtype.</param>
    public MnistCnn(ScalarType dtype = ScalarType.Float32) : base(nameof(MnistCnn))
    {
        conv1 = nn.Conv2d(1, 32, 3, dtype: dtype);
        conv2 = nn.Conv2d(32, 64, 3, dtype: dtype);
        fc1 = nn.Linear(9216, 128, dtype: dtype);    // 64 channels × 12 × 12 after the pool
        fc2 = nn.Linear(128, 10, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>Logits <c>[batch, 10]</c> of images <c>[batch, 1, 28, 28]</c>.</summary>
    /// <param name="images">The images.</param>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(conv1.call(images));          // [batch, 32, 26, 26]
        x = nn.functional.relu(conv2.call(x));                   // [batch, 64, 24, 24]
        x = nn.functional.max_pool2d(x, 2).flatten(1);           // [batch, 9216]
        x = nn.functional.relu(fc1.call(x));                     // [batch, 128]
        return fc2.call(x).MoveToOuterDisposeScope();
    }
}
