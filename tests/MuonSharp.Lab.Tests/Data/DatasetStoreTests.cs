using MuonSharp.Lab.Data;
using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Tests.Data;

/// <summary>Where the store reads from: user files first, then a verified cache entry, then a source.</summary>
public sealed class DatasetStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly List<string> _warnings = new();

    public void Dispose() => _temp.Dispose();

    private string Cache => _temp.Sub("cache");

    private DatasetStore Store(string? user, params IDatasetSource[] sources) =>
        new(user, Cache) { Offline = false, Sources = sources, Warn = _warnings.Add };

    [Fact]
    public void Given_user_idx_files_when_mnist_is_asked_for_then_they_are_used_and_nothing_is_fetched()
    {
        var user = _temp.Sub("mine");
        TinyDatasets.WriteImages(Path.Combine(user, "mnist"), train: 7, test: 3, gzip: true);
        var source = FakeSource.Images();

        var mnist = Store(user, source).Mnist();

        Assert.Equal(0, source.Calls);
        Assert.False(Directory.Exists(Cache));
        Assert.Equal((7, 3), (mnist.Train.Count, mnist.Test.Count));
        Assert.Contains($"user files in {Path.Combine(user, "mnist")}", mnist.Origin);
        Assert.Equal(TinyDatasets.PixelOf(5) / 255f, mnist.Train.ImagesAsFloat32()[5 * 28 * 28 + 100]);
        Assert.Equal(5, mnist.Train.Labels.Span[5]);
    }

    [Fact]
    public void Given_user_files_and_a_cached_entry_when_asked_then_the_user_files_win()
    {
        var user = _temp.Sub("mine");
        var source = FakeSource.Images(train: 12);
        Store(null, source).Mnist();
        TinyDatasets.WriteImages(Path.Combine(user, "mnist"), train: 4, test: 2);

        Assert.Equal(4, Store(user, source).Mnist().Train.Count);
        Assert.Equal(12, Store(null, source).Mnist().Train.Count);
    }

    [Fact]
    public void Given_an_empty_cache_when_asked_twice_then_the_source_runs_once_and_the_manifest_records_every_hash()
    {
        var source = FakeSource.Images();
        var store = Store(null, source);

        var first = store.Mnist();
        var second = store.Mnist();

        Assert.Equal(1, source.Calls);
        Assert.Equal(first.Train.Pixels.ToArray(), second.Train.Pixels.ToArray());
        Assert.Contains("fetched now from fake mnist source", first.Origin);
        Assert.DoesNotContain("fetched now", second.Origin);
        var manifest = File.ReadAllText(Path.Combine(Cache, "mnist", "manifest.json"));
        foreach (var file in TinyDatasets.ImageFiles)
            Assert.Contains(RecordedFile.Of(Path.Combine(Cache, "mnist", file)).Sha256, manifest);
        Assert.Contains("mnist-archive.bin", manifest);
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(Cache, ".staging")));
        Assert.Empty(_warnings);
    }

    [Theory]
    [InlineData("flip", "does not match its recorded SHA-256")]
    [InlineData("truncate", "train-images-idx3-ubyte has 100 bytes")]
    [InlineData("delete", "is missing")]
    [InlineData("manifest", "manifest.json is missing")]
    public void Given_a_damaged_cache_entry_when_asked_then_a_warning_names_the_problem_and_it_is_fetched_again(string damage, string problem)
    {
        var source = FakeSource.Images();
        var store = Store(null, source);
        var expected = store.Mnist().Train.Pixels.ToArray();
        var file = Path.Combine(Cache, "mnist", "train-images-idx3-ubyte");
        switch (damage)
        {
            case "flip": var bytes = File.ReadAllBytes(file); bytes[^1] ^= 0xff; File.WriteAllBytes(file, bytes); break;
            case "truncate": File.WriteAllBytes(file, File.ReadAllBytes(file)[..100]); break;
            case "delete": File.Delete(file); break;
            case "manifest": File.Delete(Path.Combine(Cache, "mnist", "manifest.json")); break;
        }

        var mnist = store.Mnist();

        Assert.Equal(2, source.Calls);
        Assert.Equal(expected, mnist.Train.Pixels.ToArray());
        var warning = Assert.Single(_warnings);
        Assert.Contains("cached mnist", warning);
        Assert.Contains(problem, warning);
        Assert.Contains("fetching it again", warning);
    }

    [Fact]
    public void Given_a_source_that_fails_half_way_when_asked_then_the_cache_holds_no_entry_and_no_leftovers()
    {
        var failing = new FakeSource("mnist", folder =>
        {
            TinyDatasets.WriteImages(folder);
            throw new IOException("connection reset");
        });

        var error = Assert.Throws<LabUserException>(() => Store(null, failing).Mnist());

        Assert.Contains("fake mnist source: connection reset", error.Message);
        Assert.False(Directory.Exists(Path.Combine(Cache, "mnist")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Cache, ".staging")));
    }

    [Fact]
    public void Given_a_source_delivering_other_split_sizes_than_it_promises_when_asked_then_nothing_is_cached()
    {
        var source = new FakeSource("mnist", folder => TinyDatasets.WriteImages(folder, train: 12, test: 5),
            expected: new[] { new SplitCount("train", 8_004, "images"), new SplitCount("test", 1_996, "images") });

        var error = Assert.Throws<LabUserException>(() => Store(null, source).Mnist());

        Assert.Contains("delivered train 12 images, test 5 images, expected train 8,004 images, test 1,996 images", error.Message);
        Assert.False(Directory.Exists(Path.Combine(Cache, "mnist")));
    }

    [Fact]
    public void Given_a_source_writing_a_bad_idx_file_when_asked_then_the_error_names_the_file_and_nothing_is_cached()
    {
        var source = new FakeSource("mnist", folder =>
        {
            TinyDatasets.WriteImages(folder);
            IdxFile.Write(Path.Combine(folder, "t10k-labels-idx1-ubyte"), new IdxArray(new[] { 5 }, new byte[] { 0, 1, 2, 3, 10 }));
        });

        var error = Assert.Throws<LabUserException>(() => Store(null, source).Mnist());

        Assert.Contains("t10k-labels-idx1-ubyte", error.Message);
        Assert.Contains("label 10 at index 4 is outside 0..9", error.Message);
        Assert.False(Directory.Exists(Path.Combine(Cache, "mnist")));
    }

    [Fact]
    public void Given_both_image_datasets_when_cached_then_each_has_its_own_entry_and_class_names()
    {
        var store = Store(null, FakeSource.Images("mnist", train: 3), FakeSource.Images("fashion-mnist", train: 6));

        var mnist = store.Mnist();
        var fashion = store.FashionMnist();

        Assert.Equal((3, 6), (mnist.Train.Count, fashion.Train.Count));
        Assert.Equal("7", mnist.ClassNames[7]);
        Assert.Equal("Sneaker", fashion.ClassNames[7]);
        Assert.True(File.Exists(Path.Combine(Cache, "fashion-mnist", "manifest.json")));
    }

    [Fact]
    public void Describe_lists_every_dataset_with_its_cache_state_size_and_fetched_archive_hash()
    {
        var user = _temp.Sub("mine");
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(user).FullName, "kjv.txt"), "In the beginning");
        var store = Store(user, FakeSource.Images("mnist"), FakeSource.Images("fashion-mnist"));
        store.Mnist();
        store.FashionMnist();
        File.WriteAllBytes(Path.Combine(Cache, "fashion-mnist", "t10k-labels-idx1-ubyte"), new byte[] { 0 });

        var list = store.Describe().ToDictionary(d => d.Name);

        Assert.Equal(new[] { "mnist", "fashion-mnist", "kjv" }, list.Keys);
        Assert.Equal(CacheStatus.Cached, list["mnist"].Cache);
        Assert.Equal(CacheStatus.Corrupt, list["fashion-mnist"].Cache);
        Assert.Equal(CacheStatus.Missing, list["kjv"].Cache);
        Assert.Equal(user, list["kjv"].UserFiles);
        Assert.Null(list["mnist"].UserFiles);
        Assert.Equal("fake mnist source", list["mnist"].Source);
        Assert.Equal(Directory.EnumerateFiles(Path.Combine(Cache, "mnist")).Sum(f => new FileInfo(f).Length), list["mnist"].SizeOnDisk);
        var archive = Assert.Single(list["mnist"].Archives);
        Assert.Equal(("mnist-archive.bin", 4L), (archive.Name, archive.Bytes));
        Assert.Matches("^[0-9a-f]{64}$", archive.Sha256);
        Assert.Empty(list["kjv"].Archives);
    }

    [Fact]
    public void Fetch_reports_the_origin_and_the_examples_per_split()
    {
        var summary = Store(null, FakeSource.Images(train: 9, test: 4)).Fetch("MNIST");

        Assert.Equal("mnist", summary.Name);
        Assert.Equal(new[] { new SplitCount("train", 9, "images"), new SplitCount("test", 4, "images") }, summary.Splits);
        Assert.Contains(Path.Combine(Cache, "mnist"), summary.Origin);
    }
}
