using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers.Conformance;

/// <summary>
/// One entry per optimizer, every one run through the same checks (the idea of PyTorch's
/// <c>optim_db</c>). TorchSharp's SGD and AdamW are included as references for the checks.
/// </summary>
/// <param name="Name">Shown in test names.</param>
/// <param name="Lr">A learning rate that converges on <see cref="RegressionProblem"/>.</param>
/// <param name="SupportsVectors">Updates 1-D parameters (matrix-only optimizers refuse them).</param>
/// <param name="LazyState">Allocates state only when a parameter first gets a gradient.</param>
/// <param name="Create">Builds the optimizer over named parameters with a learning rate.</param>
/// <param name="CreateTwoGroups">Builds it over two groups with their own learning rates.</param>
/// <param name="Reference">TorchSharp's own optimizer, here to check the checks: it is not held to
/// MuonSharp's promises (non-finite gradients, validated and atomic loading, misuse messages).</param>
public sealed record OptimizerCase(
    string Name,
    double Lr,
    bool SupportsVectors,
    bool LazyState,
    Func<IReadOnlyList<(string name, Parameter parameter)>, double, OptimizerHelper> Create,
    Func<Parameter, Parameter, double, double, OptimizerHelper> CreateTwoGroups,
    bool Reference = false)
{
    public override string ToString() => Name;
}

public static class OptimizerCatalog
{
    public static readonly IReadOnlyList<OptimizerCase> All = new OptimizerCase[]
    {
        new("SGD (TorchSharp reference)", 0.05, SupportsVectors: true, LazyState: true,
            (named, lr) => torch.optim.SGD(named.Select(p => p.parameter), lr, momentum: 0.9),
            (a, b, lrA, lrB) => torch.optim.SGD(new[] { new SGD.ParamGroup(new[] { a }, lrA, momentum: 0.9), new SGD.ParamGroup(new[] { b }, lrB, momentum: 0.9) }, lrA),
            Reference: true),
        new("AdamW (TorchSharp reference)", 0.05, SupportsVectors: true, LazyState: false,
            (named, lr) => torch.optim.AdamW(named.Select(p => p.parameter), lr),
            (a, b, lrA, lrB) => torch.optim.AdamW(new[] { new TorchSharp.Modules.AdamW.ParamGroup(new[] { a }, lrA), new TorchSharp.Modules.AdamW.ParamGroup(new[] { b }, lrB) }, lrA),
            Reference: true),
        new("Muon", 0.05, SupportsVectors: false, LazyState: true,
            (named, lr) => Optim.Muon(named, lr: lr),
            (a, b, lrA, lrB) => Optim.Muon(new[] { new Muon.ParamGroup(new[] { a }, new() { LearningRate = lrA }), new Muon.ParamGroup(new[] { b }, new() { LearningRate = lrB }) })),
        new("Muon (float32, no Nesterov, weight decay)", 0.05, SupportsVectors: false, LazyState: true,
            (named, lr) => Optim.Muon(named, lr: lr, nesterov: false, weight_decay: 0.01, ns_dtype: ScalarType.Float32, adjust_lr: Optim.AdjustLr.MatchRmsAdamW),
            (a, b, lrA, lrB) => Optim.Muon(new[] { new Muon.ParamGroup(new[] { a }, new() { LearningRate = lrA }), new Muon.ParamGroup(new[] { b }, new() { LearningRate = lrB }) }, nesterov: false, ns_dtype: ScalarType.Float32)),
        // Polar Express in float32: in bfloat16 its steep early polynomials can blow up on small matrices (see Optim.NewtonSchulzMethod).
        new("Muon (Polar Express)", 0.05, SupportsVectors: false, LazyState: true,
            (named, lr) => Optim.Muon(named, lr: lr, ns_method: Optim.NewtonSchulzMethod.PolarExpress, ns_dtype: ScalarType.Float32),
            (a, b, lrA, lrB) => Optim.Muon(new[] { new Muon.ParamGroup(new[] { a }, new() { LearningRate = lrA }), new Muon.ParamGroup(new[] { b }, new() { LearningRate = lrB }) }, ns_method: Optim.NewtonSchulzMethod.PolarExpress, ns_dtype: ScalarType.Float32)),
        new("Muon (Polar Express computed for ℓ = 0.01)", 0.05, SupportsVectors: false, LazyState: true,
            (named, lr) => Optim.Muon(named, lr: lr, ns_method: Optim.NewtonSchulzMethod.PolarExpress, ns_dtype: ScalarType.Float32, polar_express_lower_bound: 0.01),
            (a, b, lrA, lrB) => Optim.Muon(new[] { new Muon.ParamGroup(new[] { a }, new() { LearningRate = lrA }), new Muon.ParamGroup(new[] { b }, new() { LearningRate = lrB }) }, ns_method: Optim.NewtonSchulzMethod.PolarExpress, ns_dtype: ScalarType.Float32, polar_express_lower_bound: 0.01)),
        new("Muon (NorMuon)", 0.05, SupportsVectors: false, LazyState: true,
            (named, lr) => Optim.Muon(named, lr: lr, normuon: true),
            (a, b, lrA, lrB) => Optim.Muon(new[] { new Muon.ParamGroup(new[] { a }, new() { LearningRate = lrA }), new Muon.ParamGroup(new[] { b }, new() { LearningRate = lrB }) }, normuon: true)),
        new("Muon (NorMuon, cautious weight decay, float32)", 0.05, SupportsVectors: false, LazyState: true,
            (named, lr) => Optim.Muon(named, lr: lr, weight_decay: 0.01, cautious_wd: true, normuon: true, normuon_beta2: 0.9, ns_dtype: ScalarType.Float32),
            (a, b, lrA, lrB) => Optim.Muon(new[] { new Muon.ParamGroup(new[] { a }, new() { LearningRate = lrA }), new Muon.ParamGroup(new[] { b }, new() { LearningRate = lrB }) }, weight_decay: 0.01, cautious_wd: true, normuon: true, ns_dtype: ScalarType.Float32)),
        // hidden.weight [rows, 6] read as two heads of rows/2 rows, each orthogonalized and row-normalized on its own.
        new("Muon (per-head layout, NorMuon)", 0.05, SupportsVectors: false, LazyState: true,
            (named, lr) => named.Any(p => p.name == "hidden.weight")
                ? Optim.Muon(named, lr: lr, normuon: true, layouts: new MatrixLayouts().For("hidden.weight", MatrixLayout.Heads(2)))
                : Optim.Muon(named, lr: lr, normuon: true),
            (a, b, lrA, lrB) => new Muon(new[] { new Muon.ParamGroup(new[] { a }, new() { LearningRate = lrA }), new Muon.ParamGroup(new[] { b }, new() { LearningRate = lrB }) },
                new Muon.Options { normuon = true }, new Dictionary<IntPtr, string> { [a.Handle] = "a", [b.Handle] = "b" }, new MatrixLayouts().For("a", MatrixLayout.Heads(2)))),
        new("SpectralGD", 0.05, SupportsVectors: false, LazyState: true,
            (named, lr) => Optim.SpectralGD(named, lr),
            (a, b, lrA, lrB) => Optim.SpectralGD(new[] { new SpectralGD.ParamGroup(new[] { a }, new() { LearningRate = lrA }), new SpectralGD.ParamGroup(new[] { b }, new() { LearningRate = lrB }) }, lrA)),
        new("SpectralGD (momentum, nuclear scale)", 0.1, SupportsVectors: false, LazyState: true,
            (named, lr) => Optim.SpectralGD(named, lr, momentum: 0.5, scale: Optim.SpectralScale.Nuclear),
            (a, b, lrA, lrB) => Optim.SpectralGD(new[] { new SpectralGD.ParamGroup(new[] { a }, new() { LearningRate = lrA }), new SpectralGD.ParamGroup(new[] { b }, new() { LearningRate = lrB }) }, lrA, momentum: 0.5, scale: Optim.SpectralScale.Nuclear)),
        new("NormMatchedGD", 0.05, SupportsVectors: false, LazyState: true,
            (named, lr) => Optim.NormMatchedGD(named, lr),
            (a, b, lrA, lrB) => Optim.NormMatchedGD(new[] { new ParamGroup<NormMatchedGD.Options>(new[] { a }, new() { LearningRate = lrA }), new ParamGroup<NormMatchedGD.Options>(new[] { b }, new() { LearningRate = lrB }) }, lrA)),
        new("Lion", 0.01, SupportsVectors: true, LazyState: true,
            (named, lr) => Optim.Lion(named, lr: lr),
            (a, b, lrA, lrB) => Optim.Lion(new[] { new Lion.ParamGroup(new[] { a }, new() { LearningRate = lrA }), new Lion.ParamGroup(new[] { b }, new() { LearningRate = lrB }) }, lr: lrA)),
        new("Lion (cautious weight decay)", 0.01, SupportsVectors: true, LazyState: true,
            (named, lr) => Optim.Lion(named, lr: lr, weight_decay: 0.1, cautious_wd: true),
            (a, b, lrA, lrB) => Optim.Lion(new[] { new Lion.ParamGroup(new[] { a }, new() { LearningRate = lrA }), new Lion.ParamGroup(new[] { b }, new() { LearningRate = lrB }) }, lr: lrA, weight_decay: 0.1, cautious_wd: true)),
        new("Shampoo", 0.05, SupportsVectors: true, LazyState: true,
            (named, lr) => Optim.Shampoo(named, lr: lr, precondition_frequency: 2, start_preconditioning_step: 2),
            (a, b, lrA, lrB) => Optim.Shampoo(new[] { new Shampoo.ParamGroup(new[] { a }, new() { LearningRate = lrA }), new Shampoo.ParamGroup(new[] { b }, new() { LearningRate = lrB }) }, lr: lrA, start_preconditioning_step: 1)),
        new("AuxAdamW", 0.05, SupportsVectors: true, LazyState: true,
            (named, lr) => new AuxAdamW(new[] { new AuxAdamW.ParamGroup(named.Select(p => p.parameter)) }, AuxAdamWDefaults(lr), named.ToDictionary(p => p.parameter.Handle, p => p.name)),
            (a, b, lrA, lrB) => new AuxAdamW(new[] { new AuxAdamW.ParamGroup(new[] { a }, new() { LearningRate = lrA }), new AuxAdamW.ParamGroup(new[] { b }, new() { LearningRate = lrB }) }, AuxAdamWDefaults(lrA))),
        new("MuonWithAuxAdamW", 0.05, SupportsVectors: true, LazyState: true,
            (named, lr) => Optim.MuonWithAuxAdamW(named, lr: lr, adamw_lr: lr, routing: ParameterRouting.Default().Muon("hidden.weight")),
            (a, b, lrA, lrB) => Optim.MuonWithAuxAdamW(new[] { ("a", a), ("b", b) }, lr: lrA, adamw_lr: lrB, routing: ParameterRouting.Explicit().Muon("a").AdamW("b"))),
        new("AuxAdamW (cautious weight decay)", 0.05, SupportsVectors: true, LazyState: true,
            (named, lr) => new AuxAdamW(new[] { new AuxAdamW.ParamGroup(named.Select(p => p.parameter)) }, AuxAdamWDefaults(lr, cautious: true), named.ToDictionary(p => p.parameter.Handle, p => p.name)),
            (a, b, lrA, lrB) => new AuxAdamW(new[] { new AuxAdamW.ParamGroup(new[] { a }, new() { LearningRate = lrA }), new AuxAdamW.ParamGroup(new[] { b }, new() { LearningRate = lrB }) }, AuxAdamWDefaults(lrA, cautious: true))),
        new("MuonWithAuxAdamW (NorMuon, cautious weight decay)", 0.05, SupportsVectors: true, LazyState: true,
            (named, lr) => Optim.MuonWithAuxAdamW(named, lr: lr, adamw_lr: lr, weight_decay: 0.01, adamw_weight_decay: 0.01, cautious_wd: true, adamw_cautious_wd: true, normuon: true,
                routing: ParameterRouting.Default().Muon("hidden.weight")),
            (a, b, lrA, lrB) => Optim.MuonWithAuxAdamW(new[] { ("a", a), ("b", b) }, lr: lrA, adamw_lr: lrB, weight_decay: 0.01, cautious_wd: true, normuon: true,
                routing: ParameterRouting.Explicit().Muon("a").AdamW("b"))),
    };

    private static AuxAdamW.Options AuxAdamWDefaults(double lr, bool cautious = false) =>
        new() { LearningRate = lr, beta1 = 0.9, beta2 = 0.95, eps = 1e-10, weight_decay = 0.01, cautious_wd = cautious };

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var entry in All) data.Add(entry.Name);
        return data;
    }

    /// <summary>MuonSharp's optimizers only (no TorchSharp reference).</summary>
    public static TheoryData<string> OursNames()
    {
        var data = new TheoryData<string>();
        foreach (var entry in All.Where(e => !e.Reference)) data.Add(entry.Name);
        return data;
    }

    public static OptimizerCase Get(string name) => All.Single(c => c.Name == name);
}
