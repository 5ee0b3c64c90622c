using System.Text.Json;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Data;

/// <summary>
/// <c>manifest.json</c> of a cache entry: where the data came from, the SHA-256 of what was
/// downloaded and of every file kept, and the split sizes found when it was checked. Written last,
/// so an entry without one is unfinished.
/// </summary>
/// <param name="Dataset">Dataset name.</param>
/// <param name="Source">The source's description.</param>
/// <param name="FetchedUtc">When it was fetched.</param>
/// <param name="Archives">The downloaded archives (.tgz, .deb), which are not kept.</param>
/// <param name="Files">The files of the entry.</param>
/// <param name="Splits">Split sizes.</param>
internal sealed record CacheManifest(string Dataset, string Source, DateTimeOffset FetchedUtc,
    IReadOnlyList<RecordedFile> Archives, IReadOnlyList<RecordedFile> Files, IReadOnlyList<SplitCount> Splits)
{
    public const string FileName = "manifest.json";

    public void Write(string folder) =>
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, ConfigOverrides.Json) + "\n");

    /// <summary>The manifest in <paramref name="folder"/>, null when there is none, or a problem when it cannot be read.</summary>
    public static CacheManifest? Read(string folder, out string? problem)
    {
        problem = null;
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            var manifest = JsonSerializer.Deserialize<CacheManifest>(File.ReadAllText(path), ConfigOverrides.Json);
            if (manifest?.Files is { Count: > 0 } && manifest.Archives is not null && manifest.Splits is not null) return manifest;
            problem = $"{FileName} is incomplete";
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            problem = $"{FileName} is unreadable ({e.Message})";
        }
        return null;
    }
}
