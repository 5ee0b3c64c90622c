using MuonSharp.Lab.Sweeps;

namespace MuonSharp.Lab.Tests.Sweeps;

public sealed class SlurmScriptTests
{
    [Theory]
    [InlineData(new[] { 0, 1, 2, 3 }, "0-3")]
    [InlineData(new[] { 7 }, "7")]
    [InlineData(new[] { 0, 2, 3, 5 }, "0,2-3,5")]
    [InlineData(new[] { 1, 2, 4, 5, 6, 9 }, "1-2,4-6,9")]
    public void The_array_spec_lists_the_points_to_run_as_ranges(int[] indices, string expected)
    {
        Assert.Equal(expected, SlurmScript.ArraySpec(indices));
    }

    [Fact]
    public void The_script_is_a_throttled_job_array_whose_task_id_is_the_point_index()
    {
        var script = SlurmScript.Text("/data/sweeps/lr", "small-gpt", new[] { 0, 1, 2, 3 },
            new SlurmOptions { Command = "dotnet /opt/m/MuonSharp.Cli.dll", Threads = 2, Cpus = 4, Throttle = 2 });

        Assert.Equal(
            "#!/bin/bash\n" +
            "# MuonSharp sweep of small-gpt: one array task per point of /data/sweeps/lr/manifest.jsonl.\n" +
            "# A completed point is skipped and an interrupted one continues from its checkpoint, so the script can be resubmitted.\n" +
            "#SBATCH --job-name=muonsharp-small-gpt\n" +
            "#SBATCH --array=0-3%2\n" +
            "#SBATCH --output=/data/sweeps/lr/slurm/logs/%A_%a.out\n" +
            "#SBATCH --cpus-per-task=4\n" +
            "set -eu\n" +
            "exec dotnet /opt/m/MuonSharp.Cli.dll sweep run-point '/data/sweeps/lr' --index \"$SLURM_ARRAY_TASK_ID\" --threads 2\n",
            script);
    }

    [Fact]
    public void Resource_options_become_sbatch_lines_in_order_and_absent_ones_no_line()
    {
        var script = SlurmScript.Text("/s", "toy", new[] { 1, 3 },
            new SlurmOptions { Partition = "gpu", Time = "30:00", Memory = "4G", ExtraArgs = new[] { "--qos=long", "--account=lab" } });

        Assert.Contains("#SBATCH --array=1,3\n#SBATCH --output=/s/slurm/logs/%A_%a.out\n#SBATCH --cpus-per-task=1\n" +
                        "#SBATCH --partition=gpu\n#SBATCH --time=30:00\n#SBATCH --mem=4G\n#SBATCH --qos=long\n#SBATCH --account=lab\nset -eu\n", script);
        Assert.Contains("exec muonsharp sweep run-point '/s'", script);
        Assert.DoesNotContain("--partition", SlurmScript.Text("/s", "toy", new[] { 0 }, new SlurmOptions()));
    }

    [Fact]
    public void A_relative_sweep_directory_is_written_absolute_and_quoted_for_the_shell()
    {
        var script = SlurmScript.Text("it's here", "toy", new[] { 0 }, new SlurmOptions());

        Assert.Contains($"run-point '{Path.GetFullPath("it's here").Replace("'", "'\\''")}' --index", script);
        Assert.Equal("'it'\\''s'", SlurmScript.ShellQuote("it's"));
    }

    [Theory]
    [InlineData(2, 1, null, "--slurm-cpus 1 is below --threads 2")]
    [InlineData(1, 1, "qos=long", "--slurm-arg 'qos=long'")]
    [InlineData(1, 1, "--a\n--b", "one sbatch option per --slurm-arg")]
    public void Bad_slurm_options_are_named(int threads, int cpus, string? extra, string expected)
    {
        var options = new SlurmOptions { Threads = threads, Cpus = cpus, ExtraArgs = extra is null ? Array.Empty<string>() : new[] { extra } };

        Assert.Contains(options.Validate(), p => p.Contains(expected, StringComparison.Ordinal));
        Assert.Empty(new SlurmOptions().Validate());
    }
}
