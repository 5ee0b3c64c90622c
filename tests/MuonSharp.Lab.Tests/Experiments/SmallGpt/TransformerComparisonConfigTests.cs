using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Experiments.SmallGpt;
using MuonSharp.Lab.Models;
using MuonSharp.Lab.Training;
using MuonSharp.Optimizers;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.SmallGpt;

/// <summary><c>qkv_layout</c>: how Muon orthogonalizes the fused q, k, v matrix of the transformers' blocks.</summary>
public sealed class TransformerComparisonConfigTests
{
    [Theory]
    [InlineData("fused", null)]
    [InlineData("split", "split into rows [16, 16, 16]")]
    [InlineData("heads", "6 heads")]
    public void The_qkv_layout_reaches_the_hybrid_for_every_blocks_fused_matrix_and_nothing_else(string layout, string? expected)
    {
        var config = (SmallGptConfig)ConfigOverrides.Apply(new SmallGptConfig { Width = 16, Heads = 2, Layers = 2 }, new[] { "qkv_layout=" + layout });
        manual_seed(1);
        using var model = new CharGpt(vocabulary: 12, context: 8, width: 16, layers: 2, heads: 2);

        using var muon = (MuonWithAuxAdamW)OptimizerTable.Create("muon", model.named_parameters().Select(p => (p.name, p.parameter)), config,
            new OptimizerOverrides { Layouts = config.MuonLayouts() });

        var lines = muon.RoutingTable().Split('\n');
        if (expected is null)
        {
            Assert.Null(config.MuonLayouts());
            return;
        }
        Assert.Equal(2, lines.Count(l => l.Contains(expected, StringComparison.Ordinal)));
        Assert.All(lines.Where(l => l.Contains(expected, StringComparison.Ordinal)), l => Assert.Contains("attn.c_attn.weight", l));
    }

    [Fact]
    public void The_fused_default_is_left_out_of_config_json_and_an_unknown_layout_is_refused_naming_the_accepted_ones()
    {
        string json = System.Text.Json.JsonSerializer.Serialize(new SmallGptConfig(), ConfigOverrides.Json);
        var error = Assert.Throws<LabUserException>(() => ConfigOverrides.Apply(new SmallGptConfig(), new[] { "qkv_layout=rows" }));

        Assert.DoesNotContain("qkv_layout", json);
        Assert.Contains("'qkv_layout' expects one of fused, split, heads", error.Message);
    }
}
