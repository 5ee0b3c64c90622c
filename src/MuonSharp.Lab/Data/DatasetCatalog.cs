using MuonSharp.Lab.Data.Sources;
using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Data;

/// <summary>Every dataset the lab knows and the sources that fetch them by default.</summary>
internal static class DatasetCatalog
{
    private static readonly string[] Digits = Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray();

    // Label order of Zalando's fashion-mnist README.
    private static readonly string[] Clothes = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };

    public static readonly IReadOnlyList<DatasetSpec> All = new DatasetSpec[]
    {
        new ImageDatasetSpec(DatasetNames.Mnist, Digits),
        new ImageDatasetSpec(DatasetNames.FashionMnist, Clothes),
        new TextDatasetSpec(DatasetNames.Kjv),
    };

    public static IReadOnlyList<IDatasetSource> DefaultSources() =>
        new IDatasetSource[] { new NpmMnistSource(), new DebianFashionMnistSource(), new DebianKjvSource() };

    public static DatasetSpec? Find(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    public static DatasetSpec Get(string name) =>
        Find(name) ?? throw new LabUserException($"Unknown dataset '{name}'. Known: {string.Join(", ", All.Select(s => s.Name))}.");
}
