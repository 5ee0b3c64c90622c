using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;


namespace MuonSharp.Tests.Optimizers;

public sealed class ParameterRoutingTests
{
    private static (string, Parameter) P(string name, params long[] shape) => (name, new Parameter(zeros(shape)));

    private static Dictionary<string, Route> Routes(IEnumerable<RoutedParameter> routed) => routed.ToDictionary(r => r.Name, r => r.Route);

    [Fact]
    public void A_small_GPT_sends_hidden_matrices_to_Muon_and_embeddings_head_and_vectors_to_AdamW()
    {
        var gpt = new[]
        {
            P("wte.weight", 100, 16), P("wpe.weight", 32, 16),
            P("blocks.0.ln_1.weight", 16), P("blocks.0.attn.c_attn.weight", 48, 16), P("blocks.0.attn.c_attn.bias", 48),
            P("blocks.0.attn.c_proj.weight", 16, 16), P("blocks.0.mlp.c_fc.weight", 64, 16), P("blocks.0.mlp.c_proj.weight", 16, 64),
            P("ln_f.weight", 16), P("lm_head.weight", 100, 16),
        };

        var routes = Routes(ParameterRouting.Default().Assign(gpt));

        Assert.Equal(Route.AdamW, routes["wte.weight"]);
        Assert.Equal(Route.AdamW, routes["wpe.weight"]);
        Assert.Equal(Route.AdamW, routes["blocks.0.ln_1.weight"]);
        Assert.Equal(Route.AdamW, routes["blocks.0.attn.c_attn.bias"]);
        Assert.Equal(Route.AdamW, routes["lm_head.weight"]);
        Assert.Equal(Route.AdamW, routes["ln_f.weight"]);
        Assert.Equal(Route.Muon, routes["blocks.0.attn.c_attn.weight"]);
        Assert.Equal(Route.Muon, routes["blocks.0.attn.c_proj.weight"]);
        Assert.Equal(Route.Muon, routes["blocks.0.mlp.c_fc.weight"]);
        Assert.Equal(Route.Muon, routes["blocks.0.mlp.c_proj.weight"]);
    }

    [Fact]
    public void A_CNN_keeps_its_first_conv_layer_and_its_last_linear_layer_on_AdamW()
    {
        var model = nn.Sequential(
            ("conv1", nn.Conv2d(1, 8, 3)), ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(8, 16, 3)), ("relu2", nn.ReLU()), ("flatten", nn.Flatten()),
            ("fc1", nn.Linear(16 * 24 * 24, 32)), ("relu3", nn.ReLU()), ("fc2", nn.Linear(32, 10)));

        var routes = Routes(ParameterRouting.Default().Assign(model.named_parameters()));

        Assert.Equal(Route.AdamW, routes["conv1.weight"]);
        Assert.Equal(Route.Muon, routes["conv2.weight"]);
        Assert.Equal(Route.Muon, routes["fc1.weight"]);
        Assert.Equal(Route.AdamW, routes["fc2.weight"]);
        Assert.All(routes.Where(r => r.Key.EndsWith(".bias")), r => Assert.Equal(Route.AdamW, r.Value));
    }

    [Fact]
    public void Overrides_win_over_the_default_and_globs_match_across_dots()
    {
        var named = new[] { P("encoder.0.weight", 8, 8), P("encoder.1.weight", 8, 8), P("head.weight", 4, 8) };

        var routes = Routes(ParameterRouting.Default().AdamW("encoder.*").Muon("head.weight").Assign(named));

        Assert.Equal(Route.AdamW, routes["encoder.0.weight"]);
        Assert.Equal(Route.AdamW, routes["encoder.1.weight"]);
        Assert.Equal(Route.Muon, routes["head.weight"]);
    }

    [Fact]
    public void The_hybrid_prints_a_table_of_every_parameter_with_its_route_and_reason()
    {
        var named = new[] { P("emb.weight", 10, 4), P("hidden.weight", 4, 4), P("hidden.bias", 4), P("out.weight", 3, 4) };
        using var optimizer = Optim.MuonWithAuxAdamW(named);

        var table = optimizer.RoutingTable();

        Assert.Contains("hidden.weight", table);
        Assert.Matches(@"hidden\.weight\s+\[4, 4\]\s+Muon\s+hidden matrix", table);
        Assert.Matches(@"emb\.weight\s+\[10, 4\]\s+AdamW\s+embedding", table);
        Assert.Matches(@"hidden\.bias\s+\[4\]\s+AdamW\s+1-D", table);
        Assert.Matches(@"out\.weight\s+\[3, 4\]\s+AdamW\s+output head", table);
        Assert.Equal(4, optimizer.parameters().Count());
        Assert.Equal(2, optimizer.ParamGroups.Count());
    }
}
