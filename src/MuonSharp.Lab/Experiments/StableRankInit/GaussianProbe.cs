using MuonSharp.Lab.Training;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.StableRankInit;

/// <summary>
/// Gaussian inputs and Gaussian-initialized layers (004 §5.1), all in float64: post-activation matrices
/// σ(WX) across widths, and the per-layer post-activations of Fig. 1's network.
/// </summary>
/// <remarks>
/// Every draw has its own seed stream (<see cref="SeedStreams"/>) so adding a width or an activation never
/// changes the other numbers; activations share the same weights (common random numbers, so their
/// differences are not sampling noise). Streams: <c>inputs</c>, <c>depth-probe</c>, <c>width{w}</c>.
/// </remarks>
internal static class GaussianProbe
{
    /// <summary>X with iid N(0, 1) entries, <c>[d, n]</c> (004 §5; papers README).</summary>
    /// <param name="inputDim">d.</param>
    /// <param name="samples">n.</param>
    /// <param name="seed">Run seed.</param>
    public static Tensor Inputs(int inputDim, int samples, int seed)
    {
        using var generator = SeedStreams.Generator(seed, "inputs");
        return randn(inputDim, samples, ScalarType.Float64, generator: generator);
    }

    /// <summary>
    /// A Gaussian layer with N(0, 1/fan_in) entries (LeCun init), <c>[rows, fanIn]</c>: pre-activations of
    /// Gaussian inputs are then about N(0, 1). Stable rank does not depend on this scale for the
    /// homogeneous |t|, ReLU and ReLU²; it does for GELU.
    /// </summary>
    /// <param name="rows">Output width.</param>
    /// <param name="fanIn">Input width.</param>
    /// <param name="generator">The stream to draw from.</param>
    public static Tensor Layer(long rows, long fanIn, Generator generator)
    {
        using var s = new HeldScalars();
        return randn(new[] { rows, fanIn }, ScalarType.Float64, generator: generator).div_(s[Math.Sqrt(fanIn)]);
    }

    /// <summary>The width-w layer's weights of one seed, <c>[w, d]</c>.</summary>
    /// <param name="width">w.</param>
    /// <param name="inputDim">d.</param>
    /// <param name="seed">Run seed.</param>
    public static Tensor WidthLayer(int width, int inputDim, int seed)
    {
        using var generator = SeedStreams.Generator(seed, $"width{width}");
        return Layer(width, inputDim, generator);
    }

    /// <summary>
    /// Stable ranks through Fig. 1's network d → h → … → h → 1 (h = multiplier·d): entry 0 is st(X), entry
    /// ℓ ≥ 1 is st of the ℓ-th hidden post-activation σ(W_ℓ h_{ℓ−1}), <c>[h, n]</c>. The last layer h → 1
    /// has no activation and does not change the hidden ones, so it is not drawn.
    /// </summary>
    /// <param name="activation">σ.</param>
    /// <param name="x">Inputs, <c>[d, n]</c>.</param>
    /// <param name="hidden">h.</param>
    /// <param name="layers">Hidden layers.</param>
    /// <param name="seed">Run seed (stream <c>depth-probe</c>: the same weights for every activation).</param>
    public static IReadOnlyList<double> LayerStableRanks(Activation activation, Tensor x, int hidden, int layers, int seed)
    {
        using var generator = SeedStreams.Generator(seed, "depth-probe");
        using var scope = NewDisposeScope();
        var ranks = new List<double> { Spectral.StableRank(x) };
        var h = x;
        for (int l = 1; l <= layers; l++)
        {
            h = activation.Apply(Layer(hidden, h.shape[0], generator).matmul(h)); // [hidden, n]
            ranks.Add(Spectral.StableRank(h));
        }
        return ranks;
    }
}
