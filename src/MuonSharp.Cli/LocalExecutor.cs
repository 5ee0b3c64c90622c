using System.Diagnostics;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Sweeps;
using Spectre.Console;

namespace MuonSharp.Cli;

/// <summary>
/// Runs a sweep's points on this machine: up to K child processes at once, each
/// <c>muonsharp sweep run-point DIR --index I --threads T</c> with K × T ≤ cores, a progress bar over the
/// points, each child's output in <c>logs/point-III.log</c>. On Ctrl+C or SIGTERM no further point starts and
/// each running child gets one SIGTERM, checkpoints and exits; running the same command again finishes
/// what is left (completed points are skipped, interrupted ones continue).
/// </summary>
internal static class LocalExecutor
{
    public const string LogsFolder = "logs";
    private const int Interrupted = 130, Terminated = 143;

    public static int Run(string sweepDirectory, IReadOnlyList<SweepPoint> points, int parallel, int threads, StopSignals signals)
    {
        var todo = points.Where(p => PointStates.RunState(SweepManifest.RunDirectoryOf(sweepDirectory, p)) is not { Status: RunStatus.Completed }).ToList();
        AnsiConsole.MarkupLine($"{points.Count} point(s), {points.Count - todo.Count} already done; running {todo.Count}, {parallel} at a time with {threads} torch thread(s) each.");
        Directory.CreateDirectory(Path.Combine(sweepDirectory, LogsFolder));
        var failures = new List<string>();
        bool stopped = false;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var bar = context.AddTask("points", maxValue: Math.Max(points.Count, 1));
                bar.Value = points.Count - todo.Count;
                var running = new List<Child>();
                int next = 0;
                while (next < todo.Count || running.Count > 0)
                {
                    while (!signals.Token.IsCancellationRequested && running.Count < parallel && next < todo.Count)
                        running.Add(Child.Start(sweepDirectory, todo[next++], threads));
                    if (signals.Token.IsCancellationRequested && !stopped)
                    {
                        stopped = true;
                        foreach (var child in running) child.Stop();
                    }
                    if (running.Count == 0) break;
                    signals.Token.WaitHandle.WaitOne(100);
                    foreach (var child in running.Where(c => c.Process.HasExited).ToList())
                    {
                        running.Remove(child);
                        int code = child.Finish();
                        if (code == 0) bar.Increment(1);
                        else if (code is not (Interrupted or Terminated) || !stopped)
                            failures.Add($"point {child.Point.Index} ({child.Point.Label}) failed with exit code {code}: {child.LastLine()} (log: {child.LogPath})");
                    }
                }
            });
        foreach (var failure in failures) AnsiConsole.MarkupLine($"[red]{Markup.Escape(failure)}[/]");
        var states = PointStates.Read(sweepDirectory, new Dictionary<int, SlurmTask>());
        int done = states.Count(s => s.State == PointState.Done);
        AnsiConsole.MarkupLine($"{done} of {points.Count} point(s) done → {Markup.Escape(sweepDirectory)}" +
                               (done < points.Count ? " — run the same command again to finish what is left" : ""));
        if (stopped) return signals.ExitCode;
        return failures.Count > 0 ? 1 : 0;
    }

    /// <summary>One point's child process, its output appended to the point's log.</summary>
    private sealed class Child(SweepPoint point, Process process, StreamWriter log, string logPath)
    {
        private string _lastLine = "";

        public SweepPoint Point { get; } = point;
        public Process Process { get; } = process;
        public string LogPath { get; } = logPath;

        public static Child Start(string sweepDirectory, SweepPoint point, int threads)
        {
            var info = SelfCommand.Start(new[] { "sweep", "run-point", sweepDirectory, "--index", point.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            if (!OperatingSystem.IsWindows()) info.Environment[StopSignals.ChildVariable] = "1";
            var logPath = Path.Combine(sweepDirectory, LogsFolder, $"point-{point.Index:D3}.log");
            var process = new Process { StartInfo = info };
            var child = new Child(point, process, new StreamWriter(logPath, append: true) { AutoFlush = true }, logPath);
            process.OutputDataReceived += (_, e) => child.Write(e.Data);
            process.ErrorDataReceived += (_, e) => child.Write(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return child;
        }

        private void Write(string? line)
        {
            if (line is null) return;
            lock (log)
            {
                log.WriteLine(line);
                if (line.Trim().Length > 0) _lastLine = line.Trim();
            }
        }

        public string LastLine() { lock (log) return _lastLine; }

        /// <summary>Asks the child to checkpoint and stop (SIGTERM; on Windows the console's Ctrl+C has reached it already).</summary>
        public void Stop()
        {
            if (OperatingSystem.IsWindows() || Process.HasExited) return;
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
            kill?.WaitForExit();
        }

        /// <summary>Waits for the output to drain, closes the log, returns the exit code.</summary>
        public int Finish()
        {
            Process.WaitForExit();
            int code = Process.ExitCode;
            Process.Dispose();
            lock (log) log.Dispose();
            return code;
        }
    }
}
