using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers.Conformance;

/// <summary>
/// Every user mistake fails at construction with the right exception type and a message that
/// names the bad value (like PyTorch's <c>optim_db</c> error inputs).
/// </summary>
public sealed class ErrorTableTests
{
    private static Parameter Matrix() => new(randn(4, 6));
    private static (string, Parameter)[] Named() => new[] { ("blocks.0.mlp.weight", Matrix()) };
    private static Sequential TwoLinearLayers() => nn.Sequential(("first", nn.Linear(4, 3)), ("second", nn.Linear(3, 2)));

    public sealed record ErrorCase(string Description, Action Construct, Type Exception, string[] MessageContains)
    {
        public override string ToString() => Description;
    }

    private static readonly ErrorCase[] Cases =
    {
        new("Muon: negative lr", () => Optim.Muon(Named(), lr: -0.1), typeof(ArgumentOutOfRangeException), new[] { "lr", "-0.1", "≥ 0" }),
        new("Muon: NaN lr", () => Optim.Muon(Named(), lr: double.NaN), typeof(ArgumentOutOfRangeException), new[] { "lr", "NaN" }),
        new("Muon: momentum 1", () => Optim.Muon(Named(), momentum: 1.0), typeof(ArgumentOutOfRangeException), new[] { "momentum", "1", "[0, 1)" }),
        new("Muon: negative momentum", () => Optim.Muon(Named(), momentum: -0.5), typeof(ArgumentOutOfRangeException), new[] { "momentum", "-0.5" }),
        new("Muon: negative weight decay", () => Optim.Muon(Named(), weight_decay: -1), typeof(ArgumentOutOfRangeException), new[] { "weight_decay", "-1" }),
        new("Muon: zero Newton–Schulz steps", () => Optim.Muon(Named(), ns_steps: 0), typeof(ArgumentOutOfRangeException), new[] { "ns_steps", "0", "≥ 1" }),
        new("Muon: unknown adjust_lr", () => Optim.Muon(Named(), adjust_lr: (Optim.AdjustLr)42), typeof(ArgumentOutOfRangeException), new[] { "adjust_lr", "42", "Original", "MatchRmsAdamW" }),
        new("Muon: unknown ns_method", () => Optim.Muon(Named(), ns_method: (Optim.NewtonSchulzMethod)9), typeof(ArgumentOutOfRangeException), new[] { "ns_method", "9", "JordanQuintic", "PolarExpress" }),
        new("Muon: integer ns_dtype", () => Optim.Muon(Named(), ns_dtype: ScalarType.Int32), typeof(ArgumentOutOfRangeException), new[] { "ns_dtype", "Int32", "BFloat16", "Float32", "Float64" }),
        new("Muon: float16 ns_dtype in a group", () => Optim.Muon(new[] { new Muon.ParamGroup(new[] { Matrix() }, new() { ns_dtype = ScalarType.Float16 }) }), typeof(ArgumentOutOfRangeException), new[] { "ns_dtype", "Float16" }),
        new("Muon: an empty parameter list", () => Optim.Muon(Array.Empty<Parameter>()), typeof(ArgumentException), new[] { "Muon", "empty parameter list" }),
        new("Muon: only empty groups", () => Optim.Muon(new[] { new Muon.ParamGroup(Array.Empty<Parameter>()) }), typeof(ArgumentException), new[] { "empty parameter list" }),
        new("Muon: every bias of a model, unnamed", () => Optim.Muon(TwoLinearLayers().parameters()), typeof(ArgumentException), new[] { "#1 with shape [3]", "#3 with shape [2]", "named_parameters()", "MuonWithAuxAdamW" }),
        new("Muon: every bias of a model, named", () => Optim.Muon(TwoLinearLayers().named_parameters()), typeof(ArgumentException), new[] { "'first.bias'", "'second.bias'", "MuonWithAuxAdamW" }),
        new("Muon: a bias vector", () => Optim.Muon(new[] { ("fc.weight", Matrix()), ("fc.bias", new Parameter(zeros(4))) }), typeof(ArgumentException), new[] { "'fc.bias'", "[4]", "1-D", "MuonWithAuxAdamW" }),
        new("Muon: an unnamed scalar", () => Optim.Muon(new[] { Matrix(), new Parameter(tensor(1.0f)) }), typeof(ArgumentException), new[] { "#1", "0-D", "MuonWithAuxAdamW" }),
        new("Muon: an integer parameter", () => Optim.Muon(new[] { new Parameter(zeros(new long[] { 3, 3 }, dtype: ScalarType.Int64), requires_grad: false) }), typeof(ArgumentException), new[] { "Int64", "floating-point" }),
        new("Muon: one parameter in two groups", () => { var p = Matrix(); Optim.Muon(new[] { new Muon.ParamGroup(new[] { p }), new Muon.ParamGroup(new[] { p }) }); }, typeof(ArgumentException), new[] { "more than one parameter group" }),
        new("Muon: a group with negative lr", () => Optim.Muon(new[] { new Muon.ParamGroup(new[] { Matrix() }, new() { LearningRate = -1 }) }), typeof(ArgumentOutOfRangeException), new[] { "lr", "-1" }),
        new("SpectralGD: negative lr", () => Optim.SpectralGD(Named(), lr: -1), typeof(ArgumentOutOfRangeException), new[] { "lr", "-1" }),
        new("SpectralGD: infinite lr", () => Optim.SpectralGD(Named(), lr: double.PositiveInfinity), typeof(ArgumentOutOfRangeException), new[] { "lr", "Infinity" }),
        new("SpectralGD: momentum above 1", () => Optim.SpectralGD(Named(), lr: 0.1, momentum: 1.5), typeof(ArgumentOutOfRangeException), new[] { "momentum", "1.5" }),
        new("SpectralGD: unknown scale", () => Optim.SpectralGD(Named(), lr: 0.1, scale: (Optim.SpectralScale)7), typeof(ArgumentOutOfRangeException), new[] { "scale", "7", "None", "Nuclear" }),
        new("SpectralGD: a vector", () => Optim.SpectralGD(new[] { ("norm.weight", new Parameter(ones(4))) }, lr: 0.1), typeof(ArgumentException), new[] { "SpectralGD", "'norm.weight'", "1-D" }),
        new("NormMatchedGD: NaN lr", () => Optim.NormMatchedGD(Named(), lr: double.NaN), typeof(ArgumentOutOfRangeException), new[] { "lr", "NaN" }),
        new("NormMatchedGD: a vector", () => Optim.NormMatchedGD(new[] { ("b", new Parameter(ones(4))) }, lr: 0.1), typeof(ArgumentException), new[] { "NormMatchedGD", "'b'", "1-D" }),
        new("SpectralGD: an empty parameter list", () => Optim.SpectralGD(Array.Empty<Parameter>(), lr: 0.1), typeof(ArgumentException), new[] { "SpectralGD", "empty parameter list" }),
        new("NormMatchedGD: an empty parameter list", () => Optim.NormMatchedGD(Array.Empty<(string, Parameter)>(), lr: 0.1), typeof(ArgumentException), new[] { "NormMatchedGD", "empty parameter list" }),
        new("Lion: an empty parameter list", () => Optim.Lion(Array.Empty<Parameter>()), typeof(ArgumentException), new[] { "Lion", "empty parameter list" }),
        new("Shampoo: an empty parameter list", () => Optim.Shampoo(Array.Empty<Parameter>()), typeof(ArgumentException), new[] { "Shampoo", "empty parameter list" }),
        new("Hybrid: an empty parameter list", () => Optim.MuonWithAuxAdamW(Array.Empty<(string, Parameter)>()), typeof(ArgumentException), new[] { "MuonWithAuxAdamW", "empty parameter list" }),
        new("Hybrid: AdamW beta2 = 1", () => Optim.MuonWithAuxAdamW(Named(), adamw_betas: (0.9, 1.0)), typeof(ArgumentOutOfRangeException), new[] { "adamw_beta2", "1" }),
        new("Hybrid: negative AdamW lr", () => Optim.MuonWithAuxAdamW(Named(), adamw_lr: -3), typeof(ArgumentOutOfRangeException), new[] { "adamw_lr", "-3" }),
        new("Hybrid: a pattern that matches nothing", () => Optim.MuonWithAuxAdamW(Named(), routing: ParameterRouting.Default().Muon("blocks.0.mpl.weight")), typeof(ArgumentException), new[] { "'blocks.0.mpl.weight'", "match no parameter", "blocks.0.mlp.weight" }),
        new("Hybrid: a parameter routed twice", () => Optim.MuonWithAuxAdamW(Named(), routing: ParameterRouting.Default().Muon("blocks.*").AdamW("*.weight")), typeof(ArgumentException), new[] { "'blocks.0.mlp.weight'", "routed twice" }),
        new("Hybrid: a parameter not routed", () => Optim.MuonWithAuxAdamW(new[] { ("a", Matrix()), ("b", Matrix()) }, routing: ParameterRouting.Explicit().Muon("a")), typeof(ArgumentException), new[] { "'b'", "not routed" }),
        new("Hybrid: a vector routed to Muon", () => Optim.MuonWithAuxAdamW(new[] { ("fc.bias", new Parameter(zeros(4))) }, routing: ParameterRouting.Default().Muon("fc.bias")), typeof(ArgumentException), new[] { "'fc.bias'", "matrices only" }),
        new("Muon: normuon_beta2 1", () => Optim.Muon(Named(), normuon: true, normuon_beta2: 1.0), typeof(ArgumentOutOfRangeException), new[] { "normuon_beta2", "1", "[0, 1)" }),
        new("Muon: negative normuon_beta2 in a group", () => Optim.Muon(new[] { new Muon.ParamGroup(new[] { Matrix() }, new() { normuon_beta2 = -0.1 }) }), typeof(ArgumentOutOfRangeException), new[] { "normuon_beta2", "-0.1", "[0, 1)" }),
        new("Hybrid: NaN normuon_beta2", () => Optim.MuonWithAuxAdamW(Named(), normuon: true, normuon_beta2: double.NaN), typeof(ArgumentOutOfRangeException), new[] { "normuon_beta2", "NaN", "[0, 1)" }),
        new("Muon: polar_express_lower_bound 0", () => Optim.Muon(Named(), ns_method: Optim.NewtonSchulzMethod.PolarExpress, polar_express_lower_bound: 0), typeof(ArgumentOutOfRangeException), new[] { "polar_express_lower_bound", "0", "(0, 1)" }),
        new("Layouts: a pattern that matches nothing", () => Optim.Muon(Named(), layouts: new MatrixLayouts().For("blocks.0.qkv.weight", MatrixLayout.Heads(2))), typeof(ArgumentException), new[] { "'blocks.0.qkv.weight'", "match no Muon parameter", "blocks.0.mlp.weight" }),
        new("Layouts: blocks that do not add up", () => Optim.Muon(Named(), layouts: new MatrixLayouts().For("*.mlp.weight", MatrixLayout.Split(2, 3))), typeof(ArgumentException), new[] { "'blocks.0.mlp.weight'", "[4, 6]", "add up to 5", "not 4" }),
        new("Layouts: heads that do not divide the rows", () => Optim.Muon(Named(), layouts: new MatrixLayouts().For("*.mlp.weight", MatrixLayout.Heads(3))), typeof(ArgumentException), new[] { "'blocks.0.mlp.weight'", "4 rows", "3 equal heads" }),
        new("Layouts: a batch layout on a matrix", () => Optim.Muon(Named(), layouts: new MatrixLayouts().For("*.mlp.weight", MatrixLayout.Batch())), typeof(ArgumentException), new[] { "'blocks.0.mlp.weight'", "2-D", "at least 3 dimensions" }),
        new("Layouts: two layouts for one parameter", () => Optim.Muon(Named(), layouts: new MatrixLayouts().For("*.weight", MatrixLayout.Heads(2)).For("blocks.*", MatrixLayout.Split(2, 2))), typeof(ArgumentException), new[] { "'blocks.0.mlp.weight'", "two layouts" }),
        new("Layouts: unnamed parameters", () => Optim.Muon(new[] { Matrix() }, layouts: new MatrixLayouts().For("w", MatrixLayout.Heads(2))), typeof(ArgumentException), new[] { "named_parameters()" }),
        new("Layouts: one block", () => MatrixLayout.Split(4), typeof(ArgumentOutOfRangeException), new[] { "splitSizes", "[4]", "two or more" }),
        new("Layouts: one head", () => MatrixLayout.Heads(1), typeof(ArgumentOutOfRangeException), new[] { "numHeads", "1", "≥ 2" }),
        new("Layouts: no batch dimension", () => MatrixLayout.Batch(0), typeof(ArgumentOutOfRangeException), new[] { "batchDims", "0", "≥ 1" }),
        new("Hybrid: a layout for a parameter AdamW updates", () => Optim.MuonWithAuxAdamW(new[] { ("emb.weight", Matrix()), ("blocks.0.mlp.weight", Matrix()), ("head.weight", Matrix()) }, layouts: new MatrixLayouts().For("emb.weight", MatrixLayout.Heads(2))), typeof(ArgumentException), new[] { "'emb.weight'", "match no Muon parameter" }),
        new("MomentumSchedule: start 1", () => new MomentumSchedule(Optim.Muon(Named()), start: 1.0), typeof(ArgumentOutOfRangeException), new[] { "start", "1", "[0, 1)" }),
        new("MomentumSchedule: negative peak", () => new MomentumSchedule(Optim.Muon(Named()), peak: -0.2), typeof(ArgumentOutOfRangeException), new[] { "peak", "-0.2", "[0, 1)" }),
        new("MomentumSchedule: negative warm-up", () => new MomentumSchedule(Optim.Muon(Named()), warmup_steps: -5), typeof(ArgumentOutOfRangeException), new[] { "warmup_steps", "-5", "≥ 0" }),
        new("MomentumSchedule: a cool-down longer than the run", () => new MomentumSchedule(Optim.Muon(Named()), warmup_steps: 300, cooldown_steps: 50, total_steps: 200), typeof(ArgumentOutOfRangeException), new[] { "total_steps", "200", "350" }),
        new("MomentumSchedule: an optimizer without momentum", () => new MomentumSchedule(Optim.Lion(Named())), typeof(ArgumentException), new[] { "Lion", "momentum" }),
        new("Hybrid: the same tensor under two names", () => { var p = Matrix(); Optim.MuonWithAuxAdamW(new[] { ("a", p), ("tied", p) }); }, typeof(ArgumentException), new[] { "'tied'", "'a'", "routed twice" }),
    };

    public static TheoryData<string> Descriptions()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases) data.Add(c.Description);
        return data;
    }

    [Theory]
    [MemberData(nameof(Descriptions))]
    public void A_user_mistake_fails_with_a_message_naming_the_bad_value(string description)
    {
        var c = Cases.Single(x => x.Description == description);

        var error = Record.Exception(c.Construct);

        Assert.NotNull(error);
        Assert.IsType(c.Exception, error);
        foreach (var fragment in c.MessageContains) Assert.Contains(fragment, error!.Message);
    }
}
