using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Sweeps;

/// <summary>One point of a sweep: one ordinary run of the experiment with one resolved config (one seed).</summary>
/// <param name="Index">Position in the manifest, from 0 (the Slurm array task id).</param>
/// <param name="RunId">Derived from the experiment and the resolved config alone: the same config always gets the same id.</param>
/// <param name="Experiment">Experiment id.</param>
/// <param name="Grid">The grid keys and this point's values (typed as in the config).</param>
/// <param name="Seed">The point's seed.</param>
/// <param name="Directory">Its run directory, relative to the sweep directory.</param>
/// <param name="Config">The resolved config (snake_case JSON, as in the run's config.json).</param>
public sealed record SweepPoint(int Index, string RunId, string Experiment, JsonObject Grid, int Seed, string Directory, JsonObject Config)
{
    /// <summary>"lr=0.01, seed 2": the point in words.</summary>
    public string Label => string.Join(", ", Grid.Select(g => $"{g.Key}={ValueText(g.Value)}").Append($"seed {Seed}"));

    /// <summary>The grid values without the seed, e.g. "lr=0.01" ("(no grid)" for a sweep over seeds only): the key points are grouped by.</summary>
    public string GridLabel => Grid.Count == 0 ? "(no grid)" : string.Join(", ", Grid.Select(g => $"{g.Key}={ValueText(g.Value)}"));

    /// <summary>A grid value as the user typed it: strings without JSON's quotes.</summary>
    /// <param name="value">A value of <see cref="Grid"/>.</param>
    public static string ValueText(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string)v! : value?.ToJsonString() ?? "null";
}

/// <summary>
/// The manifest of a sweep, <c>manifest.jsonl</c> in the sweep directory: one JSON line per point
/// (<see cref="SweepPoint"/>). It holds no time or machine, so the same sweep command always writes the
/// same bytes: re-running the command finds the manifest it would write and finishes what is left.
/// </summary>
public static class SweepManifest
{
    /// <summary>File name inside the sweep directory.</summary>
    public const string FileName = "manifest.jsonl";

    /// <summary>Folder of the points' run directories inside the sweep directory.</summary>
    public const string PointsFolder = "points";

    private static readonly JsonSerializerOptions OneLine = new(ConfigOverrides.Json) { WriteIndented = false };

    /// <summary>True when <paramref name="directory"/> holds a sweep.</summary>
    /// <param name="directory">A folder.</param>
    public static bool IsSweep(string directory) => File.Exists(Path.Combine(directory, FileName));

    /// <summary>
    /// The sweep directories below <paramref name="root"/> (not the root itself; as deep as a report looks for runs),
    /// ordered by path. Their points differ in config by design, so a report of the folder must not pool them as seeds.
    /// </summary>
    /// <param name="root">A folder.</param>
    public static IReadOnlyList<string> FindUnder(string root) =>
        Directory.EnumerateFiles(root, FileName, RunDirectory.Search)
            .Select(Path.GetDirectoryName).OfType<string>()
            .Where(d => FullPath(d) != FullPath(root))
            .OrderBy(d => d, StringComparer.Ordinal)
            .ToList();

    /// <summary>True when <paramref name="directory"/> lies inside one of <paramref name="sweeps"/> (not when it is one).</summary>
    /// <param name="directory">A folder.</param>
    /// <param name="sweeps">Sweep directories.</param>
    public static bool IsInside(string directory, IEnumerable<string> sweeps)
    {
        var full = FullPath(directory);
        return sweeps.Any(s => full.StartsWith(FullPath(s) + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }

    /// <summary>The sweep directory <paramref name="directory"/> lies inside (its nearest ancestor holding a manifest), or null.</summary>
    /// <param name="directory">A folder.</param>
    public static string? Enclosing(string directory)
    {
        for (var parent = Path.GetDirectoryName(FullPath(directory)); parent is not null; parent = Path.GetDirectoryName(parent))
            if (IsSweep(parent)) return parent;
        return null;
    }

    /// <summary>An absolute path without a trailing separator, so "sw" and "sw/" compare equal.</summary>
    private static string FullPath(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    /// <summary>A config as the run's config.json holds it.</summary>
    /// <param name="config">A resolved config.</param>
    public static JsonObject ConfigJson(ExperimentConfig config) =>
        JsonSerializer.SerializeToNode(config, config.GetType(), ConfigOverrides.Json)!.AsObject();

    /// <summary>Makes point <paramref name="index"/>: its run id (a hash of the experiment and config) and directory.</summary>
    /// <param name="index">Position in the manifest.</param>
    /// <param name="experiment">Experiment id.</param>
    /// <param name="grid">Grid keys and values.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="config">The resolved config as JSON.</param>
    public static SweepPoint Point(int index, string experiment, JsonObject grid, int seed, JsonObject config)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(experiment + "\n" + config.ToJsonString(OneLine)));
        var runId = $"{experiment}-{Convert.ToHexStringLower(hash)[..12]}";
        return new SweepPoint(index, runId, experiment, grid, seed, $"{PointsFolder}/{index:D3}-{runId}", config);
    }

    /// <summary>The manifest text: one line per point.</summary>
    /// <param name="points">The points in order.</param>
    public static string Text(IReadOnlyList<SweepPoint> points)
    {
        var text = new StringBuilder();
        foreach (var p in points)
            text.Append(new JsonObject
            {
                ["index"] = p.Index,
                ["run_id"] = p.RunId,
                ["experiment"] = p.Experiment,
                ["grid"] = p.Grid.DeepClone(),
                ["seed"] = p.Seed,
                ["directory"] = p.Directory,
                ["config"] = p.Config.DeepClone(),
            }.ToJsonString(OneLine)).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// Writes the manifest of a new sweep, or checks that the one already there is the same sweep (then
    /// nothing is written and the caller finishes what is left). A different sweep, or a folder holding
    /// something else, is refused with a message.
    /// </summary>
    /// <param name="directory">The sweep directory.</param>
    /// <param name="points">The points.</param>
    /// <returns>True when the manifest was already there.</returns>
    public static bool WriteOrMatch(string directory, IReadOnlyList<SweepPoint> points)
    {
        var path = Path.Combine(directory, FileName);
        var text = Text(points);
        if (File.Exists(path))
        {
            var existing = Read(directory);
            if (File.ReadAllText(path) == text) return true;
            var differs = existing.Count != points.Count
                ? $"it has {existing.Count} points, this command makes {points.Count}"
                : $"point {points.First(p => Text(new[] { p }) != Text(new[] { existing[p.Index] })).Index} differs";
            throw new LabUserException($"'{directory}' holds a different sweep ({differs}); give the command it was made with to finish it, or choose another --out.");
        }
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
            throw new LabUserException($"--out '{directory}' is not empty and holds no sweep ({FileName}); choose an empty or new folder.");
        bool created = RunDirectory.Create(directory);
        try
        {
            AtomicFile.WriteAllText(path, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (created) RunDirectory.RemoveIfEmpty(directory);
            throw new LabUserException($"--out '{directory}' cannot be written ({e.Message.TrimEnd('.')}); choose a writable directory.");
        }
        return false;
    }

    /// <summary>Reads the points of the sweep in <paramref name="directory"/>.</summary>
    /// <param name="directory">A sweep directory.</param>
    public static IReadOnlyList<SweepPoint> Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new LabUserException($"'{directory}' holds no sweep (no {FileName}); 'muonsharp sweep <id> --grid key=v1,v2 --out DIR' makes one.");
        try
        {
            return File.ReadAllLines(path).Where(l => l.Length > 0).Select((line, i) =>
            {
                var o = JsonNode.Parse(line)!.AsObject();
                var point = new SweepPoint((int)o["index"]!, (string)o["run_id"]!, (string)o["experiment"]!, o["grid"]!.AsObject().DeepClone().AsObject(),
                    (int)o["seed"]!, (string)o["directory"]!, o["config"]!.AsObject().DeepClone().AsObject());
                if (point.Index != i) throw new JsonException($"line {i + 1} has index {point.Index}");
                return point;
            }).ToList();
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException or NullReferenceException or FormatException or UnauthorizedAccessException)
        {
            throw new LabUserException($"Cannot read '{path}': {e.Message}");
        }
    }

    /// <summary>Point <paramref name="index"/> of the sweep in <paramref name="directory"/>, or an error naming the valid range.</summary>
    /// <param name="directory">A sweep directory.</param>
    /// <param name="index">A point index.</param>
    public static SweepPoint ReadPoint(string directory, int index)
    {
        var points = Read(directory);
        if (points.Count == 0) throw new LabUserException($"--index {index}: the sweep in '{directory}' has no points.");
        if (index < 0 || index >= points.Count)
            throw new LabUserException($"--index {index}: the sweep in '{directory}' has points 0 to {points.Count - 1}.");
        return points[index];
    }

    /// <summary>The absolute run directory of <paramref name="point"/>.</summary>
    /// <param name="sweepDirectory">The sweep directory.</param>
    /// <param name="point">A point.</param>
    public static string RunDirectoryOf(string sweepDirectory, SweepPoint point) => Path.GetFullPath(Path.Combine(sweepDirectory, point.Directory));
}
