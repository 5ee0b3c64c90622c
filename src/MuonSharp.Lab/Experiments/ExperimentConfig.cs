using System.Text.Json.Serialization;
using MuonSharp.Optimizers;

namespace MuonSharp.Lab.Experiments;

/// <summary>Which size of an experiment to run.</summary>
public enum ExperimentSize
{
    /// <summary>The paper's settings.</summary>
    Paper,
    /// <summary>A few seconds: for tests and smoke runs; same code path, smaller numbers.</summary>
    Quick,
}

/// <summary>
/// Settings every experiment has. Each experiment derives a record whose defaults are its paper's
/// settings; <c>--set key=value</c> and JSON files override them by snake_case name.
/// </summary>
public abstract record ExperimentConfig
{
    /// <summary>Training steps per run.</summary>
    public int Steps { get; init; } = 1000;

    /// <summary>Number of seeds; seed k uses <see cref="Seed"/> + k.</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>The first seed.</summary>
    public int Seed { get; init; }

    /// <summary>Optimizers to compare, by the experiment's names for them.</summary>
    public string[] Optimizers { get; init; } = Array.Empty<string>();

    // The keys below are every experiment's, added after runs were written: left out of config.json while
    // off, so those runs' configs (and the sweep ids hashed from them) stay the same and they still resume.

    /// <summary>
    /// Cautious weight decay (modded-nanogpt, microsoft/dion <c>cautious_wd</c>): decoupled decay only where the
    /// update and the weight have the same sign. Changes the Muon family (both halves of its hybrid) and Lion,
    /// and only where their weight decay is above 0. Off by default.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool CautiousWd { get; init; }

    /// <summary>
    /// Momentum warm-up of the Muon family: the momentum rises linearly from 0.85 to the optimizer's own
    /// (<c>muon_momentum</c>, …) over this many steps, as modded-nanogpt ramps Muon's; 0 (the default) is off.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int MomentumWarmupSteps { get; init; }

    /// <summary>
    /// The polynomials the Muon family orthogonalizes with: <c>jordan_quintic</c> (the default: Jordan et al. 2024's
    /// quintic in bfloat16) or <c>polar_express</c> (Amsel et al. 2025's per-step schedule, ℓ = 1e-3, in float32 —
    /// the library's advice for it, since its steep first steps can blow up in bfloat16 on small matrices).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optim.NewtonSchulzMethod NsMethod { get; init; }

    /// <summary>Problems with the values, in words naming the key and what is accepted; empty when valid.</summary>
    public virtual IEnumerable<string> Validate()
    {
        if (Steps < 1) yield return $"steps = {Steps}: must be ≥ 1";
        if (Seeds < 1) yield return $"seeds = {Seeds}: must be ≥ 1";
        if (Seed < 0) yield return $"seed = {Seed}: must be ≥ 0";
        else if (Seeds >= 1 && (long)Seed + Seeds - 1 > int.MaxValue)
            yield return $"seed = {Seed} with seeds = {Seeds}: the last seed {(long)Seed + Seeds - 1} exceeds {int.MaxValue}; use seed ≤ {int.MaxValue - Seeds + 1}";
        if (Optimizers is null) { yield return "optimizers is null: name at least one"; yield break; }
        if (Optimizers.Length == 0) yield return "optimizers is empty: name at least one";
        if (MomentumWarmupSteps < 0) yield return $"momentum_warmup_steps = {MomentumWarmupSteps}: must be ≥ 0";
        foreach (var problem in NeedsOneOf(CautiousWd, "cautious_wd = true", Training.OptimizerTable.WithCautiousWeightDecay)) yield return problem;
        if (CautiousWd && Training.OptimizerTable.CautiousDecays(this) is { Count: > 0 } decays && decays.All(d => d.Value == 0))
            yield return $"cautious_wd = true masks weight decay, and every decay it would mask is 0 ({string.Join(", ", decays.Select(d => $"{d.Key} = 0"))}); set one above 0";
        foreach (var problem in UndefinedEnumValues()) yield return problem;
        foreach (var problem in NeedsOneOf(MomentumWarmupSteps > 0, $"momentum_warmup_steps = {MomentumWarmupSteps}", Training.OptimizerTable.MuonFamily))
            yield return problem;
        foreach (var problem in NeedsOneOf(NsMethod == Optim.NewtonSchulzMethod.PolarExpress, "ns_method = polar_express", Training.OptimizerTable.MuonFamily))
            yield return problem;
    }

    /// <summary>An enum key a JSON file set by number to no value of its type ("ns_method": 7): refused, naming the accepted values.</summary>
    private IEnumerable<string> UndefinedEnumValues() =>
        GetType().GetProperties().Where(p => p.PropertyType.IsEnum && !Enum.IsDefined(p.PropertyType, p.GetValue(this)!))
            .Select(p => $"{System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)} = {Convert.ToInt64(p.GetValue(this), System.Globalization.CultureInfo.InvariantCulture)}: " +
                         $"accepted are {string.Join(", ", Configuration.ConfigOverrides.EnumNames(p.PropertyType))}");

    /// <summary>A switch that changes only some optimizers is refused when the run has none of them: it would do nothing.</summary>
    private IEnumerable<string> NeedsOneOf(bool on, string setting, IReadOnlyList<string> changed)
    {
        if (on && !Optimizers.Any(changed.Contains))
            yield return $"{setting} changes only {string.Join(", ", changed)}; this run's optimizers are {string.Join(", ", Optimizers)}";
    }

    /// <summary>The seeds of this run, in order.</summary>
    [JsonIgnore]
    public IEnumerable<int> SeedList => Enumerable.Range(Seed, Seeds);
}
