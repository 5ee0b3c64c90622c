using MuonSharp.Lab.Data;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Data;

/// <summary>Small generated datasets in the standard file layouts: tests never download anything.</summary>
internal static class TinyDatasets
{
    public static readonly string[] ImageFiles = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };

    /// <summary>The four IDX files of a split train/test dataset: image i has every pixel (i · 7 + seed) mod 256 and label i mod 10.</summary>
    public static void WriteImages(string folder, int train = 12, int test = 5, bool gzip = false, int seed = 0)
    {
        Directory.CreateDirectory(folder);
        string suffix = gzip ? ".gz" : "";
        WriteSplit(Path.Combine(folder, ImageFiles[0] + suffix), Path.Combine(folder, ImageFiles[1] + suffix), train, seed);
        WriteSplit(Path.Combine(folder, ImageFiles[2] + suffix), Path.Combine(folder, ImageFiles[3] + suffix), test, seed);
    }

    /// <summary>
    /// A data directory, made once per test process, holding generated MNIST and Fashion-MNIST big enough for
    /// every experiment's quick size (1,000 training and 300 test images each) and a generated <c>kjv.txt</c>
    /// (<see cref="Text"/>): what quick runs read offline. Deleted when the process exits.
    /// </summary>
    public static string QuickRunDirectory => QuickRun.Value;

    private static readonly Lazy<string> QuickRun = new(() =>
    {
        string directory = Path.Combine(Path.GetTempPath(), $"muonsharp-tests-quick-data-{Environment.ProcessId}");
        foreach (var dataset in new[] { DatasetNames.Mnist, DatasetNames.FashionMnist })
            WriteImages(Path.Combine(directory, dataset), train: 1000, test: 300);
        File.WriteAllText(Path.Combine(directory, "kjv.txt"), Text());
        // One per test process: left behind, every run of the suite would add 2 MB to the temporary folder.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(directory, recursive: true); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } };
        return directory;
    });

    /// <summary>
    /// A generated text of about <paramref name="characters"/> characters: words of 1–8 letters a–z separated by spaces,
    /// a newline every 12 words, drawn from a seeded generator — every character appears within the first few hundred.
    /// </summary>
    public static string Text(int characters = 20_000, int seed = 0)
    {
        var random = new Random(seed);
        var text = new System.Text.StringBuilder();
        for (int word = 1; text.Length < characters; word++)
        {
            for (int i = random.Next(1, 9); i > 0; i--) text.Append((char)('a' + random.Next(26)));
            text.Append(word % 12 == 0 ? '\n' : ' ');
        }
        return text.ToString();
    }

    public static byte PixelOf(int image, int seed = 0) => (byte)((image * 7 + seed) % 256);

    private static void WriteSplit(string images, string labels, int count, int seed)
    {
        var pixels = Enumerable.Range(0, count).SelectMany(i => Enumerable.Repeat(PixelOf(i, seed), 28 * 28)).ToArray();
        IdxFile.Write(images, new IdxArray(new[] { count, 28, 28 }, pixels));
        IdxFile.Write(labels, new IdxArray(new[] { count }, Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray()));
    }
}

/// <summary>A source that writes generated files instead of downloading, and counts how often it was asked.</summary>
internal sealed class FakeSource : IDatasetSource
{
    private readonly Action<string> _write;

    public FakeSource(string dataset, Action<string> write, IReadOnlyList<SplitCount>? expected = null)
    {
        Dataset = dataset;
        _write = write;
        ExpectedSplits = expected;
    }

    public static FakeSource Images(string dataset = "mnist", int train = 12, int test = 5) =>
        new(dataset, folder => TinyDatasets.WriteImages(folder, train, test));

    public static FakeSource Text(string text) => new("kjv", folder => File.WriteAllText(Path.Combine(folder, "kjv.txt"), text));

    public string Dataset { get; }

    public string Description => $"fake {Dataset} source";

    public IReadOnlyList<SplitCount>? ExpectedSplits { get; }

    public int Calls { get; private set; }

    public IReadOnlyList<RecordedFile> Acquire(string outputFolder, string workFolder, IRunProgress progress)
    {
        Calls++;
        var archive = Path.Combine(workFolder, $"{Dataset}-archive.bin");
        File.WriteAllBytes(archive, new byte[] { 1, 2, 3, (byte)Calls });
        _write(outputFolder);
        return new[] { RecordedFile.Of(archive) };
    }
}
