using System.Diagnostics;
using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Runs;

/// <summary>
/// The lock of a run directory: a file <c>run.lock</c> holding the writer's host name and process id,
/// created atomically (create-new), so two processes can never write one directory. A lock left by a
/// process that no longer exists on this host (a <c>kill -9</c>, a crash) is stale and is taken over
/// with a warning; a lock of a live process, or of another host, is an error naming the holder.
/// </summary>
internal sealed class RunLock : IDisposable
{
    /// <summary>File name inside the run directory.</summary>
    public const string FileName = "run.lock";

    private readonly string _path;
    private bool _released;

    private RunLock(string path) => _path = path;

    /// <summary>Takes the lock of <paramref name="directory"/> (which must exist).</summary>
    /// <param name="directory">The run directory.</param>
    /// <param name="warn">Receives the warning when a stale lock is taken over.</param>
    public static RunLock Acquire(string directory, Action<string> warn)
    {
        var path = Path.Combine(directory, FileName);
        var mine = $"{Environment.MachineName} {Environment.ProcessId}";
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                using (var writer = new StreamWriter(stream))
                    writer.Write(mine + "\n");
                return new RunLock(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                var holder = ReadHolder(path);
                if (holder is not { } h || !IsStale(h.Host, h.Pid))
                    throw new LabUserException($"'{directory}' is being written by another process ({(holder is { } x ? $"host {x.Host}, pid {x.Pid}" : "unreadable lock file")}); wait for it to finish, or remove {path} if that process is gone.");
                // Move the stale lock aside rather than deleting it: if another process took it over in
                // the meantime, the file we move is no longer the stale one and we put it back.
                var aside = $"{path}.stale.{Environment.ProcessId}";
                try { File.Move(path, aside, overwrite: true); }
                catch (FileNotFoundException) { continue; }
                if (ReadHolder(aside) != holder)
                {
                    try { File.Move(aside, path, overwrite: false); } catch (IOException) { }
                    continue;
                }
                File.Delete(aside);
                warn($"took over the stale lock of '{directory}' left by pid {h.Pid} on this host (that process no longer exists)");
            }
        }
        throw new LabUserException($"Could not lock '{directory}': another process keeps taking {path}.");
    }

    /// <summary>Who holds the lock at <paramref name="path"/>, or null when it cannot be read.</summary>
    public static (string Host, int Pid)? ReadHolder(string path)
    {
        try
        {
            var parts = File.ReadAllText(path).Trim().Split(' ');
            return parts.Length == 2 && int.TryParse(parts[1], out var pid) ? (parts[0], pid) : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>True when the lock of <paramref name="directory"/> is held by a live process (or another host).</summary>
    public static bool IsHeld(string directory) =>
        ReadHolder(Path.Combine(directory, FileName)) is { } h && !IsStale(h.Host, h.Pid);

    private static bool IsStale(string host, int pid)
    {
        if (!string.Equals(host, Environment.MachineName, StringComparison.Ordinal)) return false;
        if (pid == Environment.ProcessId) return false;
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException) { return true; }
        catch (InvalidOperationException) { return true; }
    }

    /// <summary>Deletes the lock file.</summary>
    public void Dispose()
    {
        if (_released) return;
        _released = true;
        try { File.Delete(_path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
