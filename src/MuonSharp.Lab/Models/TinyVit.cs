using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Models;

/// <summary>
/// A small vision transformer for square grey images: non-overlapping patches flattened and projected
/// (<c>embedding</c>, with bias), plus a learned position embedding (<c>pos_emb</c>), pre-norm
/// <see cref="TransformerBlock"/>s without a causal mask, a final norm (<c>ln_f</c>), the mean over patches
/// and a linear <c>head</c>. The names let <see cref="Optimizers.ParameterRouting.Default"/> send the block
/// matrices to Muon and the patch embedding, position embedding, head and gains to AdamW, as for the GPT.
/// Input <c>[batch, side, side]</c> or <c>[batch, 1, side, side]</c>, output logits <c>[batch, classes]</c>.
/// </summary>
public sealed class TinyVit : nn.Module<Tensor, Tensor>
{
    /// <summary>Standard deviation of the position embedding at initialization (ViT's and nanoGPT's 0.02).</summary>
    private const double PositionInitStd = 0.02;

    private readonly Linear embedding;
    private readonly Parameter pos_emb;
    private readonly ModuleList<TransformerBlock> blocks;
    private readonly LayerNorm ln_f;
    private readonly Linear head;
    private readonly int _side, _patch;

    /// <summary>Creates the model with TorchSharp's default initialization (drawn from the global generator).</summary>
    /// <param name="side">Image side in pixels; a multiple of <paramref name="patch"/>.</param>
    /// <param name="patch">Patch side in pixels.</param>
    /// <param name="width">Token width; a multiple of <paramref name="heads"/>.</param>
    /// <param name="layers">Transformer blocks.</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="classes">Output classes.</param>
    public TinyVit(int side = 28, int patch = 7, int width = 128, int layers = 4, int heads = 4, int classes = 10) : base(nameof(TinyVit))
    {
        if (patch < 1 || side % patch != 0) throw new ArgumentException($"patch {patch} does not divide the image side {side}; choose e.g. 4 or 7 for 28.", nameof(patch));
        if (width % heads != 0) throw new ArgumentException($"width {width} is not a multiple of heads {heads}; choose e.g. width {heads * Math.Max(1, width / heads)}.", nameof(width));
        _side = side;
        _patch = patch;
        int patches = (side / patch) * (side / patch);
        embedding = nn.Linear(patch * patch, width);
        using (var std = PositionInitStd.ToScalar())
            pos_emb = new Parameter(randn(patches, width).mul_(std));   // [patches, width]
        blocks = nn.ModuleList(Enumerable.Range(0, layers).Select(_ => new TransformerBlock(width, heads, causal: false)).ToArray());
        ln_f = nn.LayerNorm(width);
        head = nn.Linear(width, classes);
        RegisterComponents();
    }

    /// <summary>Logits <c>[batch, classes]</c> of images <c>[batch, side, side]</c> (or with a channel axis of 1).</summary>
    /// <param name="images">Pixel values, float32.</param>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();
        long batch = images.shape[0], cells = _side / _patch;
        var patches = images.reshape(batch, cells, _patch, cells, _patch).permute(0, 1, 3, 2, 4)
            .reshape(batch, cells * cells, _patch * _patch);                                 // [batch, patches, patch²]
        var x = embedding.call(patches).add(pos_emb, s[1]);                                  // [batch, patches, width]
        foreach (var block in blocks) x = block.call(x);
        return head.call(ln_f.call(x).mean(new long[] { 1 })).MoveToOuterDisposeScope();   // [batch, classes]
    }
}
