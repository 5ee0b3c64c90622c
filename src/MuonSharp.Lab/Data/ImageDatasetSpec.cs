using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Data;

/// <summary>
/// An MNIST-style dataset: the four standard IDX files (LeCun's names, each optionally <c>.gz</c>)
/// in one folder — <c>DIR/mnist/</c>, <c>DIR/fashion-mnist/</c> — since both datasets use the same names.
/// </summary>
internal sealed class ImageDatasetSpec : DatasetSpec
{
    /// <summary>The splits and their files, in LeCun's names.</summary>
    public static readonly IReadOnlyList<IdxPair> Layout = new IdxPair[]
    {
        new("train", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        new("test", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
    };

    private readonly IReadOnlyList<string> _classNames;

    public ImageDatasetSpec(string name, IReadOnlyList<string> classNames) : base(name) => _classNames = classNames;

    public override string Kind => "images";

    public override IReadOnlyList<string> Files { get; } = Layout.SelectMany(l => new[] { l.Images, l.Labels }).ToArray();

    public override string UserFolder(string dataDirectory) => Path.Combine(dataDirectory, Name);

    public override bool AnyFileIn(string folder) => Files.Any(f => File.Exists(Path.Combine(folder, f)) || File.Exists(Path.Combine(folder, f + ".gz")));

    public override IReadOnlyList<SplitCount> Check(string folder) =>
        Load(folder, origin: folder).Splits.Select(s => new SplitCount(s.Name, s.Count, Kind)).ToArray();

    public override string HandSupply(string folder) =>
        $"put {string.Join(", ", Files.SkipLast(1))} and {Files[^1]} (each optionally .gz) in {folder}";

    /// <summary>Reads and checks both splits from <paramref name="folder"/>.</summary>
    public ImageDataset Load(string folder, string origin) =>
        new(Name, origin, _classNames, Layout.Select(l => ImageSplit.Read(l.Split, Find(folder, l.Images), Find(folder, l.Labels))).ToArray());

    private string Find(string folder, string file)
    {
        var plain = Path.Combine(folder, file);
        if (File.Exists(plain)) return plain;
        if (File.Exists(plain + ".gz")) return plain + ".gz";
        throw new LabUserException($"The {Name} files in '{folder}' are incomplete: {file} (or {file}.gz) is missing; {HandSupply(folder)}.");
    }
}

/// <summary>The two IDX files of one split.</summary>
/// <param name="Split">Split name.</param>
/// <param name="Images">Image file name (<c>[n, 28, 28]</c>).</param>
/// <param name="Labels">Label file name (<c>[n]</c>).</param>
internal sealed record IdxPair(string Split, string Images, string Labels);
