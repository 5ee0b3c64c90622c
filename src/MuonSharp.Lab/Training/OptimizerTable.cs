using System.Text.Json;
using MuonSharp.Lab.Experiments;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Training;

/// <summary>
/// The lab's named optimizer setups — one table, one meaning per name, used by every experiment and by
/// configs, metrics, plots and reports alike. Each setup reads <c>&lt;name&gt;_lr</c> (with <c>-</c> as
/// <c>_</c>) and a few optional keys from the experiment's config, by their snake_case names.
/// </summary>
/// <remarks>
/// <c>muon</c> is always Newton–Schulz Muon (Jordan et al. 2024) — with its quintic, unless the config's
/// <c>ns_method</c> asks for Polar Express. On a model of matrices only (the papers'
/// synthetic problems) it is <c>Optim.Muon</c>
/// on every matrix; when some parameter is a bias or gain (a real network), or the caller gives a routing
/// rule, it is the hybrid <see cref="Optim.MuonWithAuxAdamW"/> — embeddings, head, first conv layer,
/// biases and gains to AdamW — and its routing table goes to the run's log. An experiment that needs the
/// exact polar step the papers' theorems analyse asks for <c>spectral-gd</c>, never for a private "muon".
/// <c>normuon</c> is the same Muon (and hybrid) with NorMuon's row normalization on.
/// </remarks>
public static class OptimizerTable
{
    /// <summary>Every setup, in the order listings show them.</summary>
    public static IReadOnlyList<OptimizerSetup> All { get; } = new[]
    {
        Setup("sgd", "torch.optim.SGD on mini-batches, optional heavy-ball momentum and L2 weight decay",
            new[] { Key("sgd_momentum", 0, "momentum (PyTorch convention)"), Key("sgd_weight_decay", 0, "L2 weight decay added to the gradient") },
            (p, v) => optim.SGD(p.Select(x => x.Parameter), v.Lr, momentum: v["sgd_momentum"], weight_decay: v["sgd_weight_decay"])),
        Setup("gd", "plain full-batch gradient descent W ← W − lr·G (torch.optim.SGD without momentum)",
            Array.Empty<OptimizerKey>(),
            (p, v) => optim.SGD(p.Select(x => x.Parameter), v.Lr)),
        Setup("adamw", "torch.optim.AdamW (Loshchilov & Hutter 2019), decoupled weight decay",
            new[] { Key("adamw_weight_decay", 0.01, "decoupled weight decay (PyTorch's default 0.01)"), Key("adamw_beta2", 0.999, "second-moment decay β2 (PyTorch's default 0.999); β1 stays 0.9") },
            (p, v) => optim.AdamW(p.Select(x => x.Parameter), v.Lr, beta2: v["adamw_beta2"], weight_decay: v["adamw_weight_decay"])),
        Setup("adam", "torch.optim.Adam (Kingma & Ba 2015), β = (0.9, 0.999)",
            Array.Empty<OptimizerKey>(),
            (p, v) => optim.Adam(p.Select(x => x.Parameter), v.Lr)),
        Setup("muon", "Muon: Nesterov momentum orthogonalized by 5 bfloat16 Newton–Schulz steps (Jordan et al. 2024); on networks with biases or gains, Muon + AdamW",
            new[]
            {
                Key("muon_momentum", 0.95, "momentum, Nesterov (Jordan et al. 2024: 0.95)"),
                Key("muon_weight_decay", 0, "decoupled weight decay"),
                Key("adamw_lr", 3e-4, "learning rate of the AdamW part of the hybrid (embeddings, head, biases, gains)"),
                Key("adamw_weight_decay", 0, "decoupled weight decay of the AdamW part of the hybrid"),
                Key("adamw_beta2", Optimizers.AuxAdamW.DefaultBeta2, "second-moment decay β2 of the AdamW part of the hybrid (the library's default 0.95); β1 stays 0.9"),
            },
            (p, v) => Muon("muon", p, v)),
        Setup("normuon", "NorMuon: Muon whose orthogonalized update has each row divided by its running RMS, norm kept (Li et al. 2025, arXiv 2510.05491); on networks with biases or gains, NorMuon + AdamW",
            new[]
            {
                Key("normuon_momentum", 0.95, "momentum, Nesterov (Li et al. 2025: 0.95)"),
                Key("normuon_weight_decay", 0, "decoupled weight decay"),
                Key("normuon_beta2", Optimizers.Muon.DefaultNorMuonBeta2, "decay β2 of the per-row second moment (Li et al. 2025: 0.95)"),
                Key("adamw_lr", 3e-4, "learning rate of the AdamW part of the hybrid (embeddings, head, biases, gains)"),
                Key("adamw_weight_decay", 0, "decoupled weight decay of the AdamW part of the hybrid"),
                Key("adamw_beta2", Optimizers.AuxAdamW.DefaultBeta2, "second-moment decay β2 of the AdamW part of the hybrid (the library's default 0.95); β1 stays 0.9"),
            },
            (p, v) => Muon("normuon", p, v), variantOf: "muon"),
        Setup("spectral-gd", "Spectral GD: the exact polar step W ← W − lr·UVᵀ by SVD (000 §2.1, 004 §2.2), heavy-ball momentum optional",
            new[] { Key("spectral_gd_momentum", 0, "heavy-ball momentum (0: plain Spectral GD, as the theorems)") },
            (p, v) => Optim.SpectralGD(p, v.Lr, v["spectral_gd_momentum"], v.Overrides.SpectralScale)),
        Setup("normalized-gd", "GD on per-parameter Frobenius-normalized gradients: every layer moves by lr (001's control)",
            Array.Empty<OptimizerKey>(),
            (p, v) => new NormalizedGD(p, v.Lr)),
        Setup("norm-matched-gd", "the gradient step rescaled to the Frobenius norm √rank(G) of its polar factor (002's control)",
            Array.Empty<OptimizerKey>(),
            (p, v) => Optim.NormMatchedGD(p, v.Lr)),
        Setup("shampoo", "Shampoo with Adam grafting, momentum 0.9, preconditioner from step 10 (the library's defaults)",
            new[]
            {
                Key("shampoo_precondition_frequency", Optimizers.Shampoo.DefaultPreconditionFrequency, "steps between inverse-root recomputations (the library's default 10)"),
                Key("shampoo_max_preconditioner_dim", Optimizers.Shampoo.DefaultMaxPreconditionerDim, "largest block side; larger matrices are split into blocks (the library's default 1024)"),
            },
            (p, v) => Optim.Shampoo(p, v.Lr, precondition_frequency: (int)v["shampoo_precondition_frequency"],
                max_preconditioner_dim: (int)v["shampoo_max_preconditioner_dim"])),
        Setup("lion", "Lion: the sign of interpolated momentum (Chen et al. 2023), β = (0.9, 0.99)",
            new[] { Key("lion_weight_decay", 0, "decoupled weight decay") },
            (p, v) => Optim.Lion(p, v.Lr, weight_decay: v["lion_weight_decay"], cautious_wd: v.CautiousWeightDecay)),
    };

    /// <summary>The canonical names, in table order.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(s => s.Name).ToList();

    /// <summary>The setup named <paramref name="name"/>, or a <see cref="LabUserException"/> naming the known ones.</summary>
    /// <param name="name">A canonical name.</param>
    public static OptimizerSetup Get(string name) =>
        All.FirstOrDefault(s => s.Name == name)
        ?? throw new LabUserException($"Unknown optimizer '{name}'. Known: {string.Join(", ", Names)}.");

    /// <summary>
    /// What an experiment written for <paramref name="known"/> accepts in its <c>optimizers</c>: those names, then
    /// every variant (<see cref="OptimizerSetup.VariantOf"/>) of one of them, in table order — so <c>normuon</c>
    /// runs wherever <c>muon</c> does, from the experiment's Muon keys.
    /// </summary>
    /// <param name="known">The optimizers the experiment was written for.</param>
    public static IReadOnlyList<string> WithVariants(IEnumerable<string> known)
    {
        var names = known.ToList();
        return names.Concat(All.Where(s => s.VariantOf is { } b && names.Contains(b) && !names.Contains(s.Name)).Select(s => s.Name)).ToList();
    }

    /// <summary>
    /// The setup a variant modifies (<c>normuon</c> → <c>muon</c>), otherwise <paramref name="name"/> itself: what an
    /// experiment's own per-optimizer choices (a learning-rate grid) are looked up by.
    /// </summary>
    /// <param name="name">An optimizer name.</param>
    public static string BaseOf(string name) => All.FirstOrDefault(s => s.Name == name)?.VariantOf ?? name;

    /// <summary>One problem per name of <paramref name="names"/> outside <paramref name="accepted"/>, naming what is accepted (for a config's Validate).</summary>
    /// <param name="names">A config's <c>optimizers</c>.</param>
    /// <param name="accepted">What the experiment accepts (see <see cref="WithVariants"/>).</param>
    public static IEnumerable<string> Unaccepted(IEnumerable<string>? names, IReadOnlyList<string> accepted) =>
        (names ?? Enumerable.Empty<string>()).Where(n => !accepted.Contains(n))
            .Select(n => $"optimizers contains '{n}': accepted are {string.Join(", ", accepted)}");

    /// <summary>The setups <c>cautious_wd</c> changes: the Muon family (both halves of its hybrid) and Lion.</summary>
    public static IReadOnlyList<string> WithCautiousWeightDecay { get; } = Names.Where(n => BaseOf(n) is "muon" or "lion").ToList();

    /// <summary>
    /// The decoupled weight decays <c>cautious_wd</c> would mask in a run of <paramref name="config"/>: every
    /// <c>…_weight_decay</c> key of its optimizers in <see cref="WithCautiousWeightDecay"/>, with the value the run would use.
    /// </summary>
    /// <param name="config">An experiment's config.</param>
    public static IReadOnlyList<(string Key, double Value)> CautiousDecays(ExperimentConfig config) =>
        (config.Optimizers ?? Array.Empty<string>()).Where(WithCautiousWeightDecay.Contains).Select(Get)
            .SelectMany(s => s.Keys.Where(k => k.Key.EndsWith("_weight_decay", StringComparison.Ordinal)).Select(k => (k.Key, Read(config, s, k) ?? k.Default ?? 0)))
            .Distinct().ToList();

    /// <summary>The Muon family (<c>muon</c> and its variants): what <c>momentum_warmup_steps</c> drives and <c>ns_method</c> changes.</summary>
    public static IReadOnlyList<string> MuonFamily { get; } = Names.Where(n => BaseOf(n) == "muon").ToList();

    /// <summary>The config key of an optimizer's learning rate: <c>&lt;name&gt;_lr</c> with <c>-</c> written <c>_</c>.</summary>
    /// <param name="name">A canonical name.</param>
    public static string LrKey(string name) => KeyPrefix(name) + "lr";

    /// <summary>What every config key of optimizer <paramref name="name"/> starts with: its name with <c>-</c> written <c>_</c>, then <c>_</c>.</summary>
    private static string KeyPrefix(string name) => name.Replace('-', '_') + "_";

    /// <summary>The config's learning rate for optimizer <paramref name="name"/> (its <c>&lt;name&gt;_lr</c> key), or null when the config has none.</summary>
    /// <param name="name">A canonical name.</param>
    /// <param name="config">An experiment's config.</param>
    public static double? LrFromConfig(string name, ExperimentConfig config) => Read(config, Get(name), Get(name).Keys[0]);

    /// <summary>
    /// Builds optimizer <paramref name="name"/> over <paramref name="parameters"/>, reading its keys from
    /// <paramref name="config"/> (a key the config lacks takes the setup's default; a learning rate without
    /// a default or the caller's value is a <see cref="LabUserException"/>).
    /// </summary>
    /// <param name="name">A canonical name.</param>
    /// <param name="parameters">The model's named parameters.</param>
    /// <param name="config">The experiment's config.</param>
    /// <param name="overrides">Values the caller fixes (learning rate, spectral scale, routing); none when null.</param>
    /// <param name="log">The run's log (the hybrid writes its routing table there); ignored when null.</param>
    public static OptimizerHelper Create(string name, IEnumerable<(string Name, Parameter Parameter)> parameters, ExperimentConfig config,
        OptimizerOverrides? overrides = null, Action<string>? log = null)
    {
        var setup = Get(name);
        overrides ??= new OptimizerOverrides();
        var values = setup.Keys.Skip(1).ToDictionary(k => k.Key, k => Read(config, setup, k) ?? k.Default!.Value);
        double lr = overrides.Lr ?? Read(config, setup, setup.Keys[0])
            ?? throw new LabUserException($"Optimizer '{name}' needs a learning rate: {config.GetType().Name} has no key '{LrKey(name)}' and the experiment gave none.");
        return setup.Build(parameters.ToList(), new OptimizerValues(values, lr, overrides, log ?? (_ => { }), config));
    }

    /// <summary>
    /// <c>muon</c> or <c>normuon</c> (Muon with <c>normuon</c> on, its β2 from <c>normuon_beta2</c>): Muon on
    /// a model of matrices only, otherwise the hybrid with AdamW; keys <c>&lt;name&gt;_momentum</c>, <c>&lt;name&gt;_weight_decay</c>.
    /// </summary>
    private static OptimizerHelper Muon(string name, IReadOnlyList<(string Name, Parameter Parameter)> parameters, OptimizerValues v)
    {
        bool normuon = name == "normuon";
        double beta2 = normuon ? v["normuon_beta2"] : Optimizers.Muon.DefaultNorMuonBeta2;
        double momentum = v[name + "_momentum"], weightDecay = v[name + "_weight_decay"];
        bool cautious = v.CautiousWeightDecay;
        var method = v.NsMethod;
        var dtype = method == Optim.NewtonSchulzMethod.PolarExpress ? ScalarType.Float32 : Optimizers.Muon.DefaultNsDtype;
        if (method == Optim.NewtonSchulzMethod.PolarExpress) v.Log($"{name}: orthogonalizes with the Polar Express schedule (Amsel et al. 2025) in float32");
        if (v.Overrides.Routing is null && parameters.All(p => p.Parameter.dim() >= 2))
            return Optim.Muon(parameters.Select(p => (p.Name, p.Parameter)), v.Lr, momentum: momentum, weight_decay: weightDecay, normuon: normuon, normuon_beta2: beta2,
                cautious_wd: cautious, ns_method: method, ns_dtype: dtype, layouts: v.Overrides.Layouts);
        var hybrid = Optim.MuonWithAuxAdamW(parameters.Select(p => (p.Name, p.Parameter)), v.Lr, momentum: momentum, weight_decay: weightDecay,
            adamw_lr: v["adamw_lr"], adamw_betas: (Optimizers.AuxAdamW.DefaultBeta1, v["adamw_beta2"]), adamw_weight_decay: v["adamw_weight_decay"],
            routing: v.Overrides.Routing, normuon: normuon, normuon_beta2: beta2, cautious_wd: cautious, adamw_cautious_wd: cautious,
            ns_method: method, ns_dtype: dtype, layouts: v.Overrides.Layouts);
        v.Log($"{name}: parameter routing ({(normuon ? "NorMuon" : "Muon")} + AdamW)\n" + hybrid.RoutingTable().TrimEnd());
        return hybrid;
    }

    /// <summary>
    /// The value of <paramref name="key"/> in <paramref name="config"/>; for a variant whose config lacks it, the
    /// base's key of the same meaning (<c>normuon_lr</c> → <c>muon_lr</c>); null when neither exists.
    /// </summary>
    private static double? Read(ExperimentConfig config, OptimizerSetup setup, OptimizerKey key)
    {
        var own = Read(config, key.Key);
        string prefix = KeyPrefix(setup.Name);
        if (own is not null || setup.VariantOf is not { } baseName || !key.Key.StartsWith(prefix, StringComparison.Ordinal)) return own;
        return Read(config, KeyPrefix(baseName) + key.Key[prefix.Length..]);
    }

    /// <summary>The value of config key <paramref name="key"/>, or null when the config's type has no such property.</summary>
    private static double? Read(ExperimentConfig config, string key)
    {
        var property = config.GetType().GetProperties()
            .FirstOrDefault(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == key);
        return property?.GetValue(config) switch
        {
            double d => d,
            int i => i,
            null => null,
            var other => throw new InvalidOperationException($"Config key '{key}' of {config.GetType().Name} is a {other.GetType().Name}; optimizer keys are numbers."),
        };
    }

    private static OptimizerSetup Setup(string name, string summary, OptimizerKey[] keys,
        Func<IReadOnlyList<(string Name, Parameter Parameter)>, OptimizerValues, OptimizerHelper> build, string? variantOf = null) =>
        new(name, summary, new[] { Key(LrKey(name), null, "learning rate") }.Concat(keys).ToList(), build, variantOf);

    private static OptimizerKey Key(string key, double? fallback, string meaning) => new(key, fallback, meaning);
}
