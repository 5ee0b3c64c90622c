using System.Text.Json;
using System.Text.Json.Serialization;

namespace MuonSharp.Lab.Runs;

/// <summary>A finished unit: its key, the file holding its result, and how many metric rows it recorded.</summary>
/// <param name="Key">The unit's key.</param>
/// <param name="File">Result file, relative to the checkpoint folder.</param>
/// <param name="Rows">Rows of metrics.csv the unit recorded.</param>
internal sealed record FinishedUnit(string Key, string File, int Rows);

/// <summary>A unit that was interrupted after saving its state.</summary>
/// <param name="Key">The unit's key.</param>
/// <param name="State">Folder of the saved state, relative to the checkpoint folder.</param>
/// <param name="Rows">Rows of metrics.csv recorded when the state was saved.</param>
internal sealed record SavedUnitState(string Key, string State, int Rows);

/// <summary>
/// The content of <c>checkpoint/checkpoint.json</c>: everything a resumed run needs besides the unit
/// results and saved states it points to. <see cref="MetricsBytes"/> and <see cref="Rows"/> say how
/// much of <c>metrics.csv</c> is covered; anything after is cut on resume and recomputed.
/// </summary>
/// <param name="Format">Checkpoint format version (<see cref="RunCheckpoint.Format"/>).</param>
/// <param name="MuonsharpVersion">Version of the library that wrote it.</param>
/// <param name="Rows">Rows of metrics.csv covered.</param>
/// <param name="MetricsBytes">Bytes of metrics.csv covered.</param>
/// <param name="Finished">Finished units in the order they finished.</param>
/// <param name="InProgress">The unit whose saved state a resumed run restores, if any.</param>
internal sealed record CheckpointManifest(int Format, string MuonsharpVersion, int Rows, long MetricsBytes,
    IReadOnlyList<FinishedUnit> Finished, SavedUnitState? InProgress);

/// <summary>
/// The <c>checkpoint/</c> folder of a run directory: unit results (one file each, written once) and
/// the manifest that names them, every write atomic (temporary file + rename), the manifest last, so
/// a kill at any moment leaves the previous checkpoint intact.
/// </summary>
internal sealed class RunCheckpoint
{
    /// <summary>
    /// Version of the checkpoint format and of the optimizer and model state inside it. Bump it when
    /// either changes (an optimizer's <c>state_dict</c> layout, for instance): a checkpoint of another
    /// version is refused rather than misread. Format 2: the optimizers' saved state became MuonSharp's
    /// versioned state format 2 (hyperparameters by name, every parameter's shape and dtype).
    /// </summary>
    public const int Format = 2;

    /// <summary>Folder name inside the run directory.</summary>
    public const string FolderName = "checkpoint";

    private const string ManifestName = "checkpoint.json";

    private static readonly JsonSerializerOptions ManifestJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly Dictionary<string, FinishedUnit> _finished = new(StringComparer.Ordinal);
    private readonly List<FinishedUnit> _order = new();

    private RunCheckpoint(string folder) => Folder = folder;

    /// <summary>The checkpoint folder.</summary>
    public string Folder { get; }

    /// <summary>Test hook: called between writing a unit's result or state and writing the manifest that names it.</summary>
    public Action<string>? Fault { get; set; }

    /// <summary>The saved state a resumed run restores, until it is taken.</summary>
    public SavedUnitState? InProgress { get; private set; }

    /// <summary>Rows of metrics.csv covered by the manifest on disk.</summary>
    public int Rows { get; private set; }

    /// <summary>Bytes of metrics.csv covered by the manifest on disk.</summary>
    public long MetricsBytes { get; private set; }

    /// <summary>Creates an empty checkpoint folder for a new run.</summary>
    public static RunCheckpoint Create(string runDirectory)
    {
        var folder = Path.Combine(runDirectory, FolderName);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        return new RunCheckpoint(folder);
    }

    /// <summary>Reads the checkpoint of an interrupted run; a missing, unreadable or foreign-format one is a <see cref="Experiments.LabUserException"/>.</summary>
    public static RunCheckpoint Load(string runDirectory)
    {
        var folder = Path.Combine(runDirectory, FolderName);
        var path = Path.Combine(folder, ManifestName);
        if (!File.Exists(path))
            throw new Experiments.LabUserException($"'{runDirectory}' has no checkpoint ({Path.Combine(FolderName, ManifestName)} is missing); it cannot be resumed — start a new run in another directory.");
        CheckpointManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllText(path), ManifestJson)
                       ?? throw new JsonException("empty file");
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new Experiments.LabUserException($"Cannot read the checkpoint '{path}': {e.Message}");
        }
        if (manifest.Format != Format)
            throw new Experiments.LabUserException(
                $"The checkpoint in '{runDirectory}' has format {manifest.Format} (written by MuonSharp {manifest.MuonsharpVersion}); this MuonSharp reads format {Format} only. Resume it with that version, or start a new run.");
        var checkpoint = new RunCheckpoint(folder) { Rows = manifest.Rows, MetricsBytes = manifest.MetricsBytes, InProgress = manifest.InProgress };
        foreach (var unit in manifest.Finished)
        {
            checkpoint._finished[unit.Key] = unit;
            checkpoint._order.Add(unit);
        }
        return checkpoint;
    }

    /// <summary>The finished unit called <paramref name="key"/>, or null.</summary>
    public FinishedUnit? Finished(string key) => _finished.GetValueOrDefault(key);

    /// <summary>The result JSON of a finished unit.</summary>
    public string ReadResult(FinishedUnit unit) => File.ReadAllText(Path.Combine(Folder, unit.File));

    /// <summary>The absolute folder of a saved state.</summary>
    public string StatePath(SavedUnitState state) => Path.Combine(Folder, state.State);

    /// <summary>Forgets the saved state (it was restored, or its unit finished) without deleting it yet.</summary>
    public void TakeInProgress() => InProgress = null;

    /// <summary>Records a finished unit: its result file, then the manifest.</summary>
    public void Finish(string key, string resultJson, int unitRows, int rows, long metricsBytes)
    {
        var unit = new FinishedUnit(key, Path.Combine("units", $"{_order.Count + 1:D5}.json"), unitRows);
        AtomicFile.WriteAllText(Path.Combine(Folder, unit.File), resultJson);
        Fault?.Invoke("unit result written");
        _finished[key] = unit;
        _order.Add(unit);
        InProgress = null;
        Save(rows, metricsBytes);
        DeleteStatesExcept(keep: null);
    }

    /// <summary>Saves a unit's state through <paramref name="write"/> into a fresh folder, then the manifest that points to it.</summary>
    public void SaveState(string key, Action<string> write, int rows, long metricsBytes)
    {
        var name = $"state-{Guid.NewGuid():N}";
        var temp = Path.Combine(Folder, $".{name}.{Environment.ProcessId}.tmp");
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        write(temp);
        Directory.Move(temp, Path.Combine(Folder, name));
        Fault?.Invoke("unit state written");
        InProgress = new SavedUnitState(key, name, rows);
        Save(rows, metricsBytes);
        DeleteStatesExcept(keep: name);
    }

    /// <summary>Rewrites the manifest with the metrics coverage given.</summary>
    public void Save(int rows, long metricsBytes)
    {
        Rows = rows;
        MetricsBytes = metricsBytes;
        var manifest = new CheckpointManifest(Format, LabRunner.Version, rows, metricsBytes, _order.ToList(), InProgress);
        AtomicFile.WriteAllText(Path.Combine(Folder, ManifestName), JsonSerializer.Serialize(manifest, ManifestJson));
    }

    private void DeleteStatesExcept(string? keep)
    {
        foreach (var dir in Directory.EnumerateDirectories(Folder, "state-*"))
            if (Path.GetFileName(dir) != keep) TryDelete(dir);
    }

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { /* a leftover state folder is harmless: the manifest no longer names it */ }
    }
}
