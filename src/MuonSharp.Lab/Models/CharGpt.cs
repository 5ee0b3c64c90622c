using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Models;

/// <summary>
/// A small character-level GPT in nanoGPT's layout and parameter names — <c>wte</c>, <c>wpe</c>,
/// <c>blocks.{i}.ln_1</c>, <c>attn.c_attn</c>, <c>attn.c_proj</c>, <c>ln_2</c>, <c>mlp.c_fc</c>,
/// <c>mlp.c_proj</c>, <c>ln_f</c>, <c>lm_head</c> (blocks: <see cref="TransformerBlock"/>, causal) — so <see cref="Optimizers.ParameterRouting.Default"/>
/// sends the block matrices to Muon and embeddings, head and gains to AdamW. Linear layers have no bias
/// (nanoGPT's <c>bias = False</c>). Input token ids <c>[batch, time]</c>, output logits <c>[batch, time, vocabulary]</c>.
/// </summary>
public sealed class CharGpt : nn.Module<Tensor, Tensor>
{
    private readonly Embedding wte, wpe;
    private readonly ModuleList<TransformerBlock> blocks;
    private readonly LayerNorm ln_f;
    private readonly Linear lm_head;
    private readonly int _context;

    /// <summary>Creates the model with TorchSharp's default initialization (drawn from the global generator).</summary>
    /// <param name="vocabulary">Number of token ids.</param>
    /// <param name="context">Longest sequence (rows of the position embedding).</param>
    /// <param name="width">Embedding width; a multiple of <paramref name="heads"/>.</param>
    /// <param name="layers">Transformer blocks.</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="bfloat16">The block matrices' products in bfloat16 (<see cref="Training.Bfloat16Matmul"/>; weights stay float32).</param>
    public CharGpt(int vocabulary = 128, int context = 64, int width = 128, int layers = 4, int heads = 4, bool bfloat16 = false) : base(nameof(CharGpt))
    {
        if (width % heads != 0) throw new ArgumentException($"width {width} is not a multiple of heads {heads}; choose e.g. width {heads * Math.Max(1, width / heads)}.", nameof(width));
        _context = context;
        wte = nn.Embedding(vocabulary, width);
        wpe = nn.Embedding(context, width);
        blocks = nn.ModuleList(Enumerable.Range(0, layers).Select(_ => new TransformerBlock(width, heads, causal: true, bfloat16)).ToArray());
        ln_f = nn.LayerNorm(width);
        lm_head = nn.Linear(width, vocabulary, hasBias: false);
        RegisterComponents();
    }

    /// <summary>
    /// Registers every block's attention (<c>blocks.{i}.attn</c>, q and k inside the fused <c>c_attn</c>) with
    /// <paramref name="clip"/>: each forward pass then reports its attention logits, and <c>clip.Apply()</c>
    /// after the optimizer step bounds them (QK-clip, Kimi K2). Returns the clip.
    /// </summary>
    /// <param name="clip">The QK-clip component.</param>
    public QkClip AttachQkClip(QkClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        for (int i = 0; i < blocks.Count; i++) blocks[i].AttachQkClip(clip, $"blocks.{i}.attn");
        return clip;
    }

    /// <summary>Logits <c>[batch, time, vocabulary]</c> of token ids <c>[batch, time]</c>, time ≤ context.</summary>
    /// <param name="tokens">The token ids (int64).</param>
    public override Tensor forward(Tensor tokens)
    {
        long time = tokens.shape[1];
        if (time > _context) throw new ArgumentException($"sequence length {time} exceeds the context {_context}.", nameof(tokens));
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();
        var positions = arange(time, dtype: ScalarType.Int64, device: tokens.device);
        var x = wte.call(tokens).add(wpe.call(positions), s[1]);    // [batch, time, width]
        foreach (var block in blocks) x = block.call(x);
        return lm_head.call(ln_f.call(x)).MoveToOuterDisposeScope();
    }
}
