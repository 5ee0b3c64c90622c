using MuonSharp.Cli;

namespace MuonSharp.Cli.Tests;

/// <summary>The command line end to end, output captured (CapturedConsole; the assembly runs its tests one at a time).</summary>
public sealed class LabCommandsTests : CapturedConsole
{
    private int Run(params string[] args) => LabCommands.Invoke(args);

    private static string TempPath(string name) => Path.Combine(Path.GetTempPath(), $"muonsharp-cli-{Guid.NewGuid():N}-{name}");

    [Theory]
    [InlineData("/proc/x")]
    [InlineData("/etc/hostname/run")]
    public void An_unwritable_out_is_a_one_line_error_and_nothing_is_written(string output)
    {
        AssertOneLineError(Run("run", "deep-linear", "--quick", "--out", output), output, "cannot be written");
        Assert.False(Directory.Exists(output));
    }

    [Theory]
    [InlineData("--steps", "abc", "--steps abc", "whole number from 1")]
    [InlineData("--steps", "10000000000", "--steps 10000000000", "whole number from 1")]
    [InlineData("--seed", "-1", "--seed -1", "whole number from 0")]
    [InlineData("--threads", "0", "--threads 0", "whole number from 1")]
    [InlineData("--seeds", "0", "--seeds 0", "whole number from 1")]
    public void A_bad_number_is_refused_at_parse_time_naming_the_value_and_the_range(string option, string value, string named, string range)
    {
        var output = TempPath("bad-number");

        AssertOneLineError(Run("run", "deep-linear", "--quick", option, value, "--out", output), named, range);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void A_first_seed_whose_last_seed_overflows_is_refused()
    {
        var output = TempPath("overflow");

        AssertOneLineError(Run("run", "deep-linear", "--quick", "--seed", "2147483647", "--seeds", "2", "--out", output), "seed = 2147483647", "exceeds");
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Run_without_an_id_names_the_experiments()
    {
        AssertOneLineError(Run("run"), "needs an experiment id", "deep-linear");
    }

    [Theory]
    [InlineData("{\"optimizers\": null}", "'optimizers'", "expects a list")]
    [InlineData("{\"noise_std\": \"Infinity\"}", "'noise_std'", "expects a finite number")]
    [InlineData("{\"steps\": 1.5}", "'steps'", "expects a whole number")]
    public void A_config_file_with_a_null_or_named_literal_is_refused(string json, string key, string expected)
    {
        var file = TempPath("config.json");
        File.WriteAllText(file, json);
        var output = TempPath("config-run");
        try
        {
            AssertOneLineError(Run("run", "deep-linear", "--quick", "--config", file, "--out", output), key, expected);
            Assert.False(Directory.Exists(output));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Report_on_a_file_says_it_is_a_file()
    {
        var file = TempPath("not-a-folder");
        File.WriteAllText(file, "x");
        try
        {
            AssertOneLineError(Run("report", file), file, "is a file");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Reproduce_with_an_unknown_experiment_in_only_is_refused()
    {
        AssertOneLineError(Run("reproduce", "--quick", "--only", "deep-linear,nope", "--out", TempPath("reproduce")), "'nope'", "Known:");
    }

    [Fact]
    public void An_unknown_experiment_is_a_one_line_error_with_exit_code_2()
    {
        int code = Run("run", "no-such-experiment");

        Assert.Equal(2, code);
        Assert.Contains("Unknown experiment 'no-such-experiment'", Console.Output);
        Assert.DoesNotContain("   at ", Console.Output);
    }

    [Fact]
    public void Report_on_a_missing_folder_is_a_user_error()
    {
        int code = Run("report", Path.Combine(Path.GetTempPath(), "muonsharp-no-such-folder"));

        Assert.Equal(2, code);
        Assert.Contains("does not exist", Console.Output);
    }

    [Fact]
    public void Report_with_a_readme_without_markers_refuses_before_writing_the_report()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"muonsharp-readme-{Guid.NewGuid():N}");
        try
        {
            Assert.Equal(0, Run("run", "stable-rank-init", "--quick", "--seeds", "1", "--out", Path.Combine(folder, "run")));
            var readme = Path.Combine(folder, "README.md");
            File.WriteAllText(readme, "# no markers\n");

            Assert.Equal(2, Run("report", folder, "--readme", readme));

            Assert.Contains("has no '<!-- verdicts:begin", Console.Output);
            Assert.False(File.Exists(Path.Combine(folder, "report.md")));
            Assert.Equal("# no markers\n", File.ReadAllText(readme));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void List_succeeds()
    {
        Assert.Equal(0, Run("list"));
    }

    [Fact]
    public void A_missing_data_dir_is_refused_before_anything_is_written()
    {
        var output = TempPath("data-dir-run");
        var missing = TempPath("no-such-data");

        AssertOneLineError(Run("run", "deep-linear", "--quick", "--data-dir", missing, "--out", output), missing);
        Assert.False(Directory.Exists(output));
    }
}
