using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Models;

/// <summary>
/// Pre-norm transformer block in nanoGPT's layout and names: x + attn(ln_1(x)), then x + mlp(ln_2(x)),
/// with <c>attn.c_attn</c> [3·width, width] (q, k, v fused), <c>attn.c_proj</c>, <c>mlp.c_fc</c> (4× wider,
/// GELU) and <c>mlp.c_proj</c>, all without bias (<see cref="MatrixLinear"/>, products optionally in bfloat16).
/// Causal for a language model (<see cref="CharGpt"/>), every token attending to every other for a vision
/// transformer (<see cref="TinyVit"/>). Input and output <c>[batch, time, width]</c>.
/// </summary>
internal sealed class TransformerBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln_1, ln_2;
    private readonly SelfAttention attn;
    private readonly Mlp mlp;

    /// <summary>Creates the block with TorchSharp's default initialization.</summary>
    /// <param name="width">Token width; a multiple of <paramref name="heads"/> (the caller checks).</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="causal">Token t attends to tokens ≤ t only.</param>
    /// <param name="bfloat16">The four matrices' products in bfloat16 (weights stay float32).</param>
    public TransformerBlock(int width, int heads, bool causal, bool bfloat16 = false) : base(nameof(TransformerBlock))
    {
        ln_1 = nn.LayerNorm(width);
        attn = new SelfAttention(width, heads, causal, bfloat16);
        ln_2 = nn.LayerNorm(width);
        mlp = new Mlp(width, bfloat16);
        RegisterComponents();
    }

    /// <summary>Registers this block's attention with <paramref name="clip"/> as <paramref name="name"/>; from then on each forward pass reports its logits.</summary>
    /// <param name="clip">The QK-clip component.</param>
    /// <param name="name">The attention's name, e.g. <c>blocks.0.attn</c>.</param>
    public void AttachQkClip(QkClip clip, string name) => attn.AttachQkClip(clip, name);

    public override Tensor forward(Tensor x)
    {
        using var s = new HeldScalars();   // held: an implicit temporary Scalar can be finalized while libtorch reads it
        var h = x.add(attn.call(ln_1.call(x)), s[1]);
        return h.add(mlp.call(ln_2.call(h)), s[1]);
    }

    /// <summary>Multi-head self-attention: one <c>c_attn</c> matrix for q, k, v; <c>c_proj</c> back.</summary>
    private sealed class SelfAttention : nn.Module<Tensor, Tensor>
    {
        private readonly MatrixLinear c_attn, c_proj;
        private readonly int _heads;
        private readonly bool _causal;
        private (QkClip Clip, string Name)? _qkClip;

        /// <summary>q is rows [0, width) of c_attn, k rows [width, 2·width), one block of width/heads rows per head.</summary>
        public void AttachQkClip(QkClip clip, string name)
        {
            long width = c_attn.Weight.shape[1];
            clip.Register(name, c_attn.Weight, c_attn.Weight, _heads, rows: width, queryOffset: 0, keyOffset: width);
            _qkClip = (clip, name);
        }

        public SelfAttention(int width, int heads, bool causal, bool bfloat16) : base(nameof(SelfAttention))
        {
            _heads = heads;
            _causal = causal;
            c_attn = new MatrixLinear(width, 3 * width, bfloat16);
            c_proj = new MatrixLinear(width, width, bfloat16);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            long batch = x.shape[0], time = x.shape[1], width = x.shape[2];
            var qkv = c_attn.call(x).split(width, 2);                                          // 3 × [batch, time, width]
            Tensor Heads(Tensor t) => t.view(batch, time, _heads, width / _heads).transpose(1, 2);   // [batch, heads, time, head]
            var (q, k) = (Heads(qkv[0]), Heads(qkv[1]));
            // Only passes that build a graph (training steps) report: evaluations and sampling under no_grad must not
            // decide which heads the next step clips.
            if (_qkClip is var (clip, name) && is_grad_enabled()) clip.Report(name, Logits(q, k));
            var y = nn.functional.scaled_dot_product_attention(q, k, Heads(qkv[2]), is_casual: _causal);
            return c_proj.call(y.transpose(1, 2).contiguous().view(batch, time, width));
        }

        /// <summary>
        /// The scores softmax sees inside scaled_dot_product_attention, q·kᵀ/√d with the future at −∞ when causal,
        /// [batch, heads, time, time]: computed again only for QK-clip (the fused kernel does not expose them).
        /// </summary>
        private Tensor Logits(Tensor q, Tensor k)
        {
            using var _ = no_grad();
            using var s = new HeldScalars();
            var logits = q.matmul(k.transpose(-2, -1)).div(s[Math.Sqrt(q.shape[^1])]);
            if (!_causal) return logits;
            using var future = ones(q.shape[2], q.shape[2], dtype: ScalarType.Bool, device: q.device).triu(1);
            return logits.masked_fill(future, s[double.NegativeInfinity]);
        }
    }

    /// <summary>width → 4·width, GELU, → width.</summary>
    private sealed class Mlp : nn.Module<Tensor, Tensor>
    {
        private readonly MatrixLinear c_fc, c_proj;

        public Mlp(int width, bool bfloat16) : base(nameof(Mlp))
        {
            c_fc = new MatrixLinear(width, 4 * width, bfloat16);
            c_proj = new MatrixLinear(4 * width, width, bfloat16);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => c_proj.call(nn.functional.gelu(c_fc.call(x)));
    }
}
