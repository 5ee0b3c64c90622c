namespace MuonSharp.Lab.Data;

/// <summary>One dataset as <c>data list</c> shows it.</summary>
/// <param name="Name">Dataset name.</param>
/// <param name="Kind"><c>images</c> or <c>text</c>.</param>
/// <param name="Source">Where it is fetched from when the user has no copy.</param>
/// <param name="UserFiles">The folder of the user's own copy when there is one (it takes precedence), else null.</param>
/// <param name="Cache">Whether the cache holds it.</param>
/// <param name="CacheFolder">The cache entry's folder.</param>
/// <param name="SizeOnDisk">Bytes of the cache entry.</param>
/// <param name="Archives">What was downloaded, with the SHA-256 recorded when it was (empty if never fetched).</param>
public sealed record DatasetDescriptor(string Name, string Kind, string Source, string? UserFiles, CacheStatus Cache,
    string CacheFolder, long SizeOnDisk, IReadOnlyList<RecordedFile> Archives);

/// <summary>A dataset made available: where it was read from and how many examples each split holds.</summary>
/// <param name="Name">Dataset name.</param>
/// <param name="Origin">User files or the cache entry, and its source.</param>
/// <param name="Splits">Examples per split.</param>
public sealed record DatasetSummary(string Name, string Origin, IReadOnlyList<SplitCount> Splits);
