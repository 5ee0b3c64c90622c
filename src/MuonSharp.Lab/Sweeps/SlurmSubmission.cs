using System.Diagnostics;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Sweeps;

/// <summary>
/// Submits a sweep's script with <c>sbatch</c> and remembers the job: <c>slurm/sweep.sbatch</c> (the script),
/// <c>slurm/logs/JOB_TASK.out</c> (each task's output) and <c>slurm/jobs.txt</c> (every job id submitted for
/// this sweep, the latest last) in the sweep directory.
/// </summary>
public static class SlurmSubmission
{
    /// <summary>Folder of the Slurm files inside the sweep directory.</summary>
    public const string Folder = "slurm";

    /// <summary>File of the submitted job ids, one a line.</summary>
    public const string JobsFile = "jobs.txt";

    /// <summary>The full path of <paramref name="command"/> on PATH, or null.</summary>
    /// <param name="command">A program name.</param>
    public static string? FindOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);

    /// <summary>Refuses when <c>sbatch</c> is missing (before anything is written or submitted).</summary>
    public static void RequireSbatch()
    {
        if (FindOnPath("sbatch") is null)
            throw new LabUserException("--executor slurm: 'sbatch' is not on PATH; run on a Slurm login node, start a local one (scripts/slurm-single-node.sh start), or use --executor local.");
    }

    /// <summary>Writes the script, submits it and records the job id; returns the id.</summary>
    /// <param name="sweepDirectory">The sweep directory.</param>
    /// <param name="script">The script from <see cref="SlurmScript.Text"/>.</param>
    public static string Submit(string sweepDirectory, string script)
    {
        var folder = Path.GetFullPath(Path.Combine(sweepDirectory, Folder));   // sbatch runs in that folder: a relative path would not resolve
        Directory.CreateDirectory(Path.Combine(folder, "logs"));
        var path = Path.Combine(folder, SlurmScript.FileName);
        AtomicFile.WriteAllText(path, script);
        var info = new ProcessStartInfo(FindOnPath("sbatch") ?? "sbatch") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        info.ArgumentList.Add("--parsable");
        info.ArgumentList.Add(path);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        var reason = error.Result.Trim().ReplaceLineEndings(" ");
        if (process.ExitCode != 0 || output.Length == 0)
            throw new LabUserException($"sbatch refused the job (exit {process.ExitCode}): {(reason.Length > 0 ? reason : "no message")}; the script is {path}.");
        var jobId = output.Split(';')[0];   // "--parsable" prints "id" or "id;cluster"
        File.AppendAllText(Path.Combine(folder, JobsFile), jobId + "\n");
        return jobId;
    }

    /// <summary>The last job id submitted for the sweep, or null when none was.</summary>
    /// <param name="sweepDirectory">The sweep directory.</param>
    public static string? LatestJob(string sweepDirectory)
    {
        var path = Path.Combine(sweepDirectory, Folder, JobsFile);
        return File.Exists(path) ? File.ReadAllLines(path).LastOrDefault(l => l.Trim().Length > 0)?.Trim() : null;
    }
}
