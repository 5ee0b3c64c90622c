using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.Imbalanced;

/// <summary>
/// A (deep) linear classifier without biases, logits = W_L ⋯ W_1 x (<c>001</c>: "linear and deep
/// linear models"). Depth 1 is the linear model W [C, d]; depth L ≥ 2 has W_1 [h, d],
/// L−2 layers [h, h] and W_L [C, h]. Every entry starts N(0, (scale/√fan_in)²): a small
/// initialization, the regime of the theory (<c>000 §3</c>, Vasudeva et al.).
/// </summary>
public sealed class LinearClassifier : IDisposable
{
    /// <summary>Builds the layers.</summary>
    /// <param name="depth">Number of weight matrices, ≥ 1.</param>
    /// <param name="inputs">d.</param>
    /// <param name="hidden">h (unused for depth 1).</param>
    /// <param name="classes">C.</param>
    /// <param name="initScale">Entries are N(0, (initScale/√fan_in)²).</param>
    /// <param name="generator">Seeded generator, consumed layer by layer from the input side.</param>
    public LinearClassifier(int depth, int inputs, int hidden, int classes, double initScale, Generator generator)
    {
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), depth, "Depth must be ≥ 1.");
        var widths = new[] { inputs }.Concat(Enumerable.Repeat(hidden, depth - 1)).Append(classes).ToArray();
        using var s = new HeldScalars();
        Layers = Enumerable.Range(0, depth)
            .Select(l => new Parameter(randn(widths[l + 1], widths[l], dtype: ScalarType.Float32, generator: generator)
                                       .mul(s[initScale / Math.Sqrt(widths[l])])))                               // [out, in]
            .ToArray();
    }

    /// <summary>W_1 … W_L, input side first, each [out, in].</summary>
    public Parameter[] Layers { get; }

    /// <summary>Every layer with a name (<c>layer1</c> …), each exactly once.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters() =>
        Layers.Select((p, l) => ($"layer{l + 1}", p));

    /// <summary>Logits [n, C] of inputs [n, d].</summary>
    /// <param name="x">Inputs [n, d].</param>
    public Tensor Forward(Tensor x)
    {
        var h = x;
        foreach (var w in Layers) h = h.matmul(w.t());
        return h;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var p in Layers) p.Dispose();
    }
}
