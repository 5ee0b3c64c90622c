using System.Text.Json.Nodes;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Sweeps;

/// <summary>One axis of a sweep's grid: a config key and the values it takes, as given (<c>--grid key=v1,v2,…</c>).</summary>
/// <param name="Key">A config key in snake_case.</param>
/// <param name="Values">Its values as text, parsed by the key's type when the points are made.</param>
public sealed record GridAxis(string Key, IReadOnlyList<string> Values);

/// <summary>
/// Turns <c>--grid</c> options and a seed count into the points of a sweep: the Cartesian product of
/// the axes (first axis slowest), each with every seed (innermost). A point is one ordinary run with
/// one resolved config — all of its optimizers, one seed — so claims comparing optimizers are judged
/// inside a point and seeds are aggregated across points by the report.
/// </summary>
public static class SweepGrid
{
    /// <summary>Parses <c>key=v1,v2,…</c> specifications against the keys of <paramref name="configType"/>.</summary>
    /// <param name="specs">The <c>--grid</c> values.</param>
    /// <param name="configType">The experiment's config type.</param>
    public static IReadOnlyList<GridAxis> Parse(IEnumerable<string> specs, Type configType)
    {
        var keys = ConfigOverrides.Keys(configType);
        // The seed is the sweep's own axis (--seeds), and a list-valued key's commas would be ambiguous.
        var accepted = keys.Where(k => k.Key is not ("seed" or "seeds") && !k.Value.IsArray).Select(k => k.Key).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var axes = new List<GridAxis>();
        foreach (var spec in specs)
        {
            int eq = spec.IndexOf('=');
            if (eq <= 0) throw new LabUserException($"--grid '{spec}' is not of the form key=v1,v2,…");
            var key = spec[..eq].Trim().Replace('-', '_');
            var values = spec[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (key is "seed" or "seeds")
                throw new LabUserException($"--grid {key}: seeds are the sweep's own axis; give --seeds N (and --set seed=S for the first seed).");
            if (!keys.TryGetValue(key, out var type))
                throw new LabUserException($"--grid: unknown config key '{key}'. Accepted: {string.Join(", ", accepted)}.");
            if (type.IsArray)
                throw new LabUserException($"--grid {key}: a list-valued key cannot be a grid axis (its commas would be ambiguous); set it with --set. Accepted: {string.Join(", ", accepted)}.");
            if (axes.Any(a => a.Key == key)) throw new LabUserException($"--grid {key} is given twice; give each key once with all its values.");
            if (values.Length == 0) throw new LabUserException($"--grid '{spec}' gives no values, so the grid has zero points; give {key}=v1,v2,…");
            if (values.Distinct(StringComparer.Ordinal).Count() != values.Length) throw new LabUserException($"--grid '{spec}' repeats a value; give each value once.");
            axes.Add(new GridAxis(key, values));
        }
        return axes;
    }

    /// <summary>
    /// The points of the sweep, validated: each grid combination applied to <paramref name="baseConfig"/>,
    /// once per seed from its first seed. A value that does not parse or fails validation is an error naming it.
    /// </summary>
    /// <param name="experiment">The experiment.</param>
    /// <param name="baseConfig">The resolved config before the grid (size defaults and <c>--set</c>).</param>
    /// <param name="axes">The grid from <see cref="Parse"/>.</param>
    /// <param name="seeds">Seeds per grid combination, from <c>baseConfig.Seed</c>.</param>
    public static IReadOnlyList<SweepPoint> Expand(IExperiment experiment, ExperimentConfig baseConfig, IReadOnlyList<GridAxis> axes, int seeds)
    {
        if (seeds < 1) throw new LabUserException($"--seeds {seeds}: must be a whole number ≥ 1.");
        if ((long)baseConfig.Seed + seeds - 1 > int.MaxValue) throw new LabUserException($"--seeds {seeds} from seed {baseConfig.Seed}: the last seed exceeds {int.MaxValue}.");
        var points = new List<SweepPoint>();
        foreach (var combination in Combinations(axes))
        {
            var assignments = combination.Select(c => $"{c.Key}={c.Value}").ToList();
            foreach (var seed in Enumerable.Range(baseConfig.Seed, seeds))
            {
                ExperimentConfig config;
                try
                {
                    config = ConfigOverrides.Apply(baseConfig with { Seed = seed, Seeds = 1 }, assignments);
                }
                catch (LabUserException e) when (assignments.Count > 0)
                {
                    throw new LabUserException($"--grid point {string.Join(", ", assignments)}: {e.Message}");
                }
                var configJson = SweepManifest.ConfigJson(config);
                var grid = new JsonObject();
                foreach (var (key, _) in combination) grid[key] = ConfigOverrides.ValueOf(config, key);
                points.Add(SweepManifest.Point(points.Count, experiment.Id, grid, seed, configJson));
            }
        }
        return points;
    }

    private static IEnumerable<IReadOnlyList<(string Key, string Value)>> Combinations(IReadOnlyList<GridAxis> axes)
    {
        IEnumerable<IReadOnlyList<(string Key, string Value)>> result = new[] { Array.Empty<(string, string)>() };
        foreach (var axis in axes)
            result = result.SelectMany(prefix => axis.Values.Select(v => (IReadOnlyList<(string, string)>)prefix.Append((axis.Key, v)).ToList())).ToList();
        return result;
    }
}
