namespace MuonSharp.Lab.Data;

/// <summary>A text dataset: one UTF-8 file <c>NAME.txt</c>, directly in the user's data directory.</summary>
internal sealed class TextDatasetSpec : DatasetSpec
{
    public TextDatasetSpec(string name) : base(name) => Files = new[] { FileName };

    public override string Kind => "text";

    public override IReadOnlyList<string> Files { get; }

    private string FileName => $"{Name}.txt";

    public override string UserFolder(string dataDirectory) => dataDirectory;

    public override bool AnyFileIn(string folder) => File.Exists(Path.Combine(folder, FileName));

    public override IReadOnlyList<SplitCount> Check(string folder) => new[] { new SplitCount("text", Load(folder).Length, "characters") };

    public override string HandSupply(string folder) => $"put a UTF-8 text file {FileName} in {folder}";

    /// <summary>The text in <paramref name="folder"/>.</summary>
    public string Load(string folder) => TextFile.ReadUtf8(Path.Combine(folder, FileName));
}
