using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Models;

/// <summary>
/// A small character-level GPT in nanoGPT's layout and parameter names — <c>wte</c>, <c>wpe</c>,
/// <c>blocks.{i}.ln_1</c>, <c>attn.c_attn</c>, <c>attn.c_proj</c>, <c>ln_2</c>, <c>mlp.c_fc</c>,
/// <c>mlp.c_proj</c>, <c>ln_f</c>, <c>lm_head</c> — so <see cref="Optimizers.ParameterRouting.Default"/>
/// sends the block matrices to Muon and embeddings, head and gains to AdamW. Linear layers have no bias
/// (nanoGPT's <c>bias = False</c>). Input token ids <c>[batch, time]</c>, output logits <c>[batch, time, vocabulary]</c>.
/// </summary>
public sealed class CharGpt : nn.Module<Tensor, Tensor>
{
    private readonly Embedding wte, wpe;
    private readonly ModuleList<Block> blocks;
    private readonly LayerNorm ln_f;
    private readonly Linear lm_head;
    private readonly int _context;

    /// <summary>Creates the model with TorchSharp's default initialization (drawn from the global generator).</summary>
    /// <param name="vocabulary">Number of token ids.</param>
    /// <param name="context">Longest sequence (rows of the position embedding).</param>
    /// <param name="width">Embedding width; a multiple of <paramref name="heads"/>.</param>
    /// <param name="layers">Transformer blocks.</param>
    /// <param name="heads">Attention heads.</param>
    public CharGpt(int vocabulary = 128, int context = 64, int width = 128, int layers = 4, int heads = 4) : base(nameof(CharGpt))
    {
        if (width % heads != 0) throw new ArgumentException($"width {width} is not a multiple of heads {heads}; choose e.g. width {heads * Math.Max(1, width / heads)}.", nameof(width));
        _context = context;
        wte = nn.Embedding(vocabulary, width);
        wpe = nn.Embedding(context, width);
        blocks = nn.ModuleList(Enumerable.Range(0, layers).Select(_ => new Block(width, heads)).ToArray());
        ln_f = nn.LayerNorm(width);
        lm_head = nn.Linear(width, vocabulary, hasBias: false);
        RegisterComponents();
    }

    /// <summary>Logits <c>[batch, time, vocabulary]</c> of token ids <c>[batch, time]</c>, time ≤ context.</summary>
    /// <param name="tokens">The token ids (int64).</param>
    public override Tensor forward(Tensor tokens)
    {
        long time = tokens.shape[1];
        if (time > _context) throw new ArgumentException($"sequence length {time} exceeds the context {_context}.", nameof(tokens));
        using var scope = NewDisposeScope();
        var positions = arange(time, dtype: ScalarType.Int64, device: tokens.device);
        var x = wte.call(tokens).add(wpe.call(positions), 1);    // [batch, time, width]
        foreach (var block in blocks) x = block.call(x);
        return lm_head.call(ln_f.call(x)).MoveToOuterDisposeScope();
    }

    /// <summary>Pre-norm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
    private sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly LayerNorm ln_1, ln_2;
        private readonly CausalSelfAttention attn;
        private readonly Mlp mlp;

        public Block(int width, int heads) : base(nameof(Block))
        {
            ln_1 = nn.LayerNorm(width);
            attn = new CausalSelfAttention(width, heads);
            ln_2 = nn.LayerNorm(width);
            mlp = new Mlp(width);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var h = x.add(attn.call(ln_1.call(x)), 1);
            return h.add(mlp.call(ln_2.call(h)), 1);
        }
    }

    /// <summary>Multi-head causal self-attention: one <c>c_attn</c> matrix [3·width, width] for q, k, v; <c>c_proj</c> back.</summary>
    private sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>
    {
        private readonly Linear c_attn, c_proj;
        private readonly int _heads;

        public CausalSelfAttention(int width, int heads) : base(nameof(CausalSelfAttention))
        {
            _heads = heads;
            c_attn = nn.Linear(width, 3 * width, hasBias: false);
            c_proj = nn.Linear(width, width, hasBias: false);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            long batch = x.shape[0], time = x.shape[1], width = x.shape[2];
            var qkv = c_attn.call(x).split(width, 2);                                          // 3 × [batch, time, width]
            Tensor Heads(Tensor t) => t.view(batch, time, _heads, width / _heads).transpose(1, 2);   // [batch, heads, time, head]
            var y = nn.functional.scaled_dot_product_attention(Heads(qkv[0]), Heads(qkv[1]), Heads(qkv[2]), is_casual: true);
            return c_proj.call(y.transpose(1, 2).contiguous().view(batch, time, width));
        }
    }

    /// <summary>width → 4·width, GELU, → width.</summary>
    private sealed class Mlp : nn.Module<Tensor, Tensor>
    {
        private readonly Linear c_fc, c_proj;

        public Mlp(int width) : base(nameof(Mlp))
        {
            c_fc = nn.Linear(width, 4 * width, hasBias: false);
            c_proj = nn.Linear(4 * width, width, hasBias: false);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => c_proj.call(nn.functional.gelu(c_fc.call(x)));
    }
}
