using MuonSharp.Lab.Models;
using MuonSharp.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Models;

public sealed class ModelsTests
{
    [Fact]
    public void The_char_GPT_has_nanoGPT_names_and_the_default_routing_sends_only_block_matrices_to_Muon()
    {
        using var model = new CharGpt(vocabulary: 32, context: 16, width: 32, layers: 2, heads: 4);
        using var tokens = zeros(new long[] { 3, 10 }, dtype: ScalarType.Int64);
        using var logits = model.call(tokens);

        Assert.Equal(new long[] { 3, 10, 32 }, logits.shape);
        var names = model.named_parameters().Select(p => p.name).ToHashSet();
        foreach (var expected in new[] { "wte.weight", "wpe.weight", "blocks.0.ln_1.weight", "blocks.1.attn.c_attn.weight",
                     "blocks.1.attn.c_proj.weight", "blocks.0.ln_2.weight", "blocks.0.mlp.c_fc.weight", "blocks.0.mlp.c_proj.weight",
                     "ln_f.weight", "lm_head.weight" })
            Assert.Contains(expected, names);
        var muon = ParameterRouting.Default().Assign(model.named_parameters()).Where(r => r.Route == Route.Muon).Select(r => r.Name);
        Assert.All(muon, name => Assert.StartsWith("blocks.", name, StringComparison.Ordinal));
        Assert.Equal(2 * 4, muon.Count());
    }

    [Fact]
    public void The_char_GPT_is_causal_a_later_token_does_not_change_earlier_logits()
    {
        manual_seed(3);
        using var model = new CharGpt(vocabulary: 16, context: 8, width: 16, layers: 1, heads: 2);
        using var a = tensor(new long[] { 1, 2, 3, 4 }).unsqueeze(0);
        using var b = tensor(new long[] { 1, 2, 3, 9 }).unsqueeze(0);
        using var la = model.call(a);
        using var lb = model.call(b);

        Assert.True(la[0, ..3].allclose(lb[0, ..3]));
        Assert.False(la[0, 3].allclose(lb[0, 3]));
    }
}
