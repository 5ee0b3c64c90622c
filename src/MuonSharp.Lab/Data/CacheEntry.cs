using MuonSharp.Lab.Data.Sources;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Data;

/// <summary>Whether a dataset is in the cache.</summary>
public enum CacheStatus
{
    /// <summary>Not fetched yet.</summary>
    Missing,
    /// <summary>Fetched; its files are there with the recorded sizes (hashes are checked on use).</summary>
    Cached,
    /// <summary>Damaged: a file is missing or differs from what the manifest records; the next use fetches it again.</summary>
    Corrupt,
}

/// <summary>What <see cref="CacheEntry.Inspect"/> found.</summary>
/// <param name="Status">Missing, cached or corrupt.</param>
/// <param name="Manifest">The manifest when it could be read (also for a corrupt entry).</param>
/// <param name="Problem">What is wrong, for a corrupt entry.</param>
internal sealed record CacheInspection(CacheStatus Status, CacheManifest? Manifest, string? Problem);

/// <summary>
/// One dataset's folder in the cache, <c>CACHE/NAME/</c>: its files and <c>manifest.json</c>.
/// An entry is filled in a private staging folder (<c>CACHE/.staging/</c>) and appears by one
/// directory rename, manifest included, so a killed fetch leaves no entry at all rather than a
/// half one; fills are serialized across processes by a lock file <c>CACHE/.NAME.lock</c>.
/// </summary>
internal sealed class CacheEntry
{
    // A fetch of the largest dataset takes seconds; a lock held this long belongs to a stuck process.
    private static readonly TimeSpan LockPatience = TimeSpan.FromMinutes(30);

    private readonly string _cacheDirectory;
    private readonly DatasetSpec _spec;

    public CacheEntry(string cacheDirectory, DatasetSpec spec)
    {
        _cacheDirectory = cacheDirectory;
        _spec = spec;
        Folder = Path.Combine(cacheDirectory, spec.Name);
    }

    public string Folder { get; }

    private string StagingRoot => Path.Combine(_cacheDirectory, ".staging");

    /// <summary>Bytes of every file in the entry.</summary>
    public long SizeOnDisk() =>
        Directory.Exists(Folder) ? Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;

    /// <summary>Compares the entry with its manifest: sizes always, SHA-256 too when <paramref name="hashes"/>.</summary>
    public CacheInspection Inspect(bool hashes)
    {
        if (!Directory.Exists(Folder)) return new(CacheStatus.Missing, null, null);
        var manifest = CacheManifest.Read(Folder, out var unreadable);
        if (manifest is null) return new(CacheStatus.Corrupt, null, unreadable ?? $"{CacheManifest.FileName} is missing");
        var problem = Problem(manifest, hashes);
        return new(problem is null ? CacheStatus.Cached : CacheStatus.Corrupt, manifest, problem);
    }

    private string? Problem(CacheManifest manifest, bool hashes)
    {
        foreach (var name in _spec.Files.Where(name => manifest.Files.All(f => f.Name != name)))
            return $"{CacheManifest.FileName} does not list {name}";
        foreach (var recorded in manifest.Files)
        {
            var path = Path.Combine(Folder, recorded.Name);
            if (!File.Exists(path)) return $"{recorded.Name} is missing";
            long bytes = new FileInfo(path).Length;
            if (bytes != recorded.Bytes) return $"{recorded.Name} has {bytes:N0} bytes, {recorded.Bytes:N0} were recorded";
            if (hashes && RecordedFile.Of(path).Sha256 != recorded.Sha256) return $"{recorded.Name} does not match its recorded SHA-256";
        }
        return null;
    }

    /// <summary>
    /// Acquires the dataset from <paramref name="source"/> into staging, checks it (files present,
    /// structure, split sizes), records the SHA-256 of archives and files, then swaps it in.
    /// </summary>
    public CacheManifest Fill(IDatasetSource source, IRunProgress progress)
    {
        var staging = Path.Combine(StagingRoot, $"{_spec.Name}.{Environment.ProcessId}");
        var files = Path.Combine(staging, "entry");
        var work = Path.Combine(staging, "work");
        DeleteStaging();
        Directory.CreateDirectory(files);
        Directory.CreateDirectory(work);
        try
        {
            var archives = source.Acquire(files, work, progress);
            Directory.Delete(work, recursive: true);
            foreach (var name in _spec.Files.Where(name => !File.Exists(Path.Combine(files, name))))
                throw new LabUserException($"{source.Description} delivered no {name}.");
            var splits = PackageTools.Stage(progress, $"checking {_spec.Name}", () => _spec.Check(files));
            if (source.ExpectedSplits is { } expected && !expected.SequenceEqual(splits))
                throw new LabUserException($"{source.Description} delivered {Describe(splits)}, expected {Describe(expected)}.");
            var manifest = new CacheManifest(_spec.Name, source.Description, DateTimeOffset.UtcNow, archives,
                _spec.Files.Select(name => RecordedFile.Of(Path.Combine(files, name))).ToArray(), splits);
            manifest.Write(files);
            SwapIn(files, Path.Combine(staging, "old"));
            return manifest;
        }
        finally
        {
            DeleteStaging();
        }
    }

    /// <summary>Holds the entry's lock file until disposed; waits while another process holds it.</summary>
    public IDisposable Lock(Action<string> warn)
    {
        Directory.CreateDirectory(_cacheDirectory);
        var path = Path.Combine(_cacheDirectory, $".{_spec.Name}.lock");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        bool warned = false;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive advisory lock (flock on Unix), released when the process dies.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(path) && waited.Elapsed < LockPatience)
            {
                if (!warned) warn($"waiting for another process that is fetching {_spec.Name} (lock {path}).");
                warned = true;
                Thread.Sleep(TimeSpan.FromMilliseconds(250));
            }
            catch (IOException e)
            {
                throw new LabUserException($"Cannot lock {path} to fetch {_spec.Name}: {e.Message}");
            }
        }
    }

    // The old entry (if any) is renamed aside before the new one is renamed in: readers see the old,
    // nothing, or the new entry, each complete with its manifest.
    private void SwapIn(string files, string aside)
    {
        if (Directory.Exists(Folder)) Directory.Move(Folder, aside);
        Directory.Move(files, Folder);
    }

    // Called under the lock: whatever staging exists for this dataset is a leftover of a killed fetch or ours.
    private void DeleteStaging()
    {
        if (!Directory.Exists(StagingRoot)) return;
        foreach (var folder in Directory.EnumerateDirectories(StagingRoot, $"{_spec.Name}.*"))
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string Describe(IEnumerable<SplitCount> splits) => string.Join(", ", splits.Select(s => $"{s.Split} {s.Count:N0} {s.Unit}"));
}
