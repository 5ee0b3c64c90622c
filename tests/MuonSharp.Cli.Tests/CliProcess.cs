using System.Diagnostics;
using MuonSharp.Cli;

namespace MuonSharp.Cli.Tests;

/// <summary>The real muonsharp command as a child process (the CLI assembly next to the tests), for tests that signal or kill it.</summary>
internal static class CliProcess
{
    private static readonly string Dll = Path.Combine(Path.GetDirectoryName(typeof(LabCommands).Assembly.Location)!, "MuonSharp.Cli.dll");

    /// <summary>Starts the command; its standard output and error lines are collected into <paramref name="output"/>.</summary>
    public static Process Start(out System.Text.StringBuilder output, params string[] args)
    {
        var lines = new System.Text.StringBuilder();
        output = lines;
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["MUONSHARP_OFFLINE"] = "1";
        info.Environment["DOTNET_GCgen0size"] = "0x10000000";   // as the test host (tests/test.runsettings says why)
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (lines) lines.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (lines) lines.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Starts the command, discarding its output.</summary>
    public static Process Start(params string[] args) => Start(out _, args);

    /// <summary>Runs the command to the end and returns its exit code.</summary>
    public static int Run(params string[] args)
    {
        using var process = Start(args);
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>Waits until <paramref name="path"/> holds more than its header line (the run is under way).</summary>
    public static void WaitForRows(string path, Process process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2) && !process.HasExited)
        {
            try
            {
                if (File.Exists(path) && File.ReadLines(path).Skip(1).Any()) return;
            }
            catch (IOException) { }
            Thread.Sleep(50);
        }
        throw new TimeoutException($"{path} got no metric rows while the process ran.");
    }

    public static void Signal(Process process, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {process.Id}") { UseShellExecute = false })!;
        kill.WaitForExit();
    }
}
