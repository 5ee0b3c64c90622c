using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Training;
using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Training;

/// <summary>A config with a learning rate for every canonical optimizer and a few optional keys.</summary>
public sealed record TableConfig : ExperimentConfig
{
    public double SgdLr { get; init; } = 0.1;
    public double GdLr { get; init; } = 0.1;
    public double AdamwLr { get; init; } = 1e-2;
    public double AdamLr { get; init; } = 1e-2;
    public double MuonLr { get; init; } = 0.02;
    public double MuonMomentum { get; init; } = 0.5;
    public double MuonWeightDecay { get; init; }
    public double LionWeightDecay { get; init; }
    public double NormuonLr { get; init; } = 0.02;
    public double SpectralGdLr { get; init; } = 0.02;
    public double NormalizedGdLr { get; init; } = 0.1;
    public double NormMatchedGdLr { get; init; } = 0.02;
    public double ShampooLr { get; init; } = 1e-2;
    public double LionLr { get; init; } = 1e-3;
}

public sealed class OptimizerTableTests
{
    private static (string, Parameter)[] Matrices(int seed)
    {
        using var generator = new Generator((ulong)seed);
        return new[] { ("hidden.weight", new Parameter(randn(6, 5, generator: generator))), ("head.weight", new Parameter(randn(3, 6, generator: generator))) };
    }

    private static Tensor Loss(IReadOnlyList<(string Name, Parameter Parameter)> parameters, Tensor x) =>
        parameters.Aggregate(x, (h, p) => p.Parameter.dim() == 2 ? h.matmul(p.Parameter.t()) : h + p.Parameter).square().mean();

    [Fact]
    public void The_canonical_names_are_the_ones_the_lab_uses_everywhere()
    {
        Assert.Equal(new[] { "sgd", "gd", "adamw", "adam", "muon", "normuon", "spectral-gd", "normalized-gd", "norm-matched-gd", "shampoo", "lion" }, OptimizerTable.Names);
        Assert.All(OptimizerTable.All, s => Assert.Equal(OptimizerTable.LrKey(s.Name), s.Keys[0].Key));
        Assert.Equal("norm_matched_gd_lr", OptimizerTable.LrKey("norm-matched-gd"));
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("gd")]
    [InlineData("adamw")]
    [InlineData("adam")]
    [InlineData("muon")]
    [InlineData("normuon")]
    [InlineData("spectral-gd")]
    [InlineData("normalized-gd")]
    [InlineData("norm-matched-gd")]
    [InlineData("shampoo")]
    [InlineData("lion")]
    public void Every_canonical_name_builds_on_a_small_model_and_its_first_step_lowers_the_loss(string name)
    {
        var parameters = Matrices(1);
        using var x = randn(16, 5, generator: new Generator(2));
        using var optimizer = OptimizerTable.Create(name, parameters, new TableConfig());

        double before = Loss(parameters, x).item<float>();
        optimizer.zero_grad();
        Loss(parameters, x).backward();
        optimizer.step();

        Assert.True(Loss(parameters, x).item<float>() < before, $"{name}: the loss did not fall");
    }

    [Fact]
    public void An_unknown_name_is_a_user_error_naming_the_known_ones()
    {
        var error = Assert.Throws<LabUserException>(() => OptimizerTable.Create("sophia", Matrices(1), new TableConfig()));

        Assert.Contains("'sophia'", error.Message);
        foreach (var name in OptimizerTable.Names) Assert.Contains(name, error.Message);
    }

    [Fact]
    public void A_config_without_the_learning_rate_key_is_a_user_error_naming_the_key_unless_the_caller_gives_one()
    {
        var config = new TestConfig();

        var error = Assert.Throws<LabUserException>(() => OptimizerTable.Create("lion", Matrices(1), config));
        using var given = OptimizerTable.Create("lion", Matrices(1), config, new OptimizerOverrides { Lr = 1e-3 });

        Assert.Contains("lion_lr", error.Message);
        Assert.Equal(1e-3, given.ParamGroups.Single().LearningRate);
    }

    [Fact]
    public void Optional_keys_come_from_the_config_when_it_has_them_and_from_the_table_otherwise()
    {
        using var fromConfig = (MuonSharp.Optimizers.Muon)OptimizerTable.Create("muon", Matrices(1), new TableConfig());
        using var fromTable = (MuonSharp.Optimizers.Muon)OptimizerTable.Create("muon", Matrices(1), new TestConfig(), new OptimizerOverrides { Lr = 0.02 });

        Assert.Equal(0.5, fromConfig.Momentum);
        Assert.Equal(0.95, fromTable.Momentum);
    }

    private sealed record Beta2Config : ExperimentConfig
    {
        public double AdamwLr { get; init; } = 1e-2;
        public double MuonLr { get; init; } = 0.02;
        public double AdamwBeta2 { get; init; } = 0.5;
    }

    /// <summary>A bias after the hidden matrix (in the order the loss applies them), so the hybrid sends it to AdamW.</summary>
    private static (string, Parameter)[] WithBias((string, Parameter)[] matrices) =>
        new[] { matrices[0], ("hidden.bias", new Parameter(zeros(6))), matrices[1] };

    /// <summary>Three steps on the same loss; the parameters afterwards.</summary>
    private static double[] AfterSteps(IReadOnlyList<(string Name, Parameter Parameter)> parameters, OptimizerHelper optimizer)
    {
        using var x = randn(16, 5, generator: new Generator(2));
        for (int i = 0; i < 3; i++)
        {
            optimizer.zero_grad();
            using var loss = Loss(parameters, x);
            loss.backward();
            optimizer.step();
        }
        return parameters.SelectMany(p => p.Parameter.detach().data<float>().Select(v => (double)v)).ToArray();
    }

    [Fact]
    public void The_adamw_beta2_key_reaches_adamw_and_the_hybrids_adamw_part()
    {
        var table = Matrices(1);
        var direct = Matrices(1);
        using var fromTable = OptimizerTable.Create("adamw", table, new Beta2Config());
        using var torchAdamW = optim.AdamW(direct.Select(p => p.Item2), 1e-2, beta2: 0.5, weight_decay: 0.01);   // the table's default decay
        Assert.Equal(AfterSteps(direct, torchAdamW), AfterSteps(table, fromTable));

        var hybridTable = WithBias(Matrices(3));
        var hybridDirect = WithBias(Matrices(3));
        using var hybridFromTable = OptimizerTable.Create("muon", hybridTable, new Beta2Config { AdamwLr = 3e-4 });
        using var library = Optim.MuonWithAuxAdamW(hybridDirect, 0.02, adamw_lr: 3e-4, adamw_betas: (0.9, 0.5));
        Assert.Equal(AfterSteps(hybridDirect, library), AfterSteps(hybridTable, hybridFromTable));
    }

    [Fact]
    public void Muon_on_matrices_only_is_newton_schulz_muon_on_every_matrix()
    {
        var log = new List<string>();

        using var optimizer = OptimizerTable.Create("muon", Matrices(1), new TableConfig(), log: log.Add);

        Assert.IsType<MuonSharp.Optimizers.Muon>(optimizer);
        Assert.Equal(2, optimizer.parameters().Count());
        Assert.Empty(log);
    }

    [Fact]
    public void Muon_on_a_network_with_biases_is_the_hybrid_and_writes_its_routing_table_to_the_log()
    {
        var parameters = Matrices(1).Append(("hidden.bias", new Parameter(zeros(6)))).ToArray();
        var log = new List<string>();

        using var optimizer = OptimizerTable.Create("muon", parameters, new TableConfig(), log: log.Add);

        var hybrid = Assert.IsType<MuonWithAuxAdamW>(optimizer);
        Assert.Equal(Route.Muon, hybrid.Assignments.Single(a => a.Name == "hidden.weight").Route);
        Assert.Equal(Route.AdamW, hybrid.Assignments.Single(a => a.Name == "hidden.bias").Route);
        Assert.Equal(Route.AdamW, hybrid.Assignments.Single(a => a.Name == "head.weight").Route);
        var table = Assert.Single(log);
        Assert.Contains("hidden.bias", table);
        Assert.Contains("output head", table);
    }

    [Fact]
    public void Normuon_is_muon_with_the_row_normalization_on_and_its_own_keys()
    {
        using var alone = Assert.IsType<MuonSharp.Optimizers.Muon>(OptimizerTable.Create("normuon", Matrices(1), new NormuonConfig()));
        var parameters = Matrices(1).Append(("hidden.bias", new Parameter(zeros(6)))).ToArray();
        var log = new List<string>();
        using var hybrid = Assert.IsType<MuonWithAuxAdamW>(OptimizerTable.Create("normuon", parameters, new NormuonConfig(), log: log.Add));

        foreach (var options in new[] { alone, hybrid.MuonPart }.Select(m => ((ParamGroup<MuonSharp.Optimizers.Muon.Options>)m.ParamGroups.Single()).Options))
            Assert.Equal((true, 0.8, 0.5, 0.0), (options.normuon!.Value, options.normuon_beta2!.Value, options.momentum!.Value, options.weight_decay!.Value));
        Assert.Contains("NorMuon + AdamW", Assert.Single(log));
    }

    private sealed record NormuonConfig : ExperimentConfig
    {
        public double NormuonLr { get; init; } = 0.02;
        public double NormuonMomentum { get; init; } = 0.5;
        public double NormuonBeta2 { get; init; } = 0.8;
        public double MuonMomentum { get; init; } = 0.9;   // muon's key: normuon must not read it
    }

    [Fact]
    public void A_variant_runs_wherever_its_base_does_and_only_there()
    {
        Assert.Equal(new[] { "sgd", "muon", "normuon" }, OptimizerTable.WithVariants(new[] { "sgd", "muon" }));
        Assert.Equal(new[] { "muon", "normuon" }, OptimizerTable.WithVariants(new[] { "muon", "normuon" }));
        Assert.Equal(new[] { "gd", "spectral-gd" }, OptimizerTable.WithVariants(new[] { "gd", "spectral-gd" }));
        Assert.Equal("muon", OptimizerTable.BaseOf("normuon"));
        Assert.Equal("adamw", OptimizerTable.BaseOf("adamw"));
    }

    [Fact]
    public void A_name_outside_what_an_experiment_accepts_is_one_problem_naming_what_is_accepted()
    {
        var problems = OptimizerTable.Unaccepted(new[] { "muon", "lion" }, OptimizerTable.WithVariants(new[] { "sgd", "muon" })).ToList();

        Assert.Equal("optimizers contains 'lion': accepted are sgd, muon, normuon", Assert.Single(problems));
    }

    [Fact]
    public void A_variant_reads_its_bases_keys_when_the_config_has_none_of_its_own()
    {
        // MuonOnlyConfig has muon_lr and muon_momentum but no normuon key: normuon starts from Muon's tuned values,
        // and its own key (normuon_beta2) takes the table's default.
        var config = new MuonOnlyConfig();
        using var normuon = Assert.IsType<MuonSharp.Optimizers.Muon>(OptimizerTable.Create("normuon", Matrices(1), config));
        var options = ((ParamGroup<MuonSharp.Optimizers.Muon.Options>)normuon.ParamGroups.Single()).Options;

        Assert.Equal(0.07, OptimizerTable.LrFromConfig("normuon", config));
        Assert.Equal((0.07, 0.6, true, MuonSharp.Optimizers.Muon.DefaultNorMuonBeta2), (options.LearningRate!.Value, options.momentum!.Value, options.normuon!.Value, options.normuon_beta2!.Value));
    }

    private sealed record MuonOnlyConfig : ExperimentConfig
    {
        public double MuonLr { get; init; } = 0.07;
        public double MuonMomentum { get; init; } = 0.6;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cautious_wd_in_the_config_reaches_muon_both_halves_of_the_hybrid_and_lion(bool cautious)
    {
        var config = new TableConfig { CautiousWd = cautious };
        using var muon = (MuonSharp.Optimizers.Muon)OptimizerTable.Create("muon", Matrices(1), config);
        using var hybrid = (MuonWithAuxAdamW)OptimizerTable.Create("normuon", WithBias(Matrices(1)), config);
        using var lion = (MuonSharp.Optimizers.Lion)OptimizerTable.Create("lion", Matrices(1), config);

        var flags = muon.ParamGroups.Concat(hybrid.MuonPart.ParamGroups).Cast<ParamGroup<MuonSharp.Optimizers.Muon.Options>>().Select(g => g.Options.cautious_wd)
            .Concat(hybrid.AdamWPart.ParamGroups.Cast<ParamGroup<AuxAdamW.Options>>().Select(g => g.Options.cautious_wd))
            .Concat(lion.ParamGroups.Cast<ParamGroup<MuonSharp.Optimizers.Lion.Options>>().Select(g => g.Options.cautious_wd)).ToList();

        Assert.True(flags.Count >= 4);
        Assert.All(flags, flag => Assert.Equal(cautious, flag));
    }

    [Theory]
    [InlineData(Optim.NewtonSchulzMethod.JordanQuintic, ScalarType.BFloat16)]
    [InlineData(Optim.NewtonSchulzMethod.PolarExpress, ScalarType.Float32)]
    public void Ns_method_in_the_config_reaches_muon_and_the_hybrid_polar_express_in_float32(Optim.NewtonSchulzMethod method, ScalarType dtype)
    {
        var config = new TableConfig { NsMethod = method };
        var log = new List<string>();
        using var muon = (MuonSharp.Optimizers.Muon)OptimizerTable.Create("muon", Matrices(1), config, log: log.Add);
        using var hybrid = (MuonWithAuxAdamW)OptimizerTable.Create("normuon", WithBias(Matrices(1)), config);

        var options = muon.ParamGroups.Concat(hybrid.MuonPart.ParamGroups).Cast<ParamGroup<MuonSharp.Optimizers.Muon.Options>>().Select(g => g.Options).ToList();

        Assert.Equal(2, options.Count);
        Assert.All(options, o => Assert.Equal((method, dtype), (o.ns_method!.Value, o.ns_dtype!.Value)));
        Assert.Equal(method == Optim.NewtonSchulzMethod.PolarExpress, log.Contains("muon: orthogonalizes with the Polar Express schedule (Amsel et al. 2025) in float32"));
    }

    [Fact]
    public void Spectral_gd_with_the_nuclear_scale_steps_by_the_nuclear_norm()
    {
        var w = new Parameter(tensor(new double[,] { { 4, 0 }, { 0, 1 } }));
        using var optimizer = OptimizerTable.Create("spectral-gd", new[] { ("W", w) }, new TestConfig(),
            new OptimizerOverrides { Lr = 0.5, SpectralScale = Optim.SpectralScale.Nuclear });
        w.grad = tensor(new double[,] { { 4, 0 }, { 0, 1 } });

        optimizer.step();

        // G = diag(4, 1): polar(G) = I, ‖G‖_* = 5, so W ← W − 0.5·5·I.
        Assert.True(w.allclose(tensor(new double[,] { { 1.5, 0 }, { 0, -1.5 } }), rtol: 0, atol: 1e-12));
    }

    private sealed record TestConfig : ExperimentConfig;
}
