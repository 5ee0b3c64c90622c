using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Models;

/// <summary>Where <see cref="MnistCnn"/> puts its 2×2 max-pool, which fixes the width of <c>fc1</c>.</summary>
public enum MnistCnnLayout
{
    /// <summary>PyTorch's MNIST example: conv, conv, pool — 28 → 26 → 24 → 12, so fc1 sees 64·12·12 = 9216.</summary>
    PoolAfterConvolutions,

    /// <summary><c>000</c> App. C.3: conv, pool, conv, no padding — 28 → 26 → 13 → 11, so fc1 sees 64·11·11 = 7744.</summary>
    PoolBetweenConvolutions,
}

/// <summary>
/// The small MNIST network: conv 1→32 (3×3), ReLU, conv 32→64 (3×3), ReLU, one 2×2 max-pool placed by
/// the <see cref="MnistCnnLayout"/>, fc → 128, ReLU, fc 128→classes (10 unless said). Input <c>[batch, 1, 28, 28]</c>,
/// output logits <c>[batch, classes]</c>; the 128 post-ReLU activations before the head are its <see cref="Features"/>. Parameter names <c>conv1</c>, <c>conv2</c>, <c>fc1</c>, <c>fc2</c>: the hybrid's
/// default routing sends conv2 and fc1 to Muon, conv1 (sees the raw pixels) and fc2 (the head) to AdamW.
/// </summary>
public sealed class MnistCnn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2;
    private readonly Linear fc1, fc2;
    private readonly MnistCnnLayout _layout;

    /// <summary>Creates the network with TorchSharp's default initialization (drawn from the global generator).</summary>
    /// <param name="dtype">The parameters' dtype.</param>
    /// <param name="layout">Where the max-pool goes (default: PyTorch's example).</param>
    /// <param name="classes">Width of the head (default 10, MNIST's digits).</param>
    public MnistCnn(ScalarType dtype = ScalarType.Float32, MnistCnnLayout layout = MnistCnnLayout.PoolAfterConvolutions, int classes = 10) : base(nameof(MnistCnn))
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least 2 classes.");
        _layout = layout;
        conv1 = nn.Conv2d(1, 32, 3, dtype: dtype);
        conv2 = nn.Conv2d(32, 64, 3, dtype: dtype);
        fc1 = nn.Linear(FlattenedWidth(layout), FeatureWidth, dtype: dtype);
        fc2 = nn.Linear(FeatureWidth, classes, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>Name of the head, the last linear layer (its parameters are <c>fc2.weight</c> and <c>fc2.bias</c>).</summary>
    public const string HeadName = "fc2";

    /// <summary>Where the max-pool is.</summary>
    public MnistCnnLayout Layout => _layout;

    /// <summary>Width of the penultimate layer, the <see cref="Features"/> the head reads.</summary>
    public const int FeatureWidth = 128;

    /// <summary>What fc1 sees: 64 channels times the side left after the convolutions and the pool.</summary>
    /// <param name="layout">The layout.</param>
    public static int FlattenedWidth(MnistCnnLayout layout) => layout switch
    {
        MnistCnnLayout.PoolAfterConvolutions => 64 * 12 * 12,
        MnistCnnLayout.PoolBetweenConvolutions => 64 * 11 * 11,
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown layout."),
    };

    /// <summary>
    /// Draws every weight from N(0, <paramref name="std"/>²) with <paramref name="generator"/> and sets every
    /// bias to 0 — the small Gaussian initialization of <c>000</c> App. C.3 (std 0.01), where the weights
    /// start near the saddle at zero as in the paper's theory.
    /// </summary>
    /// <param name="std">Standard deviation of the weights (&gt; 0).</param>
    /// <param name="generator">Where the draws come from.</param>
    public void InitializeGaussian(double std, Generator generator)
    {
        if (!(std > 0)) throw new ArgumentOutOfRangeException(nameof(std), std, "The weights' standard deviation must be > 0.");
        using var noGrad = no_grad();
        using var s = new HeldScalars();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal)) { parameter.zero_(); continue; }
            // Drawn with randn: TorchSharp's nn.init.normal_ leaves the generator unused (measured: two equal generators gave different weights).
            using var draw = randn(parameter.shape, dtype: parameter.dtype, generator: generator);
            parameter.copy_(draw.mul_(s[std]));
        }
    }

    /// <summary>Logits <c>[batch, classes]</c> of images <c>[batch, 1, 28, 28]</c>.</summary>
    /// <param name="images">The images.</param>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        return fc2.call(Features(images)).MoveToOuterDisposeScope();
    }

    /// <summary>The penultimate activations <c>[batch, 128]</c> (after fc1's ReLU) of images <c>[batch, 1, 28, 28]</c>: what the head, or a linear probe, reads.</summary>
    /// <param name="images">The images.</param>
    public Tensor Features(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(conv1.call(images));              // [batch, 32, 26, 26]
        if (_layout == MnistCnnLayout.PoolBetweenConvolutions)
            x = nn.functional.max_pool2d(x, 2);                      // [batch, 32, 13, 13]
        x = nn.functional.relu(conv2.call(x));                       // [batch, 64, 11, 11] or [batch, 64, 24, 24]
        if (_layout == MnistCnnLayout.PoolAfterConvolutions)
            x = nn.functional.max_pool2d(x, 2);                      // [batch, 64, 12, 12]
        return nn.functional.relu(fc1.call(x.flatten(1))).MoveToOuterDisposeScope();   // [batch, 128]
    }
}
