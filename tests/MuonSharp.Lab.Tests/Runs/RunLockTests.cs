using System.Diagnostics;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Runs;

public sealed class RunLockTests
{
    private static readonly ToyExperiment Toy = new();

    private static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    [Fact]
    public void A_directory_locked_by_a_live_process_is_refused_naming_the_holder_and_nothing_is_written()
    {
        using var temp = new TempDirectory();
        using var holder = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            File.WriteAllText(Path.Combine(temp.Path, "run.lock"), $"{Environment.MachineName} {holder.Id}\n");

            var error = Assert.Throws<LabUserException>(() => LabRunner.Run(Toy, Toy.Quick, temp.Path));

            Assert.Contains($"pid {holder.Id}", error.Message);
            Assert.Contains(Environment.MachineName, error.Message);
            Assert.False(File.Exists(Path.Combine(temp.Path, "config.json")));
        }
        finally
        {
            holder.Kill();
        }
    }

    [Fact]
    public void A_stale_lock_of_a_dead_process_on_this_host_is_taken_over_with_a_warning()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(Path.Combine(temp.Path, "run.lock"), $"{Environment.MachineName} {DeadPid()}\n");
        var echoed = new List<string>();

        var summary = LabRunner.Run(Toy, Toy.Quick, temp.Path, new RunOptions { Echo = echoed.Add });

        Assert.Equal(RunStatus.Completed, summary.Status);
        Assert.Contains(echoed, line => line.Contains("stale lock"));
        Assert.False(File.Exists(Path.Combine(temp.Path, "run.lock")));
    }

    [Fact]
    public void A_lock_of_another_host_is_never_taken_over()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(Path.Combine(temp.Path, "run.lock"), $"some-other-host {DeadPid()}\n");

        var error = Assert.Throws<LabUserException>(() => LabRunner.Run(Toy, Toy.Quick, temp.Path));

        Assert.Contains("some-other-host", error.Message);
    }

    [Fact]
    public void The_lock_is_released_when_the_run_ends()
    {
        using var temp = new TempDirectory();

        LabRunner.Run(Toy, Toy.Quick, temp.Path);

        Assert.False(File.Exists(Path.Combine(temp.Path, "run.lock")));
    }
}
