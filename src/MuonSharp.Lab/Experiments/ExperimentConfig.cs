using System.Text.Json.Serialization;

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
    }

    /// <summary>The seeds of this run, in order.</summary>
    [JsonIgnore]
    public IEnumerable<int> SeedList => Enumerable.Range(Seed, Seeds);
}
