using System.Diagnostics;

namespace MuonSharp.Cli.Tests;

/// <summary>
/// A test that submits real Slurm jobs. Without a running Slurm it is skipped with a message naming the
/// script that starts one — except under CI (<c>CI=true</c>, set by .ci/run), where it runs and fails,
/// so a CI run can never pass with these tests skipped.
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    /// <summary>Why Slurm cannot be used here, or null when it can.</summary>
    public static readonly Lazy<string?> Unavailable = new(Probe);

    public SlurmFactAttribute()
    {
        if (Unavailable.Value is { } why && !IsCi) Skip = $"{why}: start a one-node Slurm with 'sudo scripts/slurm-single-node.sh start' (stop it with '... stop') to run this test.";
    }

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static string? Probe()
    {
        foreach (var tool in new[] { "sbatch", "squeue", "scontrol" })
            if (Lab.Sweeps.SlurmSubmission.FindOnPath(tool) is null) return $"'{tool}' is not on PATH";
        try
        {
            using var ping = Process.Start(new ProcessStartInfo("scontrol", "ping") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            var output = ping.StandardOutput.ReadToEnd();
            ping.WaitForExit(10_000);
            return ping.ExitCode == 0 && output.Contains("UP", StringComparison.Ordinal) ? null : "slurmctld does not answer 'scontrol ping'";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"scontrol cannot be started ({e.Message})";
        }
    }
}
