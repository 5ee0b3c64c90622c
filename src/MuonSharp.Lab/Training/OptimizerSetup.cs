using MuonSharp.Optimizers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Training;

/// <summary>One hyperparameter a named optimizer setup reads from an experiment's config.</summary>
/// <param name="Key">The snake_case config key, e.g. <c>muon_momentum</c>.</param>
/// <param name="Default">Used when the config has no such key; null when the config must have it.</param>
/// <param name="Meaning">What the value is, for listings and error messages.</param>
public sealed record OptimizerKey(string Key, double? Default, string Meaning);

/// <summary>What a caller fixes itself instead of reading it from the config.</summary>
public sealed record OptimizerOverrides
{
    /// <summary>The learning rate, replacing the config's <c>&lt;optimizer&gt;_lr</c>: a tuned value or a step size derived from the problem.</summary>
    public double? Lr { get; init; }

    /// <summary><c>spectral-gd</c> only: a fixed step (None) or one multiplied by ‖G‖_* (Nuclear, <c>004 §10.1</c>).</summary>
    public Optim.SpectralScale SpectralScale { get; init; } = Optim.SpectralScale.None;

    /// <summary><c>muon</c> only: route parameters between Muon and AdamW with this rule (the hybrid), even when every parameter is a matrix.</summary>
    public ParameterRouting? Routing { get; init; }

    /// <summary>The Muon family only: how named parameters split into matrices (fused q, k, v as three, per head, …); Muon's default when null.</summary>
    public MatrixLayouts? Layouts { get; init; }
}

/// <summary>The values one setup is built from: its keys resolved against a config, and the caller's overrides.</summary>
public sealed class OptimizerValues
{
    private readonly IReadOnlyDictionary<string, double> _values;

    private readonly Experiments.ExperimentConfig _config;

    internal OptimizerValues(IReadOnlyDictionary<string, double> values, double lr, OptimizerOverrides overrides, Action<string> log, Experiments.ExperimentConfig config)
    {
        _values = values;
        Lr = lr;
        Overrides = overrides;
        Log = log;
        _config = config;
    }

    /// <summary>The config's <c>cautious_wd</c>: decoupled weight decay only where update and weight agree in sign.</summary>
    public bool CautiousWeightDecay => _config.CautiousWd;

    /// <summary>The config's <c>ns_method</c>: the Muon family's orthogonalization polynomials.</summary>
    public Optim.NewtonSchulzMethod NsMethod => _config.NsMethod;

    /// <summary>The learning rate (the caller's, else the config's <c>&lt;optimizer&gt;_lr</c>).</summary>
    public double Lr { get; }

    /// <summary>The caller's overrides.</summary>
    public OptimizerOverrides Overrides { get; }

    /// <summary>Where a setup writes what the run's log should show (the hybrid's routing table).</summary>
    public Action<string> Log { get; }

    /// <summary>The value of one of the setup's keys.</summary>
    /// <param name="key">A key the setup declares.</param>
    public double this[string key] => _values[key];
}

/// <summary>
/// One named optimizer setup of the lab: its canonical name (the one configs, metrics, plots and reports
/// use), what it is, the config keys it reads, and how it is built from named parameters.
/// </summary>
/// <param name="Name">Canonical name, e.g. <c>spectral-gd</c>.</param>
/// <param name="Summary">One line saying what it is.</param>
/// <param name="Keys">The config keys it reads; the first is always <c>&lt;name&gt;_lr</c>.</param>
/// <param name="Build">Builds the optimizer from the model's named parameters and the resolved values.</param>
/// <param name="VariantOf">
/// For a variant (<c>normuon</c>), the setup it modifies (<c>muon</c>): every experiment that runs the base also
/// runs the variant, and a key <c>&lt;variant&gt;_x</c> the config lacks is read as the base's <c>&lt;base&gt;_x</c>
/// (so the variant starts from the experiment's tuned rate). Null for a setup of its own.
/// </param>
public sealed record OptimizerSetup(string Name, string Summary, IReadOnlyList<OptimizerKey> Keys,
    Func<IReadOnlyList<(string Name, Parameter Parameter)>, OptimizerValues, OptimizerHelper> Build, string? VariantOf = null);
