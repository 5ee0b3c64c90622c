using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static MuonSharp.Tests.Optimizers.OptimizerTestKit;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers;

public sealed class HyperparameterOptionsTests
{
    [Fact]
    public void Unset_values_come_from_the_group_then_the_optimizers_defaults_then_the_declarations()
    {
        using var scope = NewDisposeScope();
        var (a, b) = (new Parameter(zeros(3, 3)), new Parameter(zeros(3, 3)));
        var own = new Muon.ParamGroup(new[] { a }, new Muon.Options { momentum = 0.5 });
        var inherited = new Muon.ParamGroup(new[] { b });

        using var optimizer = new Muon(new[] { own, inherited }, new Muon.Options { ns_steps = 3 });

        Assert.Equal((0.5, 3, Muon.DefaultLearningRate), (own.Options.momentum!.Value, own.Options.ns_steps!.Value, own.LearningRate));
        Assert.Equal((Muon.DefaultMomentum, 3), (inherited.Options.momentum!.Value, inherited.Options.ns_steps!.Value));
        Assert.Equal((Muon.DefaultNsDtype, Muon.DefaultNsMethod), (inherited.Options.ns_dtype!.Value, inherited.Options.ns_method!.Value));
        Assert.Equal(Muon.DefaultLearningRate, own.InitialLearningRate);
    }

    [Fact]
    public void An_optimizer_without_a_default_learning_rate_needs_one()
    {
        using var scope = NewDisposeScope();
        var group = new SpectralGD.ParamGroup(new[] { new Parameter(zeros(3, 3)) });

        var error = Assert.Throws<ArgumentException>(() => new SpectralGD(new[] { group }, new SpectralGD.Options()));

        Assert.Equal("lr", error.ParamName);
        Assert.Contains("lr is not set", error.Message);
    }

    [Fact]
    public void Every_optimizers_options_declare_their_hyperparameters_with_valid_defaults()
    {
        // Reading the declarations checks them (nullable double, int, bool or enum; default of that type);
        // the declared defaults must pass the declared rules.
        foreach (var type in new[] { typeof(Muon.Options), typeof(SpectralGD.Options), typeof(NormMatchedGD.Options), typeof(Lion.Options), typeof(Shampoo.Options), typeof(AuxAdamW.Options) })
        {
            var declarations = HyperparameterDeclaration.Of(type);

            Assert.Equal("lr", declarations[0].Name);
            foreach (var declared in declarations.Where(d => d.Default is not null)) declared.Check(declared.Default);
        }
        Assert.Equal(new[] { "lr", "momentum", "nesterov", "weight_decay", "ns_steps", "adjust_lr", "ns_dtype", "ns_method", "cautious_wd", "normuon", "normuon_beta2", "polar_express_lower_bound" },
            HyperparameterDeclaration.Of(typeof(Muon.Options)).Select(d => d.Name));
        // Those added after states were first saved say so, so that older states still load.
        Assert.Equal(new[] { "cautious_wd", "normuon", "normuon_beta2", "polar_express_lower_bound" },
            HyperparameterDeclaration.Of(typeof(Muon.Options)).Where(d => d.AbsentInOlderStates).Select(d => d.Name));
    }

    [Fact]
    public void Copying_options_copies_every_declared_value_and_the_learning_rates()
    {
        var source = new Shampoo.Options { LearningRate = 0.3, InitialLearningRate = 0.5, momentum = 0.1, grafting = Optim.Grafting.AdaGrad, max_preconditioner_dim = 7 };
        var copy = new Shampoo.Options();

        copy.LoadStateDict(source);

        Assert.Equal((0.3, 0.5, 0.1, Optim.Grafting.AdaGrad, 7), (copy.LearningRate!.Value, copy.InitialLearningRate, copy.momentum!.Value, copy.grafting!.Value, copy.max_preconditioner_dim!.Value));
        Assert.Null(copy.beta2);
    }

    /// <summary>Muon over one matrix, and its saved state to tamper with.</summary>
    private static (Muon Optimizer, byte[] Saved) MuonAndItsState()
    {
        var optimizer = Optim.Muon(new[] { ("w", new Parameter(randn(4, 6))) });
        return (optimizer, SaveState(optimizer));
    }

    [Fact]
    public void A_saved_state_with_a_hyperparameter_this_optimizer_does_not_have_is_refused_by_name()
    {
        using var scope = NewDisposeScope();
        var (optimizer, saved) = MuonAndItsState();
        int at = saved.AsSpan().IndexOf("momentum"u8);
        "momentux"u8.CopyTo(saved.AsSpan(at));

        var error = Assert.Throws<InvalidDataException>(() => LoadState(optimizer, saved));

        Assert.Contains("'momentux' that Muon does not have", error.Message);
    }

    [Fact]
    public void A_state_in_format_1_from_before_hyperparameters_were_saved_by_name_is_refused_with_both_versions()
    {
        using var scope = NewDisposeScope();
        var (optimizer, saved) = MuonAndItsState();
        BitConverter.GetBytes(1).CopyTo(saved, saved.AsSpan().IndexOf("MUONSHRP"u8) + 8);

        var error = Assert.Throws<InvalidDataException>(() => LoadState(optimizer, saved));

        Assert.Contains("format 1; this version of MuonSharp reads format 2", error.Message);
        Assert.Contains("fresh optimizer", error.Message);
    }

    [Fact]
    public void Each_Shampoo_group_lays_out_its_blocks_with_its_own_max_preconditioner_dim()
    {
        // State creation sees the group's options: a [4, 4] matrix is 4 blocks of 2×2 in a group with
        // max_preconditioner_dim 2, and one block in a group with the default.
        using var scope = NewDisposeScope();
        var (small, large) = (new Parameter(zeros(4, 4)), new Parameter(zeros(4, 4)));

        using var optimizer = Optim.Shampoo(new[]
        {
            new Shampoo.ParamGroup(new[] { small }, new Shampoo.Options { max_preconditioner_dim = 2 }),
            new Shampoo.ParamGroup(new[] { large }),
        });

        Assert.Equal(4, optimizer.StateOf(small).Blocks!.Count);
        Assert.Single(optimizer.StateOf(large).Blocks!);
    }
}
