using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Data;

/// <summary>
/// An image classification dataset as the lab uses it: named splits (<c>train</c> and <c>test</c>)
/// of 28×28 grey images with labels 0..9, and where the files came from.
/// </summary>
public sealed class ImageDataset
{
    internal ImageDataset(string name, string origin, IReadOnlyList<string> classNames, IReadOnlyList<ImageSplit> splits)
    {
        Name = name;
        Origin = origin;
        ClassNames = classNames;
        Splits = splits;
    }

    /// <summary>The dataset's name, e.g. <c>mnist</c>.</summary>
    public string Name { get; }

    /// <summary>Where the files were read from (user files or the cache, and the source that filled it), for logs.</summary>
    public string Origin { get; }

    /// <summary>What each label means: <c>ClassNames[label]</c>.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The splits, in file order.</summary>
    public IReadOnlyList<ImageSplit> Splits { get; }

    /// <summary>The split named <paramref name="split"/>, or an error naming the splits there are.</summary>
    /// <param name="split">A split name, e.g. <c>train</c>.</param>
    public ImageSplit this[string split] =>
        Splits.FirstOrDefault(s => s.Name == split)
        ?? throw new LabUserException($"Dataset {Name} has no split '{split}'. It has: {string.Join(", ", Splits.Select(s => s.Name))}.");

    /// <summary>The training split.</summary>
    public ImageSplit Train => this["train"];

    /// <summary>The test split.</summary>
    public ImageSplit Test => this["test"];
}
