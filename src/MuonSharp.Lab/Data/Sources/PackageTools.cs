using System.ComponentModel;
using System.Diagnostics;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Data.Sources;

/// <summary>
/// Runs the package tools the sources use — npm, apt-get, dpkg-deb — and turns their failures into
/// one-line messages. The two that reach the network refuse to run in offline mode themselves, so
/// no path through the code downloads while <c>MUONSHARP_OFFLINE=1</c>, whatever the caller set.
/// </summary>
internal static class PackageTools
{
    /// <summary>What a finished program printed.</summary>
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary><c>npm pack SPEC</c> in <paramref name="folder"/> (npm checks the tarball's integrity); the .tgz path.</summary>
    public static string NpmPack(string spec, string folder)
    {
        RefuseIfOffline($"npm pack {spec}");
        var result = Run("npm", new[] { "pack", spec }, folder);
        if (result.ExitCode != 0) throw new LabUserException($"'npm pack {spec}' failed (exit {result.ExitCode}): {Summary(result.Error)}");
        return Directory.GetFiles(folder, "*.tgz").SingleOrDefault()
            ?? throw new LabUserException($"'npm pack {spec}' succeeded but left no .tgz in {folder}.");
    }

    /// <summary><c>apt-get download PACKAGE</c> in <paramref name="folder"/> (apt checks the .deb against the signed lists); the .deb path.</summary>
    public static string AptDownload(string package, string folder)
    {
        RefuseIfOffline($"apt-get download {package}");
        var result = Run("apt-get", new[] { "download", package }, folder);
        if (result.ExitCode != 0) throw new LabUserException(AptDownloadFailure(package, result));
        return Directory.GetFiles(folder, $"{package}_*.deb").SingleOrDefault()
            ?? throw new LabUserException($"'apt-get download {package}' succeeded but left no {package}_*.deb in {folder}.");
    }

    /// <summary>The one-line message for a failed <c>apt-get download</c>.</summary>
    public static string AptDownloadFailure(string package, Result result)
    {
        // "Unable to locate package" is what apt says on a machine whose package lists were never downloaded.
        var hint = result.Error.Contains("Unable to locate package", StringComparison.Ordinal)
            ? " (the package lists may be missing: run 'sudo apt-get update' and try again)" : "";
        return $"'apt-get download {package}' failed (exit {result.ExitCode}): {Summary(result.Error)}{hint}";
    }

    /// <summary><c>dpkg-deb -x DEB FOLDER</c>: unpacks a package's files without installing it.</summary>
    public static void DpkgExtract(string deb, string folder)
    {
        Directory.CreateDirectory(folder);
        var result = Run("dpkg-deb", new[] { "-x", deb, folder }, folder);
        if (result.ExitCode != 0) throw new LabUserException($"'dpkg-deb -x {Path.GetFileName(deb)}' failed (exit {result.ExitCode}): {Summary(result.Error)}");
    }

    /// <summary>Runs <paramref name="program"/> with no input and waits for it.</summary>
    public static Result Run(string program, IReadOnlyList<string> arguments, string workingFolder)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new LabUserException(program.Contains(Path.DirectorySeparatorChar)
                ? $"Cannot start {program}: {e.Message}"
                : $"{program} is not installed (not found on PATH).");
        }
        using (process)
        {
            process.StandardInput.Close();
            // Both pipes are drained at once: a program blocked on a full stderr pipe would never exit.
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return new Result(process.ExitCode, output.Result, error.Result);
        }
    }

    /// <summary>Runs <paramref name="work"/> as one progress task named <paramref name="description"/>.</summary>
    public static T Stage<T>(IRunProgress progress, string description, Func<T> work)
    {
        using var task = progress.Start(description, 1);
        var result = work();
        task.Advance();
        return result;
    }

    private static void RefuseIfOffline(string command)
    {
        if (DataEnvironment.IsOffline())
            throw new LabUserException($"Offline mode is on ({DataEnvironment.OfflineVariable}=1): not running '{command}'.");
    }

    /// <summary>The tools' own error lines, minus notices and warnings, on one line.</summary>
    public static string Summary(string error)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("W:", StringComparison.Ordinal) && !l.StartsWith("npm notice", StringComparison.Ordinal) && !l.StartsWith("npm warn", StringComparison.Ordinal))
            .Take(3).ToArray();
        return lines.Length == 0 ? "no error message" : string.Join(" | ", lines);
    }
}
