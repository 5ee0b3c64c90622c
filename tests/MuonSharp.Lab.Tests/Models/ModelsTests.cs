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
    public void With_QK_clip_attached_the_char_GPT_reports_its_logits_and_after_a_clip_every_head_peaks_at_most_at_tau()
    {
        // τ far below the initial maxima, so every head is clipped. The same batch again peaks at τ in each head of
        // the first block (float32 weights: within 1e-4 relative); the second block's input changed with the first
        // block's weights, so its bound holds only for the inputs it was measured on — not asserted.
        const double tau = 1e-3;
        manual_seed(4);
        using var model = new CharGpt(vocabulary: 16, context: 8, width: 16, layers: 2, heads: 2);
        var clip = model.AttachQkClip(new QkClip(tau));
        using var tokens = randint(16, new long[] { 3, 8 }, dtype: ScalarType.Int64, generator: new Generator(5));
        using var before = model.call(tokens);
        var initial = new[] { "blocks.0.attn", "blocks.1.attn" }.SelectMany(n => clip.MaxLogits(n)!).ToArray();

        var clipped = clip.Apply();
        using var after = model.call(tokens);

        Assert.All(initial, m => Assert.True(m > tau, $"initial max logit {m} is not above τ"));
        Assert.Equal(4, clipped.Count);
        Assert.All(clip.MaxLogits("blocks.0.attn")!, m => Assert.Equal(tau, m, tau * 1e-4));
        Assert.False(before.allclose(after));
    }

    [Fact]
    public void Only_forward_passes_that_build_a_graph_report_to_QK_clip_so_evaluations_do_not_decide_the_next_clip()
    {
        manual_seed(4);
        using var model = new CharGpt(vocabulary: 16, context: 8, width: 16, layers: 1, heads: 2);
        var clip = model.AttachQkClip(new QkClip(1e-3));
        using var tokens = randint(16, new long[] { 3, 8 }, dtype: ScalarType.Int64, generator: new Generator(5));

        using (no_grad())
        using (model.call(tokens)) { }
        Assert.Null(clip.MaxLogits("blocks.0.attn"));
        Assert.Empty(clip.Apply());

        using (model.call(tokens)) { }
        Assert.NotNull(clip.MaxLogits("blocks.0.attn"));
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

    [Fact]
    public void The_tiny_ViT_maps_images_with_or_without_a_channel_axis_to_class_logits_and_only_block_matrices_go_to_Muon()
    {
        manual_seed(4);
        using var model = new TinyVit(side: 28, patch: 7, width: 32, layers: 2, heads: 4, classes: 10);
        using var images = rand(3, 28, 28);
        using var withChannel = images.unsqueeze(1);
        using var logits = model.call(images);
        using var same = model.call(withChannel);

        Assert.Equal(new long[] { 3, 10 }, logits.shape);
        Assert.True(logits.allclose(same));
        var shapes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal(new long[] { 32, 49 }, shapes["embedding.weight"]);
        Assert.Equal(new long[] { 16, 32 }, shapes["pos_emb"]);
        Assert.Equal(new long[] { 10, 32 }, shapes["head.weight"]);
        var routed = ParameterRouting.Default().Assign(model.named_parameters());
        var muon = routed.Where(r => r.Route == Route.Muon).Select(r => r.Name).ToList();
        Assert.All(muon, name => Assert.StartsWith("blocks.", name, StringComparison.Ordinal));
        Assert.Equal(2 * 4, muon.Count);
    }

    [Fact]
    public void The_tiny_ViT_sees_every_patch_a_change_in_the_last_patch_changes_the_logits_and_a_bad_patch_size_is_refused()
    {
        manual_seed(5);
        using var model = new TinyVit(side: 8, patch: 4, width: 16, layers: 1, heads: 2, classes: 3);
        using var a = zeros(1, 8, 8);
        using var b = a.clone();
        b[0, 7, 7] = tensor(1f);

        using var la = model.call(a);
        using var lb = model.call(b);

        Assert.False(la.allclose(lb));
        Assert.Throws<ArgumentException>(() => new TinyVit(side: 28, patch: 5));
    }

    [Fact]
    public void A_non_causal_block_lets_a_later_token_change_an_earlier_output_and_a_causal_one_does_not()
    {
        manual_seed(6);
        using var causal = new TransformerBlock(width: 8, heads: 2, causal: true);
        using var open = new TransformerBlock(width: 8, heads: 2, causal: false);
        using var x = randn(1, 4, 8);
        using var y = x.clone();
        y[0, 3] = randn(8);

        Assert.True(causal.call(x)[0, ..3].allclose(causal.call(y)[0, ..3]));
        Assert.False(open.call(x)[0, ..3].allclose(open.call(y)[0, ..3]));
    }

    [Fact]
    public void The_char_GPT_with_bfloat16_products_starts_from_the_same_weights_stays_close_and_its_block_inputs_stay_visible_to_the_monitor()
    {
        manual_seed(8);
        using var exact = new CharGpt(vocabulary: 16, context: 8, width: 32, layers: 1, heads: 2);
        manual_seed(8);
        using var rounded = new CharGpt(vocabulary: 16, context: 8, width: 32, layers: 1, heads: 2, bfloat16: true);
        using var tokens = tensor(new long[] { 1, 5, 3, 9, 2, 7 }).unsqueeze(0);
        using var monitor = MuonSharp.SpectralMonitor.Attach(rounded, every: 1);

        using var le = exact.call(tokens);
        using var lr = rounded.call(tokens);
        lr.sum().backward();
        monitor.Record(0);

        Assert.All(exact.named_parameters().Zip(rounded.named_parameters()), p => Assert.True(p.First.parameter.allclose(p.Second.parameter, rtol: 0, atol: 0), p.First.name));
        double relative = ((le - lr).norm() / le.norm()).item<float>();
        Assert.InRange(relative, 1e-6, 2e-2);   // rounded, within bfloat16's precision
        Assert.Contains(monitor.Rows, r => r.Layer == "blocks.0.mlp.c_proj.weight" && r.Metric == MuonSharp.SpectralMetrics.StableRankA);
    }
}
