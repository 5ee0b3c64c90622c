namespace MuonSharp.Lab.Data;

/// <summary>
/// What the store knows about one dataset besides where it is fetched from: the files that make
/// it up, where a user puts their own copy, and the checks those files must pass.
/// </summary>
internal abstract class DatasetSpec
{
    protected DatasetSpec(string name) => Name = name;

    /// <summary>The dataset's name on the command line, e.g. <c>mnist</c>.</summary>
    public string Name { get; }

    /// <summary><c>images</c> or <c>text</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>The files of a complete cache entry.</summary>
    public abstract IReadOnlyList<string> Files { get; }

    /// <summary>The folder inside the user's data directory that holds the user's copy.</summary>
    public abstract string UserFolder(string dataDirectory);

    /// <summary>Whether any file of this dataset is in <paramref name="folder"/> (then all of them must be).</summary>
    public abstract bool AnyFileIn(string folder);

    /// <summary>Reads and checks the files in <paramref name="folder"/>; the split sizes on success.</summary>
    public abstract IReadOnlyList<SplitCount> Check(string folder);

    /// <summary>How to supply the files by hand: "put … in <paramref name="folder"/>".</summary>
    public abstract string HandSupply(string folder);
}
