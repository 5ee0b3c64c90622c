using System.Security.Cryptography;
using MuonSharp.Cli;
using MuonSharp.Lab.Data;
using MuonSharp.Lab.Runs;
using Spectre.Console;
using Spectre.Console.Testing;

namespace MuonSharp.Cli.Tests;

/// <summary><c>data list</c> and <c>data fetch</c> end to end, on generated files, with a cache of their own.</summary>
public sealed class DataCommandsTests : IDisposable
{
    private readonly TestConsole _console = new();
    private readonly IAnsiConsole _original = AnsiConsole.Console;
    private readonly string? _originalCache = Environment.GetEnvironmentVariable(DataEnvironment.CacheVariable);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "muonsharp-cli-tests-" + Guid.NewGuid().ToString("N"));

    public DataCommandsTests()
    {
        _console.Profile.Width = 200;
        AnsiConsole.Console = _console;
        Environment.SetEnvironmentVariable(DataEnvironment.CacheVariable, Cache);
    }

    public void Dispose()
    {
        AnsiConsole.Console = _original;
        Environment.SetEnvironmentVariable(DataEnvironment.CacheVariable, _originalCache);
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string Cache => Path.Combine(_root, "cache");

    private static int Run(params string[] args) => LabCommands.Build().Parse(args).Invoke();

    private static void WriteImages(string folder, int train, int test)
    {
        Directory.CreateDirectory(folder);
        foreach (var (prefix, n) in new[] { ("train", train), ("t10k", test) })
        {
            IdxFile.Write(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), new IdxArray(new[] { n, 28, 28 }, new byte[n * 28 * 28]));
            IdxFile.Write(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), new IdxArray(new[] { n }, new byte[n]));
        }
    }

    [Fact]
    public void Given_user_files_when_fetching_then_one_line_per_split_and_exit_code_0()
    {
        var user = Path.Combine(_root, "mine");
        WriteImages(Path.Combine(user, "mnist"), train: 12, test: 5);

        int code = Run("data", "fetch", "mnist", "--data-dir", user);

        Assert.Equal(0, code);
        Assert.Contains($"mnist: user files in {Path.Combine(user, "mnist")}", _console.Output);
        Assert.Matches(@"train +12 images", _console.Output);
        Assert.Matches(@"test +5 images", _console.Output);
    }

    [Fact]
    public void Given_the_users_text_when_fetching_kjv_then_its_characters_are_counted()
    {
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "kjv.txt"), "In the beginning");

        Assert.Equal(0, Run("data", "fetch", "kjv", "--data-dir", _root));
        Assert.Matches(@"text +16 characters", _console.Output);
    }

    [Fact]
    public void Given_an_unknown_dataset_when_fetching_then_a_one_line_error_lists_the_known_ones_and_exit_code_2()
    {
        int code = Run("data", "fetch", "cifar10");

        Assert.Equal(2, code);
        Assert.Contains("error: Unknown dataset 'cifar10'. Known: mnist, fashion-mnist, kjv.", _console.Output);
        Assert.DoesNotContain("   at ", _console.Output);
    }

    [Fact]
    public void Given_offline_tests_and_no_files_when_fetching_then_the_offline_error_and_exit_code_2()
    {
        int code = Run("data", "fetch", "fashion-mnist");

        Assert.Equal(2, code);
        Assert.Contains("Offline mode is on (MUONSHARP_OFFLINE=1)", _console.Output);
        Assert.Contains("t10k-labels-idx1-ubyte", _console.Output);
        Assert.DoesNotContain("   at ", _console.Output);
    }

    [Fact]
    public void Given_a_data_directory_that_does_not_exist_then_exit_code_2()
    {
        Assert.Equal(2, Run("data", "list", "--data-dir", Path.Combine(_root, "nowhere")));
        Assert.Contains("does not exist", _console.Output);
    }

    [Fact]
    public void Given_a_cached_dataset_when_listing_then_every_dataset_is_shown_with_the_fetched_archive_hash()
    {
        var store = new DatasetStore(null, Cache) { Offline = false, Sources = new[] { new GeneratedMnist() } };
        store.Mnist();
        var user = Path.Combine(_root, "mine");
        WriteImages(Path.Combine(user, "fashion-mnist"), train: 2, test: 1);

        int code = Run("data", "list", "--data-dir", user);

        Assert.Equal(0, code);
        Assert.Contains($"cache: {Cache}", _console.Output);
        foreach (var name in new[] { "mnist", "fashion-mnist", "kjv" }) Assert.Contains(name, _console.Output);
        Assert.Contains(Path.Combine(user, "fashion-mnist"), _console.Output);
        Assert.Contains($"{Convert.ToHexStringLower(SHA256.HashData(GeneratedMnist.Archive))}  generated.bin (7 B, mnist)", _console.Output);
        Assert.Equal(0, Run("data", "fetch", "mnist"));
        Assert.Contains("from generated digits", _console.Output);
        Assert.Matches(@"train +3 images", _console.Output);
    }

    /// <summary>Stands in for npm: writes three training and two test images.</summary>
    private sealed class GeneratedMnist : IDatasetSource
    {
        public static byte[] Archive => "archive"u8.ToArray();

        public string Dataset => "mnist";
        public string Description => "generated digits";
        public IReadOnlyList<SplitCount>? ExpectedSplits => null;

        public IReadOnlyList<RecordedFile> Acquire(string outputFolder, string workFolder, IRunProgress progress)
        {
            var archive = Path.Combine(workFolder, "generated.bin");
            File.WriteAllBytes(archive, Archive);
            WriteImages(outputFolder, train: 3, test: 2);
            return new[] { RecordedFile.Of(archive) };
        }
    }
}
